package io.dynamodbdown.store;

import java.util.Objects;

/** One operation of a batch: a {@link Put} or a {@link Del}. */
public sealed interface BatchOperation permits BatchOperation.Put, BatchOperation.Del {

    byte[] key();

    static Put put(byte[] key, byte[] value) {
        return new Put(key, value);
    }

    static Put put(String key, String value) {
        return new Put(Bytes.utf8(key), Bytes.utf8(value));
    }

    static Del del(byte[] key) {
        return new Del(key);
    }

    static Del del(String key) {
        return new Del(Bytes.utf8(key));
    }

    /** Sets a key to a value. */
    record Put(byte[] key, byte[] value) implements BatchOperation {
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
