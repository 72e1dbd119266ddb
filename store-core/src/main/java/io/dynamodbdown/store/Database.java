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

    /** {@return the table and hash key this database lives in} */
    Location location();

    /**
     * Reads one key's value. Large values are read whole (their chunks are fetched).
     *
     * @param key the key, 1 to 1024 bytes
     * @return the value, or {@code null} when the key is missing (never an exception for that)
     * @throws InvalidEntryException when the key is empty or longer than 1024 bytes
     * @throws DatabaseClosedException when the database is closed
     */
    byte[] get(byte[] key);

    /**
     * Reads the value of a key given as text (its UTF-8 bytes).
     *
     * @param key the key, 1 to 1024 bytes in UTF-8
     * @return the value, or {@code null} when the key is missing
     * @throws InvalidEntryException when the key is empty, too long or has no UTF-8 form (an unpaired surrogate)
     */
    default byte[] get(String key) {
        return get(Bytes.utf8(key));
    }

    /**
     * Reads the value of a key given as text and decodes it as UTF-8 (bytes that are not valid UTF-8 become
     * U+FFFD).
     *
     * @param key the key, 1 to 1024 bytes in UTF-8
     * @return the value as text, or {@code null} when the key is missing
     */
    default String getString(String key) {
        byte[] value = get(key);
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Reads many keys at once, in BatchGetItem requests of up to 100 keys sent concurrently (up to
     * {@link OpenOptions#writeConcurrency()} in flight). Every key is checked before any request is sent.
     *
     * @param keys the keys; a key may appear more than once
     * @return the values in the order of {@code keys}, {@code null} for each missing key; empty for no keys
     * @throws InvalidEntryException when a key is empty or longer than 1024 bytes
     */
    List<byte[]> getMany(List<byte[]> keys);

    /**
     * Checks whether a key exists, without reading its value.
     *
     * @param key the key, 1 to 1024 bytes
     * @return true when the key has an entry
     * @throws InvalidEntryException when the key is empty or longer than 1024 bytes
     */
    boolean has(byte[] key);

    /**
     * Checks whether a key given as text (its UTF-8 bytes) exists, without reading its value.
     *
     * @param key the key, 1 to 1024 bytes in UTF-8
     * @return true when the key has an entry
     */
    default boolean has(String key) {
        return has(Bytes.utf8(key));
    }

    /**
     * Writes one entry, replacing any value the key had. A value too large for one DynamoDB item (400 KB) is
     * written as chunks first and becomes visible in one final write, so readers see the old value or the new
     * one, never a mix.
     *
     * @param put the key and value to write
     * @throws InvalidEntryException before any request, when the key is empty or over 1024 bytes, or the value
     *     is over {@link OpenOptions#maxValueSize()}
     * @throws DynamoDbDownException when DynamoDB fails the write after the client's retries
     */
    void put(BatchOperation.Put put);

    /**
     * Writes one entry, replacing any value the key had; see {@link #put(BatchOperation.Put)}.
     *
     * @param key the key, 1 to 1024 bytes
     * @param value the value, possibly empty, at most {@link OpenOptions#maxValueSize()} bytes; not null (use
     *     {@link #del(byte[])} to delete)
     */
    default void put(byte[] key, byte[] value) {
        put(BatchOperation.put(key, value));
    }

    /**
     * Writes one entry given as text (both as UTF-8), replacing any value the key had; the JavaScript layouts
     * store the value as a string. See {@link #put(BatchOperation.Put)}.
     *
     * @param key the key, 1 to 1024 bytes in UTF-8
     * @param value the value; not null (use {@link #del(String)} to delete)
     */
    default void put(String key, String value) {
        put(BatchOperation.put(key, value));
    }

    /**
     * Puts the value only if the key is missing, atomically (a conditional write).
     *
     * @param key the key, 1 to 1024 bytes
     * @param value the value to write when the key is missing
     * @return true when it was written, false when the key already existed (its value untouched)
     */
    default boolean putIfAbsent(byte[] key, byte[] value) {
        return writeIf(BatchOperation.put(key, value), Expect.absent());
    }

    /**
     * Writes the operation only if the key is as expected, in one atomic step: returns true when it was
     * written, false when the key was not as expected (nothing changed). A put that the client had to send
     * again (its first answer lost) and that then found its own earlier write still counts as written; a delete
     * leaves nothing to recognise, so one whose answer was lost reports false although it deleted: check the key
     * if that matters. Large values are compared whole.
     *
     * @param operation the put or delete to write
     * @param expect what the key must hold for the write to happen: {@link Expect#absent()},
     *     {@link Expect#present()}, {@link Expect#value(byte[])} or {@link Expect#valueStartingWith(byte[])}
     * @return true when the operation was written, false when the key was not as expected
     * @throws InvalidEntryException before any request, when the key or value is refused (see {@link #check})
     */
    boolean writeIf(BatchOperation operation, Expect expect);

    /**
     * Deletes a key, and the chunks of its value when it was a large one; deleting a missing key is fine.
     *
     * @param key the key, 1 to 1024 bytes
     * @throws InvalidEntryException when the key is empty or longer than 1024 bytes
     */
    void del(byte[] key);

    /**
     * Deletes a key given as text (its UTF-8 bytes); deleting a missing key is fine.
     *
     * @param key the key, 1 to 1024 bytes in UTF-8
     */
    default void del(String key) {
        del(Bytes.utf8(key));
    }

    /**
     * Starts a chained batch: nothing is sent until {@link WriteBatch#write()}.
     *
     * @return a new, empty batch for this database, to be used by one thread and written once
     */
    WriteBatch batch();

    /**
     * Writes the operations non-atomically ({@link WriteOptions#DEFAULT}); see
     * {@link #batch(List, WriteOptions)}.
     *
     * @param operations the puts and deletes, in order; for one key the last one wins
     * @throws BatchWriteException naming exactly the keys not written when DynamoDB refused some
     */
    default void batch(List<? extends BatchOperation> operations) {
        batch(operations, WriteOptions.DEFAULT);
    }

    /**
     * Writes the operations; for one key the last operation wins. Every operation is checked before any
     * request is sent. Non-atomic: a {@link BatchWriteException} names the keys not written; atomic:
     * all or nothing. Writing the same operations again after a failure is safe.
     *
     * @param operations the puts and deletes, in order; for one key the last one wins; none: nothing is sent
     * @param options {@link WriteOptions#DEFAULT} for BatchWriteItem calls of 25 sent concurrently, or
     *     {@link WriteOptions#ATOMIC} for one transaction of at most {@value WriteOptions#MAX_ATOMIC_OPERATIONS}
     *     distinct keys and 4 MB
     * @throws InvalidEntryException before any request, when an operation is refused (see {@link #check}) or an
     *     atomic batch is over its limits
     * @throws BatchWriteException when a non-atomic batch was partly written: it lists the keys not written
     * @throws DynamoDbDownException when an atomic batch failed (nothing of it was written)
     */
    void batch(List<? extends BatchOperation> operations, WriteOptions options);

    /**
     * Checks, without sending anything, that DynamoDB would take this operation: throws
     * {@link InvalidEntryException} naming the key and the limit otherwise. Lets a caller set aside one bad
     * entry instead of having its whole batch refused.
     *
     * @param operation the put or delete to check: its key's length, and a put's value size against
     *     {@link OpenOptions#maxValueSize()}
     * @throws InvalidEntryException when DynamoDB or this database would refuse it
     */
    void check(BatchOperation operation);

    /**
     * Iterates over the entries of a range, in key order (or reversed), fetching Query pages lazily: memory
     * stays flat for any range size. The iterator sees writes made while it runs (there are no snapshots).
     *
     * @param range the bounds, direction and limit, e.g. {@code KeyRange.all().gte("a").lt("b")}
     * @return an iterator of whole entries, large values included; close it when done
     */
    RangeIterator<Entry> iterator(KeyRange range);

    /**
     * Iterates over the keys of a range, like {@link #iterator(KeyRange)} but without reading values.
     *
     * @param range the bounds, direction and limit
     * @return an iterator of keys; close it when done
     */
    RangeIterator<byte[]> keys(KeyRange range);

    /**
     * Iterates over the values of a range, in the order of their keys, like {@link #iterator(KeyRange)}.
     *
     * @param range the bounds, direction and limit
     * @return an iterator of whole values, large ones included; close it when done
     */
    RangeIterator<byte[]> values(KeyRange range);

    /**
     * The range as a stream; close the stream (try-with-resources) to release its iterator early.
     *
     * @param range the bounds, direction and limit
     * @return a sequential stream of the range's entries in iteration order; closing it closes the iterator
     */
    default Stream<Entry> stream(KeyRange range) {
        return iterator(range).stream();
    }

    /**
     * Deletes every key in the range (limit and reverse included), and the chunks of the large values among them.
     * Not atomic: a failure part-way leaves the rest in place, and clearing again is safe.
     *
     * @param range the keys to delete; {@code KeyRange.all()} empties the database
     * @return how many entries were deleted
     */
    long clear(KeyRange range);

    /**
     * Deletes the entries of the range that were last written in an older generation of the same origin as
     * {@code generation} (see {@link WriteOptions#generation()}), and the chunks of the large values among them.
     * Entries written without a generation, or by another origin, are kept, and so is an entry written again in a newer
     * generation while this runs (each delete is conditional on the generation it read). Reads every key of the range;
     * not atomic: clearing again is safe.
     *
     * @param range the keys to look at
     * @param generation entries of its origin and a lower number are deleted
     * @return how many entries were deleted (one whose delete the client had to send again, its answer lost, is not
     *     counted)
     */
    long clearOlderGenerations(KeyRange range, Generation generation);

    /**
     * Removes the chunks of large values that no entry refers to any more and that were written more than
     * {@code olderThan} ago (younger ones may belong to a write still under way): what a writer left behind when
     * it stopped between a value's chunks and its entry, or a batch that replaced a large value written
     * concurrently by another process. Safe to run at any time; it reads the registry of large values only.
     *
     * @param olderThan the least age of chunks to remove; must not be null
     * @return how many values' chunks it removed (0 for a database that never held a large value)
     */
    long sweep(Duration olderThan);

    /**
     * {@link #sweep(Duration)} of what is more than an hour old.
     *
     * @return how many values' chunks it removed
     */
    default long sweep() {
        return sweep(Duration.ofHours(1));
    }

    /**
     * {@return whether {@link #close()} or {@link #dropTable()} was called: reads and writes then fail with
     * {@link DatabaseClosedException}}
     */
    boolean isClosed();

    /** Closes the database; later calls fail. The DynamoDB client is the caller's and stays open. */
    @Override
    void close();

    /** Deletes the whole DynamoDB table, with every database in it, and closes this database. */
    void dropTable();
}
