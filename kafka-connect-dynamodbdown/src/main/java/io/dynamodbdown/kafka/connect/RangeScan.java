package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import java.util.ArrayList;
import java.util.List;

/**
 * A range read once in key order, a batch at a time, its iterator kept open across batches so pages are fetched
 * ahead. A batch that fails part-way closes the iterator, and the next one reads on after the last key returned.
 */
final class RangeScan implements AutoCloseable {

    private final Database db;
    private final KeyRange range;
    private byte[] lastKey;
    private RangeIterator<Entry> entries;
    private boolean exhausted;

    /** A scan of {@code range} after {@code lastKey} (null: from its start). */
    RangeScan(Database db, KeyRange range, byte[] lastKey) {
        this.db = db;
        this.range = range;
        this.lastKey = lastKey;
    }

    /** Up to {@code wanted} entries after the last one returned; fewer once the range is read to its end. */
    List<Entry> next(int wanted) {
        List<Entry> batch = new ArrayList<>();
        if (exhausted) {
            return batch;
        }
        if (entries == null) {
            entries = db.iterator(lastKey == null ? range : range.after(lastKey));
        }
        try {
            while (batch.size() < wanted && entries.hasNext()) {
                Entry entry = entries.next();
                batch.add(entry);
                lastKey = entry.key();
            }
        } catch (RuntimeException e) {
            close();
            if (batch.isEmpty()) {
                throw e;
            }
            return batch; // the next batch reads on after the last key returned, and meets the failure again if it lasts
        }
        if (batch.size() < wanted) {
            exhausted = true;
            close();
        }
        return batch;
    }

    boolean exhausted() {
        return exhausted;
    }

    @Override
    public void close() {
        if (entries != null) {
            entries.close();
            entries = null;
        }
    }
}
