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

    /**
     * A partly written batch; the message lists the first keys not written and how many more there are.
     *
     * @param reason why the keys were not written
     * @param unwrittenKeys the keys not written (copied)
     * @param cause the failure behind it, or null
     * @param retryable whether writing the batch again later may succeed
     */
    public BatchWriteException(String reason, List<byte[]> unwrittenKeys, Throwable cause, boolean retryable) {
        super(message(reason, unwrittenKeys), cause, retryable);
        this.unwrittenKeys = List.copyOf(unwrittenKeys);
    }

    /** {@return the keys whose operation was not written; unmodifiable} */
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
