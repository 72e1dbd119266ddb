package io.dynamodbdown.store;

/**
 * A chained batch: collect puts and deletes, then {@link #write()} them in one go. Several operations on
 * one key: the last one wins. Not thread-safe; a batch can be written once.
 */
public interface WriteBatch {

    /**
     * Adds a put; nothing is sent before {@link #write()}.
     *
     * @param key the key, 1 to 1024 bytes (checked when the batch is written)
     * @param value the value; not null
     * @return this batch, for chaining
     * @throws IllegalStateException when the batch was already written
     */
    WriteBatch put(byte[] key, byte[] value);

    /**
     * Adds a delete; nothing is sent before {@link #write()}.
     *
     * @param key the key to delete
     * @return this batch, for chaining
     * @throws IllegalStateException when the batch was already written
     */
    WriteBatch del(byte[] key);

    /**
     * Adds a put of text (key and value as UTF-8 bytes).
     *
     * @param key the key
     * @param value the value; not null
     * @return this batch, for chaining
     */
    default WriteBatch put(String key, String value) {
        return put(Bytes.utf8(key), Bytes.utf8(value));
    }

    /**
     * Adds a delete of a key given as text (its UTF-8 bytes).
     *
     * @param key the key to delete
     * @return this batch, for chaining
     */
    default WriteBatch del(String key) {
        return del(Bytes.utf8(key));
    }

    /**
     * Forgets the operations collected so far.
     *
     * @return this batch, now empty, for chaining
     */
    WriteBatch clear();

    /** {@return how many operations were collected, each one counted (several on one key included)} */
    int size();

    /**
     * Writes the operations non-atomically, as {@link Database#batch(java.util.List)} does.
     *
     * @throws BatchWriteException naming exactly the keys not written when DynamoDB refused some
     * @throws IllegalStateException when the batch was already written
     */
    default void write() {
        write(WriteOptions.DEFAULT);
    }

    /**
     * Writes the operations, as {@link Database#batch(java.util.List, WriteOptions)} does; the batch cannot be
     * used afterwards, even when the write failed.
     *
     * @param options {@link WriteOptions#DEFAULT}, or {@link WriteOptions#ATOMIC} for all or nothing
     * @throws IllegalStateException when the batch was already written
     */
    void write(WriteOptions options);
}
