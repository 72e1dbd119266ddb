package io.dynamodbdown.camel;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.support.ScheduledPollConsumerHealthCheck;

/**
 * A consumer's health: Camel's polling-consumer check (DOWN while the last poll failed, with the failure), and DOWN
 * with a message naming the table when the endpoint's table does not exist, is not ACTIVE or cannot be reached. Camel
 * reads it through the route's consumer ({@link org.apache.camel.health.HealthCheckAware}) in its "consumers"
 * repository, as check {@code consumer:<routeId>}; the component option {@code healthCheckConsumerEnabled} turns
 * this component's off.
 */
public class DynamoDbDownConsumerHealthCheck extends ScheduledPollConsumerHealthCheck {

    private final DynamoDbDownConsumer consumer;

    /**
     * Creates the check; {@link DynamoDbDownConsumer} does this when it is built.
     *
     * @param consumer the consumer whose polls and table it checks
     * @param id the check's id, {@code consumer:<routeId>}
     */
    public DynamoDbDownConsumerHealthCheck(DynamoDbDownConsumer consumer, String id) {
        super(consumer, id);
        this.consumer = consumer;
    }

    @Override
    public Result call(Map<String, Object> options) {
        Result polls = super.call(options);
        if (!isEnabled()) {
            return polls;
        }
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this).state(polls.getState()).details(polls.getDetails());
        polls.getMessage().ifPresent(builder::message);
        polls.getError().ifPresent(builder::error);
        TableHealth.isServing(consumer.getEndpoint(), builder); // a table that is not there says more than a failed poll
        return builder.build();
    }
}
