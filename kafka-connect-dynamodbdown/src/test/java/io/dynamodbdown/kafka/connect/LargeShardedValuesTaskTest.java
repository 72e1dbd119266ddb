package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Values past DynamoDB's item limit in sharded databases, through each task and mode: the sink writes, overwrites and
 * deletes them (removing the replaced chunks), each source mode sends them whole. Besides what it shows, this is where
 * the IAM policies' claim is exercised that large values and shards need nothing but their table ({@link IamPoliciesTest}).
 */
class LargeShardedValuesTaskTest {

    private static final int LARGE = 700 * 1024;

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final String table = DynamoDbLocal.uniqueTableName("large-sharded");
    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final List<Runnable> stops = new ArrayList<>();

    @AfterEach
    void stop() {
        stops.forEach(Runnable::run);
        http.close();
        dynamo.client().deleteTable(b -> b.tableName(table));
    }

    private static byte[] value(int size, int fill) {
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) fill);
        return value;
    }

    @Test
    void theSinkWritesOverwritesAndDeletesLargeValuesInAShardedDatabase() {
        DynamoDbDownSinkTask task = new DynamoDbDownSinkTask();
        task.initialize(new StubSinkTaskContext(false));
        Map<String, String> props = new HashMap<>(Map.of("table", table, "hash.key", "db", "shards", "4", "batch.size", "10",
                "aws.endpoint", dynamo.endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        task.start(props);
        stops.add(task::stop);
        List<byte[]> values = List.of(value(LARGE, 1), value(LARGE + 1, 2), "small".getBytes(), value(LARGE, 3));
        long offset = 0;
        for (byte[] value : values) { // written, replaced by another large value, by a small one, large again
            task.put(List.of(new SinkRecord("t", 0, Schema.BYTES_SCHEMA, Bytes.utf8("big"), Schema.BYTES_SCHEMA, value, offset++),
                    new SinkRecord("t", 0, Schema.BYTES_SCHEMA, Bytes.utf8("other" + offset), Schema.BYTES_SCHEMA, value, offset++)));
            task.flush(Map.of());
            try (Database db = DynamoDbDown.open(dynamo.client(), table + "$db")) {
                assertArrayEquals(value, db.get("big"));
            }
        }
        task.put(List.of(new SinkRecord("t", 0, Schema.BYTES_SCHEMA, Bytes.utf8("big"), null, null, offset)));
        task.flush(Map.of());
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$db")) {
            assertNull(db.get("big"), "the tombstone deleted the large value");
            assertEquals(0, db.sweep(Duration.ZERO), "no chunks of a replaced or deleted value were left behind");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"snapshot", "tail", "changes", "snapshot of *", "changes of *"})
    void eachSourceModeSendsLargeValuesOfAShardedDatabaseWhole(String reading) {
        String mode = reading.split(" ")[0];
        String hashKey = reading.endsWith("*") ? "*" : "db"; // the database by name, or the whole table
        Database db = DynamoDbDown.open(dynamo.client(), table + "$db", OpenOptions.defaults().withShards(3));
        stops.add(db::close);
        db.batch(List.of(BatchOperation.put(Bytes.utf8("a"), value(LARGE, 4)), BatchOperation.put(Bytes.utf8("b"), "small".getBytes())));
        // in changes mode the task gives the table (created without one) its stream
        DynamoDbDownSourceTask task = FaultySourceTasks.start(dynamo, http, hashKey, Map.of("table", table, "topic", "out",
                "mode", mode, "poll.interval.ms", "10", "tail.settle.ms", "0", "table.stream.enable", "true",
                "table.stream.view", StreamViewType.NEW_IMAGE.toString()), new InMemoryOffsets());
        stops.add(task::stop);
        Map<String, byte[]> sent = new HashMap<>();
        await("the snapshot").atMost(Duration.ofSeconds(60)).until(() -> poll(task, sent).size() == 2);
        assertArrayEquals(value(LARGE, 4), sent.get("a"));
        if (mode.equals("changes")) { // a large value written after the snapshot comes whole from the stream
            db.put(Bytes.utf8("c"), value(LARGE, 5));
            await("the change").atMost(Duration.ofSeconds(60)).until(() -> poll(task, sent).containsKey("c"));
            assertArrayEquals(value(LARGE, 5), sent.get("c"));
        }
    }

    /** One poll as a worker drives it; the entries and changes it sent (not heartbeats, not markers), by key. */
    private static Map<String, byte[]> poll(DynamoDbDownSourceTask task, Map<String, byte[]> sent) throws InterruptedException {
        FaultySourceTasks.pollAndCommit(task).stream().filter(r -> FaultySourceTasks.isData(r, "out"))
                .forEach(r -> sent.put(new String((byte[]) r.key()), (byte[]) r.value()));
        return sent;
    }
}
