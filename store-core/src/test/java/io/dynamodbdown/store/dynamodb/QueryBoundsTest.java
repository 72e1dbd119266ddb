package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyRange;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The exclusive-to-inclusive arithmetic, at the edges of the 1024-byte key space. */
class QueryBoundsTest {

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void gtBecomesTheKeyWithAZeroByteAppended() {
        QueryBounds bounds = QueryBounds.of(KeyRange.all().gt(new byte[] {5}), KeySpace.BINARY);
        assertArrayEquals(new byte[] {5, 0}, bounds.lower());
        assertNull(bounds.upper());
    }

    @Test
    void gtOfAFullLengthKeyIncrementsPastTrailingFfBytes() {
        byte[] key = filled(1024, 0xff);
        key[1000] = 7;
        byte[] expected = Arrays.copyOf(key, 1001);
        expected[1000] = 8;
        assertArrayEquals(expected, QueryBounds.of(KeyRange.all().gt(key), KeySpace.BINARY).lower());
        assertTrue(QueryBounds.of(KeyRange.all().gt(filled(1024, 0xff)), KeySpace.BINARY).empty(), "nothing is above the largest key");
    }

    @Test
    void ltDropsATrailingZeroOrDecrementsAndPadsWithFf() {
        assertArrayEquals(new byte[] {5}, QueryBounds.of(KeyRange.all().lt(new byte[] {5, 0}), KeySpace.BINARY).upper());
        byte[] below = QueryBounds.of(KeyRange.all().lt(new byte[] {5, 9}), KeySpace.BINARY).upper();
        assertArrayEquals(new byte[] {5, 8}, Arrays.copyOf(below, 2));
        assertTrue(below.length == 1024 && below[2] == (byte) 0xff && below[1023] == (byte) 0xff);
        assertTrue(QueryBounds.of(KeyRange.all().lt(new byte[] {0}), KeySpace.BINARY).empty(), "nothing is below the smallest key");
        assertTrue(QueryBounds.of(KeyRange.all().lt(new byte[0]), KeySpace.BINARY).empty());
    }

    @Test
    void boundsLongerThanAnyKeyAreCutToTheEquivalentBound() {
        byte[] longer = filled(1100, 0x41);
        assertArrayEquals(filled(1024, 0x41), QueryBounds.of(KeyRange.all().lte(longer), KeySpace.BINARY).upper());
        assertArrayEquals(filled(1024, 0x41), QueryBounds.of(KeyRange.all().lt(longer), KeySpace.BINARY).upper());
        byte[] successor = filled(1024, 0x41);
        successor[1023] = 0x42;
        assertArrayEquals(successor, QueryBounds.of(KeyRange.all().gte(longer), KeySpace.BINARY).lower());
    }

