package io.dynamodbdown.store.settings;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A key range as the adapters' options give it: bounds as text in a {@link KeyEncoding}, and split points
 * that cut it into pieces (one per reader). Mapped onto {@link KeyRange}s once validated.
 *
 * @param keyEncoding how the bounds and split points are turned into bytes
 * @param gt exclusive lower bound, or null
 * @param gte inclusive lower bound (wins over {@code gt}), or null
 * @param lt exclusive upper bound, or null
 * @param lte inclusive upper bound (wins over {@code lt}), or null
 * @param splits points that cut the range into {@code [lower, s1), [s1, s2), ..., [sN, upper]}
 */
public record RangeSettings(KeyEncoding keyEncoding, String gt, String gte, String lt, String lte, List<String> splits) {

    private static final RangeSettings ALL = new RangeSettings(KeyEncoding.UTF8, null, null, null, null, List.of());

    /**
     * Copies the split points; the rest is checked when used ({@link #problems()}).
     *
     * @param keyEncoding how bounds and split points become bytes; not null
     * @param gt exclusive lower bound, or null
     * @param gte inclusive lower bound, or null
     * @param lt exclusive upper bound, or null
     * @param lte inclusive upper bound, or null
     * @param splits split points, none for one piece; not null (copied)
     * @throws NullPointerException when {@code keyEncoding} or {@code splits} is null
     */
    public RangeSettings {
        Objects.requireNonNull(keyEncoding, "keyEncoding");
        splits = List.copyOf(splits);
    }

    /** {@return every key, bounds read as UTF-8, not split} */
    public static RangeSettings all() {
        return ALL;
    }

    /**
     * Sets how the bounds and split points are turned into bytes.
     *
     * @param value {@link KeyEncoding#UTF8} (the default), {@link KeyEncoding#HEX} or {@link KeyEncoding#BASE64}
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public RangeSettings withKeyEncoding(KeyEncoding value) {
        return new RangeSettings(value, gt, gte, lt, lte, splits);
    }

    /**
     * Sets all four bounds at once, as in {@link KeyRange}: {@code gte} wins over {@code gt}, {@code lte} over
     * {@code lt}.
     *
     * @param newGt exclusive lower bound, or null
     * @param newGte inclusive lower bound, or null
     * @param newLt exclusive upper bound, or null
     * @param newLte inclusive upper bound, or null
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public RangeSettings withBounds(String newGt, String newGte, String newLt, String newLte) {
        return new RangeSettings(keyEncoding, newGt, newGte, newLt, newLte, splits);
    }

    /**
     * Sets the points that cut the range into pieces.
     *
     * @param value split points strictly inside the range, in any order; empty for one piece
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public RangeSettings withSplits(List<String> value) {
        return new RangeSettings(keyEncoding, gt, gte, lt, lte, value);
    }

    /**
     * Checks the settings: every bound and split point must decode, and each split point lie strictly inside the
     * range.
     *
     * @return everything that cannot work, each on its setting; empty when the settings are fine
     */
    public List<SettingProblem> problems() {
        List<SettingProblem> problems = new ArrayList<>();
        KeyRange range = bounds(problems);
        if (problems.isEmpty()) {
            splitPoints(range, problems);
        }
        return problems;
    }

    /**
     * {@return the range the bounds describe (forward, no limit); split points aside}
     *
     * @throws InvalidSettingsException when a bound does not decode
     */
    public KeyRange range() {
        List<SettingProblem> problems = new ArrayList<>();
        KeyRange range = bounds(problems);
        InvalidSettingsException.throwIfAny(problems);
        return range;
    }

    private KeyRange bounds(List<SettingProblem> problems) {
        return KeyRange.all()
                .gt(decode(Setting.GT, gt, problems)).gte(decode(Setting.GTE, gte, problems))
                .lt(decode(Setting.LT, lt, problems)).lte(decode(Setting.LTE, lte, problems));
    }

    /**
     * {@return the range cut at the split points, in key order: {@code [lower, s1), [s1, s2), ..., [sN, upper]};
     * one piece when there are none}
     *
     * @throws InvalidSettingsException for any problem
     */
    public List<KeyRange> pieces() {
        KeyRange range = range();
        List<SettingProblem> problems = new ArrayList<>();
        TreeSet<byte[]> points = splitPoints(range, problems);
        InvalidSettingsException.throwIfAny(problems);
        List<KeyRange> pieces = new ArrayList<>();
        KeyRange rest = range;
        for (byte[] point : points) {
            pieces.add(rest.lte((byte[]) null).lt(point));
            rest = rest.gt((byte[]) null).gte(point);
        }
        pieces.add(rest);
        return pieces;
    }

    private TreeSet<byte[]> splitPoints(KeyRange range, List<SettingProblem> problems) {
        TreeSet<byte[]> points = new TreeSet<>(Bytes::compare);
        for (String split : splits) {
            byte[] point = decode(Setting.SPLITS, split, problems);
            if (point == null) {
                continue;
            }
            boolean atLowerBound = range.lowerBound() != null && Bytes.compare(point, range.lowerBound()) == 0;
            if (!range.contains(point) || atLowerBound) {
                problems.add(new SettingProblem(Setting.SPLITS, "split point '" + split
                        + "' does not lie strictly inside the key range " + range));
            } else {
                points.add(point);
            }
        }
        return points;
    }

    private byte[] decode(Setting setting, String text, List<SettingProblem> problems) {
        if (text == null) {
            return null;
        }
        try {
            return keyEncoding.decode(text);
        } catch (IllegalArgumentException e) {
            problems.add(new SettingProblem(setting, e.getMessage()));
            return null;
        }
    }
}
