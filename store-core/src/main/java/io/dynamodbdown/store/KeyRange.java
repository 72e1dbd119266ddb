package io.dynamodbdown.store;

import java.util.Arrays;

/**
 * An immutable range of keys with abstract-level's options: {@code gt}, {@code gte}, {@code lt},
 * {@code lte}, {@code reverse} and {@code limit}.
 *
 * <p>As in abstract-level: when both {@code gte} and {@code gt} are set {@code gte} wins (likewise
 * {@code lte} over {@code lt}); an empty or inverted range yields nothing; a negative limit means no
 * limit and 0 means nothing. Bounds compare bytewise ({@link Bytes#compare}); an empty-array bound is
 * a real bound (every key is greater than it). Each {@code with} method returns a new range.
 */
public final class KeyRange {

    /** What {@link #limit()} returns for a range without a limit; any negative limit given becomes this. */
    public static final int NO_LIMIT = -1;
    private static final KeyRange ALL = new KeyRange(null, null, null, null, false, NO_LIMIT);

    private final byte[] gt;
    private final byte[] gte;
    private final byte[] lt;
    private final byte[] lte;
    private final boolean reverse;
    private final int limit;

    private KeyRange(byte[] gt, byte[] gte, byte[] lt, byte[] lte, boolean reverse, int limit) {
        this.gt = gt;
        this.gte = gte;
        this.lt = lt;
        this.lte = lte;
        this.reverse = reverse;
        this.limit = limit < 0 ? NO_LIMIT : limit;
    }

    /** {@return every key, forward, without limit: where every range starts, e.g. {@code all().gte("a").lt("b")}} */
    public static KeyRange all() {
        return ALL;
    }

    /**
     * Only keys greater than {@code key} (exclusive lower bound); ignored when {@code gte} is set.
     *
     * @param key the bound (copied), any bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange gt(byte[] key) {
        return new KeyRange(copy(key), gte, lt, lte, reverse, limit);
    }

    /**
     * Only keys greater than or equal to {@code key} (inclusive lower bound); wins over {@code gt}.
     *
     * @param key the bound (copied), any bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange gte(byte[] key) {
        return new KeyRange(gt, copy(key), lt, lte, reverse, limit);
    }

    /**
     * Only keys less than {@code key} (exclusive upper bound); ignored when {@code lte} is set.
     *
     * @param key the bound (copied), any bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange lt(byte[] key) {
        return new KeyRange(gt, gte, copy(key), lte, reverse, limit);
    }

    /**
     * Only keys less than or equal to {@code key} (inclusive upper bound); wins over {@code lt}.
     *
     * @param key the bound (copied), any bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange lte(byte[] key) {
        return new KeyRange(gt, gte, lt, copy(key), reverse, limit);
    }

    /**
     * Only keys greater than {@code key} (exclusive lower bound); ignored when {@code gte} is set.
     *
     * @param key the bound as text, compared as its UTF-8 bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange gt(String key) {
        return gt(utf8OrNull(key));
    }

    /**
     * Only keys greater than or equal to {@code key} (inclusive lower bound); wins over {@code gt}.
     *
     * @param key the bound as text, compared as its UTF-8 bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange gte(String key) {
        return gte(utf8OrNull(key));
    }

    /**
     * Only keys less than {@code key} (exclusive upper bound); ignored when {@code lte} is set.
     *
     * @param key the bound as text, compared as its UTF-8 bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange lt(String key) {
        return lt(utf8OrNull(key));
    }

    /**
     * Only keys less than or equal to {@code key} (inclusive upper bound); wins over {@code lt}.
     *
     * @param key the bound as text, compared as its UTF-8 bytes; null removes this bound
     * @return a new range with this bound, the rest unchanged
     */
    public KeyRange lte(String key) {
        return lte(utf8OrNull(key));
    }

    /**
     * Sets the direction: a reversed range yields the same entries from the highest key down (and its limit
     * counts from the top).
     *
     * @param newReverse true for descending key order, false for ascending
     * @return a new range in that direction, the rest unchanged
     */
    public KeyRange reverse(boolean newReverse) {
        return new KeyRange(gt, gte, lt, lte, newReverse, limit);
    }

    /**
     * Limits how many entries the range yields.
     *
     * @param newLimit at most this many entries; 0 yields nothing, negative for no limit
     * @return a new range with this limit, the rest unchanged
     */
    public KeyRange limit(int newLimit) {
        return new KeyRange(gt, gte, lt, lte, reverse, newLimit);
    }

