package io.dynamodbdown.store.dynamodb;

import java.util.List;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * How many attempts of one SDK call DynamoDB throttled: the client retries those itself, so the store learns of
 * them only from the SDK's metrics, which a synchronous client publishes to the request's own publishers on the
 * caller's thread as the call ends (returning or throwing). Works with any SDK-built client, also one the caller
 * configured; a client that publishes nothing (a stand-in) reports none. One per call.
 */
final class Attempts implements MetricPublisher {

    private static final String ATTEMPT = "ApiCallAttempt";
    private static final String THROTTLING = "Throttling";
    private static final int BAD_REQUEST = 400;

    private final AwsRequestOverrideConfiguration override =
            AwsRequestOverrideConfiguration.builder().addMetricPublisher(this).build();
    private volatile int throttled;

    /** To give the request: {@code builder.overrideConfiguration(attempts.override())}. */
    AwsRequestOverrideConfiguration override() {
        return override;
    }

    /** Attempts of the call that were throttled, known once it returned or threw. */
    int throttled() {
        return throttled;
    }

    /**
     * Counts the throttled attempts: those the SDK classed as throttling, and any other 400 answer it sent again
     * (its retry strategy sends a 400 again only for throttling: DynamoDB Streams' LimitExceededException is one
     * the SDK does not class so). A call that ended on such a Streams answer is counted by its caller.
     */
    @Override
    public void publish(MetricCollection call) {
        List<MetricCollection> attempts = call.children().stream().filter(c -> ATTEMPT.equals(c.name())).toList();
        int count = 0;
        for (int i = 0; i < attempts.size(); i++) {
            MetricCollection attempt = attempts.get(i);
            boolean sentAgain = i < attempts.size() - 1;
            if (attempt.metricValues(CoreMetric.ERROR_TYPE).contains(THROTTLING)
                    || (sentAgain && attempt.metricValues(HttpMetric.HTTP_STATUS_CODE).contains(BAD_REQUEST))) {
                count++;
            }
        }
        throttled = count;
    }

    @Override
    public void close() {
        // nothing held
    }
}
