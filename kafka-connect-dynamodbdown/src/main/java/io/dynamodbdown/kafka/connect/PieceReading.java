package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.TableEntry;
import io.dynamodbdown.store.TableScan;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Changes mode: the snapshot of one {@link SnapshotPiece} in one {@link ChangesEpoch}, for {@link PiecesReading}:
 * its records, each with the piece's position after it, then, once the worker wrote every one, its end. Reading is
 * driven from the task's poll thread; {@link #acked} comes from the worker's producer callbacks.
 */
abstract class PieceReading {

    private static final Logger LOG = LoggerFactory.getLogger(PieceReading.class);

    final SnapshotPiece piece;
    final Map<String, String> partition;
    final ChangesEpoch epoch;
    final DynamoDbDownSourceConfig config;
    /** How many partitions of each topic records were seen in, shared with the task's other pieces. */
    final Map<String, Integer> partitionsSeen;
    final SourceMetrics metrics;
    private long sent;
    private volatile long acked;
    /** The position after the last entry sent, or where the piece resumed; null for none. */
    String position;
    boolean scanned;

    private PieceReading(SnapshotPiece piece, ChangesEpoch epoch, String position, DynamoDbDownSourceConfig config,
            Map<String, Integer> partitionsSeen, SourceMetrics metrics) {
        this.piece = piece;
        this.partition = piece.partition(config);
        this.epoch = epoch;
        this.position = position;
        this.config = config;
        this.partitionsSeen = partitionsSeen;
        this.metrics = metrics;
    }

    /** A listed database's range, in key order, from {@code position} (base64 of the last key sent; null: its start). */
    static PieceReading ofDatabase(SnapshotPiece piece, Database db, ChangesEpoch epoch, String position,
            DynamoDbDownSourceConfig config, Map<String, Integer> partitionsSeen, SourceMetrics metrics) {
        return new DatabasePiece(piece, db, epoch, position, config, partitionsSeen, metrics);
    }

    /** A segment of a whole-table Scan, from {@code position} (the scan's; null: its start). */
    static PieceReading ofSegment(SnapshotPiece piece, DynamoDbClient client, OpenOptions options, ChangesEpoch epoch,
            String position, DynamoDbDownSourceConfig config, Map<String, Integer> partitionsSeen, SourceMetrics metrics) {
        return new SegmentPiece(piece, client, options, epoch, position, config, partitionsSeen, metrics);
    }

    /** Adds up to {@code wanted} records of the piece; returns how many. */
    abstract int read(int wanted, List<SourceRecord> out);

    /** Ends the piece, its records all written. */
    abstract void end(List<SourceRecord> out);

    abstract void close();

    /** Whether the piece was read to its end. */
    boolean scanned() {
        return scanned;
    }

    /** Whether the worker wrote every record sent. */
    boolean written() {
        return acked >= sent;
    }

    /** The worker wrote one of the piece's records, of this epoch. */
    synchronized void acked(SourceRecord record) {
        if (!"true".equals(record.sourceOffset().get(PieceOffset.DONE))) {
            acked++;
        }
    }

    PieceOffset offset(boolean done, int partitions) {
        return new PieceOffset(position, epoch.since(), epoch.generation(), partitions, done);
    }

    /** A segment's offset: its records go to many databases' topics, so it keeps them all (heartbeats' aside). */
    PieceOffset segmentOffset(boolean done) {
        Map<String, Integer> topics = new HashMap<>(partitionsSeen);
        topics.remove(config.heartbeatTopic());
        return new PieceOffset(position, epoch.since(), epoch.generation(), 0, topics, done);
    }

    void sent(List<SourceRecord> out, SourceRecord record) {
        out.add(record);
        sent++;
    }

    /** A listed database's range, in key order, ended with snapshot-end markers. */
    private static final class DatabasePiece extends PieceReading {
        private final String topic;
        private final SourceRecords records;
        private final RangeScan scan;

        DatabasePiece(SnapshotPiece piece, Database db, ChangesEpoch epoch, String position, DynamoDbDownSourceConfig config,
                Map<String, Integer> partitionsSeen, SourceMetrics metrics) {
            super(piece, epoch, position, config, partitionsSeen, metrics);
            this.topic = config.topicFor(piece.database());
            this.records = SourceRecords.of(config, partition, piece.database());
            this.scan = new RangeScan(db, config.range(), position == null ? null : KeyEncoding.BASE64.decode(position));
            metrics.lagUnknown(piece.database());
        }

        @Override
        int read(int wanted, List<SourceRecord> out) {
            List<Entry> entries = scan.next(wanted);
            for (Entry entry : entries) {
                position = KeyEncoding.BASE64.encode(entry.key());
                sent(out, records.change(offset(false, partitionsSeen.getOrDefault(topic, 0)).toMap(), entry.key(),
                        entry.value(), null, epoch.generation()));
            }
            scanned = scan.exhausted();
            return entries.size();
        }

        /**
         * A snapshot-end marker to every partition of the topic records were seen in. All but the last carry the
         * snapshot's offset, the last its completion: a restart before all are written sends them all again.
         */
        @Override
        void end(List<SourceRecord> out) {
            int partitions = Math.max(1, partitionsSeen.getOrDefault(topic, 0));
            Map<String, String> ending = offset(false, partitions).toMap();
            Map<String, String> done = offset(true, partitions).toMap();
            String rangeId = new RangePartition(piece.database(), config.range()).rangeId();
            for (int p = 0; p < partitions; p++) {
                out.add(records.snapshotEnd(p == partitions - 1 ? done : ending, rangeId, epoch.generation(), p, partitions));
            }
            LOG.info("Snapshot of {} is complete (end markers to {} partitions)", piece, partitions);
        }

        @Override
        void close() {
            scan.close();
        }
    }

    /** A segment of a parallel Scan of the whole table: every database's entries in it, in scan order. */
    private static final class SegmentPiece extends PieceReading {
        private final TableScan scan;

        SegmentPiece(SnapshotPiece piece, DynamoDbClient client, OpenOptions options, ChangesEpoch epoch, String position,
                DynamoDbDownSourceConfig config, Map<String, Integer> partitionsSeen, SourceMetrics metrics) {
            super(piece, epoch, position, config, partitionsSeen, metrics);
            this.scan = DynamoDbDown.scan(client, config.table(), piece.segment(), piece.segments(), position, options);
        }

        @Override
        int read(int wanted, List<SourceRecord> out) {
            int read = 0;
            try {
                while (read < wanted && scan.hasNext()) {
                    TableEntry entry = scan.next();
                    position = entry.position();
                    sent(out, SourceRecords.of(config, partition, entry.database()).change(segmentOffset(false).toMap(),
                            entry.key(), entry.value(), null, epoch.generation()));
                    read++;
                }
            } catch (RuntimeException e) {
                if (read == 0) {
                    throw e;
                }
                return read; // not scanned yet: the next read meets the failure again if it lasts (the same page again)
            }
            scanned = read < wanted;
            return read;
        }

        /**
         * Its completion, with the topics its records were seen in, as a heartbeat: the whole table's end markers go
         * there once every segment is complete ({@link TableSnapshotEnd}).
         */
        @Override
        void end(List<SourceRecord> out) {
            out.add(SourceRecords.of(config, partition, config.databases()).heartbeat(segmentOffset(true).toMap(),
                    "snapshot " + piece + " complete"));
            metrics.heartbeatsSent.incrementAndGet();
            LOG.info("Snapshot of {} of {} is complete", piece, config.table());
        }

        @Override
        void close() {
            scan.close();
        }
    }
}
