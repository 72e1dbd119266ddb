package io.dynamodbdown.camel;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.util.URISupport;

/**
 * A producer's health: UP while its endpoint's table answers DescribeTable as ACTIVE, DOWN with a message naming the
 * table when it does not exist, is not ACTIVE or cannot be reached. Registered by each started producer in Camel's
 * "producers" health-check repository, which Camel leaves disabled unless {@code camel.health.producersEnabled=true};
 * the component option {@code healthCheckProducerEnabled} turns this component's off.
 */
public class DynamoDbDownProducerHealthCheck extends AbstractHealthCheck {

    private final DynamoDbDownEndpoint endpoint;

    /**
     * Creates the check, in group {@code camel} with id {@code producer:dynamodbdown-<id>}; a producer does this
     * when it starts.
     *
     * @param endpoint the endpoint whose table it checks
     * @param id what makes the check's id unique
     */
    public DynamoDbDownProducerHealthCheck(DynamoDbDownEndpoint endpoint, String id) {
        super("camel", "producer:dynamodbdown-" + id);
        this.endpoint = endpoint;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail(ENDPOINT_URI, URISupport.sanitizeUri(endpoint.getEndpointUri()));
        if (TableHealth.isServing(endpoint, builder)) {
            builder.up();
        }
    }
}
