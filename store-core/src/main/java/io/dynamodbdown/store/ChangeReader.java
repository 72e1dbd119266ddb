package io.dynamodbdown.store;

import java.util.List;

/**
 * Reads the changes of one database (one hash key, optionally one key range) from its table's change stream,
 * in order for each key, each change once: a put with the new value, or a delete. Other databases of the same
 * table and keys outside the range are left out. Not thread-safe; close it when done.
 */
public interface ChangeReader extends AutoCloseable {

    /**
     * Reads on from the last change returned.
     *
     * @param max the most changes to return
     * @return up to {@code max} changes after the last one returned, in order for each key; possibly none (poll
     *     again)
     * @throws ChangesLostException when the stream no longer holds what comes after the checkpoint: only a new
     *     snapshot catches up
     */
    List<Change> poll(int max);

    /**
     * {@return where the reader stands: after the last change returned and the records it skipped; store its
     * {@link ChangeCheckpoint#encode()} to resume there}
     */
    ChangeCheckpoint checkpoint();

    @Override
    void close();
}
