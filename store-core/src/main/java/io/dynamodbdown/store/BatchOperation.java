package io.dynamodbdown.store;

import java.util.Objects;

/** One operation of a batch: a {@link Put} or a {@link Del}. */
public sealed interface BatchOperation permits BatchOperation.Put, BatchOperation.Del {

    /** {@return the key the operation writes or deletes} */
    byte[] key();

    /**
     * A put of bytes.
     *
     * @param key the key, 1 to 1024 bytes (checked when the operation is written or {@link Database#check checked})
     * @param value the value, possibly empty; not null
     * @return the operation (the arrays are not copied)
     */
    static Put put(byte[] key, byte[] value) {
        return new Put(key, value, false);
    }

    /**
     * A put of text: the JavaScript layouts store it as a string (S), the native layout as bytes.
     *
     * @param key the key, stored as its UTF-8 bytes
     * @param value the value, stored as its UTF-8 bytes; not null
     * @return the operation
     * @throws InvalidEntryException when the key or value has no UTF-8 form (an unpaired surrogate)
     */
    static Put put(String key, String value) {
        return new Put(Bytes.utf8(key), Bytes.utf8(value), true);
    }

    /**
     * A put of text under a binary key: the JavaScript layouts store the value as a string (S).
     *
     * @param key the key, 1 to 1024 bytes
     * @param value the value, stored as its UTF-8 bytes; not null
     * @return the operation
     */
    static Put put(byte[] key, String value) {
        return new Put(key, Bytes.utf8(value), true);
    }

    /**
     * A delete; deleting a missing key is fine.
     *
     * @param key the key to delete
     * @return the operation
     */
    static Del del(byte[] key) {
        return new Del(key);
    }

    /**
     * A delete of a key given as text; deleting a missing key is fine.
     *
     * @param key the key to delete, as its UTF-8 bytes
     * @return the operation
     */
    static Del del(String key) {
        return new Del(Bytes.utf8(key));
    }

    /**
     * Sets a key to a value.
     *
     * @param key the key (not copied)
     * @param value the value (not copied); never null
     * @param text whether the value was given as a string (its UTF-8 bytes are in {@code value}); matters
     *     only to layouts that store strings and bytes differently
     */
    record Put(byte[] key, byte[] value, boolean text) implements BatchOperation {
        /**
         * Checks that neither array is null; sizes are checked when the operation is written.
         *
         * @param key the key; not null
         * @param value the value; not null (a delete is a {@link Del})
         * @param text whether the value was given as a string
         * @throws NullPointerException when {@code key} or {@code value} is null
         */
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value (use a del operation to delete a key)");
        }

        @Override
        public String toString() {
            return "put " + Bytes.describe(key);
        }
    }

    /**
     * Deletes a key; deleting a missing key is fine.
     *
     * @param key the key (not copied)
     */
    record Del(byte[] key) implements BatchOperation {
        /**
         * Checks that the key is not null.
         *
         * @param key the key; not null
         * @throws NullPointerException when {@code key} is null
         */
        public Del {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "del " + Bytes.describe(key);
        }
    }
}
