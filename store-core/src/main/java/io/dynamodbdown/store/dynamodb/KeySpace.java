package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys a table can hold, in their order: what lies right after or right before a key, and the keys nearest
 * any bound. Binary sort keys hold any 1 to 1024 bytes; string sort keys hold valid UTF-8 of 1 to 1024 bytes
 * (DynamoDB orders both by unsigned bytes). {@link QueryBounds} uses this to turn a caller's bounds, which
 * LevelDB lets be any bytes of any length, into inclusive bounds on real keys, exactly.
 */
interface KeySpace {

    int MAX = TableLayout.MAX_KEY_BYTES;

    /** Whether these bytes are a key of this space. */
    boolean isKey(byte[] bytes);

    /** The smallest key greater than the key {@code key}, or null when there is none. */
    byte[] successor(byte[] key);

    /** The greatest key smaller than the key {@code key}, or null when there is none. */
    byte[] predecessor(byte[] key);

    /** The smallest key at or above {@code bound} (any bytes), or null when there is none. */
    byte[] ceiling(byte[] bound);

    /** The greatest key at or below {@code bound} (any bytes), or null when there is none. */
    byte[] floor(byte[] bound);

    KeySpace BINARY = new KeySpace() {
        @Override
        public boolean isKey(byte[] bytes) {
            return bytes.length >= 1 && bytes.length <= MAX;
        }

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
        public byte[] ceiling(byte[] bound) {
            if (bound.length == 0) {
                return new byte[] {0};
            }
            // a bound longer than any key: the keys at or above it are those above its key-sized prefix
            return bound.length <= MAX ? bound : successor(Arrays.copyOf(bound, MAX));
        }

        @Override
        public byte[] floor(byte[] bound) {
            if (bound.length == 0) {
                return null;
            }
            return bound.length <= MAX ? bound : Arrays.copyOf(bound, MAX); // the prefix is below the bound, and nothing between
        }
    };

    /**
     * Keys of string (S) sort keys: valid UTF-8, compared as bytes, which is code point order. A bound that is no
     * such key (not valid UTF-8, or longer than any key) splits into its longest prefix of whole characters that
     * fits a key, and the rest: the keys nearest it extend that prefix by the character just above or below the
     * rest, or leave the prefix behind.
     */
    KeySpace UTF8 = new KeySpace() {
        /** Code points in order without the surrogates (which are no characters): index i is one code point. */
        private static final int CODE_POINTS = Character.MAX_CODE_POINT + 1 - (Character.MAX_SURROGATE - Character.MIN_SURROGATE + 1);

        private int codePoint(int index) {
            return index < Character.MIN_SURROGATE ? index : index + (Character.MAX_SURROGATE - Character.MIN_SURROGATE + 1);
        }

        private byte[] encode(int codePoint) {
            return Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean isKey(byte[] bytes) {
            return bytes.length >= 1 && bytes.length <= MAX && Bytes.strictUtf8OrNull(bytes) != null;
        }

        @Override
        public byte[] successor(byte[] key) {
            return key.length < MAX ? Arrays.copyOf(key, key.length + 1) // + U+0000, the smallest character
                    : aboveAllExtensionsOf(key);
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
            byte[] prefix = (new String(codePoints, 0, last) + Character.toString(previous)).getBytes(StandardCharsets.UTF_8);
            return greatestExtensionOf(prefix);
        }

        @Override
        public byte[] ceiling(byte[] bound) {
            if (isKey(bound)) {
                return bound;
            }
            if (bound.length == 0) {
                return new byte[] {0}; // U+0000, the smallest key
            }
            Split split = Split.of(bound);
            int room = MAX - split.prefix.length;
            int index = firstAbove(split.rest);
            if (index < CODE_POINTS && encode(codePoint(index)).length <= room) {
                return concat(split.prefix, encode(codePoint(index)));
            }
            return split.prefix.length == 0 ? null : aboveAllExtensionsOf(split.prefix);
        }

        @Override
        public byte[] floor(byte[] bound) {
            if (isKey(bound)) {
                return bound;
            }
            Split split = Split.of(bound);
            int room = MAX - split.prefix.length;
            int index = Math.min(firstAbove(split.rest) - 1, lastIndexOfLength(room));
            if (index >= 0 && room > 0) {
                return greatestExtensionOf(concat(split.prefix, encode(codePoint(index))));
            }
            return split.prefix.length == 0 ? null : split.prefix;
        }

        /** The index of the smallest code point whose encoding is above {@code rest} (CODE_POINTS: none). */
        private int firstAbove(byte[] rest) {
            int low = 0;
            int high = CODE_POINTS;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (Bytes.compare(encode(codePoint(middle)), rest) > 0) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return low;
        }

        /** The index of the greatest code point encoded in at most {@code bytes} bytes, or -1. */
        private int lastIndexOfLength(int bytes) {
            return bytes <= 0 ? -1 : bytes == 1 ? 0x7F : bytes == 2 ? 0x7FF : bytes == 3 ? 0xFFFF - 0x800 : CODE_POINTS - 1;
        }

        /** The smallest key above every string that starts with {@code prefix} (a key): its last character that can grows. */
        private byte[] aboveAllExtensionsOf(byte[] prefix) {
            int[] codePoints = text(prefix).codePoints().toArray();
            for (int i = codePoints.length - 1; i >= 0; i--) {
                int next = codePoints[i] + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : codePoints[i] + 1;
                byte[] grown = (new String(codePoints, 0, i) + (next <= Character.MAX_CODE_POINT ? Character.toString(next) : ""))
                        .getBytes(StandardCharsets.UTF_8);
                if (next <= Character.MAX_CODE_POINT && grown.length <= MAX) {
                    return grown;
                }
            }
            return null;
        }

        /** The greatest key that starts with {@code prefix} (a key): U+10FFFF while it fits, then the greatest that fits. */
        private byte[] greatestExtensionOf(byte[] prefix) {
            StringBuilder result = new StringBuilder(text(prefix));
            int room = MAX - prefix.length;
            for (; room >= 4; room -= 4) {
                result.appendCodePoint(Character.MAX_CODE_POINT);
            }
            if (room > 0) {
                result.appendCodePoint(room == 3 ? 0xFFFF : room == 2 ? 0x7FF : 0x7F);
            }
            return result.toString().getBytes(StandardCharsets.UTF_8);
        }

        private String text(byte[] key) {
            return new String(key, StandardCharsets.UTF_8); // callers pass whole characters only
        }

        private byte[] concat(byte[] a, byte[] b) {
            byte[] all = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    };

    /**
     * A bound cut after its longest prefix of whole, valid UTF-8 characters that fits a key; {@code rest} (not
     * empty for a bound that is no key) starts with an invalid byte, an incomplete character, or one that no
     * longer fits.
     */
    record Split(byte[] prefix, byte[] rest) {
        static Split of(byte[] bound) {
            int end = 0;
            while (end < bound.length) {
                int length = characterLength(bound, end);
                if (length == 0 || end + length > MAX) {
                    break;
                }
                end += length;
            }
            return new Split(Arrays.copyOf(bound, end), Arrays.copyOfRange(bound, end, bound.length));
        }

        /** The length of the valid UTF-8 character at {@code at}, or 0 when none starts there. */
        private static int characterLength(byte[] bytes, int at) {
            for (int length = 1; length <= 4 && at + length <= bytes.length; length++) {
                if (Bytes.strictUtf8OrNull(Arrays.copyOfRange(bytes, at, at + length)) != null) {
                    return length;
                }
            }
            return 0;
        }
    }
}
