package io.dynamodbdown.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the store retries what DynamoDB answers but does not do: the UnprocessedItems of BatchWriteItem, the
 * UnprocessedKeys of BatchGetItem, and transactions cancelled by throttling or a conflict. Exponential backoff
 * with full jitter, {@code maxAttempts} attempts in all. A failed request (throttling, server error, no
 * connection) is retried by the client's own retry strategy, never again by the store: see
 * {@code ClientSettings}, which configures both from the same options.
 *
 * @param maxAttempts attempts in all, at least 1 (1: no retry)
 * @param baseDelay the longest pause before the first retry; doubles with each retry
 * @param maxDelay the longest pause before any retry, at least {@code baseDelay}
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** 10 attempts with at most 7.2 s of pauses in all, the same budget as {@code ClientSettings}' defaults. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofMillis(25), Duration.ofSeconds(2));

    /**
     * Checks the policy.
     *
     * @param maxAttempts at least 1
     * @param baseDelay 0 or more
     * @param maxDelay at least {@code baseDelay}
     * @throws IllegalArgumentException when {@code maxAttempts} is below 1, or not
     *     {@code 0 <= baseDelay <= maxDelay}
     */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay, got " + baseDelay + " and " + maxDelay);
        }
    }

    /**
     * {@return the pause before a retry: random in [0, min(maxDelay, baseDelay * 2^(retry-1))], whole
     * milliseconds}
     *
     * @param retry which retry, 1 for the first (the second attempt)
     */
    public Duration delayBeforeRetry(int retry) {
        long base = baseDelay.toMillis();
        long cap = Math.min(maxDelay.toMillis(), base << Math.min(retry - 1, 30));
        return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1));
    }
}