    @Test
    void emptyBoundsMeanEverythingBelowNothingAbove() {
        assertNull(QueryBounds.of(KeyRange.all().gte(new byte[0]), KeySpace.BINARY).lower());
        assertArrayEquals(new byte[] {0}, QueryBounds.of(KeyRange.all().gt(new byte[0]), KeySpace.BINARY).lower());
        assertTrue(QueryBounds.of(KeyRange.all().lte(new byte[0]), KeySpace.BINARY).empty());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void stringKeysGetStringNeighbours() {
        KeySpace s = KeySpace.UTF8;
        assertArrayEquals(utf8("a\u0000"), QueryBounds.of(KeyRange.all().gt("a"), s).lower());
        assertArrayEquals(utf8("a"), QueryBounds.of(KeyRange.all().lt("a\u0000"), s).upper());
        byte[] belowB = QueryBounds.of(KeyRange.all().lt("b"), s).upper();
        String text = new String(belowB, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith("a\uDBFF\uDFFF") && belowB.length <= 1024 && belowB.length >= 1021, text.length() + " chars");
        assertTrue(Bytes.compare(belowB, utf8("b")) < 0 && Bytes.compare(belowB, utf8("a\uDBFF\uDFFF\uDBFF\uDFFF")) > 0);
        // the character before U+E000 is U+D7FF: surrogates are not characters
        assertArrayEquals(utf8("\uD7FF"), Arrays.copyOf(QueryBounds.of(KeyRange.all().lt("\uE000"), s).upper(), 3));
    }

    @Test
    void aFullLengthStringKeyGrowsItsLastCharacterThatCan() {
        String full = "x".repeat(1020) + "\uDBFF\uDFFF"; // 1024 bytes, ends with U+10FFFF
        assertArrayEquals(utf8("x".repeat(1019) + "y"), QueryBounds.of(KeyRange.all().gt(full), KeySpace.UTF8).lower());
        String ascii = "x".repeat(1023) + "\u007F"; // U+0080 needs 2 bytes and would not fit
        assertArrayEquals(utf8("x".repeat(1022) + "y"), QueryBounds.of(KeyRange.all().gt(ascii), KeySpace.UTF8).lower());
    }

    @Test
    void onStringKeysABoundThatIsNotTextBecomesTheNearestStringKey() {
        KeySpace s = KeySpace.UTF8;
        byte[] invalid = {'a', (byte) 0xff};
        assertArrayEquals(utf8("b"), QueryBounds.of(KeyRange.all().gte(invalid), s).lower(), "nothing starting with a is above a\\xff");
        byte[] below = QueryBounds.of(KeyRange.all().lt(invalid), s).upper();
        assertTrue(new String(below, java.nio.charset.StandardCharsets.UTF_8).startsWith("a\uDBFF\uDFFF") && below.length >= 1021);
        byte[] incomplete = {'a', (byte) 0xE2, (byte) 0x82}; // the start of a 3-byte character
        assertArrayEquals(utf8("a\u2080"), QueryBounds.of(KeyRange.all().gt(incomplete), s).lower());
        assertTrue(QueryBounds.of(KeyRange.all().lte(new byte[] {(byte) 0x80}), s).upper()[0] == 0x7F, "ASCII is below a lone continuation byte");
        String longest = "x".repeat(1024);
        assertArrayEquals(utf8(longest), QueryBounds.of(KeyRange.all().lte(longest + "more"), s).upper(), "a longer bound, cut");
        assertArrayEquals(utf8("x".repeat(1023) + "y"), QueryBounds.of(KeyRange.all().gt(longest + "more"), s).lower());
    }

    /**
     * For random bounds, valid or not, of any length, the keys the computed inclusive bounds admit are exactly the
     * keys the caller's bounds admit, on a sample of keys near the edges of both key spaces.
     */
    @Test
    void randomBoundsAdmitExactlyTheKeysTheyShould() {
        java.util.Random random = new java.util.Random(20261125);
        for (KeySpace space : java.util.List.of(KeySpace.BINARY, KeySpace.UTF8)) {
            java.util.List<byte[]> keys = new java.util.ArrayList<>();
            while (keys.size() < 400) {
                byte[] candidate = randomBytes(random, space == KeySpace.UTF8);
                if (space.isKey(candidate)) {
                    keys.add(candidate);
                }
            }
            for (int trial = 0; trial < 2_000; trial++) {
                byte[] bound = trial % 2 == 0 ? randomBytes(random, false) : keys.get(random.nextInt(keys.size()));
                KeyRange[] ranges = {KeyRange.all().gt(bound), KeyRange.all().gte(bound), KeyRange.all().lt(bound),
                        KeyRange.all().lte(bound)};
                for (KeyRange range : ranges) {
                    QueryBounds bounds = QueryBounds.of(range, space);
                    for (byte[] key : keys) {
                        boolean admitted = !bounds.empty()
                                && (bounds.lower() == null || Bytes.compare(key, bounds.lower()) >= 0)
                                && (bounds.upper() == null || Bytes.compare(key, bounds.upper()) <= 0);
                        if (admitted != range.contains(key)) {
                            throw new AssertionError(range + " on " + (space == KeySpace.UTF8 ? "string" : "binary") + " keys: "
                                    + Bytes.describe(key) + (admitted ? " admitted by " : " refused by ") + bounds);
                        }
                    }
                    if (bounds.lower() != null) {
                        assertTrue(space.isKey(bounds.lower()), "a lower bound that is a key: " + bounds);
                    }
                    if (bounds.upper() != null) {
                        assertTrue(space.isKey(bounds.upper()), "an upper bound that is a key: " + bounds);
                    }
                }
            }
        }
    }

    /** Mostly short, sometimes near or past 1024 bytes; text, or bytes around UTF-8's edges. */
    private static byte[] randomBytes(java.util.Random random, boolean text) {
        int length = random.nextInt(10) == 0 ? 1015 + random.nextInt(20) : random.nextInt(5);
        if (text) {
            StringBuilder out = new StringBuilder();
            int[] edges = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, Character.MAX_CODE_POINT, 'a', 'b'};
            while (out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < length) {
                out.appendCodePoint(edges[random.nextInt(edges.length)]);
            }
            return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[length];
        int[] edges = {0x00, 0x01, 0x61, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xE2, 0x82, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) edges[random.nextInt(edges.length)];
        }
        return bytes;
    }

    @Test
    void seekIsMeasuredFromTheOriginalRange() {
        QueryBounds range = QueryBounds.of(KeyRange.all().gte(new byte[] {2}).lte(new byte[] {8}), KeySpace.BINARY);
        assertArrayEquals(new byte[] {5}, range.seek(new byte[] {5}, false, KeySpace.BINARY).lower());
        assertArrayEquals(new byte[] {2}, range.seek(new byte[] {1}, false, KeySpace.BINARY).lower());
        assertTrue(range.seek(new byte[] {9}, false, KeySpace.BINARY).empty());
        assertArrayEquals(new byte[] {5}, range.seek(new byte[] {5}, true, KeySpace.BINARY).upper());
        assertTrue(range.seek(new byte[] {1}, true, KeySpace.BINARY).empty());
        assertFalse(range.seek(new byte[] {8}, true, KeySpace.BINARY).empty());
    }
}
