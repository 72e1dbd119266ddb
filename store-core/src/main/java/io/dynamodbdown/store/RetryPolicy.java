package io.dynamodbdown.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the store keeps going when DynamoDB does not do what it asked: the UnprocessedItems of BatchWriteItem,
 * the UnprocessedKeys of BatchGetItem, and transactions cancelled by throttling or a conflict. While DynamoDB
 * accepts part of each request the store goes on, at the pace DynamoDB accepts (per partition key); only
 * {@code maxAttempts} attempts in a row that made no progress at all end it, pausing with exponential backoff and
 * full jitter between them. A failed request (throttling, server error, no connection) is retried by the client's
 * own retry strategy, never again by the store: see {@code ClientSettings}, which configures both from the same
 * options. So a request throttled on every one of its attempts made no progress through the whole budget, and
 * fails.
 *
 * @param maxAttempts attempts in a row without progress before giving up, at least 1 (1: give up at the first)
 * @param baseDelay the longest pause before the first retry without progress; doubles with each one
 * @param maxDelay the longest pause before any retry, at least {@code baseDelay}; also the longest the store holds
 *     one request back to keep to a partition's pace
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** 10 attempts without progress, with at most 7.2 s of pauses in all: the same budget as {@code ClientSettings}' defaults. */
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
