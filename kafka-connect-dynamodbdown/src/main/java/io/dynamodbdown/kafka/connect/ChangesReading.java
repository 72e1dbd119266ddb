package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes mode, one task's share of the connector's work: a snapshot of the databases, then the table's change
 * stream from a little before the snapshot began, so no change made while it ran is missed.
 *
 * <ol>
 *   <li><b>Epoch</b>: all tasks follow one {@link ChangesEpoch} (the snapshot's start and generation). Task 0 makes
 *       the first; nothing else is sent until the worker has stored it (it is read back from the offset store), so
 *       a restart begins from the same start and a key deleted in between is never missed.</li>
 *   <li><b>Hand-over</b>, when the epoch replaces one the tasks were streaming: until every task confirmed the worker
 *       wrote all it sent of the older one ({@link #handedOver}).</li>
 *   <li><b>Snapshot</b>: this task's {@link SnapshotPiece}s, read by a {@link PiecesReading}, each record's offset
 *       the piece's position. A listed database's piece ends, once the worker has written every record of it, with
 *       snapshot-end markers to every partition of its topic records were seen in, so the sink deletes from its copy
 *       what this snapshot did not send (keys deleted while the source could not follow the table); a whole
 *       table's, once every segment is complete, with task 0's markers for every database ({@link TableSnapshotEnd}).</li>
 *   <li><b>Wait</b>: until every piece, of every task, is complete: a change read before the snapshot entry it
 *       follows was written would be overwritten by that older entry.</li>
 *   <li><b>Lineages</b>: until task 0 stored every shard's lineage, for the tasks to agree on.</li>
 *   <li><b>Stream</b>: the lineages of the stream's shards whose hash falls to this task, read by a
 *       {@link LineagesReading}.</li>
 * </ol>
 * Every task re-reads the stored epoch every {@link #EPOCH_CHECK} and follows a newer one: a task that finds the
 * stream can no longer be followed makes it ({@code changes.on.trimmed=resnapshot}; otherwise the task fails), as
 * task 0 does when the databases or range configured changed. Every record carries the epoch's generation.
 */
final class ChangesReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesReading.class);
    /** How often a task re-reads the stored epoch to follow a newer one. */
    static final Duration EPOCH_CHECK = Duration.ofSeconds(10);
    /** How often a task waiting for the others reads their offsets: hand-over, pieces complete, lineages stored. */
    private static final Duration OFFSETS_READ = Duration.ofSeconds(1);

    private enum Step { EPOCH, HANDOVER, SNAPSHOT, WAIT, LINEAGES, STREAM }

    private final ChangesTaskContext task;
    private final DynamoDbDownSourceConfig config;
    private final Clock clock;
    private final String scope;
    private final Map<String, String> epochPartition;

    private Step step = Step.EPOCH;
    /** Records this task sent (poll thread), and those the worker acknowledged: handing over waits until all are. */
    private long sent;
    private final AtomicLong acked = new AtomicLong();
    private boolean handoverSent;
    private boolean lineagesSent;
    /** The epoch followed. */
    private ChangesEpoch epoch;
    /**
     * While an epoch this task sent is not stored yet: the generation it comes after (another task's newer than that
     * would do as well); null otherwise.
     */
    private Long proposedAfter;
    private Instant epochCheckedAt = Instant.MIN;
    private Instant offsetsReadAt = Instant.MIN;
    private final WaitWarning waiting;
    /** The snapshot phase of the epoch followed; read by the worker's acknowledgements too. */
    private volatile PiecesReading snapshot;
    /** The stream phase of the epoch followed. */
    private LineagesReading stream;
    /** How many partitions of each topic records were seen in: the highest partition plus one. */
    private final Map<String, Integer> partitionsSeen = new ConcurrentHashMap<>();

    ChangesReading(ChangesTaskContext task, Clock clock) {
        this.task = task;
        this.config = task.config();
        this.clock = clock;
        this.scope = config.changesScope();
        this.epochPartition = ChangesEpoch.partition(config.table());
        this.waiting = new WaitWarning(clock, "Task " + task.index() + " (of " + task.tasks() + ") of the changes of "
                + config.table());
    }

    @Override
    public void read(int wanted, List<SourceRecord> out) {
        int before = out.size();
        try {
            readSteps(wanted, out);
        } finally {
            sent += out.size() - before;
        }
    }

    private void readSteps(int wanted, List<SourceRecord> out) {
        if (step != Step.EPOCH && !clock.instant().isBefore(epochCheckedAt.plus(EPOCH_CHECK))) {
            followStoredEpoch();
        }
        if (step == Step.EPOCH && !epochKnown(out)) {
            return;
        }
        if (step == Step.HANDOVER && !handedOver(out)) {
            return;
        }
        if (step == Step.SNAPSHOT && snapshot.read(wanted, out)) {
            moveTo(Step.WAIT);
        }
        if (step == Step.WAIT && allPiecesComplete()) {
            LOG.info("The snapshot of {} is complete; following its changes since {}", config.table(), epoch.since());
            if (task.index() == 0 && config.allDatabases()) {
                snapshot.endTable(out);
            }
            moveTo(Step.LINEAGES);
            offsetsReadAt = Instant.MIN; // the lineages are read at once
        }
        if (step == Step.LINEAGES && lineagesAgreed(out)) {
            moveTo(Step.STREAM);
        }
        if (step == Step.STREAM) {
            readStream(wanted, out);
        }
    }

    /** Whether the epoch to follow is known: the stored one, once it covers this configuration. */
    private boolean epochKnown(List<SourceRecord> out) {
        ChangesEpoch stored = ChangesEpoch.of(task.offsets().offset(epochPartition));
        if (proposedAfter != null) {
            if (stored == null || stored.generation() <= proposedAfter) {
                // not stored yet; another task's, newer than the one it replaces, would do as well
                waiting.stillWaiting(step, () -> "the worker to store the epoch it sent (the time its snapshot starts"
                        + " from; at the worker's next offset commit, offset.flush.interval.ms)");
                return false;
            }
            proposedAfter = null;
        } else if (stored == null || !stored.covers(scope)) {
            if (task.index() == 0) {
                propose(stored == null ? 0 : stored.generation(), false, out);
            } else {
                waiting.stillWaiting(step, () -> (stored == null ? "the epoch (the time the snapshot starts from)"
                        : "an epoch of the databases and range now configured") + " that task 0 makes: is task 0 running?");
            }
            return false;
        }
        follow(stored);
        return true;
    }

    /**
     * Sends a new epoch, after {@code after}'s generation; it is followed once the worker has stored it. One that
     * {@code replaces} the epoch the tasks follow waits for their records of it (see {@link #handedOver}).
     */
    private void propose(long after, boolean replaces, List<SourceRecord> out) {
        // as ChangeCheckpoint.fromNow(), in whole milliseconds as an offset keeps it
        Instant since = clock.instant().minus(ChangeCheckpoint.CLOCK_MARGIN).truncatedTo(ChronoUnit.MILLIS);
        ChangesEpoch proposed = new ChangesEpoch(since, Math.max(after + 1, since.toEpochMilli()), scope,
                currentStream(), replaces ? after : 0, task.tasks());
        proposedAfter = after;
        out.add(records(epochPartition, config.databases()).heartbeat(proposed.toMap(), "snapshot since " + since));
        task.metrics().heartbeatsSent.incrementAndGet();
        moveTo(Step.EPOCH);
        LOG.info("Starting the changes of {} in generation {}: the snapshot begins once the worker has stored the time"
                + " it starts from ({}; at its next offset commit, offset.flush.interval.ms)", scope,
                proposed.generation(), since);
    }

    /** The ARN of the table's stream now: the changes after a snapshot are read from it, or found lost. */
    private String currentStream() {
        StreamScope none = new StreamScope(database -> false, lineage -> false, shard -> null, null, null);
        try (TableChangeReader probe = DynamoDbDown.tableChanges(task.streams(), task.client(), config.table(), none,
                task.options())) {
            return probe.streamArn();
        }
    }

    private void follow(ChangesEpoch stored) {
        closeReading();
        epoch = stored;
        epochCheckedAt = clock.instant();
        offsetsReadAt = Instant.MIN;
        snapshot = new PiecesReading(task, stored, partitionsSeen);
        stream = new LineagesReading(task, stored);
        moveTo(stored.replaces() == 0 ? Step.SNAPSHOT : Step.HANDOVER);
        handoverSent = false;
        lineagesSent = false;
        config.getList(DynamoDbDownSourceConfig.HASH_KEY).forEach(task.metrics()::lagUnknown);
        LOG.info("Task {} (of {}) follows the changes of {} since {} (generation {}): {} of the {} snapshot pieces are its",
                task.index(), task.tasks(), scope, epoch.since(), epoch.generation(), snapshot.owned(), snapshot.count());
    }

    /** Follows a newer epoch another task stored. */
    private void followStoredEpoch() {
        epochCheckedAt = clock.instant();
        ChangesEpoch stored = ChangesEpoch.of(task.offsets().offset(epochPartition));
        if (stored != null && stored.generation() != epoch.generation()) {
            LOG.info("A new snapshot of {} was started (generation {}); this task follows it", scope, stored.generation());
            if (stored.covers(scope)) {
                follow(stored);
            } else {
                closeReading();
                moveTo(Step.EPOCH);
            }
        }
    }

    /**
     * Whether every task confirmed it follows the epoch, nothing of the one it replaced still on its way to Kafka:
     * the new snapshot's records must come after the last changes the old epoch sent, in every partition, or an
     * older change sent late would overwrite them. This task confirms once the worker wrote all it sent.
     */
    private boolean handedOver(List<SourceRecord> out) {
        if (!handoverSent) {
            if (acked.get() < sent) {
                waiting.stillWaiting(step, () -> "the worker to write the " + (sent - acked.get()) + " records it sent of"
                        + " the epoch before generation " + epoch.generation() + ", before it hands over to it");
                return false;
            }
            out.add(records(ChangesEpoch.followedBy(config.table(), task.index()), config.databases())
                    .heartbeat(Map.of(ChangesEpoch.GENERATION, Long.toString(epoch.generation())), "following " + epoch.generation()));
            task.metrics().heartbeatsSent.incrementAndGet();
            handoverSent = true;
            return false;
        }
        if (!offsetsReadDue()) {
            return false;
        }
        List<Integer> behind = new ArrayList<>();
        for (int other = 0; other < task.tasks(); other++) {
            Map<String, Object> followed = task.offsets().offset(ChangesEpoch.followedBy(config.table(), other));
            if (followed == null || PieceOffset.parse(ChangesEpoch.GENERATION, followed.get(ChangesEpoch.GENERATION))
                    < epoch.generation()) {
                behind.add(other);
            }
        }
        if (!behind.isEmpty()) {
            waiting.stillWaiting(step, () -> "the hand-over to generation " + epoch.generation() + " from task(s) "
                    + behind.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + ": each confirms once the worker wrote all it sent of the epoch before");
            return false;
        }
        LOG.info("Every task follows generation {}; its snapshot begins", epoch.generation());
        moveTo(Step.SNAPSHOT);
        return true;
    }

    /** Whether every piece of the snapshot, this task's and the others', is complete. */
    private boolean allPiecesComplete() {
        if (!offsetsReadDue()) {
            return false;
        }
        List<SnapshotPiece> incomplete = snapshot.incomplete();
        if (!incomplete.isEmpty()) {
            waiting.stillWaiting(step, () -> "the snapshot pieces of generation " + epoch.generation()
                    + " not complete yet: " + snapshot.describe(incomplete));
        }
        return incomplete.isEmpty();
    }

    /**
     * Whether the tasks agree on the shards' lineages: task 0 lists the stream once and stores every shard's lineage
     * before any task reads it ({@link LineagesReading#storeLineages}); the readers take them from there.
     */
    private boolean lineagesAgreed(List<SourceRecord> out) {
        if (!offsetsReadDue()) {
            return false;
        }
        Map<String, Object> stored = task.offsets().offset(ChangesEpoch.lineagesStored(config.table()));
        if (stored != null && Long.toString(epoch.generation()).equals(stored.get(ChangesEpoch.GENERATION))) {
            stream.lineagesStored();
            return true;
        }
        if (task.index() == 0 && !lineagesSent) {
            try {
                stream.storeLineages(out);
                lineagesSent = true;
            } catch (ChangesLostException e) {
                lost(e, out);
            }
        } else {
            waiting.stillWaiting(step, () -> task.index() == 0 ? "the worker to store the shards' lineages it sent"
                    : "the lineages of the stream's shards, which task 0 stores once the snapshot is complete:"
                    + " is task 0 running?");
        }
        return false;
    }

    private void readStream(int wanted, List<SourceRecord> out) {
        try {
            stream.read(wanted, out);
        } catch (ChangesLostException e) {
            lost(e, out);
        }
    }

    /** The stream can no longer be followed from where the epoch stands: fail, or a new snapshot. */
    private void lost(ChangesLostException e, List<SourceRecord> out) {
        if (!config.resnapshotOnTrimmed()) {
            throw new ConnectException(e.getMessage() + ". Set " + DynamoDbDownSourceConfig.CHANGES_ON_TRIMMED
                    + "=resnapshot to take a new snapshot instead", e);
        }
        LOG.warn("{}; taking a new snapshot of {}: once it is complete, the sink deletes from its copy what it did"
                + " not send", e.getMessage(), scope);
        closeReading();
        propose(epoch.generation(), true, out);
    }

    private void moveTo(Step next) {
        step = next;
        waiting.over();
    }

    /** Whether {@link #OFFSETS_READ} passed since the last read of the other tasks' offsets; if so, one is due now. */
    private boolean offsetsReadDue() {
        Instant now = clock.instant();
        if (now.isBefore(offsetsReadAt.plus(OFFSETS_READ))) {
            return false;
        }
        offsetsReadAt = now;
        return true;
    }

    @Override
    public boolean more() {
        return step == Step.STREAM && stream.more();
    }

    private SourceRecords records(Map<String, String> partition, String database) {
        return SourceRecords.of(config, partition, database);
    }

    @Override
    public void acked(SourceRecord record, RecordMetadata metadata) {
        acked.incrementAndGet();
        // by the record's own topic, as it left this task: a transformation may rename the topic it lands in
        if (metadata != null) {
            partitionsSeen.merge(record.topic(), metadata.partition() + 1, Math::max);
        }
        PiecesReading pieces = snapshot;
        if (pieces != null) {
            pieces.acked(record);
        }
    }

    private void closeReading() {
        if (snapshot != null) {
            snapshot.close();
        }
        if (stream != null) {
            stream.close();
        }
    }

    @Override
    public void close() {
        closeReading();
    }
}
