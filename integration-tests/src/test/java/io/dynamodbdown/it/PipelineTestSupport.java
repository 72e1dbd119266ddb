package io.dynamodbdown.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.it.infra.ConnectWorker;
import io.dynamodbdown.it.infra.DynamoDbService;
import io.dynamodbdown.it.infra.Infra;
import io.dynamodbdown.it.infra.KafkaService;
import io.dynamodbdown.kafka.connect.DynamoDbDownSinkConnector;
import io.dynamodbdown.kafka.connect.DynamoDbDownSourceConnector;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** What every pipeline test needs: the selected DynamoDB, Kafka and Connect worker, connector configs, and waiting. */
abstract class PipelineTestSupport {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    final DynamoDbService dynamo = Infra.dynamoDb();
    final KafkaService kafka = Infra.kafka();
    final ConnectWorker connect = Infra.connect();

    /** A sink from {@code topic} into {@code table$hashKey}, bytes in, bytes out. */
    Map<String, String> sink(String topic, String table, String hashKey) {
        Map<String, String> config = connectorBase(DynamoDbDownSinkConnector.class.getName(), table, hashKey);
        config.put("topics", topic);
        return config;
    }

    /** A source from {@code table$hashKey} into {@code topic} (created here with one partition). */
    Map<String, String> source(String table, String hashKey, String topic) {
        return source(table, hashKey, topic, 1);
    }

    /** A source from {@code table$hashKey} into {@code topic}, created here with {@code partitions} partitions. */
    Map<String, String> source(String table, String hashKey, String topic, int partitions) {
        kafka.createTopic(topic, partitions);
        Map<String, String> config = connectorBase(DynamoDbDownSourceConnector.class.getName(), table, hashKey);
        config.put("topic", topic);
        config.put("poll.interval.ms", "200");
        config.put("tail.settle.ms", "1000");
        return config;
    }

    private Map<String, String> connectorBase(String connectorClass, String table, String hashKey) {
        Map<String, String> config = new HashMap<>(dynamo.connectorSettings());
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.put("table", table);
        config.put("hash.key", hashKey);
        config.put("key.converter", ByteArrayConverter.class.getName());
        config.put("value.converter", ByteArrayConverter.class.getName());
        return config;
    }

    /** Equal entries in equal order; on a difference, says where the two first part. */
    static void assertSameEntries(List<Entry> expected, List<Entry> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new AssertionError(what + ": entry " + i + " differs: expected " + describe(expected.get(i))
                        + ", got " + describe(actual.get(i)));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": number of entries");
    }

    private static String describe(Entry entry) {
        return "key " + HexFormat.of().formatHex(entry.getKey()) + " (" + entry.getValue().length + "-byte value)";
    }

    static void awaitUntil(Callable<Boolean> condition, String what) {
        awaitUntil(condition, () -> what);
    }

    /** Waits for {@code condition}; on a timeout, says what was awaited and what was seen ({@code what} is asked then). */
    static void awaitUntil(Callable<Boolean> condition, Supplier<String> what) {
        try {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Timed out after " + TIMEOUT + " waiting for " + what.get(), e);
        }
    }

    /** Waits until {@code location} holds at least {@code expected} entries; a timeout reports the connectors' states. */
    void awaitEntries(DynamoDbService db, String location, long expected, String... connectors) {
        awaitUntil(() -> db.count(location) >= expected, () -> expected + " entries in " + location + "; it holds "
                + db.count(location) + "; connectors: " + Arrays.stream(connectors).map(c -> c + "=" + connect.status(c))
                        .collect(Collectors.joining(", ")));
    }

    static List<byte[]> keysOf(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        List<byte[]> keys = new ArrayList<>(records.size());
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }
}
