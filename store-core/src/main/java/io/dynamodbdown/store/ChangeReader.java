package io.dynamodbdown.store;

import java.util.List;

/**
 * Reads the changes of one database (one hash key, optionally one key range) from its table's change stream,
 * in order for each key, each change once: a put with the new value, or a delete. Other databases of the same
 * table and keys outside the range are left out. Not thread-safe; close it when done.
 */
public interface ChangeReader extends AutoCloseable {

    /**
     * Up to {@code max} changes after the last one returned, possibly none. Throws
     * {@link ChangesLostException} when the stream no longer holds what comes after the checkpoint.
     */
    List<Change> poll(int max);

    /** Where the reader stands: after the last change returned and the records it skipped. */
    ChangeCheckpoint checkpoint();

    @Override
    void close();
}
