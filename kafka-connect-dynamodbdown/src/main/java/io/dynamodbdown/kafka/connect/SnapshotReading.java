package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot mode: a key-range partition read once in key order. Each record's offset is its key, so a restart
 * continues strictly after the last key committed, and with the framework's transactional offsets each entry is
 * sent exactly once.
 */
final class SnapshotReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReading.class);

    private final RangePartition partition;
    private final SourceRecords records;
    private final SourceMetrics metrics;
    private final RangeScan scan;
    private boolean finished;

    SnapshotReading(RangePartition partition, Database db, RangeOffset stored, SourceRecords records, SourceMetrics metrics) {
        this.partition = partition;
        this.records = records;
        this.metrics = metrics;
        this.scan = new RangeScan(db, partition.range(), stored.key());
        if (stored.key() != null) {
            LOG.info("Resuming {} {} after key {}", partition.hashKey(), partition.rangeId(), Bytes.describe(stored.key()));
        }
    }

    @Override
    public void read(int wanted, List<SourceRecord> out) {
        List<Entry> entries = scan.next(wanted);
        for (Entry entry : entries) {
            out.add(records.entry(new RangeOffset(entry.key()).toMap(), entry.key(), entry.value()));
        }
        metrics.recordsPolled.addAndGet(entries.size());
        if (scan.exhausted()) {
            finished = true;
            LOG.info("Snapshot of {} {} is complete", partition.hashKey(), partition.rangeId());
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
