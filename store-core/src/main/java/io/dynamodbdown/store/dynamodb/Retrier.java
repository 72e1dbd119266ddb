package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.RetryPolicy;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** Runs DynamoDB calls under a {@link RetryPolicy}: which failures are worth another try, and the pauses. */
final class Retrier {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;

    Retrier(RetryPolicy policy) {
        this.policy = policy;
    }

    int maxAttempts() {
        return policy.maxAttempts();
    }

    /**
     * Calls {@code call}, retrying retryable failures; then a {@link DynamoDbDownException} that says what
     * was being done, with DynamoDB's own exception as the cause.
     */
    <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!isRetryable(e)) {
                    throw new DynamoDbDownException(what + " failed: " + e.getMessage(), e);
                }
                if (attempt >= policy.maxAttempts()) {
                    throw new DynamoDbDownException(what + " failed after " + attempt + " attempts: " + e.getMessage(), e, true);
                }
                LOG.debug("{}: attempt {} failed, retrying: {}", what, attempt, e.toString());
                pauseBeforeRetry(attempt);
            }
        }
    }

    /** Throttling, server-side errors, a conflicting transaction, or no answer at all (endpoint down). */
    static boolean isRetryable(Throwable e) {
        if (e instanceof ProvisionedThroughputExceededException || e instanceof RequestLimitExceededException) {
            return true;
        }
        if (e instanceof TransactionCanceledException cancelled) {
            return cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream()
                    .anyMatch(r -> "ThrottlingError".equals(r.code()) || "TransactionConflict".equals(r.code()));
        }
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return e instanceof SdkClientException;
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
