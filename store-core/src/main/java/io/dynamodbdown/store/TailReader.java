package io.dynamodbdown.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a key range as it grows, returning each entry once, without missing keys that become visible
 * behind ones already returned.
 *
 * <p>DynamoDB has no snapshots: the items of a non-atomic batch (even of one BatchWriteItem call) become
 * visible in any order, so a reader that simply continued after the last key it returned would skip a key
 * that appears below it a moment later. This reader keeps a <em>settled</em> key instead: every entry at or
 * below it has been returned, and its region was read again at least {@code settle} after those entries
 * first appeared, long enough for the writes they came with to finish.
 *
 * <p>Each poll reads what lies beyond the last key returned, and, every {@code settle / 2}, sweeps the
 * unsettled region once more: late keys found there are returned too (after later ones: order is by key
 * within a poll, not across polls), and entries old enough settle. So each entry is read about four times
 * in all, however often the reader polls; a sweep finds a late key at most {@code settle / 2} after it
 * appears, and the settled key trails the newest by {@code settle} to {@code 1.5 * settle}.
 *
 * <p>Resume from {@link #settledKey()}: a restart returns the unsettled tail again (at-least-once), never
 * leaves a gap. The settled key never passes an entry returned by the current poll, which its caller has not
 * handled yet; the caller hands back what it could not handle with {@link #retryFrom}. A poll that fails
 * part-way returns what it read (or, having read nothing, throws) and marks nothing else as returned. Not
 * thread-safe.
 */
public final class TailReader {

    private static final Logger LOG = LoggerFactory.getLogger(TailReader.class);

    /** When an entry was first returned, and by which poll. */
    private record Returned(long atNanos, long poll) {
    }

    private final Database db;
    private final KeyRange range;
    private final long settleNanos;
    private final LongSupplier clock;
    /** Returned but not yet settled, in key order. */
    private final TreeMap<byte[], Returned> unsettled = new TreeMap<>(Bytes::compare);
    private byte[] settled;
    private long polls;
    private long lastSweep;

    /**
     * A reader of {@code range} that starts after {@code settledKey}.
     *
     * @param db the database to read
     * @param range the range to follow (forward; its limit is ignored)
     * @param settledKey where a previous reader's {@link #settledKey()} stood, or null to start at the beginning
     * @param settle how long after a key appears its neighbours may still appear behind it
     * @throws IllegalArgumentException when the range is reversed
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
        this.lastSweep = clock.getAsLong();
    }

    /**
     * Reads what is new, and sweeps the unsettled region when it is due.
     *
     * @param max the most entries to return
     * @return up to {@code max} entries not returned before: late ones found behind, then new ones, each in key
     *     order; possibly none. A poll that fails part-way returns what it read
     * @throws DynamoDbDownException when the poll failed before reading anything (nothing is marked as returned)
     */
    public List<Entry> poll(int max) {
        long now = clock.getAsLong();
        polls++;
        List<Entry> fresh = new ArrayList<>();
        byte[] sweptUpTo = null;
        try {
            if (!unsettled.isEmpty() && now - lastSweep >= settleNanos / 2) {
                lastSweep = now;
                sweptUpTo = sweep(max, fresh);
            }
            if (fresh.size() < max) {
                byte[] last = unsettled.isEmpty() ? settled : unsettled.lastKey();
                try (RangeIterator<Entry> ahead = db.iterator(from(last).limit(max - fresh.size()))) {
                    ahead.forEachRemaining(fresh::add);
                }
            }
        } catch (DynamoDbDownException e) {
            if (fresh.isEmpty()) {
                throw e;
            }
            LOG.warn("Reading {} stopped part-way ({}); returning the {} entries read, the next poll reads on",
                    db.location(), e.getMessage(), fresh.size());
        }
        // stamped when read, not when the poll began: a poll slowed by retries must not make entries look older
        long readAt = clock.getAsLong();
        for (Entry entry : fresh) {
            unsettled.put(entry.key(), new Returned(readAt, polls));
        }
        if (sweptUpTo != null) {
            settle(now, sweptUpTo);
        }
        return fresh;
    }

    /**
     * Reads the unsettled region again, adding the keys not returned before to {@code fresh}; returns how far it
     * read (everything above the settled key up to there was read in this poll), or null if it read nothing. A
     * failure part-way settles nothing: the late keys found so far are returned, the region is swept again later.
     */
    private byte[] sweep(int max, List<Entry> fresh) {
        byte[] readUpTo = null;
        byte[] newest = unsettled.lastKey();
        try (RangeIterator<Entry> region = db.iterator(from(settled).lte(newest))) {
            while (fresh.size() < max && region.hasNext()) {
                Entry entry = region.next();
                readUpTo = entry.key();
                if (!unsettled.containsKey(entry.key())) {
                    fresh.add(entry);
                }
            }
        }
        return fresh.size() < max ? newest : readUpTo;
    }

    /** The followed range after {@code key}, or all of it for null. */
    private KeyRange from(byte[] key) {
        return key == null ? range : range.after(key);
    }

    /**
     * Settles, in key order, entries up to {@code readUpTo} that a previous poll returned at least the settle
     * time ago; stops at the first that is not.
     */
    private void settle(long now, byte[] readUpTo) {
        Iterator<Map.Entry<byte[], Returned>> oldest = unsettled.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<byte[], Returned> entry = oldest.next();
            Returned returned = entry.getValue();
            if (Bytes.compare(entry.getKey(), readUpTo) > 0 || returned.poll() == polls
                    || now - returned.atNanos() < settleNanos) {
                return;
            }
            settled = entry.getKey();
            oldest.remove();
        }
    }

    /**
     * Hands back entries from {@code key} on (returned, but not handled: a failed exchange), so the next
     * poll returns them again.
     *
     * @param key the first entry that was not handled; it and every key after it are returned again
     */
    public void retryFrom(byte[] key) {
        unsettled.tailMap(key, true).clear();
    }

    /**
     * {@return the key at or below which everything was returned and has settled: where to resume (pass it to a
     * new reader); null before any key settled}
     */
    public byte[] settledKey() {
        return settled == null ? null : settled.clone();
    }
}
