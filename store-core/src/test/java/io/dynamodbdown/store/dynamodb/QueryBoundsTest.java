package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
        QueryBounds bounds = QueryBounds.of(KeyRange.all().gt(new byte[] {5}));
        assertArrayEquals(new byte[] {5, 0}, bounds.lower());
        assertNull(bounds.upper());
    }

    @Test
    void gtOfAFullLengthKeyIncrementsPastTrailingFfBytes() {
        byte[] key = filled(1024, 0xff);
        key[1000] = 7;
        byte[] expected = Arrays.copyOf(key, 1001);
        expected[1000] = 8;
        assertArrayEquals(expected, QueryBounds.of(KeyRange.all().gt(key)).lower());
        assertTrue(QueryBounds.of(KeyRange.all().gt(filled(1024, 0xff))).empty(), "nothing is above the largest key");
    }

    @Test
    void ltDropsATrailingZeroOrDecrementsAndPadsWithFf() {
        assertArrayEquals(new byte[] {5}, QueryBounds.of(KeyRange.all().lt(new byte[] {5, 0})).upper());
        byte[] below = QueryBounds.of(KeyRange.all().lt(new byte[] {5, 9})).upper();
        assertArrayEquals(new byte[] {5, 8}, Arrays.copyOf(below, 2));
        assertTrue(below.length == 1024 && below[2] == (byte) 0xff && below[1023] == (byte) 0xff);
        assertTrue(QueryBounds.of(KeyRange.all().lt(new byte[] {0})).empty(), "nothing is below the smallest key");
        assertTrue(QueryBounds.of(KeyRange.all().lt(new byte[0])).empty());
    }

    @Test
    void boundsLongerThanAnyKeyAreCutToTheEquivalentBound() {
        byte[] longer = filled(1100, 0x41);
        assertArrayEquals(filled(1024, 0x41), QueryBounds.of(KeyRange.all().lte(longer)).upper());
        assertArrayEquals(filled(1024, 0x41), QueryBounds.of(KeyRange.all().lt(longer)).upper());
        byte[] successor = filled(1024, 0x41);
        successor[1023] = 0x42;
        assertArrayEquals(successor, QueryBounds.of(KeyRange.all().gte(longer)).lower());
    }

    @Test
    void emptyBoundsMeanEverythingBelowNothingAbove() {
        assertNull(QueryBounds.of(KeyRange.all().gte(new byte[0])).lower());
        assertArrayEquals(new byte[] {0}, QueryBounds.of(KeyRange.all().gt(new byte[0])).lower());
        assertTrue(QueryBounds.of(KeyRange.all().lte(new byte[0])).empty());
    }

    @Test
    void seekIsMeasuredFromTheOriginalRange() {
        QueryBounds range = QueryBounds.of(KeyRange.all().gte(new byte[] {2}).lte(new byte[] {8}));
        assertArrayEquals(new byte[] {5}, range.seek(new byte[] {5}, false).lower());
        assertArrayEquals(new byte[] {2}, range.seek(new byte[] {1}, false).lower());
        assertTrue(range.seek(new byte[] {9}, false).empty());
        assertArrayEquals(new byte[] {5}, range.seek(new byte[] {5}, true).upper());
        assertTrue(range.seek(new byte[] {1}, true).empty());
        assertFalse(range.seek(new byte[] {8}, true).empty());
    }
}
