package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.RetryPolicy;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.InvalidSettingsException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;

/**
 * Builds the DynamoDB and DynamoDB Streams clients that {@link ClientSettings} describe, with the store's retry
 * strategy: the one place that knows which failures a request is sent again for. The clients are the caller's to
 * close.
 *
 * <pre>{@code
 * try (DynamoDbClient client = DynamoDbClients.build(ClientSettings.defaults().withRegion("eu-west-1"))) { ... }
 * }</pre>
 */
public final class DynamoDbClients {

    private DynamoDbClients() {
    }

    /**
     * A client for these settings, the caller's to close. The region and credentials are looked up now, so a
     * missing one fails here, named on its setting, instead of on the first request.
     *
     * @param settings how to reach DynamoDB
     * @return a new client, the caller's to close
     * @throws InvalidSettingsException for any problem, and when no region or no credentials can be found
     */
    public static DynamoDbClient build(ClientSettings settings) {
        return settings.build(builder(settings));
    }

    /**
     * A client builder with everything set (tests add their own HTTP client to it).
     *
     * @param settings how to reach DynamoDB
     * @return a new builder with region, endpoint, credentials, retry strategy and timeouts applied
     * @throws InvalidSettingsException for any problem
     */
    public static DynamoDbClientBuilder builder(ClientSettings settings) {
        return settings.configure(DynamoDbClient.builder(), retryStrategy(settings));
    }

    /**
     * A client of the tables' change streams (DynamoDB Streams) for these settings, the caller's to close.
     *
     * @param settings how to reach DynamoDB
     * @return a new streams client, the caller's to close
     * @throws InvalidSettingsException for any problem
     */
    public static DynamoDbStreamsClient buildStreams(ClientSettings settings) {
        return streamsBuilder(settings).build();
    }

    /**
     * A builder of the streams client with everything set, for a caller that adds to it.
     *
     * @param settings how to reach DynamoDB
     * @return a new builder with region, endpoint, credentials, retry strategy and timeouts applied
     * @throws InvalidSettingsException for any problem
     */
    public static DynamoDbStreamsClientBuilder streamsBuilder(ClientSettings settings) {
        return settings.configure(DynamoDbStreamsClient.builder(), retryStrategy(settings));
    }

    /**
     * The clients' retry strategy: standard AWS retry conditions and DynamoDB Streams' throttling, the settings'
     * budget ({@link ClientSettings#retryPolicy()}, which the store's own loop goes by too), no token bucket. Not the
     * SDK's adaptive mode: its client-side rate limiter is one per client, so one partition key at its limit would
     * slow every table and key the client serves; the store paces each partition key itself, learning of throttled
     * attempts from the SDK's metrics (so it does with a client built elsewhere too).
     *
     * @throws InvalidSettingsException for any problem
     */
    static RetryStrategy retryStrategy(ClientSettings settings) {
        RetryPolicy budget = settings.retryPolicy();
        BackoffStrategy backoff = budget.baseDelay().isZero() ? BackoffStrategy.retryImmediately() // the SDK wants a positive base
                : BackoffStrategy.exponentialDelay(budget.baseDelay(), budget.maxDelay());
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .retryOnException(Failures::isStreamsLimitExceeded)
                .maxAttempts(budget.maxAttempts())
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .build();
    }
}
