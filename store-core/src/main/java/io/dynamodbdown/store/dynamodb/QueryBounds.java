package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyRange;
import java.util.Arrays;

/**
 * A key range turned into inclusive bounds that DynamoDB can take in one key condition.
 *
 * <p>A key condition allows one operator on the sort key and BETWEEN is inclusive on both ends, so an
 * exclusive bound becomes the inclusive bound next to it. Keys are at most 1024 bytes, which makes this
 * exact: the key right after {@code x} is {@code x + 0x00} (or, for a 1024-byte {@code x}, {@code x}
 * without its trailing 0xff bytes, last byte plus one), and the key right before {@code x} is {@code x}
 * without a trailing 0x00, or {@code x} with its last byte minus one and padded with 0xff to 1024 bytes.
 * Nothing is filtered after the fact, so DynamoDB's Limit stays exact. Bounds longer than any key are
 * cut to the equivalent key-sized bound. {@code lower}/{@code upper} null means unbounded.
 */
record QueryBounds(byte[] lower, byte[] upper, boolean empty) {

    private static final int MAX = TableLayout.MAX_KEY_BYTES;
    private static final QueryBounds EMPTY = new QueryBounds(null, null, true);

    static QueryBounds of(KeyRange range) {
        byte[] lowerBound = range.lowerBound();
        byte[] upperBound = range.upperBound();
        Side lower = lowerBound == null ? Side.UNBOUNDED
                : range.lowerInclusive() ? atOrAfter(lowerBound) : after(lowerBound);
        Side upper = upperBound == null ? Side.UNBOUNDED
                : range.upperInclusive() ? atOrBefore(upperBound) : before(upperBound);
        return combine(lower, upper);
    }

    /** The bounds narrowed to start at {@code target}: at or after it, or at or before it in reverse. */
    QueryBounds seek(byte[] target, boolean reverse) {
        if (empty) {
            return this;
        }
        Side here = new Side(reverse ? upper : lower, false);
        Side moved = reverse ? atOrBefore(target) : atOrAfter(target);
        if (moved.none) {
            return EMPTY;
        }
        byte[] narrowed = pick(here.key, moved.key, reverse);
        return reverse ? combine(new Side(lower, false), new Side(narrowed, false))
                : combine(new Side(narrowed, false), new Side(upper, false));
    }

    private static byte[] pick(byte[] current, byte[] target, boolean reverse) {
        if (current == null || target == null) {
            return current == null ? target : current;
        }
        int c = Bytes.compare(target, current);
        return reverse ? (c < 0 ? target : current) : (c > 0 ? target : current);
    }

    private static QueryBounds combine(Side lower, Side upper) {
        if (lower.none || upper.none) {
            return EMPTY;
        }
        if (lower.key != null && upper.key != null && Bytes.compare(lower.key, upper.key) > 0) {
            return EMPTY;
        }
        return new QueryBounds(lower.key, upper.key, false);
    }

    /** An inclusive bound ({@code key}, null for unbounded), or {@code none}: no key can satisfy it. */
    private record Side(byte[] key, boolean none) {
        static final Side UNBOUNDED = new Side(null, false);
        static final Side NONE = new Side(null, true);
    }

    private static Side atOrAfter(byte[] bound) {
        if (bound.length == 0) {
            return Side.UNBOUNDED;
        }
        return bound.length <= MAX ? new Side(bound, false) : successor(Arrays.copyOf(bound, MAX));
    }

    private static Side after(byte[] bound) {
        return successor(bound.length <= MAX ? bound : Arrays.copyOf(bound, MAX));
    }

    private static Side atOrBefore(byte[] bound) {
        if (bound.length == 0) {
            return Side.NONE;
        }
        return new Side(bound.length <= MAX ? bound : Arrays.copyOf(bound, MAX), false);
    }

    private static Side before(byte[] bound) {
        return bound.length > MAX ? new Side(Arrays.copyOf(bound, MAX), false) : predecessor(bound);
    }

    /** The smallest key greater than {@code key} (at most 1024 bytes long). */
    private static Side successor(byte[] key) {
        if (key.length < MAX) {
            return new Side(Arrays.copyOf(key, key.length + 1), false);
        }
        int last = key.length - 1;
        while (last >= 0 && key[last] == (byte) 0xff) {
            last--;
        }
        if (last < 0) {
            return Side.NONE;
        }
        byte[] next = Arrays.copyOf(key, last + 1);
        next[last]++;
        return new Side(next, false);
    }

    /** The greatest key smaller than {@code key} (at most 1024 bytes long). */
    private static Side predecessor(byte[] key) {
        if (key.length == 0) {
            return Side.NONE;
        }
        int last = key.length - 1;
        if (key[last] == 0) {
            return last == 0 ? Side.NONE : new Side(Arrays.copyOf(key, last), false);
        }
        byte[] previous = Arrays.copyOf(key, MAX);
        previous[last]--;
        Arrays.fill(previous, last + 1, MAX, (byte) 0xff);
        return new Side(previous, false);
    }

    @Override
    public String toString() {
        return empty ? "QueryBounds{empty}"
                : "QueryBounds{" + (lower == null ? "-inf" : Bytes.describe(lower)) + ".."
                        + (upper == null ? "+inf" : Bytes.describe(upper)) + "}";
    }
}
