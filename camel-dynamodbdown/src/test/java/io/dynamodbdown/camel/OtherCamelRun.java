package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;

import io.dynamodbdown.testing.DynamoDbLocal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * What {@link OtherCamelIT} runs in a JVM whose Camel is another version's: the component's producer (put, get), its
 * tail consumer and its changes consumer, each once, against the DynamoDB Local at {@code args[0]}, in table
 * {@code args[1]}. Prints the Camel version on success; an exception ends the JVM with a non-zero code.
 */
public final class OtherCamelRun {

    private OtherCamelRun() {
    }

    public static void main(String[] args) throws Exception {
        String options = "uriEndpointOverride=" + args[0] + "&region=us-east-1&accessKey=" + DynamoDbLocal.ACCESS_KEY
                + "&secretKey=RAW(" + DynamoDbLocal.SECRET_KEY + ")";
        String uri = "dynamodbdown:" + args[1] + "$db?" + options;
        List<String> tail = new CopyOnWriteArrayList<>();
        List<String> changes = new CopyOnWriteArrayList<>();
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri + "&mode=changes&delay=50").process(e -> changes.add(e.getIn().getBody(String.class)));
                    from(uri + "&delay=50&settleTime=0").process(e -> tail.add(e.getIn().getBody(String.class)));
                }
            });
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();
            producer.sendBodyAndHeader(uri, "v1", DynamoDbDownConstants.KEY, "k1");
            String read = producer.requestBodyAndHeader(uri + "&op=get", null, DynamoDbDownConstants.KEY, "k1", String.class);
            if (!"v1".equals(read)) {
                throw new AssertionError("op=get read " + read + ", not v1");
            }
            await("the tail and changes consumers").atMost(Duration.ofSeconds(60))
                    .until(() -> tail.contains("v1") && changes.contains("v1"));
            System.out.println("dynamodbdown on Apache Camel " + camel.getVersion() + ": producer, tail and changes consumers work");
        }
    }
}
