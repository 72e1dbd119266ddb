package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.camel.repository.DynamoDbDownIdempotentRepository;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.apache.camel.spi.BeanIntrospection;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;

/**
 * Routes written in the YAML DSL (src/test/resources/yaml/dynamodbdown.camel.yaml) run under camel-main, configured
 * from src/test/resources/application.properties: producer operations, the consumer and the idempotent repository
 * declared as a YAML bean, with options as URI parameters and as {@code camel.component.dynamodbdown.*} properties.
 * The component's generated configurers bind every option: Camel's bean introspection (its reflective fallback) is
 * never invoked.
 */
class YamlMainTest {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-yaml");

    private Main main;
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void startMain() throws Exception {
        DynamoDbLocal local = DynamoDbLocalExtension.get();
        main = new Main();
        // values of the placeholders in application.properties and the YAML routes, known at run time
        main.addInitialProperty("dynamodbdown.local", local.endpoint().toString());
        main.addInitialProperty("dynamodbdown.accessKey", DynamoDbLocal.ACCESS_KEY);
        main.addInitialProperty("dynamodbdown.secretKey", DynamoDbLocal.SECRET_KEY);
        main.addInitialProperty("dynamodbdown.table", TABLE);
        main.bind("localClient", local.client());
        main.start();
        context = main.getCamelContext();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stopMain() throws Exception {
        if (template != null) {
            template.stop();
        }
        main.stop();
    }

    @AfterAll
    static void dropTable() {
        DynamoDbLocalExtension.get().client().deleteTable(b -> b.tableName(TABLE));
    }

    private static BeanIntrospection introspection(CamelContext context) {
        return PluginHelper.getBeanIntrospection(context);
    }

    /** No option or bean property was set through reflection: the generated configurers did it all. */
    private void assertNoReflection() {
        BeanIntrospection introspection = introspection(context);
        assertTrue(introspection.isExtendedStatistics(), "camel.main.beanIntrospectionExtendedStatistics was applied");
        assertEquals(0, introspection.getInvokedCounter(), "bean introspection calls (logged at INFO above)");
    }

    private Exchange put(String orderId, String value) {
        return template.request("direct:put", e -> {
            e.getIn().setHeader("orderId", orderId);
            e.getIn().setBody(value);
        });
    }

    private Exchange get(String orderId) {
        return template.request("direct:get", e -> e.getIn().setHeader(DynamoDbDownConstants.KEY, orderId));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void optionsFromPropertiesAndUrisAreBoundByTheGeneratedConfigurers() {
        DynamoDbDownComponent component = context.getComponent("dynamodbdown", DynamoDbDownComponent.class);
        assertEquals(DynamoDbDownComponentConfigurer.class, component.getComponentPropertyConfigurer().getClass());
        assertEquals(DynamoDbDownEndpointConfigurer.class, component.getEndpointPropertyConfigurer().getClass());
        PropertyConfigurer resolved = PluginHelper.getConfigurerResolver(context)
                .resolvePropertyConfigurer("dynamodbdown-component", context);
        assertEquals(DynamoDbDownComponentConfigurer.class, resolved.getClass(), "what camel-main configures the component with");

        // component properties (application.properties)
        DynamoDbDownConfiguration defaults = component.getConfiguration();
        assertFalse(component.isAutowiredEnabled());
        assertEquals(DynamoDbLocalExtension.get().endpoint().toString(), defaults.getUriEndpointOverride());
        assertEquals("us-east-1", defaults.getRegion());
        assertEquals(DynamoDbLocal.ACCESS_KEY, defaults.getAccessKey());
        assertEquals(DynamoDbLocal.SECRET_KEY, defaults.getSecretKey());
        assertEquals(3, defaults.getMaxAttempts());
        assertEquals(30_000, defaults.getApiCallTimeout());
        assertEquals(BillingMode.PAY_PER_REQUEST, defaults.getBillingMode());
        assertEquals(Layout.AUTO, defaults.getLayout());

        // URI parameters (YAML), on top of the component's defaults
        DynamoDbDownEndpoint range = (DynamoDbDownEndpoint) context.getEndpoints().stream()
                .filter(e -> e.getEndpointUri().startsWith("dynamodbdown:") && e.getEndpointUri().contains("op=range"))
                .findFirst().orElseThrow();
        assertEquals(DynamoDbDownOperations.range, range.getConfiguration().getOp());
        assertEquals("order-", range.getConfiguration().getGte());
        assertEquals("order.", range.getConfiguration().getLt());
        assertEquals(10, range.getConfiguration().getLimit());
        assertEquals(3, range.getConfiguration().getMaxAttempts(), "the component's default");
        assertNull(range.getConfiguration().getDynamoDbClient(), "no client autowired: the endpoint builds its own");
        DynamoDbDownEndpoint events = (DynamoDbDownEndpoint) context.getRoute("events").getEndpoint();
        assertEquals(DynamoDbDownConsumerMode.tail, events.getMode());
        assertEquals(0, events.getSettleTime());
        assertEquals(10, events.getMaxMessagesPerPoll());
        assertEquals("yaml-events", events.getConsumerId());
        assertTrue(events.isResumeFromStore());
        assertEquals(50, events.getDelay());

        assertTrue(context.getRegistry().lookupByName("seenOrders") instanceof DynamoDbDownIdempotentRepository);
        assertNoReflection();
    }

    @Test
    void producerOperationsWithTheIdempotentRepositoryFromYaml() {
        put("order-1", "first");
        put("order-2", "second");
        put("order-1", "a duplicate, dropped by the idempotent consumer");

        Exchange first = get("order-1");
        assertEquals("first", text(first.getMessage().getBody(byte[].class)));
        assertEquals(Boolean.TRUE, first.getMessage().getHeader(DynamoDbDownConstants.FOUND));
        DynamoDbDownIdempotentRepository seen = context.getRegistry().lookupByNameAndType("seenOrders",
                DynamoDbDownIdempotentRepository.class);
        assertTrue(seen.contains("order-1"));
        assertTrue(seen.contains("order-2"));

        @SuppressWarnings("unchecked")
        List<Map.Entry<byte[], byte[]>> entries = template.requestBody("direct:range", null, List.class);
        List<String> keys = new ArrayList<>();
        entries.forEach(entry -> keys.add(text(entry.getKey()) + "=" + text(entry.getValue())));
        assertEquals(List.of("order-1=first", "order-2=second"), keys);

        template.sendBodyAndHeader("direct:del", null, DynamoDbDownConstants.KEY, "order-1");
        Exchange deleted = get("order-1");
        assertNull(deleted.getMessage().getBody());
        assertEquals(Boolean.FALSE, deleted.getMessage().getHeader(DynamoDbDownConstants.FOUND));
        assertNoReflection();
    }

    @Test
    void theConsumerDeliversABatchInKeyOrder() throws Exception {
        MockEndpoint events = context.getEndpoint("mock:events", MockEndpoint.class);
        Map<String, String> batch = new LinkedHashMap<>();
        batch.put("event-3", "three");
        batch.put("event-1", "one");
        batch.put("event-2", "two");
        template.sendBody("direct:batch", batch);

        await("the consumer to deliver the batch").atMost(Duration.ofSeconds(20))
                .until(() -> events.getReceivedCounter() >= 3);
        List<String> received = new ArrayList<>();
        events.getReceivedExchanges().forEach(e -> received.add(
                text(e.getMessage().getHeader(DynamoDbDownConstants.KEY, byte[].class)) + "=" + e.getMessage().getBody()));
        assertEquals(List.of("event-1=one", "event-2=two", "event-3=three"), received);
        try (Database positions = DynamoDbDown.open(DynamoDbLocalExtension.get().client(),
                TABLE + "$__dynamodbdown.consumer-positions")) {
            await("the position stored under the consumerId").atMost(Duration.ofSeconds(10))
                    .until(() -> "event-3".equals(text(positions.get(Bytes.utf8("consumer:yaml-events")))));
        }
        assertNoReflection();
    }
}
