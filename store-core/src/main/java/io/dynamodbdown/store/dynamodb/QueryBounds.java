package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyRange;

/**
 * A key range turned into inclusive bounds that DynamoDB can take in one key condition.
 *
 * <p>A key condition allows one operator on the sort key and BETWEEN is inclusive on both ends, so every bound
 * becomes the nearest real key on its side in the table's {@link KeySpace}: an exclusive bound the key next to
 * it, a bound that is no key (longer than 1024 bytes, or not UTF-8 on a table of string keys) the key nearest
 * it. This is exact: nothing is filtered after the fact, so DynamoDB's Limit stays exact, and any bound LevelDB
 * accepts works on every layout. {@code lower}/{@code upper} null means unbounded.
 */
record QueryBounds(byte[] lower, byte[] upper, boolean empty) {

    /** Bounds no key satisfies. */
    static final QueryBounds EMPTY = new QueryBounds(null, null, true);

    static QueryBounds of(KeyRange range, KeySpace space) {
        byte[] lowerBound = range.lowerBound();
        byte[] upperBound = range.upperBound();
        Side lower = lowerBound == null ? Side.UNBOUNDED
                : range.lowerInclusive() ? atOrAfter(lowerBound, space) : after(lowerBound, space);
        Side upper = upperBound == null ? Side.UNBOUNDED
                : range.upperInclusive() ? atOrBefore(upperBound, space) : before(upperBound, space);
        return combine(lower, upper);
    }

    /** The bounds narrowed to start at {@code target}: at or after it, or at or before it in reverse. */
    QueryBounds seek(byte[] target, boolean reverse, KeySpace space) {
        if (empty) {
            return this;
        }
        Side moved = reverse ? atOrBefore(target, space) : atOrAfter(target, space);
        if (moved.none) {
            return EMPTY;
        }
        byte[] narrowed = pick(reverse ? upper : lower, moved.key, reverse);
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

        static Side of(byte[] key) {
            return key == null ? NONE : new Side(key, false);
        }
    }

    private static Side atOrAfter(byte[] bound, KeySpace space) {
        return bound.length == 0 ? Side.UNBOUNDED : Side.of(space.ceiling(bound));
    }

    private static Side after(byte[] bound, KeySpace space) {
        return Side.of(space.isKey(bound) ? space.successor(bound) : space.ceiling(bound));
    }

    private static Side atOrBefore(byte[] bound, KeySpace space) {
        return Side.of(space.floor(bound));
    }

    private static Side before(byte[] bound, KeySpace space) {
        return Side.of(space.isKey(bound) ? space.predecessor(bound) : space.floor(bound));
    }

    @Override
    public String toString() {
        return empty ? "QueryBounds{empty}"
                : "QueryBounds{" + (lower == null ? "-inf" : Bytes.describe(lower)) + ".."
                        + (upper == null ? "+inf" : Bytes.describe(upper)) + "}";
    }
}
