package io.dynamodbdown.store;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * An ordered key-value database with LevelDB's semantics, kept in one DynamoDB hash key. Keys order by
 * unsigned bytes. All methods are thread-safe; iterators and chained batches are not shared between
 * threads. Differences from LevelDB: there are no snapshots (iterators see concurrent writes), atomic
 * batches hold at most {@value WriteOptions#MAX_ATOMIC_OPERATIONS} keys, and a database is one DynamoDB
 * partition key.
 */
public interface Database extends AutoCloseable {

    Location location();

    /** The value of a key, or {@code null} when the key is missing. */
    byte[] get(byte[] key);

    default byte[] get(String key) {
        return get(Bytes.utf8(key));
    }

    /** The value of a key decoded as UTF-8, or {@code null} when the key is missing. */
    default String getString(String key) {
        byte[] value = get(key);
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The values of many keys, in the order asked, {@code null} for each missing key. */
    List<byte[]> getMany(List<byte[]> keys);

    boolean has(byte[] key);

    default boolean has(String key) {
        return has(Bytes.utf8(key));
    }

    void put(BatchOperation.Put put);

    default void put(byte[] key, byte[] value) {
        put(BatchOperation.put(key, value));
    }

    default void put(String key, String value) {
        put(BatchOperation.put(key, value));
    }

    /**
     * Puts the value only if the key is missing, atomically (a conditional write): returns true when it
     * was written, false when the key already existed (its value untouched).
     */
    default boolean putIfAbsent(byte[] key, byte[] value) {
        return writeIf(BatchOperation.put(key, value), Expect.absent());
    }

    /**
     * Writes the operation only if the key is as expected, in one atomic step: returns true when it was
     * written, false when the key was not as expected (nothing changed). A put that the client had to send
     * again (its first answer lost) and that then found its own earlier write still counts as written; a delete
     * leaves nothing to recognise, so one whose answer was lost reports false although it deleted: check the key
     * if that matters.
     */
    boolean writeIf(BatchOperation operation, Expect expect);

    /** Deletes a key; deleting a missing key is fine. */
    void del(byte[] key);

    default void del(String key) {
        del(Bytes.utf8(key));
    }

    /** A chained batch to fill and {@link WriteBatch#write()}. */
    WriteBatch batch();

    default void batch(List<? extends BatchOperation> operations) {
        batch(operations, WriteOptions.DEFAULT);
    }

    /**
     * Writes the operations; for one key the last operation wins. Every operation is checked before any
     * request is sent. Non-atomic: a {@link BatchWriteException} names the keys not written; atomic:
     * all or nothing.
     */
    void batch(List<? extends BatchOperation> operations, WriteOptions options);

    /**
     * Checks, without sending anything, that DynamoDB would take this operation: throws
     * {@link InvalidEntryException} naming the key and the limit otherwise. Lets a caller set aside one bad
     * entry instead of having its whole batch refused.
     */
    void check(BatchOperation operation);

    RangeIterator<Entry> iterator(KeyRange range);

    RangeIterator<byte[]> keys(KeyRange range);

    RangeIterator<byte[]> values(KeyRange range);

    /** The range as a stream; close the stream (try-with-resources) to release its iterator early. */
    default Stream<Entry> stream(KeyRange range) {
        return iterator(range).stream();
    }

    /** Deletes every key in the range (limit and reverse included) and returns how many were deleted. */
    long clear(KeyRange range);

    /**
     * Removes the chunks of large values that no entry refers to any more and that were written more than
     * {@code olderThan} ago (younger ones may belong to a write still under way): what a writer left behind when
     * it stopped between a value's chunks and its entry, or a batch that replaced a large value written
     * concurrently by another process. Returns how many values' chunks it removed. Safe to run at any time.
     */
    long sweep(Duration olderThan);

    /** {@link #sweep(Duration)} of what is more than an hour old. */
    default long sweep() {
        return sweep(Duration.ofHours(1));
    }

    boolean isClosed();

    /** Closes the database; later calls fail. The DynamoDB client is the caller's and stays open. */
    @Override
    void close();

    /** Deletes the whole DynamoDB table, with every database in it, and closes this database. */
    void dropTable();
}
