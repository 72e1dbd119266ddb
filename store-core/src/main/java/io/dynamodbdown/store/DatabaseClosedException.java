package io.dynamodbdown.store;

/** An operation on a database (or one of its iterators) after it was closed. */
public class DatabaseClosedException extends IllegalStateException {

    public DatabaseClosedException(String message) {
        super(message);
    }
}
