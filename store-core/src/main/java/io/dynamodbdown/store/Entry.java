package io.dynamodbdown.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One key and its value. The arrays are handed over, not copied: treat them as read-only.
 * Equality compares contents. Implements {@link Map.Entry} so adapters can pass entries on as they are.
 *
 * @param key the key, never null
 * @param value the whole value (large values included); never null in what a database returns
 */
public record Entry(byte[] key, byte[] value) implements Map.Entry<byte[], byte[]> {

    /**
     * Makes an entry from the arrays, without copying them.
     *
     * @param key the key; not null
     * @param value the value
     * @throws NullPointerException when {@code key} is null
     */
    public Entry {
        Objects.requireNonNull(key, "key");
    }

    /**
     * {@return an entry of text, key and value as their UTF-8 bytes}
     *
     * @param key the key, not null
     * @param value the value, or null
     */
    public static Entry of(String key, String value) {
        return new Entry(Bytes.utf8(key), value == null ? null : Bytes.utf8(value));
    }

    @Override
    public byte[] getKey() {
        return key;
    }

    @Override
    public byte[] getValue() {
        return value;
    }

    @Override
    public byte[] setValue(byte[] newValue) {
        throw new UnsupportedOperationException("entries are immutable");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return Bytes.describe(key) + "=" + Bytes.describe(value);
    }
}
