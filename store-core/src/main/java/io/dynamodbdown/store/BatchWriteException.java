package io.dynamodbdown.store;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A non-atomic batch was partly written: DynamoDB did not accept the keys listed here within the retries
 * allowed. Every other key of the batch was written. Writing the same operations again is safe.
 */
public class BatchWriteException extends DynamoDbDownException {

    private static final int KEYS_IN_MESSAGE = 10;

    private final transient List<byte[]> unwrittenKeys;

    public BatchWriteException(String reason, List<byte[]> unwrittenKeys, Throwable cause, boolean retryable) {
        super(message(reason, unwrittenKeys), cause, retryable);
        this.unwrittenKeys = List.copyOf(unwrittenKeys);
    }

    /** The keys whose operation was not written. */
    public List<byte[]> unwrittenKeys() {
        return unwrittenKeys;
    }

    private static String message(String reason, List<byte[]> keys) {
        String shown = keys.stream().limit(KEYS_IN_MESSAGE).map(Bytes::describe).collect(Collectors.joining(", "));
        String more = keys.size() > KEYS_IN_MESSAGE ? " and " + (keys.size() - KEYS_IN_MESSAGE) + " more" : "";
        return keys.size() + " key(s) not written (" + reason + "): " + shown + more
                + "; the rest of the batch was written, writing the batch again is safe";
    }
}
