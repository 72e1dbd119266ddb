package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.ScheduledPollConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DynamoDbDownConsumerTest extends DynamoDbDownTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-consumer");
    private static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
    private static Database tail;
    private static Database queue;
    private static Database resume;

    @BeforeAll
    static void fill() {
        var client = DynamoDbLocalExtension.get().client();
        tail = DynamoDbDown.open(client, TABLE + "$tail");
        queue = DynamoDbDown.open(client, TABLE + "$queue");
        resume = DynamoDbDown.open(client, TABLE + "$resume");
        List<BatchOperation> operations = new ArrayList<>();
        for (String key : List.of("0-before", "a1", "a3", "a2", "b-after")) {
            operations.add(BatchOperation.put(key, "value of " + key));
        }
        tail.batch(operations);
    }

    @AfterAll
    static void drop() {
        tail.dropTable();
        queue.close();
        resume.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + TABLE + "$tail?gte=a&lt=b&delay=50&maxMessagesPerPoll=2&settleTime=0").routeId("tail")
                        .to("mock:tail");
                from("dynamodbdown:" + TABLE + "$late?delay=50&settleTime=2000").routeId("late")
                        .to("mock:late");
                from("dynamodbdown:" + TABLE + "$queue?deleteAfterRead=true&delay=50").routeId("queue")
                        .process(e -> {
                            String body = e.getIn().getBody(String.class);
                            if ("poison".equals(body) && FAILURES_LEFT.getAndDecrement() > 0) {
                                throw new IllegalStateException("cannot handle this one yet");
                            }
                            if ("mutate me".equals(body)) { // a route that changes the body's bytes in place
                                Arrays.fill(e.getIn().getBody(byte[].class), (byte) 'x');
                            }
                            if ("first version".equals(body)) { // another writer updates the entry meanwhile
                                queue.put(e.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class), Bytes.utf8("second version"));
                            }
                        })
                        .to("mock:queue");
                String longPrefix = "x".repeat(70);
                from("dynamodbdown:" + TABLE + "$shared?resumeFromStore=true&delay=50&settleTime=0&gte=" + longPrefix + "1")
                        .routeId("prefix-1").autoStartup(false).to("mock:prefix");
                from("dynamodbdown:" + TABLE + "$shared?resumeFromStore=true&delay=50&settleTime=0&gte=" + longPrefix + "2")
                        .routeId("prefix-2").autoStartup(false).to("mock:prefix");
                from("dynamodbdown:" + TABLE + "$shared?resumeFromStore=true&delay=50&settleTime=0&consumerId=named")
                        .routeId("named").autoStartup(false).to("mock:prefix");
                from("dynamodbdown:" + TABLE + "$resume?resumeFromStore=true&delay=50&settleTime=0").routeId("resume")
                        .autoStartup(false)
                        .to("mock:resume");
            }
        };
    }

    @Test
    void emitsTheRangeInKeyOrderThenTailsKeysAppendedBeyondTheLastOne() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:tail");
        mock.expectedBodiesReceived("value of a1", "value of a2", "value of a3");
        mock.assertIsSatisfied();
        Exchange first = mock.getExchanges().get(0);
        assertArrayEquals("a1".getBytes(), first.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class));
        assertEquals(0, first.getProperty(Exchange.BATCH_INDEX));
        assertEquals(2, first.getProperty(Exchange.BATCH_SIZE), "maxMessagesPerPoll bounds each poll");
        assertEquals(Boolean.FALSE, first.getProperty(Exchange.BATCH_COMPLETE));

        mock.reset();
        mock.expectedBodiesReceived("value of a4", "value of a5");
        tail.put("a0", "below the settled position: not read");
        tail.put("a4", "value of a4");
        tail.put("a5", "value of a5");
        mock.assertIsSatisfied();
        mock.reset();
        mock.expectedMessageCount(0);
        awaitMorePolls("tail", 3);
        mock.assertIsSatisfied();
    }

    @Test
    void aKeyThatAppearsBehindConsumedOnesIsStillDelivered() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:late");
        mock.expectedBodiesReceived("1", "3");
        try (Database late = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$late")) {
            late.put("k1", "1");
            late.put("k3", "3"); // k2 of the same writes is still in flight
            mock.assertIsSatisfied();
            mock.reset();
            mock.expectedBodiesReceived("2");
            late.put("k2", "2");
            mock.assertIsSatisfied();
            mock.reset();
            mock.expectedMessageCount(0);
            awaitMorePolls("late", 3);
            mock.assertIsSatisfied();
        }
    }

    @Test
    void deleteAfterReadDeletesOnlyWhatSucceededAndRetriesTheFailedEntry() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:queue");
        FAILURES_LEFT.set(2);
        queue.batch(List.of(BatchOperation.put("j1", "x"), BatchOperation.put("j2", "poison"), BatchOperation.put("j3", "x")));
        mock.expectedBodiesReceived("x", "poison", "x");
        mock.assertIsSatisfied(10_000);
        assertTrue(FAILURES_LEFT.get() < 0, "the poison entry failed twice before it went through");
        awaitEmpty(queue);
    }

    @Test
    void aValuePastTheItemLimitIsDeliveredWholeAndDeletedAfterRead() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:queue");
        mock.expectedMessageCount(1);
        byte[] large = new byte[2 * 1024 * 1024];
        Arrays.fill(large, (byte) 'L');
        queue.put(Bytes.utf8("large"), large);
        mock.assertIsSatisfied(10_000);
        assertArrayEquals(large, mock.getReceivedExchanges().get(0).getIn().getBody(byte[].class));
        awaitEmpty(queue); // its delete compared the 2 MB value it delivered with the one stored
    }

    @Test
    void deleteAfterReadKeepsAValueWrittenAfterTheReadAndDeliversIt() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:queue");
        mock.expectedBodiesReceived("first version", "second version");
        queue.put("changing", "first version");
        mock.assertIsSatisfied(10_000);
        awaitEmpty(queue); // deleted only once the value delivered was the value stored
    }

    @Test
    void deleteAfterReadExpectsTheValueAsReadEvenIfTheRouteChangesTheBodyInPlace() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:queue");
        mock.expectedMessageCount(1);
        queue.put("mutated", "mutate me");
        mock.assertIsSatisfied(10_000);
        awaitEmpty(queue);
        awaitMorePolls("queue", 3);
        assertEquals(1, mock.getReceivedCounter(), "deleted once, not delivered again and again");
    }

    @Test
    void storedPositionsBelongToTheFullBoundsOrToTheConsumersName() throws Exception {
        try (Database shared = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$shared");
                Database positions = DynamoDbDown.open(DynamoDbLocalExtension.get().client(),
                        TABLE + "$__dynamodbdown.consumer-positions")) {
            shared.put("x".repeat(70) + "1a", "v");
            shared.put("x".repeat(70) + "2a", "v");
            long before = positions.stream(KeyRange.all()).count();
            MockEndpoint mock = getMockEndpoint("mock:prefix");
            mock.expectedMessageCount(2 + 1 + 2); // each route reads its own range; "named" reads all
            for (String route : List.of("prefix-1", "prefix-2", "named")) {
                context.getRouteController().startRoute(route);
                awaitMorePolls(route, 2);
                context.getRouteController().stopRoute(route);
            }
            mock.assertIsSatisfied();
            List<String> stored = new ArrayList<>();
            positions.keys(KeyRange.all()).forEachRemaining(k -> stored.add(new String(k)));
            assertEquals(before + 3, stored.size(), "three positions, though two ranges print alike when cut: " + stored);
            assertTrue(stored.contains("consumer:named"), stored.toString());
        }
    }

    @Test
    void aPositionStoredByAnEarlierBuildIsTakenOverUnlessItsPrintedFormWasCut() throws Exception {
        var client = DynamoDbLocalExtension.get().client();
        byte[] longBound = new byte[40];
        Arrays.fill(longBound, (byte) 1);
        try (Database legacy = DynamoDbDown.open(client, TABLE + "$legacy");
                Database positions = DynamoDbDown.open(client, TABLE + "$__dynamodbdown.consumer-positions")) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 1; i <= 9; i++) {
                puts.add(BatchOperation.put("b" + i, "v" + i));
            }
            legacy.batch(puts);
            // how earlier builds keyed positions: the hash key and the range's printed form
            positions.put(Bytes.utf8("legacy " + KeyRange.all().gte("b")), Bytes.utf8("b5"));
            positions.put(Bytes.utf8("legacy " + KeyRange.all().gte(longBound)), Bytes.utf8("b5")); // printed cut: "0x01..."
        }
        getMockEndpoint("mock:legacy-text").expectedBodiesReceived("v6", "v7", "v8", "v9");
        getMockEndpoint("mock:legacy-hex").expectedBodiesReceived("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                String common = "dynamodbdown:" + TABLE + "$legacy?resumeFromStore=true&delay=50&settleTime=0";
                from(common + "&gte=b").routeId("legacy-text").to("mock:legacy-text");
                from(common + "&keyEncoding=hex&gte=" + HexFormat.of().formatHex(longBound)).routeId("legacy-hex")
                        .to("mock:legacy-hex");
            }
        });
        MockEndpoint.assertIsSatisfied(context);
    }

    /**
     * The positions of every resuming consumer of a table share one database. An endpoint with shards=4 beside
     * one without (whose position is stored already) must still start: the positions keep their own count.
     */
    @Test
    void aShardedEndpointResumesFromTheStoreBesideUnshardedOnes() throws Exception {
        var client = DynamoDbLocalExtension.get().client();
        String table = DynamoDbLocal.uniqueTableName("camel-sharded-positions");
        try (Database positions = DynamoDbDown.open(client, table + "$__dynamodbdown.consumer-positions");
                Database sharded = DynamoDbDown.open(client, table + "$sharded", OpenOptions.defaults().withShards(4))) {
            positions.put("consumer:unsharded", "k1"); // as an endpoint without shards stores its position
            sharded.batch(List.of(BatchOperation.put("s1", "1"), BatchOperation.put("s2", "2"), BatchOperation.put("s3", "3")));
        }
        getMockEndpoint("mock:sharded").expectedBodiesReceived("1", "2", "3");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + table + "$sharded?shards=4&resumeFromStore=true&delay=50&settleTime=0")
                        .routeId("sharded").to("mock:sharded");
                from("dynamodbdown:" + table + "$other?shards=3&resumeFromStore=true&delay=50&settleTime=0")
                        .routeId("other-count").to("mock:other-count");
            }
        });
        MockEndpoint.assertIsSatisfied(context);
        context.getRouteController().stopRoute("sharded");
        context.getRouteController().stopRoute("other-count");
        try (Database any = DynamoDbDown.open(client, table + "$sharded")) {
            any.dropTable();
        }
    }

    /**
     * Issue #24, 1: a consumer without a shard count started on a new database records its one shard; a producer with
     * shards=4 is then refused, naming the count, instead of writing keys into shards the consumer never reads.
     */
    @Test
    void aProducerWithAnotherCountThanAConsumerRecordedFirstIsRefusedAndNothingIsSplit() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("camel-first-count");
        getMockEndpoint("mock:first-count").expectedBodiesReceived("v1");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + table + "$orders?delay=50&settleTime=0").routeId("first-count").to("mock:first-count");
            }
        });
        await("the consumer started").atMost(Duration.ofSeconds(10))
                .until(() -> context.getRouteController().getRouteStatus("first-count").isStarted());
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> template.sendBodyAndHeader("dynamodbdown:" + table + "$orders?shards=4", "v0", DynamoDbDownConstants.KEY, "k1"));
        assertTrue(String.valueOf(refused.getCause()).contains("created with 1 shard"), String.valueOf(refused.getCause()));
        template.sendBodyAndHeader("dynamodbdown:" + table + "$orders", "v1", DynamoDbDownConstants.KEY, "k1");
        MockEndpoint.assertIsSatisfied(context);
        context.getRouteController().stopRoute("first-count");
        try (Database db = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), table + "$orders")) {
            assertEquals(1, db.keys(KeyRange.all()).stream().count());
            db.dropTable();
        }
    }

    @Test
    void deleteAfterReadKeepsAnEntryWhoseExchangeFails() throws Exception {
        FAILURES_LEFT.set(Integer.MAX_VALUE);
        queue.put("k-fails", "poison");
        await("the entry to be delivered").atMost(Duration.ofSeconds(10)).until(() -> FAILURES_LEFT.get() < Integer.MAX_VALUE - 2);
        awaitMorePolls("queue", 2);
        assertEquals("poison", queue.getString("k-fails"), "a failed exchange deletes nothing");
        FAILURES_LEFT.set(0);
        awaitEmpty(queue);
    }

    @Test
    void resumeFromStoreContinuesAfterARestartFromTheSettledPosition() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:resume");
        resume.batch(List.of(BatchOperation.put("r1", "1"), BatchOperation.put("r2", "2")));
        mock.expectedBodiesReceived("1", "2");
        context.getRouteController().startRoute("resume");
        mock.assertIsSatisfied();
        awaitMorePolls("resume", 2); // a further poll settles r2 and stores it as the position
        context.getRouteController().stopRoute("resume");

        mock.reset();
        resume.put("r3", "3");
        mock.expectedBodiesReceived("3");
        context.getRouteController().startRoute("resume");
        mock.assertIsSatisfied();
        awaitMorePolls("resume", 3);
        mock.assertIsSatisfied();
        context.getRouteController().stopRoute("resume");
        assertNull(resume.get("__dynamodbdown.consumer-positions"), "positions live under their own hash key");
        try (Database positions = DynamoDbDown.open(DynamoDbLocalExtension.get().client(),
                TABLE + "$__dynamodbdown.consumer-positions")) {
            assertEquals(1, positions.stream(KeyRange.all()).count());
        }
    }

    /** Waits until the route's consumer has run {@code polls} more polls: "nothing arrived" then means something. */
    private void awaitMorePolls(String routeId, int polls) {
        ScheduledPollConsumer consumer = (ScheduledPollConsumer) context.getRoute(routeId).getConsumer();
        long target = consumer.getCounter() + polls;
        await(polls + " more polls of " + routeId).atMost(Duration.ofSeconds(10)).until(() -> consumer.getCounter() >= target);
    }

    private static void awaitEmpty(Database db) {
        await("every entry deleted once its exchange succeeded").atMost(Duration.ofSeconds(10))
                .until(() -> db.stream(KeyRange.all()).findAny().isEmpty());
    }
}
