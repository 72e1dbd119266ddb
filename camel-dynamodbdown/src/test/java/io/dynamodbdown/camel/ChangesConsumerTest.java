package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The consumer in mode=changes: every put, overwrite and delete of its database arrives once, in order for each
 * key, with its headers; across a route restart (the checkpoint kept in the table) and an exchange that fails
 * and is delivered again. An existing table without a stream gets a clear error, or a stream when asked.
 */
class ChangesConsumerTest extends CamelTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-changes");
    private static final DynamoDbStreamsClient STREAMS = DynamoDbLocalExtension.get().newStreamsClient();
    private static final List<String> DELIVERED = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("dynamoDbClient", DynamoDbLocalExtension.get().client());
        registry.bind("dynamoDbStreamsClient", STREAMS); // the one streams client: autowired
    }

    @AfterAll
    static void close() {
        DynamoDbLocalExtension.get().client().deleteTable(b -> b.tableName(TABLE));
        STREAMS.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + TABLE + "$orders?mode=changes&resumeFromStore=true&consumerId=backup&delay=20"
                        + "&maxMessagesPerPoll=7").routeId("changes").autoStartup(false)
                        .process(ChangesConsumerTest::deliver);
            }
        };
    }

    private static void deliver(Exchange exchange) {
        String key = new String(exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class));
        String change = exchange.getIn().getHeader(DynamoDbDownConstants.CHANGE, String.class);
        byte[] body = exchange.getIn().getBody(byte[].class);
        assertNotNull(exchange.getIn().getHeader(Exchange.MESSAGE_TIMESTAMP), "the change's time");
        if (change.equals("delete")) {
            assertNull(body, "a delete has no body");
        }
        String delivered = key + (change.equals("delete") ? " deleted" : "=" + shown(new String(body)));
        if (delivered.endsWith("=fail-once") && FAIL_ONCE.compareAndSet(false, true)) {
            throw new IllegalStateException("failing " + delivered + " once");
        }
        DELIVERED.add(delivered);
    }

    @Test
    void everyChangeArrivesInOrderPerKeyAcrossARestartAndAFailedExchange() throws Exception {
        context.getRouteController().startRoute("changes"); // creates the table, with a NEW_IMAGE stream
        List<String> written = new ArrayList<>();
        Set<String> present = new HashSet<>();
        Random random = new Random(16);
        try (Database db = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$orders");
                Database other = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), TABLE + "$other")) {
            for (int i = 0; i < 120; i++) {
                String key = "order-" + random.nextInt(12);
                if (i == 60) {
                    context.getRouteController().stopRoute("changes");
                }
                if (i == 90) {
                    context.getRouteController().startRoute("changes");
                }
                if (random.nextInt(4) == 0) {
                    db.del(key);
                    if (present.remove(key)) {
                        written.add(key + " deleted"); // deleting a missing key changes nothing: the stream has no record of it
                    }
                } else {
                    present.add(key);
                    String value = i == 75 ? "fail-once" : "v" + i;
                    db.put(key, value);
                    written.add(key + "=" + shown(value));
                }
                other.put(key, "another database's change");
            }
            String large = "L".repeat(500 * 1024); // past the item limit, kept in chunks: its change arrives whole too
            db.put("order-large", large);
            written.add("order-large=" + shown(large));
            await("every change").atMost(Duration.ofSeconds(60)).untilAsserted(
                    () -> assertEquals(byKey(written), byKey(DELIVERED), "each key's changes, all of them, in order, once"));
            assertTrue(FAIL_ONCE.get(), "an exchange failed and was delivered again");
        }
    }

    /** A value as the lists compare it: a large one by its size and hash, so a failure stays readable. */
    private static String shown(String value) {
        return value.length() <= 100 ? value : "<" + value.length() + " chars, hash " + value.hashCode() + ">";
    }

    private static Map<String, List<String>> byKey(List<String> changes) {
        Map<String, List<String>> byKey = new TreeMap<>();
        for (String change : changes) {
            byKey.computeIfAbsent(change.split("[ =]")[0], k -> new ArrayList<>()).add(change);
        }
        return byKey;
    }

    @Test
    void anIdleConsumerDoesNotKeepRewritingItsPosition() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + TABLE + "$idle?mode=changes&resumeFromStore=true&consumerId=idle&delay=20")
                        .routeId("idle").to("mock:idle");
            }
        });
        try (Database positions = DynamoDbDown.open(DynamoDbLocalExtension.get().client(),
                TABLE + "$" + DynamoDbDownEndpoint.RESERVED_HASH_KEY_PREFIX + "consumer-positions")) {
            byte[] key = Bytes.utf8("changes:consumer:idle");
            await("the start position stored").atMost(Duration.ofSeconds(10)).until(() -> positions.get(key) != null);
            byte[] stored = positions.get(key);
            // every write of a position is a record in the table's stream: storing on each poll would never stop
            await("no rewrite while idle").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> Arrays.equals(stored, positions.get(key)));
        }
        context.getRouteController().stopRoute("idle");
    }

    @Test
    void anExistingTableWithoutAStreamIsRefusedClearlyOrGivenOneWhenAsked() throws Exception {
        String plain = DynamoDbLocal.uniqueTableName("camel-no-stream");
        DynamoDbDown.open(DynamoDbLocalExtension.get().client(), plain + "$db").close();
        List<String> got = new CopyOnWriteArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + plain + "$db?mode=changes&delay=20").routeId("refused").autoStartup(false).to("mock:unused");
            }
        });
        Exception refused = assertThrows(Exception.class, () -> context.getRouteController().startRoute("refused"));
        assertTrue(rootMessage(refused).contains("has no change stream") && rootMessage(refused).contains("enableStream"),
                rootMessage(refused));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + plain + "$db?mode=changes&enableStream=true&delay=20").routeId("enabled")
                        .process(e -> got.add(new String(e.getIn().getBody(byte[].class))));
            }
        });
        try (Database db = DynamoDbDown.open(DynamoDbLocalExtension.get().client(), plain + "$db")) {
            db.put("k", "v");
            await().atMost(Duration.ofSeconds(30)).until(() -> got.equals(List.of("v")));
            db.dropTable();
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
