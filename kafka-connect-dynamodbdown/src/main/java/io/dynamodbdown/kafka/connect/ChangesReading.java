package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.PositionKeeper;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Changes mode, one database's range: a snapshot, then its table's change stream from a little before the snapshot
 * began, so no change made while it ran is missed. Both phases write the offsets of one source partition
 * ({@link ChangesOffset}), so Connect commits them in the order they were sent and a restart goes on from
 * whichever it finds, never skipping from one phase to the next over records it has not confirmed.
 *
 * <p>Four steps, each safe to interrupt:
 * <ol>
 *   <li><b>Start</b> (no offset stored yet): the snapshot's start time is sent as a heartbeat and nothing else is
 *       sent until the worker has stored it (it is read back from the offset store). Otherwise a worker that died
 *       before its first offset commit would begin again with a later start, and a key the first run sent and that
 *       was deleted in between would never be deleted from a copy.</li>
 *   <li><b>Snapshot</b>: the range in key order, each record's offset its key and the start time.</li>
 *   <li><b>End</b>: once the worker has written every record of the snapshot, a snapshot-end marker to every
 *       partition of the topic records were seen in. All but the last carry the snapshot's offset, the last the
 *       stream from the start time: a restart before all are written sends them all again. The sink then deletes
 *       from its copy of the range what this snapshot did not send, among the entries this database wrote there in
 *       older generations: keys deleted while the source could not follow the table (before a resnapshot).</li>
 *   <li><b>Stream</b>: every put, overwrite and delete, each record's offset the reader's checkpoint right after it;
 *       while the database has no changes of its own, heartbeats carry the checkpoint on. A checkpoint the stream
 *       can no longer continue fails the task, or ({@code changes.on.trimmed=resnapshot}) starts a new snapshot in
 *       a new generation.</li>
 * </ol>
 * Every record of a snapshot and of the changes after it carries that snapshot's generation (its start time).
 */
