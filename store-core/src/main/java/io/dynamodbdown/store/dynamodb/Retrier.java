package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.RetryPolicy;
import io.dynamodbdown.store.ThrottleListener;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Paces a database's requests to what each partition key accepts ({@link Pacer}, one for write units and one for
 * read units), tells the {@link ThrottleListener} when DynamoDB turns requests away, and paces the store's own
 * loops over what DynamoDB answered but did not do: UnprocessedItems, UnprocessedKeys, and transactions cancelled
 * by throttling or a conflict. Such a loop goes on while each attempt makes progress and gives up after
 * {@link #maxAttempts()} attempts in a row that made none. A failed request is not retried here; the client's retry
 * strategy did that already (see {@link Failures}), and its throttled attempts slow the key's pace.
 */
final class Retrier {

    private final RetryPolicy policy;
    private final ThrottleListener listener;
    private final Pacer writes;
    private final Pacer reads;

    Retrier(RetryPolicy policy, ThrottleListener listener, String table) {
        this.policy = policy;
        this.listener = listener;
        this.writes = new Pacer("writes to table '" + table + "'", "write units", policy.maxDelay(), Pacer.SYSTEM);
        this.reads = new Pacer("reads of table '" + table + "'", "read units", policy.maxDelay(), Pacer.SYSTEM);
    }

    /** Attempts in a row without progress before a loop gives up. */
    int maxAttempts() {
        return policy.maxAttempts();
    }

    Pacer writes() {
        return writes;
    }

    Pacer reads() {
        return reads;
    }

    /** Tells the listener of {@code requests} turned away (nothing for 0). */
    void throttled(int requests) {
        if (requests > 0) {
            listener.throttled(requests);
        }
    }

    /**
     * Sends one write of {@code cost} write units to partition key {@code key} at its pace; an SDK failure comes
     * out as a {@link DynamoDbDownException} saying {@code what} failed.
     */
    <T> T write(String what, String key, double cost, Function<AwsRequestOverrideConfiguration, T> request) {
        return send(writes, what, key, cost, request, response -> 0);
    }

    /**
     * Sends one read to partition key {@code key} at its pace, charged {@code leastCost} read units up front and
     * what {@code moreCost} finds in its answer afterwards.
     */
    <T> T read(String what, String key, double leastCost, Function<AwsRequestOverrideConfiguration, T> request,
            ToDoubleFunction<T> moreCost) {
        return send(reads, what, key, leastCost, request, moreCost);
    }

    private <T> T send(Pacer pacer, String what, String key, double cost,
            Function<AwsRequestOverrideConfiguration, T> request, ToDoubleFunction<T> moreCost) {
        Pacer.Ticket ticket = pacer.await(key, cost);
        Attempts attempts = new Attempts();
        T response;
        try {
            response = request.apply(attempts.override());
        } catch (SdkException e) {
            pacer.failed(List.of(ticket), attempts.throttled());
            throttled(attempts.throttled());
            throw Failures.wrap(what, e);
        }
        pacer.answered(ticket, cost, attempts.throttled());
        pacer.charge(ticket, moreCost.applyAsDouble(response));
        throttled(attempts.throttled());
        return response;
    }

    /** Sleeps before retry number {@code retry} in a row without progress; an interrupt ends the operation. */
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
