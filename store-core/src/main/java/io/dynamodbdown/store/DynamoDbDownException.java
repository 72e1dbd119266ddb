package io.dynamodbdown.store;

/** A store operation failed at DynamoDB (after the retries its {@link RetryPolicy} allows). */
public class DynamoDbDownException extends RuntimeException {

    private final boolean retryable;

    public DynamoDbDownException(String message) {
        this(message, null, false);
    }

    public DynamoDbDownException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public DynamoDbDownException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether trying the same operation again later may succeed: DynamoDB throttled, was unreachable or left
     * items unprocessed through every retry. False for errors that repeat (validation, missing table, access).
     */
    public boolean isRetryable() {
        return retryable;
    }
}
