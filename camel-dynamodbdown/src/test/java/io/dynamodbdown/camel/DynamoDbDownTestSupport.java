package io.dynamodbdown.camel;

import io.dynamodbdown.testing.DynamoDbLocalExtension;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;

/** Camel tests against the run's DynamoDB Local: its client is the one DynamoDbClient bean, so it is autowired. */
abstract class DynamoDbDownTestSupport extends CamelTestSupport {

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("dynamoDbClient", DynamoDbLocalExtension.get().client());
    }
}
