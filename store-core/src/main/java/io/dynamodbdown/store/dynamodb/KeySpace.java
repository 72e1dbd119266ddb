package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys a table can hold, in their order: what lies right after or right before a key. Binary sort
 * keys hold any 1 to 1024 bytes; string sort keys hold valid UTF-8 of 1 to 1024 bytes (DynamoDB orders
 * both by unsigned bytes). {@link QueryBounds} uses this to turn exclusive bounds into inclusive ones.
 */
interface KeySpace {

    int MAX = TableLayout.MAX_KEY_BYTES;

    /** The smallest key greater than {@code key}, or null when there is none. */
    byte[] successor(byte[] key);

    /** The greatest key smaller than {@code key}, or null when there is none. */
    byte[] predecessor(byte[] key);

    /**
     * A bound as given by a caller, made a key of this space that is equivalent for {@code <=}: a
     * longer bound is cut to key length. Throws when the bound cannot be used with this space.
     */
    byte[] cut(byte[] bound);

    KeySpace BINARY = new KeySpace() {
        @Override
        public byte[] successor(byte[] key) {
            if (key.length < MAX) {
                return Arrays.copyOf(key, key.length + 1);
            }
            int last = key.length - 1;
            while (last >= 0 && key[last] == (byte) 0xff) {
                last--;
            }
            if (last < 0) {
                return null;
            }
            byte[] next = Arrays.copyOf(key, last + 1);
            next[last]++;
            return next;
        }

        @Override
        public byte[] predecessor(byte[] key) {
            int last = key.length - 1;
            if (last < 0 || (last == 0 && key[0] == 0)) {
                return null;
            }
            if (key[last] == 0) {
                return Arrays.copyOf(key, last);
            }
            byte[] previous = Arrays.copyOf(key, MAX);
            previous[last]--;
            Arrays.fill(previous, last + 1, MAX, (byte) 0xff);
            return previous;
        }

        @Override
        public byte[] cut(byte[] bound) {
            return bound.length <= MAX ? bound : Arrays.copyOf(bound, MAX);
        }
    };

    /** Keys of string (S) sort keys: valid UTF-8, compared as bytes, which is code point order. */
    KeySpace UTF8 = new KeySpace() {
        private static final int MAX_CODE_POINT = Character.MAX_CODE_POINT;

        @Override
        public byte[] successor(byte[] key) {
            if (key.length < MAX) {
                return Arrays.copyOf(key, key.length + 1); // + U+0000, the smallest character
            }
            int[] codePoints = text(key).codePoints().toArray();
            for (int i = codePoints.length - 1; i >= 0; i--) {
                int prefixBytes = utf8Length(codePoints, i);
                int next = codePoints[i] + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : codePoints[i] + 1;
                if (next <= MAX_CODE_POINT && prefixBytes + Character.toString(next).getBytes(StandardCharsets.UTF_8).length <= MAX) {
                    int[] result = Arrays.copyOf(codePoints, i + 1);
                    result[i] = next;
                    return new String(result, 0, result.length).getBytes(StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public byte[] predecessor(byte[] key) {
            int[] codePoints = text(key).codePoints().toArray();
            if (codePoints.length == 0 || (codePoints.length == 1 && codePoints[0] == 0)) {
                return null;
            }
            int last = codePoints.length - 1;
            if (codePoints[last] == 0) {
                return new String(codePoints, 0, last).getBytes(StandardCharsets.UTF_8);
            }
            int previous = codePoints[last] - 1 == Character.MAX_SURROGATE ? Character.MIN_SURROGATE - 1 : codePoints[last] - 1;
            StringBuilder result = new StringBuilder(new String(codePoints, 0, last)).appendCodePoint(previous);
            int room = MAX - result.toString().getBytes(StandardCharsets.UTF_8).length;
            // the greatest string that fits: U+10FFFF (4 bytes) while it fits, then the greatest 3-, 2- or 1-byte one
            for (; room >= 4; room -= 4) {
                result.appendCodePoint(MAX_CODE_POINT);
            }
            if (room > 0) {
                result.appendCodePoint(room == 3 ? 0xFFFF : room == 2 ? 0x7FF : 0x7F);
            }
            return result.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] cut(byte[] bound) {
            text(bound);
            if (bound.length > MAX) {
                throw new IllegalArgumentException("Range bound " + Bytes.describe(bound) + " is " + bound.length
                        + " bytes; keys of this table are strings of at most " + MAX + " bytes");
            }
            return bound;
        }

        private String text(byte[] key) {
            String text = Bytes.strictUtf8OrNull(key);
            if (text == null) {
                throw new IllegalArgumentException("Range bound " + Bytes.describe(key)
                        + " is not valid UTF-8; keys of this table are strings");
            }
            return text;
        }

        private int utf8Length(int[] codePoints, int count) {
            return new String(codePoints, 0, count).getBytes(StandardCharsets.UTF_8).length;
        }
    };
}
