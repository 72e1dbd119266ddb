package io.dynamodbdown.store;

/** An operation on a database (or one of its iterators) after it was closed. */
public class DatabaseClosedException extends IllegalStateException {

    /**
     * A call on a closed database.
     *
     * @param message which database, and that it must be opened again
     */
    public DatabaseClosedException(String message) {
        super(message);
    }
}