final class ChangesReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesReading.class);

    private enum Step { START, SNAPSHOT, END, STREAM }

    private final RangePartition partition;
    private final Database db;
    private final DynamoDbStreamsClient streams;
    private final DynamoDbDownSourceConfig config;
    private final SourceRecords records;
    private final SourceMetrics metrics;
    private final PositionKeeper<ChangeCheckpoint> streamPosition;
    private final Clock clock;

    private Step step;
    private volatile long generation;
    private Instant since;
    private RangeScan scan;
    /** The last key the current snapshot sent, or where it resumed; null for none. */
    private byte[] lastKey;
    private ChangeCheckpoint from;
    private ChangeReader reader;
    /** The start's heartbeat, until the worker stored it. */
    private SourceRecord start;
    private final OffsetStorageReader offsets;
    /** Records of the current snapshot sent, and written by the worker. */
    private final AtomicLong snapshotSent = new AtomicLong();
    private final AtomicLong snapshotAcked = new AtomicLong();
    /** How many partitions of the topic records were seen in: the highest partition plus one. */
    private final AtomicInteger partitionsSeen = new AtomicInteger();

    ChangesReading(RangePartition partition, Database db, DynamoDbStreamsClient streams, OffsetStorageReader offsets,
            DynamoDbDownSourceConfig config, SourceRecords records, SourceMetrics metrics, Clock clock) {
        this.clock = clock;
        this.offsets = offsets;
        this.partition = partition;
        this.db = db;
        this.streams = streams;
        this.config = config;
        this.records = records;
        this.metrics = metrics;
        ChangesOffset stored = partition.storedChangesOffset(offsets, config.table());
        if (stored == null) {
            beginSnapshot(Step.START, 0);
            streamPosition = new PositionKeeper<>(null, config.heartbeatInterval());
            return;
        }
        partitionsSeen.set(stored.partitions());
        generation = stored.generation();
        if (stored.inStream()) {
            step = Step.STREAM;
            from = stored.checkpoint();
            LOG.info("Resuming the changes of {} from its checkpoint", partition.hashKey());
        } else {
            step = Step.SNAPSHOT;
            since = stored.since();
            if (stored.key() == null) {
                // nothing of it stored yet (or a start set over REST): its records get a generation newer than any
                // a copy may hold of this database, so that its end clears what it does not send
                generation = Math.max(generation, clock.millis());
            }
            scan = new RangeScan(db, partition.range(), stored.key());
            lastKey = stored.key();
            metrics.lagUnknown(partition.hashKey());
            LOG.info("Resuming the snapshot of {} (changes since {})", partition.hashKey(), since);
        }
        streamPosition = new PositionKeeper<>(from, config.heartbeatInterval());
    }

    /** A new snapshot, from now, in a generation newer than {@code after}. */
    private void beginSnapshot(Step first, long after) {
        // as ChangeCheckpoint.fromNow(), in whole milliseconds as an offset keeps it
        since = clock.instant().minus(ChangeCheckpoint.CLOCK_MARGIN).truncatedTo(ChronoUnit.MILLIS);
        generation = Math.max(after + 1, since.toEpochMilli());
        step = first;
        scan = new RangeScan(db, partition.range(), null);
        lastKey = null;
        snapshotSent.set(0);
        snapshotAcked.set(0);
        metrics.lagUnknown(partition.hashKey());
    }

    @Override
    public void read(int wanted, List<SourceRecord> out) {
        if (step == Step.START && !started(out)) {
            return;
        }
        if (step == Step.SNAPSHOT) {
            readSnapshot(wanted, out);
        }
        if (step == Step.END && !ended(out)) {
            return;
        }
        if (step == Step.STREAM) {
            readStream(wanted, out);
        }
    }

    /** Sends the start once; true once the worker has stored it (read back from the offset store). */
    private boolean started(List<SourceRecord> out) {
        if (start == null) {
            start = records.heartbeat(offset(null).toMap(), "snapshot since " + since);
            out.add(start);
            metrics.heartbeatsSent.incrementAndGet();
            LOG.info("Starting the changes of {}: its snapshot begins once the worker has stored the time it starts from"
                    + " ({}; at its next offset commit, offset.flush.interval.ms)", partition.hashKey(), since);
            return false;
        }
        ChangesOffset stored = partition.storedChangesOffset(offsets, config.table());
        if (stored == null || stored.inStream() || !since.equals(stored.since()) || stored.generation() != generation) {
            return false;
        }
        start = null;
        step = Step.SNAPSHOT;
        return true;
    }

    private void readSnapshot(int wanted, List<SourceRecord> out) {
        List<Entry> entries = scan.next(wanted);
        for (Entry entry : entries) {
            out.add(records.change(offset(entry.key()).toMap(), entry.key(), entry.value(), null, generation));
            lastKey = entry.key();
        }
        snapshotSent.addAndGet(entries.size());
        metrics.recordsPolled.addAndGet(entries.size());
        if (scan.exhausted()) {
            scan = null;
            step = Step.END;
        }
    }

    /** Sends the snapshot-end markers once the worker wrote every record of the snapshot; true once sent. */
    private boolean ended(List<SourceRecord> out) {
        if (snapshotAcked.get() < snapshotSent.get()) {
            return false;
        }
        int partitions = Math.max(1, partitionsSeen.get());
        from = ChangeCheckpoint.since(since);
        // all but the last carry the snapshot's offset: only once every marker is written does the stream's stand
        Map<String, String> ending = ChangesOffset.snapshot(lastKey, since, generation, partitions).toMap();
        Map<String, String> after = ChangesOffset.stream(from, generation, partitions).toMap();
        for (int p = 0; p < partitions; p++) {
            out.add(records.snapshotEnd(p == partitions - 1 ? after : ending, partition.rangeId(), generation, p, partitions));
        }
        streamPosition.delivered(from);
        step = Step.STREAM;
        LOG.info("Snapshot of {} is complete (end markers to {} partitions); following its changes since {}",
                partition.hashKey(), partitions, since);
        return true;
    }

    private void readStream(int wanted, List<SourceRecord> out) {
        try {
            if (reader == null) {
                reader = DynamoDbDown.changes(streams, db, partition.range(), from);
            }
            List<Change> changes = reader.poll(wanted);
            long newest = Long.MIN_VALUE;
            for (Change change : changes) {
                out.add(records.change(streamOffset(change.checkpoint()).toMap(), change.key(), change.value(),
                        change.at().toEpochMilli(), generation));
                newest = Math.max(newest, change.at().toEpochMilli());
            }
            metrics.recordsPolled.addAndGet(changes.size());
            if (!changes.isEmpty()) {
                metrics.changesRead(partition.hashKey(), newest, System.currentTimeMillis());
                streamPosition.delivered(changes.get(changes.size() - 1).checkpoint());
            } else {
                heartbeatIfMoved(out);
            }
        } catch (ChangesLostException e) {
            if (!config.resnapshotOnTrimmed()) {
                throw new ConnectException(e.getMessage() + ". Set " + DynamoDbDownSourceConfig.CHANGES_ON_TRIMMED
                        + "=resnapshot to take a new snapshot instead", e);
            }
            LOG.warn("{}; taking a new snapshot of {}: once it is complete, the sink deletes from its copy what it did"
                    + " not send", e.getMessage(), partition.hashKey());
            closeReader();
            beginSnapshot(Step.SNAPSHOT, generation);
        }
    }

    /**
     * Sends the reader's checkpoint as a heartbeat when it moved and the interval passed since this partition's last
     * record: records of other databases and closed shards move it, and a database without changes of its own would
     * otherwise keep the position of its last change until the stream no longer holds it.
     */
    private void heartbeatIfMoved(List<SourceRecord> out) {
        ChangeCheckpoint moved = streamPosition.idle(reader.checkpoint());
        if (moved != null) {
            out.add(records.heartbeat(streamOffset(moved).toMap(), moved.encode()));
            metrics.heartbeatsSent.incrementAndGet();
        }
    }

    private ChangesOffset offset(byte[] lastKey) {
        return ChangesOffset.snapshot(lastKey, since, generation, partitionsSeen.get());
    }

    private ChangesOffset streamOffset(ChangeCheckpoint checkpoint) {
        return ChangesOffset.stream(checkpoint, generation, partitionsSeen.get());
    }

    @Override
    public void acked(SourceRecord record, RecordMetadata metadata) {
        // by the record's own topic, as it left this task: a transformation may rename the topic it lands in
        if (metadata != null && record.topic().equals(records.topic())) {
            partitionsSeen.accumulateAndGet(metadata.partition() + 1, Math::max);
        }
        if (isOfCurrentSnapshot(record)) {
            snapshotAcked.incrementAndGet();
        }
    }

    private boolean isOfCurrentSnapshot(SourceRecord record) {
        Map<String, ?> offset = record.sourceOffset();
        return record.topic().equals(records.topic()) && offset.get(ChangesOffset.SINCE) != null
                && Long.toString(generation).equals(offset.get(ChangesOffset.GENERATION));
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() {
        if (scan != null) {
            scan.close();
        }
        closeReader();
    }
}
