package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.camel.Exchange;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The consumer while DynamoDB fails under it: Query requests failing past the client's retries in the middle of
 * a multi-page poll and right after one, deletes failing, the route suspended in the middle of a poll. Every
 * entry is delivered at least once, and the stored position never passes an entry not delivered yet.
 */
class ConsumerFaultsTest extends CamelTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-consumer-faults");
    /** 100 KB values: DynamoDB's 1 MB pages hold 10 of them, so a poll of 25 spans three pages. */
    private static final int VALUE_BYTES = 100 * 1024;
    private static final FaultInjectingHttpClient HTTP = new FaultInjectingHttpClient();
    private static final DynamoDbClient CLIENT = DynamoDbClients.builder(DynamoDbLocalExtension.get().settings().withMaxAttempts(2)
            .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5))).httpClient(HTTP).build();
    private static final Set<String> DELIVERED = new ConcurrentSkipListSet<>();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("faultyClient", CLIENT);
    }

    @AfterAll
    static void close() {
        DynamoDbLocalExtension.get().client().deleteTable(b -> b.tableName(TABLE));
        CLIENT.close();
        HTTP.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                String common = "&dynamoDbClient=#faultyClient&delay=20&maxMessagesPerPoll=25&resumeFromStore=true&settleTime=0";
                from("dynamodbdown:" + TABLE + "$tail?consumerId=tail" + common).routeId("tail").autoStartup(false)
                        .process(ConsumerFaultsTest::deliver);
                from("dynamodbdown:" + TABLE + "$queue?consumerId=queue&deleteAfterRead=true" + common).routeId("queue")
                        .autoStartup(false).process(ConsumerFaultsTest::deliver);
            }
        };
    }

    private static void deliver(Exchange exchange) {
        DELIVERED.add(new String(exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class)));
    }

    private static List<String> fill(String hashKey, String prefix, int count) {
        List<String> keys = new ArrayList<>();
        try (Database db = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$" + hashKey)) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = String.format("%s%03d", prefix, i);
                keys.add(key);
                puts.add(BatchOperation.put(Bytes.utf8(key), new byte[VALUE_BYTES]));
            }
            db.batch(puts);
        }
        return keys;
    }

    /** Runs the route through the faults until every key is delivered, checking the stored position as it moves. */
    private void consumeThroughFaults(String route, List<String> keys, List<Runnable> faults) throws Exception {
        context.getRouteController().startRoute(route);
        try (Database positions = DynamoDbDown.open(DynamoDbLocalExtension.get().client(),
                TABLE + "$__dynamodbdown.consumer-positions")) {
            for (Runnable fault : faults) {
                int injected = HTTP.injected();
                fault.run();
                await("the fault to be met").atMost(Duration.ofSeconds(20)).until(() -> HTTP.injected() > injected);
                assertPositionPassesNoUndeliveredKey(positions, route, keys);
            }
            HTTP.heal();
            await("every key delivered").atMost(Duration.ofSeconds(30)).until(() -> {
                assertPositionPassesNoUndeliveredKey(positions, route, keys);
                return DELIVERED.containsAll(keys);
            });
        } finally {
            HTTP.heal();
            context.getRouteController().stopRoute(route);
        }
    }

    private static void assertPositionPassesNoUndeliveredKey(Database positions, String route, List<String> keys) {
        byte[] position = positions.get(Bytes.utf8("consumer:" + route));
        if (position != null) {
            String settled = new String(position);
            for (String key : keys) {
                if (key.compareTo(settled) <= 0) {
                    assertTrue(DELIVERED.contains(key), "the stored position " + settled + " passes " + key + ", not delivered");
                }
            }
        }
    }

    @Test
    void queriesFailingMidPollAndAfterAPageLoseNothingAndThePositionWaitsForThem() throws Exception {
        List<String> keys = fill("tail", "t", 60);
        consumeThroughFaults("tail", keys, List.of(
                () -> HTTP.fail("Query", Fault.SERVER_ERROR, 1, 2),         // after a poll's first page
                () -> HTTP.fail("Query", Fault.CONNECTION_REFUSED, 0, 2),   // a poll that reads nothing
                () -> HTTP.fail("Query", Fault.SERVER_ERROR, 2, 2)));       // the third page of a poll
    }

    @Test
    void withDeleteAfterReadFailingQueriesAndDeletesLeaveNothingUndeliveredOrBehind() throws Exception {
        List<String> keys = fill("queue", "q", 40);
        consumeThroughFaults("queue", keys, List.of(
                () -> HTTP.fail("Query", Fault.SERVER_ERROR, 1, 2),
                () -> HTTP.fail("DeleteItem", Fault.SERVER_ERROR, 3, 2),    // a delete fails past its retries
                () -> HTTP.fail("Query", Fault.SERVER_ERROR, 2, 2)));
        try (Database queue = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$queue")) {
            await("every entry deleted").atMost(Duration.ofSeconds(10)).until(() -> queue.stream(KeyRange.all()).count() == 0);
        }
    }

    @Test
    void entriesLeftWhenTheRouteIsSuspendedMidPollAreDeliveredOnceItResumes() throws Exception {
        List<String> keys = fill("suspended", "s", 6);
        List<String> handled = new ArrayList<>();
        DynamoDbDownEndpoint endpoint = context.getEndpoint("dynamodbdown:" + TABLE
                + "$suspended?dynamoDbClient=#faultyClient&initialDelay=3600000&settleTime=0", DynamoDbDownEndpoint.class);
        DynamoDbDownConsumer[] consumer = new DynamoDbDownConsumer[1];
        consumer[0] = (DynamoDbDownConsumer) endpoint.createConsumer(exchange -> {
            handled.add(new String(exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class)));
            if (handled.size() == 2) { // what the shutdown strategy tells a consumer when its route is suspended
                consumer[0].deferShutdown(ShutdownRunningTask.CompleteCurrentTaskOnly);
            }
        });
        consumer[0].start();
        try {
            assertEquals(2, consumer[0].poll(), "the rest of the poll is not processed while suspending");
            consumer[0].prepareShutdown(true, false); // resumed: the strategy resets what it told
            consumer[0].poll();
            assertEquals(keys, handled, "the entries left behind came with the next poll, each once");
            assertEquals(new TreeSet<>(keys), new TreeSet<>(handled));
        } finally {
            consumer[0].stop();
        }
    }
}
