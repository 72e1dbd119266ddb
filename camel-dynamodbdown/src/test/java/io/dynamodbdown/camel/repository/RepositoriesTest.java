package io.dynamodbdown.camel.repository;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.OptimisticLockingAggregationRepository;
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
    private DynamoDbDownAggregationRepository giveUp;
    private DynamoDbDownAggregationRepository nodeA;
    private DynamoDbDownAggregationRepository nodeB;
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
        giveUp = new DynamoDbDownAggregationRepository(client, TABLE, "give-up-" + n);
        giveUp.setRecoveryInterval(100, TimeUnit.MILLISECONDS);
        giveUp.setMaximumRedeliveries(2);
        giveUp.setDeadLetterUri("mock:dead");
        // two Camel nodes sharing one table: two repositories on the same data
        nodeA = new DynamoDbDownAggregationRepository(client, TABLE, "shared-" + n);
        nodeB = new DynamoDbDownAggregationRepository(client, TABLE, "shared-" + n);
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:give-up")
                        .aggregate(header("order"), JOIN).completionSize(2).aggregationRepository(giveUp)
                        .process(e -> {
                            throw new IllegalStateException("downstream stays down");
                        });
                from("direct:nodeA").aggregate(header("order"), JOIN).completionSize(40)
                        .aggregationRepository(nodeA).optimisticLocking().to("mock:shared");
                from("direct:nodeB").aggregate(header("order"), JOIN).completionSize(40)
                        .aggregationRepository(nodeB).optimisticLocking().to("mock:shared");
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
    void afterMaximumRedeliveriesAFailedExchangeGoesToTheDeadLetterUri() throws Exception {
        MockEndpoint dead = getMockEndpoint("mock:dead");
        dead.expectedBodiesReceived("d1+d2");
        template.sendBodyAndHeader("direct:give-up", "d1", "order", "d");
        template.sendBodyAndHeader("direct:give-up", "d2", "order", "d");
        dead.assertIsSatisfied(20_000);
        assertEquals(2, dead.getExchanges().get(0).getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class),
                "recovered up to maximumRedeliveries times before giving up");
        await("the dead-lettered exchange confirmed").atMost(Duration.ofSeconds(10)).until(() -> giveUp.scan(context).isEmpty());
    }

    @Test
    void twoNodesSharingATableLoseNoUpdateWithOptimisticLocking() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:shared");
        mock.expectedMessageCount(1);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String body = "p" + i;
                String node = i % 2 == 0 ? "direct:nodeA" : "direct:nodeB";
                sent.add(senders.submit(() -> template.sendBodyAndHeader(node, body, "order", "shared")));
            }
            for (Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdown();
        }
        mock.assertIsSatisfied(20_000);
        Set<String> parts = Set.of(mock.getExchanges().get(0).getIn().getBody(String.class).split("\\+"));
        assertEquals(40, parts.size(), "every one of the 40 updates is in the aggregate, from both nodes: " + parts);
    }

    @Test
    void anUpdateOfAnAggregateSomeoneElseChangedIsRefused() {
        Exchange first = new DefaultExchange(context);
        first.getIn().setBody("v1");
        nodeA.add(context, "k", null, first);
        assertThrows(OptimisticLockingAggregationRepository.OptimisticLockingException.class,
                () -> nodeB.add(context, "k", null, new DefaultExchange(context)), "it exists already");
        Exchange readByA = nodeA.get(context, "k");
        Exchange readByB = nodeB.get(context, "k");
        readByB.getIn().setBody("v2 by B");
        nodeB.add(context, "k", readByB, readByB);
        readByA.getIn().setBody("v2 by A");
        assertThrows(OptimisticLockingAggregationRepository.OptimisticLockingException.class,
                () -> nodeA.add(context, "k", readByA, readByA), "A read it before B changed it");
        assertThrows(OptimisticLockingAggregationRepository.OptimisticLockingException.class,
                () -> nodeA.remove(context, "k", readByA));
        assertEquals("v2 by B", nodeA.get(context, "k").getIn().getBody());
        assertTrue(nodeA.scan(context).isEmpty(), "the refused removal left nothing to recover");
        nodeA.remove(context, "k", nodeA.get(context, "k"));
        assertNull(nodeA.get(context, "k"));
    }

    @Test
    void aRemovalWhoseAnswerWasLostStillCompletesTheAggregate() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(DynamoDbLocalExtension.get().settings()
                        .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5))).httpClient(http).build()) {
            DynamoDbDownAggregationRepository repository = new DynamoDbDownAggregationRepository(faulty, TABLE,
                    "lost-removal-" + REPOSITORIES.get());
            repository.start();
            Exchange exchange = new DefaultExchange(context);
            exchange.getIn().setBody("a1+a2+a3");
            repository.add(context, "order", null, exchange);
            Exchange read = repository.get(context, "order");
            http.fail("DeleteItem", Fault.ANSWER_LOST, 0, 1); // deleted, then the client sends it again: "not there"
            repository.remove(context, "order", read);
            assertNull(repository.get(context, "order"));
            assertEquals("a1+a2+a3", repository.recover(context, read.getExchangeId()).getIn().getBody(),
                    "the completed aggregate stays, to be confirmed or recovered: none of it is lost");
            assertTrue(repository.confirmWithResult(context, read.getExchangeId()));
            assertTrue(repository.confirmWithResult(context, read.getExchangeId()), "confirming twice is fine");
            repository.stop();
        }
    }

    @Test
    void anAggregateLargerThanOneItemIsKeptAndOneLargerThanTheStoreTakesIsRefusedClearly() {
        Exchange large = new DefaultExchange(context);
        large.getIn().setBody(new byte[500 * 1024]);
        aggregation.add(context, "large", large);
        assertEquals(500 * 1024, aggregation.get(context, "large").getIn().getBody(byte[].class).length);
        Exchange updated = aggregation.get(context, "large");
        updated.getIn().setBody(new byte[600 * 1024]);
        aggregation.add(context, "large", updated);
        assertEquals(600 * 1024, aggregation.get(context, "large").getIn().getBody(byte[].class).length,
                "an optimistic update of a large aggregate compares its version whole");
        aggregation.remove(context, "large", aggregation.get(context, "large"));

        Exchange big = new DefaultExchange(context);
        big.getIn().setBody(new byte[(int) OpenOptions.DEFAULT_MAX_VALUE_SIZE]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> aggregation.add(context, "big", big));
        assertTrue(e.getMessage().contains("correlation key 'big'") && e.getMessage().contains("maxValueSize"), e.getMessage());
        assertNull(aggregation.get(context, "big"));
    }

    @Test
    void anAggregateStoredByAnEarlierBuildWithoutAVersionIsStillRead() {
        Exchange old = new DefaultExchange(context);
        old.getIn().setBody("stored before versions");
        try (Database raw = DynamoDbDown.open(client, TABLE + "$aggregates-" + REPOSITORIES.get())) {
            raw.put(Bytes.utf8("legacy"), new ExchangeCodec(ExchangeCodec.DEFAULT_FILTER, false).marshal(old));
        }
        Exchange read = aggregation.get(context, "legacy");
        assertEquals("stored before versions", read.getIn().getBody());
        read.getIn().setBody("updated");
        aggregation.add(context, "legacy", read, read);
        assertEquals("updated", aggregation.get(context, "legacy").getIn().getBody());
    }

    @Test
    void anIdWhoseAddAnswerWasLostIsStillNew() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(DynamoDbLocalExtension.get().settings()
                        .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5))).httpClient(http).build()) {
            DynamoDbDownIdempotentRepository repository = new DynamoDbDownIdempotentRepository(faulty, TABLE,
                    "lost-" + REPOSITORIES.get());
            repository.start();
            http.fail("PutItem", Fault.ANSWER_LOST, 0, 1); // written, then sent again by the client
            assertTrue(repository.add("m-1"), "its own write, not a duplicate: Camel must not drop the message");
            assertFalse(repository.add("m-1"));
            repository.stop();
        }
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