    /**
     * The part of this range that comes after {@code key} in iteration order (above it, or below it in
     * reverse): how a reader continues where it stopped. A key before the range's start changes nothing.
     *
     * @param key the last key read
     * @return a range that starts just after {@code key} (exclusive), with the same end, direction and limit
     */
    public KeyRange after(byte[] key) {
        if (reverse) {
            byte[] upper = upperBound();
            return upper != null && Bytes.compare(key, upper) > 0 ? this
                    : new KeyRange(gt, gte, copy(key), null, true, limit);
        }
        byte[] lower = lowerBound();
        return lower != null && Bytes.compare(key, lower) < 0 ? this
                : new KeyRange(copy(key), null, lt, lte, false, limit);
    }

    /** {@return the effective lower bound ({@code gte} if set, else {@code gt}), or null when there is none} */
    public byte[] lowerBound() {
        return gte != null ? gte : gt;
    }

    /** {@return whether the lower bound is inclusive, i.e. {@code gte} is set; false also when there is none} */
    public boolean lowerInclusive() {
        return gte != null;
    }

    /** {@return the effective upper bound ({@code lte} if set, else {@code lt}), or null when there is none} */
    public byte[] upperBound() {
        return lte != null ? lte : lt;
    }

    /** {@return whether the upper bound is inclusive, i.e. {@code lte} is set; false also when there is none} */
    public boolean upperInclusive() {
        return lte != null;
    }

    /** {@return whether the range is read from the highest key down} */
    public boolean isReverse() {
        return reverse;
    }

    /** {@return the most entries the range yields, {@link #NO_LIMIT} when there is no limit} */
    public int limit() {
        return limit;
    }

    /** {@return whether the range has a limit (0 included: a range that yields nothing)} */
    public boolean hasLimit() {
        return limit != NO_LIMIT;
    }

    /**
     * {@return whether {@code key} lies within the bounds (limit and direction aside)}
     *
     * @param key the key to test, compared bytewise with {@link Bytes#compare}
     */
    public boolean contains(byte[] key) {
        byte[] lower = lowerBound();
        if (lower != null) {
            int c = Bytes.compare(key, lower);
            if (c < 0 || (c == 0 && !lowerInclusive())) {
                return false;
            }
        }
        byte[] upper = upperBound();
        if (upper != null) {
            int c = Bytes.compare(key, upper);
            return c < 0 || (c == 0 && upperInclusive());
        }
        return true;
    }

    /**
     * The bounds as stable text, the same in every JVM and version: {@code gte:YQ==..lt:Yg==} (keys in base64),
     * {@code ..} for every key. Direction and limit are not part of it. {@link #ofBoundsId} reads it back.
     *
     * @return the bounds' id, e.g. for naming a reader's position in an offset store
     */
    public String boundsId() {
        return boundId(lowerInclusive() ? "gte" : "gt", lowerBound()) + ".."
                + boundId(upperInclusive() ? "lte" : "lt", upperBound());
    }

    private static String boundId(String kind, byte[] key) {
        return key == null ? "" : kind + ":" + KeyEncoding.BASE64.encode(key);
    }

    /**
     * {@return the forward, unlimited range whose {@link #boundsId()} this is}
     *
     * @param id a text {@link #boundsId()} gave
     * @throws IllegalArgumentException when {@code id} is not a bounds id
     */
    public static KeyRange ofBoundsId(String id) {
        int dots = id.indexOf("..");
        if (dots < 0) {
            throw new IllegalArgumentException("Not a range's bounds id: '" + id + "' (expected e.g. gte:YQ==..lt:Yg==)");
        }
        KeyRange range = ALL;
        String lower = id.substring(0, dots);
        String upper = id.substring(dots + 2);
        if (!lower.isEmpty()) {
            byte[] key = KeyEncoding.BASE64.decode(lower.substring(lower.indexOf(':') + 1));
            range = lower.startsWith("gte:") ? range.gte(key) : range.gt(key);
        }
        if (!upper.isEmpty()) {
            byte[] key = KeyEncoding.BASE64.decode(upper.substring(upper.indexOf(':') + 1));
            range = upper.startsWith("lte:") ? range.lte(key) : range.lt(key);
        }
        return range;
    }

    private static byte[] copy(byte[] key) {
        return key == null ? null : key.clone();
    }

    private static byte[] utf8OrNull(String key) {
        return key == null ? null : Bytes.utf8(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && reverse == r.reverse && limit == r.limit
                && Arrays.equals(gt, r.gt) && Arrays.equals(gte, r.gte)
                && Arrays.equals(lt, r.lt) && Arrays.equals(lte, r.lte);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {gt, gte, lt, lte, reverse, limit});
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("KeyRange{");
        if (gt != null) s.append("gt=").append(Bytes.describe(gt)).append(' ');
        if (gte != null) s.append("gte=").append(Bytes.describe(gte)).append(' ');
        if (lt != null) s.append("lt=").append(Bytes.describe(lt)).append(' ');
        if (lte != null) s.append("lte=").append(Bytes.describe(lte)).append(' ');
        if (reverse) s.append("reverse ");
        if (hasLimit()) s.append("limit=").append(limit).append(' ');
        return s.toString().trim() + "}";
    }
}
