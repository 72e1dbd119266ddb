package io.dynamodbdown.store;

/**
 * Told each time DynamoDB turns requests of a database away for throughput, so a caller can count or report it
 * (the connectors' {@code requests-throttled-total} metric). The store does not fail such a request while the
 * partition accepts anything: it slows down to what DynamoDB accepts and goes on (see {@link RetryPolicy}).
 * Called on the thread that sent the requests: keep it quick, and do not throw.
 */
@FunctionalInterface
public interface ThrottleListener {

    /** Counts nothing: the default. */
    ThrottleListener NONE = requests -> { };

    /**
     * DynamoDB turned requests away: attempts throttled (and sent again by the client), or answers that handed
     * back part of a batch (UnprocessedItems, UnprocessedKeys) or cancelled a transaction for throttling.
     *
     * @param requests how many requests, at least 1
     */
    void throttled(int requests);
}
