package io.dynamodbdown.store;

/** A store operation failed at DynamoDB (after the retries its {@link RetryPolicy} allows). */
public class DynamoDbDownException extends RuntimeException {

    /** What {@link #isRetryable()} returns. */
    private final boolean retryable;

    /**
     * A failure that trying again will not mend ({@link #isRetryable()} false).
     *
     * @param message what failed and why
     */
    public DynamoDbDownException(String message) {
        this(message, null, false);
    }

    /**
     * A failure that trying again will not mend ({@link #isRetryable()} false).
     *
     * @param message what failed and why
     * @param cause the SDK's exception, or null
     */
    public DynamoDbDownException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * A failure of the operation.
     *
     * @param message what failed and why
     * @param cause the SDK's exception, or null
     * @param retryable whether trying the same operation again later may succeed
     */
    public DynamoDbDownException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether trying the same operation again later may succeed: DynamoDB throttled, was unreachable or left
     * items unprocessed through every retry. False for errors that repeat (validation, missing table, access).
     *
     * @return true when a later retry may succeed, false when only a change of configuration or data helps
     */
    public boolean isRetryable() {
        return retryable;
    }
}
