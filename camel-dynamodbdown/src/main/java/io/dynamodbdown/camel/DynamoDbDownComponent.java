package io.dynamodbdown.camel;

import io.dynamodbdown.store.Location;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;
import org.apache.camel.util.URISupport;

/**
 * The {@code dynamodbdown:} component: LevelDB's ordered key-value model on DynamoDB. Its producers and consumers
 * have health checks on their table ({@link DynamoDbDownProducerHealthCheck}, {@link DynamoDbDownConsumerHealthCheck}).
 */
@Component("dynamodbdown")
public class DynamoDbDownComponent extends HealthCheckComponent {

    /** Defaults for every endpoint of this component; each endpoint works on its own copy. */
    @Metadata
    private DynamoDbDownConfiguration configuration = new DynamoDbDownConfiguration();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Location location;
        try {
            location = Location.parse(remaining);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid dynamodbdown URI '" + URISupport.sanitizeUri(uri) + "': " + e.getMessage()
                    + " (expected dynamodbdown:tableName$hashKey)", e);
        }
        DynamoDbDownEndpoint endpoint = new DynamoDbDownEndpoint(uri, this, configuration.copy());
        endpoint.setTableName(location.table());
        endpoint.setHashKey(location.hashKey());
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    /** {@return the defaults of this component's endpoints; each endpoint copies them when it is created} */
    public DynamoDbDownConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Sets the defaults of this component's endpoints; endpoints created afterwards copy them.
     *
     * @param configuration the endpoint defaults
     */
    public void setConfiguration(DynamoDbDownConfiguration configuration) {
        this.configuration = configuration;
    }
}
