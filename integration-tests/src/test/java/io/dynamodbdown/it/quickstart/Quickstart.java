package io.dynamodbdown.it.quickstart;

import io.dynamodbdown.camel.DynamoDbDownConstants;
import io.dynamodbdown.it.infra.ConnectWorker;
import io.dynamodbdown.it.infra.DynamoDbService;
import io.dynamodbdown.it.infra.KafkaService;
import io.dynamodbdown.kafka.connect.DynamoDbDownSinkConnector;
import io.dynamodbdown.kafka.connect.DynamoDbDownSourceConnector;
import io.dynamodbdown.store.Entry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.connect.converters.ByteArrayConverter;

/**
 * The main job in one command: a continuous backup on an embedded default. A Camel route writes orders into a
 * DynamoDB table, the source connector (changes mode: a snapshot, then the table's change stream) streams them
 * to a Kafka topic, and the sink connector writes the topic into a backup table. Then the route amends some
 * orders and deletes others, and those changes reach the backup too. It prints progress, checks the backup
 * entry by entry, and exits. {@code -Dquickstart.region=eu-west-1} (and optionally {@code -Dquickstart.endpoint=...})
 * uses a real DynamoDB with the default AWS credentials chain instead of DynamoDB Local; Kafka stays embedded.
 * {@code -Dquickstart.entries=N} sets the number of orders (default 10,000).
 */
public final class Quickstart {

    private static final String HASH_KEY = "orders";
    private static final String SOURCE_TABLE = "quickstart-orders";
    private static final String BACKUP_TABLE = "quickstart-backup";
    private static final String TOPIC = "quickstart.orders";
    private static final long TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

    private final long started = System.nanoTime();

    public static void main(String[] args) throws Exception {
        int status = 1;
        try {
            new Quickstart().run(entries(System.getProperty("quickstart.entries", "10000")));
            status = 0;
        } catch (Exception e) {
            System.err.println("The quickstart failed: " + e);
            e.printStackTrace();
        }
        System.exit(status); // the embedded broker leaves non-daemon threads behind
    }

