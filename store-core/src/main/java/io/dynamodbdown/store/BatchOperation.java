package io.dynamodbdown.store;

import java.util.Objects;

/** One operation of a batch: a {@link Put} or a {@link Del}. */
public sealed interface BatchOperation permits BatchOperation.Put, BatchOperation.Del {

    byte[] key();

    static Put put(byte[] key, byte[] value) {
        return new Put(key, value, false);
    }

    /** A put of text: the JavaScript layouts store it as a string (S), the native layout as bytes. */
    static Put put(String key, String value) {
        return new Put(Bytes.utf8(key), Bytes.utf8(value), true);
    }

    /** A put of text under a binary key. */
    static Put put(byte[] key, String value) {
        return new Put(key, Bytes.utf8(value), true);
    }

    static Del del(byte[] key) {
        return new Del(key);
    }

    static Del del(String key) {
        return new Del(Bytes.utf8(key));
    }

    /**
     * Sets a key to a value.
     *
     * @param text whether the value was given as a string (its UTF-8 bytes are in {@code value}); matters
     *     only to layouts that store strings and bytes differently
     */
    record Put(byte[] key, byte[] value, boolean text) implements BatchOperation {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value (use a del operation to delete a key)");
        }

        @Override
        public String toString() {
            return "put " + Bytes.describe(key);
        }
    }

    /** Deletes a key; deleting a missing key is fine. */
    record Del(byte[] key) implements BatchOperation {
        public Del {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "del " + Bytes.describe(key);
        }
    }
}
