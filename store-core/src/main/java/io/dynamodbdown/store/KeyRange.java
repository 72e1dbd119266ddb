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

    /** Every key, in order, without limit. */
    public static KeyRange all() {
        return ALL;
    }

    public KeyRange gt(byte[] key) {
        return new KeyRange(copy(key), gte, lt, lte, reverse, limit);
    }

    public KeyRange gte(byte[] key) {
        return new KeyRange(gt, copy(key), lt, lte, reverse, limit);
    }

    public KeyRange lt(byte[] key) {
        return new KeyRange(gt, gte, copy(key), lte, reverse, limit);
    }

    public KeyRange lte(byte[] key) {
        return new KeyRange(gt, gte, lt, copy(key), reverse, limit);
    }

    public KeyRange gt(String key) {
        return gt(utf8OrNull(key));
    }

    public KeyRange gte(String key) {
        return gte(utf8OrNull(key));
    }

    public KeyRange lt(String key) {
        return lt(utf8OrNull(key));
    }

    public KeyRange lte(String key) {
        return lte(utf8OrNull(key));
    }

    public KeyRange reverse(boolean newReverse) {
        return new KeyRange(gt, gte, lt, lte, newReverse, limit);
    }

    /** At most this many entries; negative for no limit. */
    public KeyRange limit(int newLimit) {
        return new KeyRange(gt, gte, lt, lte, reverse, newLimit);
    }

    /**
     * The part of this range that comes after {@code key} in iteration order (above it, or below it in
     * reverse): how a reader continues where it stopped. A key before the range's start changes nothing.
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

    /** The effective lower bound ({@code gte} if set, else {@code gt}), or null. */
    public byte[] lowerBound() {
        return gte != null ? gte : gt;
    }

    public boolean lowerInclusive() {
        return gte != null;
    }

    /** The effective upper bound ({@code lte} if set, else {@code lt}), or null. */
    public byte[] upperBound() {
        return lte != null ? lte : lt;
    }

    public boolean upperInclusive() {
        return lte != null;
    }

    public boolean isReverse() {
        return reverse;
    }

    /** The limit, {@link #NO_LIMIT} when there is none. */
    public int limit() {
        return limit;
    }

    public boolean hasLimit() {
        return limit != NO_LIMIT;
    }

    /** Whether a key lies within the bounds (limit and direction aside). */
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
     */
    public String boundsId() {
        return boundId(lowerInclusive() ? "gte" : "gt", lowerBound()) + ".."
                + boundId(upperInclusive() ? "lte" : "lt", upperBound());
    }

    private static String boundId(String kind, byte[] key) {
        return key == null ? "" : kind + ":" + KeyEncoding.BASE64.encode(key);
    }

    /** The forward, unlimited range whose {@link #boundsId()} this is. */
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
