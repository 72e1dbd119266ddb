package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckAware;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRepository;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The producer's and the consumer's health checks, read the way Camel's health endpoints read them
 * ({@link HealthCheckHelper} over the health-check registry): UP with a live table; DOWN, naming the table, once the
 * table is deleted; the consumer DOWN while its polls fail and UP again once they work.
 */
class HealthChecksTest extends CamelTestSupport {

    private static final String LIVE = DynamoDbLocal.uniqueTableName("camel-health-live");
    private static final String DOOMED = DynamoDbLocal.uniqueTableName("camel-health-doomed");
    private static final String FAULTY = DynamoDbLocal.uniqueTableName("camel-health-faulty");
    private static final FaultInjectingHttpClient HTTP = new FaultInjectingHttpClient();
    private static final DynamoDbClient FAULTY_CLIENT = DynamoDbClients.builder(DynamoDbLocalExtension.get().settings().withMaxAttempts(1))
            .httpClient(HTTP).build();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("local", DynamoDbLocalExtension.get().client());
        registry.bind("faulty", FAULTY_CLIENT);
    }

    @AfterAll
    static void close() {
        DynamoDbClient client = DynamoDbLocalExtension.get().client();
        for (String table : List.of(LIVE, DOOMED, FAULTY)) {
            try { // each test's context creates the tables again, the doomed one too
                client.deleteTable(b -> b.tableName(table));
            } catch (ResourceNotFoundException e) {
                // deleted by the test that dooms it, after the last context
            }
        }
        FAULTY_CLIENT.close();
        HTTP.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + LIVE + "$h?dynamoDbClient=#local&delay=50").routeId("live-consumer").to("mock:live");
                from("direct:live").routeId("live-producer").to(producerUri(LIVE));
                from("dynamodbdown:" + DOOMED + "$h?dynamoDbClient=#local&delay=50").routeId("doomed-consumer").to("mock:doomed");
                from("direct:doomed").routeId("doomed-producer").to(producerUri(DOOMED));
                from("dynamodbdown:" + FAULTY + "$h?dynamoDbClient=#faulty&delay=50").routeId("faulty-consumer")
                        .to("mock:faulty");
            }
        };
    }

    private static String producerUri(String table) {
        return "dynamodbdown:" + table + "$h?dynamoDbClient=#local&key=k";
    }

    @BeforeEach
    void enableProducerChecks() {
        // Camel keeps producer checks in a repository it leaves disabled unless camel.health.producersEnabled=true
        HealthCheckRepository producers = HealthCheckHelper.getHealthCheckRepository(context, "producers");
        assertNotNull(producers, "camel-health's producers repository");
        producers.setEnabled(true);
        // and reads consumer checks through the routes' consumers, in its consumers repository
        assertNotNull(HealthCheckHelper.getHealthCheckRepository(context, "consumers"), "camel-health's consumers repository");
    }

    /** The check's result as the registry gives it, with every detail. */
    private HealthCheck.Result result(String checkId) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(context, check -> Map.of(),
                check -> !check.getId().equals(checkId), "full");
        assertEquals(1, results.size(), "one check " + checkId + " in " + results);
        return results.iterator().next();
    }

    private static String consumerCheck(String routeId) {
        return "consumer:" + routeId;
    }

    private String producerCheck(String table) {
        return "producer:dynamodbdown-" + context.getEndpoint(producerUri(table), DynamoDbDownEndpoint.class).getId();
    }

    private static String describe(HealthCheck.Result result) {
        return result.getState() + " " + result.getMessage().orElse("(no message)") + " " + result.getDetails();
    }

    @Test
    void upWithALiveTable() {
        template.sendBody("direct:live", "v");
        await("the live consumer's first poll").atMost(Duration.ofSeconds(10))
                .until(() -> result(consumerCheck("live-consumer")).getState() == HealthCheck.State.UP);
        HealthCheck.Result consumer = result(consumerCheck("live-consumer"));
        assertEquals(LIVE, consumer.getDetails().get("table.name"), describe(consumer));
        assertEquals("ACTIVE", consumer.getDetails().get("table.status"), describe(consumer));
        HealthCheck.Result producer = result(producerCheck(LIVE));
        assertEquals(HealthCheck.State.UP, producer.getState(), describe(producer));
        assertEquals("ACTIVE", producer.getDetails().get("table.status"), describe(producer));
        assertInstanceOf(DynamoDbDownConsumerHealthCheck.class,
                ((HealthCheckAware) context.getRoute("live-consumer").getConsumer()).getHealthCheck());
    }

    @Test
    void downNamingTheTableOnceItIsDeleted() {
        template.sendBody("direct:doomed", "v");
        await("the doomed consumer's first poll").atMost(Duration.ofSeconds(10))
                .until(() -> result(consumerCheck("doomed-consumer")).getState() == HealthCheck.State.UP);
        assertEquals(HealthCheck.State.UP, result(producerCheck(DOOMED)).getState());

        DynamoDbLocalExtension.get().client().deleteTable(b -> b.tableName(DOOMED));

        HealthCheck.Result producer = result(producerCheck(DOOMED));
        assertEquals(HealthCheck.State.DOWN, producer.getState(), describe(producer));
        assertEquals("Table " + DOOMED + " does not exist", producer.getMessage().orElse(null), describe(producer));
        assertEquals("ResourceNotFoundException", producer.getDetails().get("service.error.code"), describe(producer));
        HealthCheck.Result consumer = result(consumerCheck("doomed-consumer"));
        assertEquals(HealthCheck.State.DOWN, consumer.getState(), describe(consumer));
        assertEquals("Table " + DOOMED + " does not exist", consumer.getMessage().orElse(null), describe(consumer));
        // the other routes' tables are still there
        assertEquals(HealthCheck.State.UP, result(producerCheck(LIVE)).getState());
    }

    @Test
    void consumerDownWhilePollsFailThenUpAgain() {
        await("the faulty consumer's first poll").atMost(Duration.ofSeconds(10))
                .until(() -> result(consumerCheck("faulty-consumer")).getState() == HealthCheck.State.UP);
        HTTP.failAlways("Query", Fault.SERVER_ERROR);
        try {
            await("a failed poll").atMost(Duration.ofSeconds(10))
                    .until(() -> result(consumerCheck("faulty-consumer")).getState() == HealthCheck.State.DOWN);
            HealthCheck.Result down = result(consumerCheck("faulty-consumer"));
            String message = down.getMessage().orElse("");
            assertTrue(message.startsWith("Consumer failed polling"), describe(down));
            assertTrue(message.contains(FAULTY), "names the table: " + describe(down));
            assertTrue(down.getError().isPresent(), describe(down));
            assertEquals("ACTIVE", down.getDetails().get("table.status"), "the table itself answers: " + describe(down));
        } finally {
            HTTP.heal();
        }
        await("a poll that works").atMost(Duration.ofSeconds(10))
                .until(() -> result(consumerCheck("faulty-consumer")).getState() == HealthCheck.State.UP);
        assertFalse(result(consumerCheck("faulty-consumer")).getMessage().isPresent());
    }
}