    static int entries(String setting) {
        try {
            int entries = Integer.parseInt(setting.trim());
            if (entries >= 1) {
                return entries;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("-Dquickstart.entries must be a whole number of at least 1, was '" + setting + "'");
    }

    /** Runs the whole pipeline; throws if the backup does not end up identical to the original. */
    void run(int entries) throws Exception {
        String region = System.getProperty("quickstart.region", "");
        step("Starting DynamoDB " + (region.isBlank() ? "Local in this JVM (in memory)" : "in " + region));
        try (DynamoDbService dynamo = region.isBlank() ? DynamoDbService.embedded()
                : DynamoDbService.remote(region, System.getProperty("quickstart.endpoint", ""))) {
            step("Starting an embedded Kafka broker (KRaft) and a Connect worker");
            try (KafkaService kafka = KafkaService.embedded(); ConnectWorker connect = ConnectWorker.start(kafka.bootstrapServers())) {
                try (DefaultCamelContext camel = orderRoutes(dynamo)) {
                    ProducerTemplate route = camel.createProducerTemplate();
                    writeOrders(route, entries);
                    startBackup(dynamo, kafka, connect);
                    // On a real DynamoDB an earlier run may have left more orders behind; they are backed up too.
                    awaitBackup(dynamo, connect, "the initial orders");
                    amendAndDelete(route, entries);
                    awaitBackup(dynamo, connect, "the amended and deleted orders");
                }
                report(dynamo, kafka, connect, region.isBlank());
                connect.deleteConnector("quickstart-source");
                connect.deleteConnector("quickstart-sink");
                step("Stopping");
            }
        }
        step("Done");
    }

    /**
     * The routes that write the orders: direct:orders takes a batch (a Map), direct:order one order (a put, or a
     * delete with the operation header). A table they create gets a change stream, which the source follows.
     */
    private static DefaultCamelContext orderRoutes(DynamoDbService dynamo) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("dynamoDbClient", dynamo.client());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                String orders = "dynamodbdown:" + SOURCE_TABLE + "$" + HASH_KEY + "?streamView=NEW_IMAGE";
                from("direct:orders").to(orders + "&op=batch");
                from("direct:order").to(orders);
            }
        });
        camel.start();
        return camel;
    }

    private void writeOrders(ProducerTemplate route, int entries) {
        step("Writing " + String.format("%,d", entries) + " orders through the Camel route direct:orders -> dynamodbdown:"
                + SOURCE_TABLE + "$" + HASH_KEY + "?op=batch");
        Map<String, String> batch = new LinkedHashMap<>();
        for (int i = 1; i <= entries; i++) {
            batch.put(orderKey(i), String.format(
                    "{\"order\":%d,\"customer\":\"customer-%03d\",\"amount\":%d.%02d}", i, i % 997, i % 500, i % 100));
            if (batch.size() == 500 || i == entries) {
                route.sendBody("direct:orders", batch);
                batch = new LinkedHashMap<>();
                if (i % 5_000 == 0 || i == entries) {
                    progress(String.format("%,d of %,d orders written", i, entries));
                }
            }
        }
    }

    private static String orderKey(int i) {
        return String.format("order-%07d", i);
    }

    /** Source (changes mode) table -> topic, sink topic -> backup table. */
    private void startBackup(DynamoDbService dynamo, KafkaService kafka, ConnectWorker connect) {
        kafka.createTopic(TOPIC, 1);
        step("Backing up " + SOURCE_TABLE + "$" + HASH_KEY + " -> topic " + TOPIC + " -> " + BACKUP_TABLE + "$" + HASH_KEY
                + " (source connector in changes mode: a snapshot, then every put and delete; sink connector)");
        Map<String, String> source = connector(dynamo, DynamoDbDownSourceConnector.class.getName(), SOURCE_TABLE);
        source.put("topic", TOPIC);
        source.put("mode", "changes");
        source.put("table.stream.enable", "true"); // a table an earlier build created without a stream gets one
        source.put("poll.interval.ms", "500");
        connect.putConnector("quickstart-source", source);
        Map<String, String> sink = connector(dynamo, DynamoDbDownSinkConnector.class.getName(), BACKUP_TABLE);
        sink.put("topics", TOPIC);
        connect.putConnector("quickstart-sink", sink);
        connect.awaitRunning("quickstart-source", 1);
        connect.awaitRunning("quickstart-sink", 1);
    }

    /** Every 97th order gets a new amount, every 101st is deleted: changes a backup of new keys alone would miss. */
    private void amendAndDelete(ProducerTemplate route, int entries) {
        int amended = 0;
        int deleted = 0;
        for (int i = 1; i <= entries; i++) {
            if (i % 101 == 0) {
                route.sendBodyAndHeaders("direct:order", null, Map.of(DynamoDbDownConstants.OPERATION, "del",
                        DynamoDbDownConstants.KEY, orderKey(i)));
                deleted++;
            } else if (i % 97 == 0) {
                route.sendBodyAndHeader("direct:order", String.format("{\"order\":%d,\"customer\":\"customer-%03d\","
                        + "\"amount\":0.00,\"status\":\"refunded\"}", i, i % 997), DynamoDbDownConstants.KEY, orderKey(i));
                amended++;
            }
        }
        step(String.format("Amended %,d orders (refunded) and deleted %,d through the route direct:order", amended, deleted));
    }

    /** Waits until the backup holds exactly what the original does. */
    private void awaitBackup(DynamoDbService dynamo, ConnectWorker connect, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (true) {
            List<Entry> original = dynamo.entries(SOURCE_TABLE + "$" + HASH_KEY);
            List<Entry> backedUp = dynamo.entries(BACKUP_TABLE + "$" + HASH_KEY);
            long differing = differing(original, backedUp);
            progress(String.format("%,d entries in the original, %,d in the backup, %,d differing", original.size(),
                    backedUp.size(), differing));
            if (differing == 0) {
                step("The backup has " + what + ", entry for entry");
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("The backup still differs from the original in " + differing
                        + " entries after 5 minutes; connectors: " + connect.status("quickstart-source") + " "
                        + connect.status("quickstart-sink"));
            }
            Thread.sleep(1_000);
        }
    }

    /** Keys whose value differs, or that only one side has. */
    private static long differing(List<Entry> original, List<Entry> backedUp) {
        Map<String, String> left = asText(original);
        Map<String, String> right = asText(backedUp);
        Set<String> keys = new HashSet<>(left.keySet());
        keys.addAll(right.keySet());
        return keys.stream().filter(k -> !Objects.equals(left.get(k), right.get(k))).count();
    }

    private static Map<String, String> asText(List<Entry> entries) {
        Map<String, String> text = new HashMap<>();
        entries.forEach(e -> text.put(text(e.getKey()), text(e.getValue())));
        return text;
    }

    private void report(DynamoDbService dynamo, KafkaService kafka, ConnectWorker connect, boolean inMemory) {
        List<Entry> original = dynamo.entries(SOURCE_TABLE + "$" + HASH_KEY);
        List<Entry> backedUp = dynamo.entries(BACKUP_TABLE + "$" + HASH_KEY);
        if (!original.equals(backedUp)) {
            throw new IllegalStateException("The backup differs from the original: " + original.size() + " vs " + backedUp.size() + " entries");
        }
        int records = kafka.consumeAll(TOPIC, Duration.ofMinutes(1)).size();
        step("Backup complete and identical, entry for entry");
        System.out.printf("  %,d entries in %s$%s, %,d records on topic %s, %,d entries in %s$%s%n",
                original.size(), SOURCE_TABLE, HASH_KEY, records, TOPIC, backedUp.size(), BACKUP_TABLE, HASH_KEY);
        System.out.println("  The first entries of the backup, in key order:");
        backedUp.stream().limit(3).forEach(e -> System.out.println("    " + text(e.getKey()) + " = " + text(e.getValue())));
        Map<String, String> backup = asText(backedUp);
        System.out.println("  An amended order and a deleted one, in the backup:");
        System.out.println("    " + orderKey(97) + " = " + backup.getOrDefault(orderKey(97), "(absent)"));
        System.out.println("    " + orderKey(101) + " = " + backup.getOrDefault(orderKey(101), "(absent: deleted)"));
        System.out.println("  Where the data lives:");
        System.out.println("    DynamoDB:          " + dynamo + ", tables " + SOURCE_TABLE + " and " + BACKUP_TABLE
                + (inMemory ? " (in memory: gone when this JVM exits)" : ""));
        System.out.println("    Kafka:             " + kafka + ", topic " + TOPIC);
        System.out.println("    Kafka Connect:     " + connect.url() + "connectors (quickstart-source, quickstart-sink)");
    }

    private static Map<String, String> connector(DynamoDbService dynamo, String connectorClass, String table) {
        Map<String, String> config = new HashMap<>(dynamo.connectorSettings());
        config.put("connector.class", connectorClass);
        config.put("table", table);
        config.put("hash.key", HASH_KEY);
        config.put("tasks.max", "1");
        config.put("key.converter", ByteArrayConverter.class.getName());
        config.put("value.converter", ByteArrayConverter.class.getName());
        return config;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void step(String what) {
        System.out.printf("[%5.1fs] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private void progress(String what) {
        System.out.printf("[%5.1fs]   %s%n", (System.nanoTime() - started) / 1e9, what);
    }
}
