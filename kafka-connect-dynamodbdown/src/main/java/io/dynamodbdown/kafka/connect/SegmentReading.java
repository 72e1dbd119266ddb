package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.TableEntry;
import io.dynamodbdown.store.TableScan;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Snapshot mode with {@code hash.key=*}: one segment of a parallel Scan of the whole table, read once; every
 * database's entries in it come out in scan order, each record naming its database and going to its topic. Each
 * record's offset is the scan's position after it ({@code {key: position}}), so a restart goes on strictly after the
 * last one committed.
 */
final class SegmentReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentReading.class);

    private final SnapshotPiece piece;
    private final Map<String, String> partition;
    private final DynamoDbDownSourceConfig config;
    private final SourceMetrics metrics;
    private final TableScan scan;
    private boolean finished;

    SegmentReading(SnapshotPiece piece, DynamoDbDownSourceConfig config, DynamoDbClient client, OpenOptions options,
            Map<String, Object> stored, SourceMetrics metrics) {
        this.piece = piece;
        this.partition = piece.partition(config);
        this.config = config;
        this.metrics = metrics;
        // a changes-mode connector's offsets under the same partition carry a since: not a position of this scan
        String after = stored == null || stored.get(PieceOffset.SINCE) != null ? null : (String) stored.get(RangeOffset.KEY);
        this.scan = DynamoDbDown.scan(client, config.table(), piece.segment(), piece.segments(), after, options);
        LOG.info("{} the snapshot of {} of {}", after == null ? "Beginning" : "Resuming", piece, config.table());
    }

    Map<String, String> sourcePartition() {
        return partition;
    }

    @Override
    public void read(int wanted, List<SourceRecord> out) {
        int read = 0;
        try {
            while (read < wanted && scan.hasNext()) {
                TableEntry entry = scan.next();
                out.add(SourceRecords.of(config, partition, entry.database()).entry(Map.of(RangeOffset.KEY, entry.position()), entry.key(), entry.value()));
                read++;
            }
        } catch (RuntimeException e) {
            if (read == 0) {
                throw e;
            }
            return; // the next read meets the failure again if it lasts: the scan reads the same page again
        } finally {
            metrics.recordsPolled.addAndGet(read);
        }
        if (read < wanted && !finished) {
            finished = true;
            LOG.info("Snapshot of {} of {} is complete", piece, config.table());
        }
    }

    @Override
    public boolean finished() {
        return finished;
    }

    @Override
    public void close() {
        scan.close();
    }
}
