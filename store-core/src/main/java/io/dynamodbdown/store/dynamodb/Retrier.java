package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.RetryPolicy;
import java.time.Duration;

/**
 * Paces the store's own loops over what DynamoDB answered but did not do: UnprocessedItems, UnprocessedKeys,
 * and transactions cancelled by throttling or a conflict. A failed request is not retried here; the client's
 * retry strategy did that already (see {@link Failures}).
 */
final class Retrier {

    private final RetryPolicy policy;

    Retrier(RetryPolicy policy) {
        this.policy = policy;
    }

    int maxAttempts() {
        return policy.maxAttempts();
    }

    /** Sleeps before retry number {@code retry}; an interrupt ends the operation. */
    void pauseBeforeRetry(int retry) {
        Duration delay = policy.delayBeforeRetry(retry);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DynamoDbDownException("interrupted while waiting to retry", e, true);
        }
    }
}
