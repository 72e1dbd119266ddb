package io.dynamodbdown.store;

/**
 * A key or value the store refuses (empty key, key over 1024 bytes, value over the database's maxValueSize). Raised
 * before any request is sent, so nothing of the operation or batch was written.
 */
public class InvalidEntryException extends IllegalArgumentException {

    private final transient byte[] key;

    public InvalidEntryException(byte[] key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending key, as given. */
    public byte[] key() {
        return key;
    }
}
