package io.dynamodbdown.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Follows a key range as it grows, returning each entry once, without missing keys that become visible
 * behind ones already returned.
 *
 * <p>DynamoDB has no snapshots: the items of a non-atomic batch (even of one BatchWriteItem call) become
 * visible in any order, so a reader that simply continued after the last key it returned would skip a key
 * that appears below it a moment later. This reader keeps a <em>settled</em> key instead: every entry at or
 * below it has been returned, and its region was read again at least {@code settle} after those entries
 * first appeared, long enough for the writes they came with to finish. Each poll reads from the settled key
 * on, skipping entries it returned before, so late keys are returned too (after later ones: order is by key
 * within a poll, not across polls). Resume from {@link #settledKey()}: a restart returns the unsettled tail
 * again (at-least-once), never leaves a gap. Not thread-safe.
 */
public final class TailReader {

    private final Database db;
    private final KeyRange range;
    private final long settleNanos;
    private final LongSupplier clock;
    /** Returned but not yet settled: key -> when it was first seen. */
    private final TreeMap<byte[], Long> unsettled = new TreeMap<>(Bytes::compare);
    private byte[] settled;

    /**
     * @param range the range to follow (forward; its limit is ignored)
     * @param settledKey where a previous reader's {@link #settledKey()} stood, or null to start at the beginning
     * @param settle how long after a key appears its neighbours may still appear behind it
     */
    public TailReader(Database db, KeyRange range, byte[] settledKey, Duration settle) {
        this(db, range, settledKey, settle, System::nanoTime);
    }

    TailReader(Database db, KeyRange range, byte[] settledKey, Duration settle, LongSupplier clock) {
        if (range.isReverse()) {
            throw new IllegalArgumentException("A tail reader follows a range forward; reverse is not supported");
        }
        this.db = Objects.requireNonNull(db, "db");
        this.range = range.limit(KeyRange.NO_LIMIT);
        this.settled = settledKey == null ? null : settledKey.clone();
        this.settleNanos = settle.toNanos();
        this.clock = clock;
    }

    /** Up to {@code max} entries not returned before, in key order. */
    public List<Entry> poll(int max) {
        long now = clock.getAsLong();
        List<Entry> fresh = new ArrayList<>();
        byte[] readUpTo = null;
        try (RangeIterator<Entry> entries = db.iterator(settled == null ? range : range.after(settled))) {
            while (fresh.size() < max && entries.hasNext()) {
                Entry entry = entries.next();
                readUpTo = entry.key();
                if (unsettled.putIfAbsent(entry.key(), now) == null) {
                    fresh.add(entry);
                }
            }
            if (!entries.hasNext()) {
                readUpTo = null; // read to the end: every unsettled key was looked at again
            }
        }
        settle(now, readUpTo);
        return fresh;
    }

    /** Settles, in key order, entries first seen long enough ago whose region this poll read again. */
    private void settle(long now, byte[] readUpTo) {
        Iterator<Map.Entry<byte[], Long>> oldest = unsettled.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<byte[], Long> entry = oldest.next();
            boolean reread = readUpTo == null || Bytes.compare(entry.getKey(), readUpTo) <= 0;
            if (!reread || now - entry.getValue() < settleNanos) {
                return;
            }
            settled = entry.getKey();
            oldest.remove();
        }
    }

    /**
     * Hands back entries from {@code key} on (returned, but not handled: a failed exchange), so the next
     * poll returns them again.
     */
    public void retryFrom(byte[] key) {
        unsettled.tailMap(key, true).clear();
    }

    /** Everything at or below this key was returned and has settled: where to resume. Null before any. */
    public byte[] settledKey() {
        return settled == null ? null : settled.clone();
    }
}
