package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.PositionKeeper;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamChange;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Changes mode, one task's share of the connector's work: a snapshot of the databases, then the table's change
 * stream from a little before the snapshot began, so no change made while it ran is missed.
 *
 * <ol>
 *   <li><b>Epoch</b>: all tasks follow one {@link ChangesEpoch} (the snapshot's start and generation). Task 0 makes
 *       the first; nothing else is sent until the worker has stored it (it is read back from the offset store), so
 *       a restart begins from the same start and a key deleted in between is never missed.</li>
 *   <li><b>Snapshot</b>: this task's {@link SnapshotPiece}s (every {@code tasks}-th, from its index), each record's
 *       offset the piece's position. A listed database's piece ends, once the worker has written every record of
 *       it, with snapshot-end markers to every partition of its topic records were seen in, so the sink deletes from
 *       its copy what this snapshot did not send (keys deleted while the source could not follow the table).</li>
 *   <li><b>Wait</b>: until every piece, of every task, is complete: a change read before the snapshot entry it
 *       follows was written would be overwritten by that older entry.</li>
 *   <li><b>Stream</b>: the lineages of the stream's shards whose hash falls to this task (a child shard belongs to
 *       its parent's lineage, so each key's changes stay in order in one task), read in parallel by one
 *       {@link TableChangeReader} for all databases; each change's offset its shard's position right after it, and
 *       heartbeats keep a shard's stored position up while it has no changes to send.</li>
 * </ol>
 * Every task re-reads the stored epoch every {@link #EPOCH_CHECK} and follows a newer one: a task that finds the
 * stream can no longer be followed makes it ({@code changes.on.trimmed=resnapshot}; otherwise the task fails), as
 * task 0 does when the databases or range configured changed. Every record carries the epoch's generation.
 */
final class ChangesReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesReading.class);
    /** How often a task re-reads the stored epoch to follow a newer one. */
    static final Duration EPOCH_CHECK = Duration.ofSeconds(10);
    /** How often a task that completed its pieces reads whether the others' are. */
    private static final Duration PIECES_CHECK = Duration.ofSeconds(1);

    private enum Step { EPOCH, HANDOVER, SNAPSHOT, WAIT, LINEAGES, STREAM }

    private final DynamoDbDownSourceConfig config;
    private final int index;
    private final int tasks;
    private final DynamoDbClient client;
    private final DynamoDbStreamsClient streams;
    private final OpenOptions options;
    private final Function<String, Database> databases;
    private final OffsetStorageReader offsets;
    private final SourceMetrics metrics;
    private final Clock clock;
    private final String scope;
    /** The epoch's snapshot pieces, this task's and the others'. */
    private List<SnapshotPiece> pieces = List.of();
    private final Map<String, String> epochPartition;

    private Step step = Step.EPOCH;
    /** Records this task sent (poll thread), and those the worker acknowledged: handing over waits until all are. */
    private long sent;
    private final AtomicLong acked = new AtomicLong();
    private boolean handoverSent;
    private boolean lineagesSent;
    private boolean lineagesChecked;
    /** The epoch followed; read by the worker's acknowledgements too. */
    private volatile ChangesEpoch epoch;
    /** An epoch this task sent, until the worker stored it (or another newer than the one it replaces). */
    private ChangesEpoch proposed;
    private long proposedAfter;
    private Instant epochCheckedAt = Instant.MIN;
    private Instant piecesCheckedAt = Instant.MIN;
    /** This task's pieces not begun yet, and the one being read. */
    private final List<SnapshotPiece> ahead = new ArrayList<>();
    private volatile PieceReading run;
    /** The source partitions of pieces whose completion the worker wrote (this task's), in the current epoch. */
    private final Set<List<?>> completed = ConcurrentHashMap.newKeySet();
    /** How many partitions of each topic records were seen in: the highest partition plus one. */
    private final Map<String, Integer> partitionsSeen = new ConcurrentHashMap<>();
    private TableChangeReader reader;
    /** Asked by the reader's threads as it finds shards. */
    private final Map<String, ShardOffset> storedShards = new ConcurrentHashMap<>();
    private final Map<String, PositionKeeper<ShardPosition>> shardPositions = new HashMap<>();

    /**
     * @param databases opens a listed database (the task closes it)
     */
    ChangesReading(DynamoDbDownSourceConfig config, int index, int tasks, DynamoDbClient client,
            DynamoDbStreamsClient streams, OpenOptions options, Function<String, Database> databases,
            OffsetStorageReader offsets, SourceMetrics metrics, Clock clock) {
        this.config = config;
        this.index = index;
        this.tasks = tasks;
        this.client = client;
        this.streams = streams;
        this.options = options;
        this.databases = databases;
        this.offsets = offsets;
        this.metrics = metrics;
        this.clock = clock;
        this.scope = config.changesScope();
        this.epochPartition = ChangesEpoch.partition(config.table());
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
        if (step == Step.SNAPSHOT) {
            readSnapshot(wanted, out);
        }
        if (step == Step.WAIT && allPiecesComplete()) {
            LOG.info("The snapshot of {} is complete; following its changes since {}", config.table(), epoch.since());
            step = Step.LINEAGES;
        }
        if (step == Step.LINEAGES && lineagesAgreed(out)) {
            step = Step.STREAM;
        }
        if (step == Step.STREAM) {
            readStream(wanted, out);
        }
    }

    /** Whether the epoch to follow is known: the stored one, once it covers this configuration. */
    private boolean epochKnown(List<SourceRecord> out) {
        ChangesEpoch stored = ChangesEpoch.of(offsets.offset(epochPartition));
        if (proposed != null) {
            if (stored == null || stored.generation() <= proposedAfter) {
                return false; // not stored yet; another task's, newer than the one it replaces, would do as well
            }
            proposed = null;
        } else if (stored == null || !stored.covers(scope)) {
            if (index == 0) {
                propose(stored == null ? 0 : stored.generation(), false, out);
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
        proposed = new ChangesEpoch(since, Math.max(after + 1, since.toEpochMilli()), scope, currentStream(),
                replaces ? after : 0, tasks);
        proposedAfter = after;
        out.add(records(epochPartition, config.databases()).heartbeat(proposed.toMap(), "snapshot since " + since));
        metrics.heartbeatsSent.incrementAndGet();
        step = Step.EPOCH;
        LOG.info("Starting the changes of {} in generation {}: the snapshot begins once the worker has stored the time"
                + " it starts from ({}; at its next offset commit, offset.flush.interval.ms)", scope,
                proposed.generation(), since);
    }

    /** The ARN of the table's stream now: the changes after a snapshot are read from it, or found lost. */
    private String currentStream() {
        StreamScope none = new StreamScope(database -> false, lineage -> false, shard -> null, null, null);
        try (TableChangeReader probe = DynamoDbDown.tableChanges(streams, client, config.table(), none, options)) {
            return probe.streamArn();
        }
    }

    private void follow(ChangesEpoch stored) {
        closeReading();
        epoch = stored;
        epochCheckedAt = clock.instant();
        piecesCheckedAt = Instant.MIN;
        completed.clear();
        ahead.clear();
        pieces = SnapshotPiece.of(config, stored.segments() > 0 ? stored.segments() : tasks);
        for (int i = index; i < pieces.size(); i += tasks) {
            ahead.add(pieces.get(i));
        }
        storedShards.clear();
        shardPositions.clear();
        step = stored.replaces() == 0 ? Step.SNAPSHOT : Step.HANDOVER;
        handoverSent = false;
        lineagesSent = false;
        lineagesChecked = false;
        config.getList(DynamoDbDownSourceConfig.HASH_KEY).forEach(metrics::lagUnknown);
        LOG.info("Task {} of {} follows the changes of {} since {} (generation {}): {} of the {} snapshot pieces are its",
                index + 1, tasks, scope, epoch.since(), epoch.generation(), ahead.size(), pieces.size());
    }

    /** Follows a newer epoch another task stored. */
    private void followStoredEpoch() {
        epochCheckedAt = clock.instant();
        ChangesEpoch stored = ChangesEpoch.of(offsets.offset(epochPartition));
        if (stored != null && stored.generation() != epoch.generation()) {
            LOG.info("A new snapshot of {} was started (generation {}); this task follows it", scope, stored.generation());
            if (stored.covers(scope)) {
                follow(stored);
            } else {
                closeReading();
                step = Step.EPOCH;
            }
        }
    }

    private void readSnapshot(int wanted, List<SourceRecord> out) {
        int added = 0;
        while (added < wanted) {
            if (run == null) {
                if (ahead.isEmpty()) {
                    step = Step.WAIT;
                    return;
                }
                run = begin(ahead.remove(0));
            } else if (!run.scanned()) {
                int read = run.read(wanted - added, out);
                added += read;
                metrics.recordsPolled.addAndGet(read);
                if (read == 0 && !run.scanned()) {
                    return;
                }
            } else if (run.written()) {
                run.end(out);
                run.close();
                run = null;
            } else {
                return; // the end waits until the worker wrote every record of the piece
            }
        }
    }

    /** A reading of {@code piece} from where the epoch's stored offset left it; null when it is complete. */
    private PieceReading begin(SnapshotPiece piece) {
        Map<String, String> partition = piece.partition(config);
        PieceOffset stored = PieceOffset.of(offsets.offset(partition));
        String topic = piece.isSegment() ? null : config.topicFor(piece.database());
        if (stored != null && topic != null) {
            // an earlier epoch's records were seen there too: the end markers go to those partitions as well
            partitionsSeen.merge(topic, stored.partitions(), Math::max);
        }
        if (stored != null && !stored.of(epoch)) {
            stored = null;
        }
        if (stored != null && stored.done()) {
            completed.add(List.of(epoch.generation(), partition));
            return null;
        }
        LOG.info("{} the snapshot of {} of {}", stored != null && stored.key() != null ? "Resuming" : "Beginning", piece,
                config.table());
        String position = stored == null ? null : stored.key();
        return piece.isSegment()
                ? PieceReading.ofSegment(piece, client, options, epoch, position, config, partitionsSeen, metrics)
                : PieceReading.ofDatabase(piece, databases.apply(piece.database()), epoch, position, config,
                        partitionsSeen, metrics);
    }

    /**
     * Whether every task confirmed it follows the epoch, nothing of the one it replaced still on its way to Kafka:
     * the new snapshot's records must come after the last changes the old epoch sent, in every partition, or an
     * older change sent late would overwrite them. This task confirms once the worker wrote all it sent.
     */
    private boolean handedOver(List<SourceRecord> out) {
        if (!handoverSent) {
            if (acked.get() < sent) {
                return false;
            }
            out.add(records(ChangesEpoch.followedBy(config.table(), index), config.databases())
                    .heartbeat(Map.of(ChangesEpoch.GENERATION, Long.toString(epoch.generation())), "following " + epoch.generation()));
            metrics.heartbeatsSent.incrementAndGet();
            handoverSent = true;
            return false;
        }
        Instant now = clock.instant();
        if (now.isBefore(piecesCheckedAt.plus(PIECES_CHECK))) {
            return false;
        }
        piecesCheckedAt = now;
        for (int task = 0; task < tasks; task++) {
            Map<String, Object> followed = offsets.offset(ChangesEpoch.followedBy(config.table(), task));
            if (followed == null || PieceOffset.parse(ChangesEpoch.GENERATION, followed.get(ChangesEpoch.GENERATION))
                    < epoch.generation()) {
                return false;
            }
        }
        LOG.info("Every task follows generation {}; its snapshot begins", epoch.generation());
        step = Step.SNAPSHOT;
        return true;
    }

    /** Whether every piece of the snapshot, this task's and the others', is complete. */
    private boolean allPiecesComplete() {
        Instant now = clock.instant();
        if (now.isBefore(piecesCheckedAt.plus(PIECES_CHECK))) {
            return false;
        }
        piecesCheckedAt = now;
        List<Map<String, String>> others = new ArrayList<>();
        for (SnapshotPiece piece : pieces) {
            Map<String, String> partition = piece.partition(config);
            if (!completed.contains(List.of(epoch.generation(), partition))) {
                others.add(partition);
            }
        }
        if (others.isEmpty()) {
            return true;
        }
        Map<Map<String, String>, Map<String, Object>> stored = offsets.offsets(others);
        for (Map<String, String> partition : others) {
            PieceOffset piece = PieceOffset.of(stored.get(partition));
            if (piece == null || !piece.of(epoch) || !piece.done()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the tasks agree on the shards' lineages: task 0 lists the stream once and stores every shard's lineage
     * (a position without a sequence number) before any task reads it; the readers take them from there. Otherwise a
     * parent the stream forgot (24 hours after it closed) between two tasks' listings would give its child to a
     * lineage in one task and to another in the other: read by neither, or by both.
     */
    private boolean lineagesAgreed(List<SourceRecord> out) {
        Instant now = clock.instant();
        if (lineagesChecked && now.isBefore(piecesCheckedAt.plus(PIECES_CHECK))) {
            return false;
        }
        lineagesChecked = true;
        piecesCheckedAt = now;
        Map<String, Object> stored = offsets.offset(ChangesEpoch.lineagesStored(config.table()));
        if (stored != null && Long.toString(epoch.generation()).equals(stored.get(ChangesEpoch.GENERATION))) {
            storedShards.clear(); // looked up again: the lineages are stored now
            return true;
        }
        if (index == 0 && !lineagesSent) {
            StreamScope listing = new StreamScope(database -> false, lineage -> false, this::storedPosition, epoch.since(),
                    epoch.stream());
            Map<String, String> lineages;
            try (TableChangeReader probe = DynamoDbDown.tableChanges(streams, client, config.table(), listing, options)) {
                probe.poll(1); // lists the stream
                lineages = probe.lineages();
            } catch (ChangesLostException e) {
                lost(e, out);
                return false;
            }
            int before = out.size();
            lineages.forEach((shard, lineage) -> {
                if (storedPosition(shard) == null) {
                    out.add(records(ShardOffset.partition(config.table(), shard), config.databases()).heartbeat(
                            new ShardOffset(new ShardPosition(lineage, null, false), epoch.generation()).toMap(),
                            shard + " in lineage " + lineage));
                }
            });
            out.add(records(ChangesEpoch.lineagesStored(config.table()), config.databases()).heartbeat(
                    Map.of(ChangesEpoch.GENERATION, Long.toString(epoch.generation())), lineages.size() + " shards' lineages"));
            metrics.heartbeatsSent.addAndGet(out.size() - before);
            lineagesSent = true;
            LOG.info("Stored the lineages of the {} shards of the stream of {} for the tasks to share", lineages.size(),
                    config.table());
        }
        return false;
    }

    private void readStream(int wanted, List<SourceRecord> out) {
        try {
            if (reader == null) {
                reader = DynamoDbDown.tableChanges(streams, client, config.table(), new StreamScope(followed(),
                        lineage -> Math.floorMod(lineage.hashCode(), tasks) == index, this::storedPosition,
                        epoch.since(), epoch.stream()), options);
            }
            List<StreamChange> changes = reader.poll(wanted);
            Map<String, Long> newest = new HashMap<>();
            for (StreamChange change : changes) {
                Map<String, String> partition = ShardOffset.partition(config.table(), change.shard());
                out.add(records(partition, change.database()).change(
                        new ShardOffset(change.position(), epoch.generation()).toMap(), change.key(), change.value(),
                        change.at().toEpochMilli(), epoch.generation()));
                shardPosition(change.shard()).delivered(change.position());
                newest.merge(change.database(), change.at().toEpochMilli(), Math::max);
            }
            metrics.recordsPolled.addAndGet(changes.size());
            long now = System.currentTimeMillis();
            newest.forEach((database, at) -> metrics.changesRead(database, at, now));
            heartbeatsOfMovedShards(out);
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

    /** The databases whose changes are sent: the listed ones, or all. */
    private Predicate<String> followed() {
        if (config.allDatabases()) {
            return database -> true;
        }
        Set<String> listed = Set.copyOf(config.getList(DynamoDbDownSourceConfig.HASH_KEY));
        return listed::contains;
    }

    /** Where the epoch's stream phase stood in {@code shard}, as stored; null for nowhere yet. */
    private ShardPosition storedPosition(String shard) {
        ShardOffset stored = storedShards.computeIfAbsent(shard,
                s -> ShardOffset.of(offsets.offset(ShardOffset.partition(config.table(), s))));
        return stored == null || stored.generation() != epoch.generation() ? null : stored.position();
    }

    private PositionKeeper<ShardPosition> shardPosition(String shard) {
        return shardPositions.computeIfAbsent(shard, s -> new PositionKeeper<>(storedPosition(s), config.heartbeatInterval()));
    }

    /**
     * Sends a shard's position as a heartbeat when it moved and the interval passed since its last record: records of
     * other databases and closed shards move it, and a shard without changes to send would otherwise keep the
     * position of its last one until the stream no longer holds it. A shard read to its end says so at once (the
     * reader forgets it once a child is read): a restart that found it stored short of that would read it on, and its
     * children again from their start.
     */
    private void heartbeatsOfMovedShards(List<SourceRecord> out) {
        Map<String, ShardPosition> positions = reader.positions();
        shardPositions.forEach((shard, kept) -> {
            ShardPosition last = kept.kept();
            if (!positions.containsKey(shard) && last != null && !last.done()) {
                heartbeat(shard, new ShardPosition(last.lineage(), last.sequenceNumber(), true), out);
            }
        });
        positions.forEach((shard, position) -> {
            PositionKeeper<ShardPosition> keeper = shardPosition(shard);
            ShardPosition kept = keeper.kept();
            if (position.done() && (kept == null || !kept.done())) {
                heartbeat(shard, position, out);
            } else {
                ShardPosition moved = keeper.idle(position);
                if (moved != null) {
                    heartbeat(shard, moved, out);
                }
            }
        });
    }

    private void heartbeat(String shard, ShardPosition position, List<SourceRecord> out) {
        shardPosition(shard).delivered(position);
        out.add(records(ShardOffset.partition(config.table(), shard), config.databases())
                .heartbeat(new ShardOffset(position, epoch.generation()).toMap(), shard + "@" + position.sequenceNumber()));
        metrics.heartbeatsSent.incrementAndGet();
    }

    @Override
    public boolean more() {
        return step == Step.STREAM && reader != null && reader.more();
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
        Map<String, ?> offset = record.sourceOffset();
        ChangesEpoch followed = epoch;
        if (offset == null || offset.get(PieceOffset.SINCE) == null || followed == null
                || !Long.toString(followed.generation()).equals(offset.get(PieceOffset.GENERATION))) {
            return; // not a piece's record, or one of an epoch no longer followed
        }
        PieceReading current = run;
        if (current != null && current.partition.equals(record.sourcePartition())) {
            current.acked(record);
        }
        if ("true".equals(offset.get(PieceOffset.DONE))) {
            completed.add(List.of(followed.generation(), record.sourcePartition()));
        }
    }

    private void closeReading() {
        if (run != null) {
            run.close();
            run = null;
        }
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() {
        closeReading();
    }
}
