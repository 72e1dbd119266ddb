package io.dynamodbdown.store;

/**
 * A key or value the store refuses (empty key, key over 1024 bytes, value over the database's maxValueSize). Raised
 * before any request is sent, so nothing of the operation or batch was written.
 */
public class InvalidEntryException extends IllegalArgumentException {

    private final transient byte[] key;

    /**
     * A refused key or value.
     *
     * @param key the offending key, or null when there is none (e.g. a string with no UTF-8 form)
     * @param message what is wrong, naming the key and the limit
     */
    public InvalidEntryException(byte[] key, String message) {
        super(message);
        this.key = key;
    }

    /**
     * {@return the offending key, as given (not copied); null when there is none, e.g. for a string with no UTF-8
     * form}
     */
    public byte[] key() {
        return key;
    }
}
