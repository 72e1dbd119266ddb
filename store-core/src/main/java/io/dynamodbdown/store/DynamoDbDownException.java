package io.dynamodbdown.store;

/** A store operation failed at DynamoDB (after the retries its {@link RetryPolicy} allows). */
public class DynamoDbDownException extends RuntimeException {

    public DynamoDbDownException(String message) {
        super(message);
    }

    public DynamoDbDownException(String message, Throwable cause) {
        super(message, cause);
    }
}
