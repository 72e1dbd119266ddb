package io.dynamodbdown.camel.repository;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class RepositoriesTest extends CamelTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-repositories");
    private static final AtomicInteger DELIVERY_FAILURES = new AtomicInteger();
    private static final AtomicInteger REPOSITORIES = new AtomicInteger();

    private final DynamoDbClient client = DynamoDbLocalExtension.get().client();
    private DynamoDbDownAggregationRepository aggregation;
    private DynamoDbDownIdempotentRepository idempotent;

    /** Joins bodies with '+'. */
    private static final AggregationStrategy JOIN = (oldExchange, newExchange) -> {
        if (oldExchange == null) {
            return newExchange;
        }
        oldExchange.getIn().setBody(oldExchange.getIn().getBody(String.class) + "+" + newExchange.getIn().getBody(String.class));
        return oldExchange;
    };

    @Override
    protected RouteBuilder createRouteBuilder() {
        int n = REPOSITORIES.incrementAndGet();
        aggregation = new DynamoDbDownAggregationRepository(client, TABLE, "aggregates-" + n);
        aggregation.setRecoveryInterval(200, TimeUnit.MILLISECONDS);
        idempotent = new DynamoDbDownIdempotentRepository(client, TABLE, "seen-" + n);
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:aggregate")
                        .aggregate(header("order"), JOIN).completionSize(3).aggregationRepository(aggregation)
                        .process(e -> {
                            if (DELIVERY_FAILURES.getAndDecrement() > 0) {
                                throw new IllegalStateException("downstream is down");
                            }
                        })
                        .to("mock:aggregated");
                from("direct:dedupe")
                        .idempotentConsumer(header("messageId"), idempotent)
                        .to("mock:unique");
            }
        };
    }

    @Test
    void aggregatesCompleteAndLeaveNothingBehind() throws Exception {
        DELIVERY_FAILURES.set(0);
        MockEndpoint mock = getMockEndpoint("mock:aggregated");
        mock.expectedBodiesReceivedInAnyOrder("a1+a2+a3", "b1+b2+b3");
        for (String body : new String[] {"a1", "b1", "a2", "b2", "a3", "b3"}) {
            template.sendBodyAndHeader("direct:aggregate", body, "order", body.substring(0, 1));
        }
        mock.assertIsSatisfied();
        assertTrue(aggregation.getKeys().isEmpty(), "no aggregate left in progress");
        await("every completed exchange confirmed").atMost(Duration.ofSeconds(10)).until(() -> aggregation.scan(context).isEmpty());
    }

    @Test
    void aFailedCompletedExchangeIsRecoveredAndRedelivered() throws Exception {
        DELIVERY_FAILURES.set(1);
        MockEndpoint mock = getMockEndpoint("mock:aggregated");
        mock.expectedBodiesReceived("c1+c2+c3");
        for (String body : new String[] {"c1", "c2", "c3"}) {
            template.sendBodyAndHeader("direct:aggregate", body, "order", "c");
        }
        mock.assertIsSatisfied(10_000);
        assertTrue(DELIVERY_FAILURES.get() < 0, "the first delivery failed, the recovered one went through");
        await("every completed exchange confirmed").atMost(Duration.ofSeconds(10)).until(() -> aggregation.scan(context).isEmpty());
    }

    @Test
    void repositoryOperationsKeepExchangesWithHeadersAndIds() {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody("payload");
        exchange.getIn().setHeader("h", 42);
        exchange.setProperty("p", "prop");
        assertNull(aggregation.add(context, "key-1", exchange));
        Exchange stored = aggregation.get(context, "key-1");
        assertEquals("payload", stored.getIn().getBody());
        assertEquals(42, stored.getIn().getHeader("h"));
        assertEquals("prop", stored.getProperty("p"));
        assertEquals(Set.of("key-1"), aggregation.getKeys());

        aggregation.remove(context, "key-1", stored);
        assertNull(aggregation.get(context, "key-1"));
        assertEquals(Set.of(exchange.getExchangeId()), aggregation.scan(context));
        Exchange recovered = aggregation.recover(context, exchange.getExchangeId());
        assertNotNull(recovered);
        assertEquals(exchange.getExchangeId(), recovered.getExchangeId());
        assertEquals("payload", recovered.getIn().getBody());
        aggregation.confirm(context, exchange.getExchangeId());
        assertTrue(aggregation.scan(context).isEmpty());
        assertNull(aggregation.recover(context, exchange.getExchangeId()));
    }

    @Test
    void aggregatesSurviveARestartOfTheRepository() throws Exception {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setBody("half-done");
        aggregation.add(context, "pending", exchange);
        aggregation.stop();
        DynamoDbDownAggregationRepository reopened = new DynamoDbDownAggregationRepository(client, TABLE,
                "aggregates-" + REPOSITORIES.get());
        reopened.start();
        assertEquals("half-done", reopened.get(context, "pending").getIn().getBody());
        reopened.stop();
    }

    @Test
    void idempotentConsumerPassesEachMessageIdOnce() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:unique");
        mock.expectedBodiesReceived("first", "second");
        template.sendBodyAndHeader("direct:dedupe", "first", "messageId", "m1");
        template.sendBodyAndHeader("direct:dedupe", "duplicate", "messageId", "m1");
        template.sendBodyAndHeader("direct:dedupe", "second", "messageId", "m2");
        template.sendBodyAndHeader("direct:dedupe", "duplicate", "messageId", "m2");
        mock.assertIsSatisfied();
        assertTrue(idempotent.contains("m1"));
    }

    @Test
    void idempotentRepositoryIsSharedAcrossInstancesAndSupportsRemoveAndClear() {
        DynamoDbDownIdempotentRepository other = new DynamoDbDownIdempotentRepository(client, TABLE, "seen-" + REPOSITORIES.get());
        other.start();
        assertTrue(idempotent.add("id-1"));
        assertFalse(other.add("id-1"), "another JVM's repository sees the id");
        assertTrue(other.remove("id-1"));
        assertFalse(idempotent.contains("id-1"));
        assertFalse(idempotent.remove("id-1"));
        idempotent.add("id-2");
        idempotent.add("id-3");
        other.clear();
        assertFalse(idempotent.contains("id-2") || idempotent.contains("id-3"));
        assertTrue(idempotent.confirm("anything"));
        other.stop();
    }
}
