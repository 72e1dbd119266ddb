package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.PositionKeeper;
import io.dynamodbdown.store.TailReader;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tail mode: a key-range partition followed as it grows, through a {@link TailReader}, so keys that become
 * visible behind ones already sent are sent too. The offset of every record is the reader's settled key after
 * its poll, which never passes a key not sent yet: a restart re-sends the unsettled tail, never skips. While no
 * new entry comes, the settled key still moves on (the keys behind the last one settle): a heartbeat carries it,
 * so a restart after a quiet spell re-sends only what arrived in the last settle window, not what the last record
 * sent had not yet settled.
 */
final class TailReading implements SourceReading {

    private static final Logger LOG = LoggerFactory.getLogger(TailReading.class);

    private final SourceRecords records;
    private final SourceMetrics metrics;
    private final TailReader tail;
    private final PositionKeeper<RangeOffset> position;

    TailReading(RangePartition partition, Database db, RangeOffset stored, Duration settle, Duration heartbeatInterval,
            SourceRecords records, SourceMetrics metrics) {
        this.records = records;
        this.metrics = metrics;
        this.tail = new TailReader(db, partition.range(), stored.key(), settle);
        this.position = new PositionKeeper<>(stored, heartbeatInterval);
        if (stored.key() != null) {
            LOG.info("Resuming {} {} after key {}", partition.hashKey(), partition.rangeId(), Bytes.describe(stored.key()));
        }
    }

    @Override
    public void read(int wanted, List<SourceRecord> out) {
        List<Entry> entries = tail.poll(wanted);
        RangeOffset settled = new RangeOffset(tail.settledKey());
        for (Entry entry : entries) {
            out.add(records.entry(settled.toMap(), entry.key(), entry.value()));
        }
        metrics.recordsPolled.addAndGet(entries.size());
        if (!entries.isEmpty()) {
            position.delivered(settled);
        } else if (position.idle(settled) != null) {
            out.add(records.heartbeat(settled.toMap(), settled.key() == null ? "" : KeyEncoding.BASE64.encode(settled.key())));
            metrics.heartbeatsSent.incrementAndGet();
        }
    }
}
