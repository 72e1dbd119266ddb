package io.dynamodbdown.store;

/**
 * A chained batch: collect puts and deletes, then {@link #write()} them in one go. Several operations on
 * one key: the last one wins. Not thread-safe; a batch can be written once.
 */
public interface WriteBatch {

    WriteBatch put(byte[] key, byte[] value);

    WriteBatch del(byte[] key);

    default WriteBatch put(String key, String value) {
        return put(Bytes.utf8(key), Bytes.utf8(value));
    }

    default WriteBatch del(String key) {
        return del(Bytes.utf8(key));
    }

    /** Forgets the operations collected so far. */
    WriteBatch clear();

    /** How many operations were collected. */
    int size();

    default void write() {
        write(WriteOptions.DEFAULT);
    }

    void write(WriteOptions options);
}
