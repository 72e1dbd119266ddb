package io.dynamodbdown.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.JsTables.Variant;
import io.dynamodbdown.testing.JsTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** The sink task driven directly against DynamoDB Local: offsets, retry decisions and bad records. */
@ExtendWith(DynamoDbLocalExtension.class)
class SinkTaskTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private final String table = DynamoDbLocal.uniqueTableName("sink-task");
    private DynamoDbDownSinkTask task;

    private Map<String, String> props(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "hash.key", "backup-${topic}",
                "batch.size", "10", "max.retries", "2", "retry.backoff.ms", "5", "retry.backoff.max.ms", "10"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private DynamoDbDownSinkTask start(DynamoDbClient client, StubSinkTaskContext context, Map<String, String> props) {
        // the task closes its client on stop; a FaultInjectingClient never closes the shared one behind it
        DynamoDbClient own = client instanceof FaultInjectingClient ? client : new FaultInjectingClient(client);
        task = new DynamoDbDownSinkTask(config -> own);
        task.initialize(context);
        task.start(props);
        return task;
    }

    @AfterEach
    void stop(DynamoDbClient client) {
        if (task != null) {
            task.stop();
        }
        try {
            client.deleteTable(b -> b.tableName(table));
        } catch (ResourceNotFoundException e) {
            // the test never got as far as creating it
        }
    }

    private static List<SinkRecord> records(int from, int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "k" + (i % 7), Schema.STRING_SCHEMA, "v" + i, i));
        }
        return records;
    }

    private Database backup(DynamoDbClient client) {
        return DynamoDbDown.open(client, table + "$backup-orders");
    }

    @Test
    void aWorkerOlderThanKafka41StartsTheSinkWithoutItsMetrics(DynamoDbClient client) {
        StubSinkTaskContext context = new StubSinkTaskContext(false);
        context.olderWorker = true;
        start(client, context, props());
        task.put(records(0, 10));
        assertEquals(Map.of(P0, new OffsetAndMetadata(10)), task.preCommit(Map.of(P0, new OffsetAndMetadata(10))));
        assertEquals(7, task.metrics().recordsWritten.get(), "still counted, only not published");
    }

    @Test
    void offsetsBecomeCommittableOnlyOnceWritten(DynamoDbClient client) {
        start(client, new StubSinkTaskContext(false), props("batch.size", "100"));
        task.put(records(0, 20));
        try (Database db = backup(client)) {
            assertNull(db.get("k0"), "below batch.size nothing is written yet");
            Map<TopicPartition, OffsetAndMetadata> committable = task.preCommit(Map.of(P0, new OffsetAndMetadata(20)));
            assertEquals(Map.of(P0, new OffsetAndMetadata(20)), committable);
            assertEquals("v14", db.getString("k0"), "within the batch the last record per key won");
            assertEquals(7, db.stream(KeyRange.all()).count());
        }
        assertEquals(7, task.metrics().recordsWritten.get());
    }

    @Test
    void unprocessedItemsBeyondTheRetriesAskTheFrameworkToRedeliver(DynamoDbClient real) {
        FaultInjectingClient faulty = new FaultInjectingClient(real);
        StubSinkTaskContext context = new StubSinkTaskContext(false);
        start(faulty, context, props("batch.size", "5"));
        faulty.unprocessedWrites(Integer.MAX_VALUE);
        List<SinkRecord> batch = records(0, 10);
        RetriableException e = assertThrows(RetriableException.class, () -> task.put(batch));
        assertTrue(e.getMessage().contains("written again"), e.getMessage());
        assertEquals(5, context.lastTimeoutMs, "the framework waits retry.backoff.ms before redelivering");
        assertEquals(Map.of(), task.preCommit(Map.of(P0, new OffsetAndMetadata(10))), "nothing acknowledged");

        faulty.unprocessedWrites(0);
        task.put(batch); // the framework redelivers the same records
        assertEquals(Map.of(P0, new OffsetAndMetadata(10)), task.preCommit(Map.of(P0, new OffsetAndMetadata(10))));
        try (Database db = backup(real)) {
            assertEquals(7, db.stream(KeyRange.all()).count());
            assertEquals("v7", db.getString("k0"));
        }
        assertTrue(task.metrics().recordsRetried.get() > 0);
    }

    @Test
    void aKeyAcceptingPartOfEachRequestIsWrittenAtItsPaceWithoutRedelivery(DynamoDbClient real) {
        FaultInjectingClient faulty = new FaultInjectingClient(real);
        start(faulty, new StubSinkTaskContext(false), props("batch.size", "50"));
        faulty.acceptAtMost(1); // a partition key at its limit; max.retries 2 would give up after 3 attempts in all
        task.put(records(0, 50));
        assertEquals(Map.of(P0, new OffsetAndMetadata(50)), task.preCommit(Map.of(P0, new OffsetAndMetadata(50))));
        faulty.acceptAtMost(Integer.MAX_VALUE);
        try (Database db = backup(real)) {
            assertEquals(7, db.stream(KeyRange.all()).count());
        }
        assertEquals(0, task.metrics().recordsRetried.get(), "nothing redelivered");
        assertEquals(6, task.metrics().requestsThrottled.get(), "7 keys, one a request: 6 answers handed the rest back");
    }

    /** A task whose client is built from its own settings, over an HTTP client that injects faults. */
    private void startWithHttpFaults(FaultInjectingHttpClient http, StubSinkTaskContext context, Map<String, String> props) {
        props.putAll(Map.of("aws.endpoint", DynamoDbLocalExtension.get().endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        task = new DynamoDbDownSinkTask(config -> DynamoDbClients.builder(config.clientSettings()).httpClient(http).build());
        task.initialize(context);
        task.start(props);
    }

    @Test
    void throttlingWithinTheRetriesIsRiddenOut() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient()) {
            startWithHttpFaults(http, new StubSinkTaskContext(false), props());
            http.fail("BatchWriteItem", Fault.THROTTLE, 0, 2);
            task.put(records(0, 10));
            assertEquals(Map.of(P0, new OffsetAndMetadata(10)), task.preCommit(Map.of(P0, new OffsetAndMetadata(10))));
            assertEquals(2, http.injected());
        }
    }

    @Test
    void maxRetriesZeroSendsEachRequestOnceThenAsksForRedelivery() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient()) {
            StubSinkTaskContext context = new StubSinkTaskContext(false);
            startWithHttpFaults(http, context, props("max.retries", "0", "batch.size", "5"));
            http.failAlways("BatchWriteItem", Fault.THROTTLE);
            assertThrows(RetriableException.class, () -> task.put(records(0, 10)));
            assertEquals(1, http.requests("BatchWriteItem"), "no retry at all");
            assertEquals(5, context.lastTimeoutMs);
            http.heal();
        }
    }

    @Test
    void anErrorThatRetryingCannotFixFailsTheTaskAtOnce() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient()) {
            startWithHttpFaults(http, new StubSinkTaskContext(false), props("table.auto.create", "false"));
            ConnectException e = assertThrows(ConnectException.class, () -> task.put(records(0, 1)));
            assertFalse(e instanceof RetriableException, e.toString());
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            assertEquals(1, http.requests("DescribeTable"), "asked once, not retried");
        }
    }

    @Test
    void aMissingTableThatMayNotBeCreatedFailsTheTaskForGood(DynamoDbClient client) {
        client.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
                .keySchema(software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder()
                        .attributeName("id").keyType("HASH").build())
                .attributeDefinitions(software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                        .attributeName("id").attributeType("S").build()));
        start(client, new StubSinkTaskContext(false), props());
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(records(0, 1)));
        assertTrue(e.getMessage().contains("key schema") && e.getMessage().contains("retrying will not help"), e.getMessage());
    }

    @Test
    void badRecordsGoToTheReporterAndGoodOnesAreStillWritten(DynamoDbClient client) {
        StubSinkTaskContext context = new StubSinkTaskContext(true);
        start(client, context, props("value.max.bytes", Integer.toString(1024 * 1024)));
        List<SinkRecord> batch = new ArrayList<>(records(0, 3));
        batch.add(new SinkRecord("orders", 0, null, null, Schema.STRING_SCHEMA, "no key", 3));
        batch.add(new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "x".repeat(1025), Schema.STRING_SCHEMA, "long key", 4));
        batch.add(new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "huge", Schema.BYTES_SCHEMA, new byte[1024 * 1024 + 1], 5));
        batch.add(new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "large", Schema.BYTES_SCHEMA, new byte[600 * 1024], 6));
        batch.add(new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "last", Schema.STRING_SCHEMA, "ok", 7));
        task.put(batch);
        assertEquals(Map.of(P0, new OffsetAndMetadata(8)), task.preCommit(Map.of(P0, new OffsetAndMetadata(8))));
        assertEquals(3, context.reported.size());
        assertTrue(context.reasons.get(0).getMessage().contains("null key"));
        assertTrue(context.reasons.get(1).getMessage().contains("1025 bytes"));
        assertTrue(context.reasons.get(2).getMessage().contains("\"huge\"")
                && context.reasons.get(2).getMessage().contains("maxValueSize"), context.reasons.get(2).getMessage());
        try (Database db = backup(client)) {
            assertEquals(5, db.stream(KeyRange.all()).count(), "k0, k1, k2, large (past the item limit, in chunks) and last");
            assertEquals(600 * 1024, db.get("large").length);
        }
        assertEquals(3, task.metrics().recordsFailed.get());
    }

    @Test
    void withoutADeadLetterQueueABadRecordFailsTheTaskClearly(DynamoDbClient client) {
        start(client, new StubSinkTaskContext(false), props());
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(
                List.of(new SinkRecord("orders", 0, null, null, Schema.STRING_SCHEMA, "v", 41))));
        assertTrue(e.getMessage().contains("orders-0@41") && e.getMessage().contains("errors.tolerance=all"), e.getMessage());
    }

    @Test
    void intoAJavaScriptTableStringsAreWrittenAsStringsAndBytesAsBytes(DynamoDbClient client) {
        JsTables.create(client, table, Variant.DYNAMODBDOWN);
        start(client, new StubSinkTaskContext(false), props("table.layout", "dynamodbdown", "hash.key", "h"));
        task.put(List.of(
                new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "text", Schema.STRING_SCHEMA, "hello", 0),
                new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "bytes", Schema.BYTES_SCHEMA, new byte[] {1, 2}, 1),
                new SinkRecord("orders", 0, Schema.STRING_SCHEMA, "empty", Schema.STRING_SCHEMA, "", 2)));
        task.preCommit(Map.of(P0, new OffsetAndMetadata(3)));
        assertEquals("hello", JsTables.get(client, table, Variant.DYNAMODBDOWN, "h", "text").get("value").s());
        assertEquals(2, JsTables.get(client, table, Variant.DYNAMODBDOWN, "h", "bytes").get("value").b().asByteArray().length);
        assertEquals(Boolean.TRUE, JsTables.get(client, table, Variant.DYNAMODBDOWN, "h", "empty").get("value").nul());
    }

    @Test
    void aRevokedPartitionsBufferedRecordsAreDropped(DynamoDbClient client) {
        start(client, new StubSinkTaskContext(false), props("batch.size", "100"));
        task.put(records(0, 5));
        task.close(List.of(P0));
        assertEquals(Map.of(), task.preCommit(Map.of()));
        try (Database db = backup(client)) {
            assertEquals(0, db.stream(KeyRange.all()).count(), "another task owns these records now");
        }
    }

    /** A record of a changes-mode source: a put (or, {@code value} null, a delete) in {@code generation}. */
    private static SinkRecord change(int partition, long offset, String key, String value, long generation) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(DynamoDbDownHeaders.CHANGE, value == null ? DynamoDbDownHeaders.DELETE : DynamoDbDownHeaders.PUT);
        headers.addLong(DynamoDbDownHeaders.GENERATION, generation); // as the worker's default header converter reads it
        return new SinkRecord("orders", partition, Schema.STRING_SCHEMA, key, Schema.STRING_SCHEMA, value, offset, null,
                TimestampType.NO_TIMESTAMP_TYPE, headers);
    }

    private static SinkRecord snapshotEnd(int partition, long offset, long generation, int partitions) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(DynamoDbDownHeaders.CHANGE, DynamoDbDownHeaders.SNAPSHOT_END);
        headers.addString(DynamoDbDownHeaders.GENERATION, Long.toString(generation));
        headers.addString(DynamoDbDownHeaders.RANGE, KeyRange.all().boundsId());
        headers.addString(DynamoDbDownHeaders.PARTITIONS, Integer.toString(partitions));
        return new SinkRecord("orders", partition, Schema.BYTES_SCHEMA, new byte[0], Schema.BYTES_SCHEMA, null, offset, null,
                TimestampType.NO_TIMESTAMP_TYPE, headers);
    }

    /**
     * Issue #24, 4: the sink's side of a resnapshot. Generation 1 filled the copy; a new snapshot in generation 2 sends
     * every key but k3 (deleted while the source could not follow the table) over two partitions, each written by
     * a task of its own. Only once both partitions' markers are reached is k3 deleted from the copy; a change of
     * generation 2 written before the last marker, and a key written without a generation, stay.
     */
    @Test
    void aSnapshotsEndDeletesWhatItDidNotSendOnceEveryPartitionReachedIt(DynamoDbClient client) {
        DynamoDbDownSinkTask first = start(client, new StubSinkTaskContext(false), props());
        DynamoDbDownSinkTask second = new DynamoDbDownSinkTask(config -> new FaultInjectingClient(client));
        second.initialize(new StubSinkTaskContext(false));
        second.start(props());
        try (Database copy = backup(client)) {
            List<SinkRecord> generation1 = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                generation1.add(change(i % 2, i, "k" + i, "v1", 1));
            }
            first.put(generation1);
            first.flush(Map.of());
            copy.put("unstamped", "written by something else");

            List<SinkRecord> p0 = new ArrayList<>();
            List<SinkRecord> p1 = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                if (i != 3) {
                    (i % 2 == 0 ? p0 : p1).add(change(i % 2, 100 + i, "k" + i, "v2", 2));
                }
            }
            p1.add(change(1, 200, "k20", "a change after the snapshot began", 2));
            p0.add(snapshotEnd(0, 300, 2, 2));
            first.put(p0);
            assertEquals("v1", copy.getString("k3"), "one partition's marker reached: the other may still hold records");
            p1.add(snapshotEnd(1, 301, 2, 2));
            second.put(p1);
            assertNull(copy.getString("k3"), "both reached: what the snapshot did not send is gone");
            assertEquals("a change after the snapshot began", copy.getString("k20"));
            assertEquals("written by something else", copy.getString("unstamped"));
            assertEquals(11, copy.keys(KeyRange.all()).stream().count(), "k0..k9 but k3, k20 and the unstamped one");
            first.put(List.of(snapshotEnd(0, 300, 2, 2))); // redelivered: harmless
            assertEquals(11, copy.keys(KeyRange.all()).stream().count());
            assertEquals(Map.of(P0, new OffsetAndMetadata(301)), first.preCommit(Map.of(P0, new OffsetAndMetadata(301))),
                    "a marker's offset is committed like any record's");
        } finally {
            second.stop();
        }
    }

    /** {@code record} as the whole-table source of {@code sourceTable} sends it for {@code database}, to {@code topic}. */
    private static SinkRecord ofTable(SinkRecord record, String sourceTable, String database, String topic) {
        record.headers().addString(DynamoDbDownHeaders.TABLE, sourceTable).addString(DynamoDbDownHeaders.HASH_KEY, database);
        return record.newRecord(topic, record.kafkaPartition(), record.keySchema(), record.key(), record.valueSchema(),
                record.value(), record.timestamp());
    }

    /**
     * Issue #25: the sink's side of a whole table's resnapshot ({@code hash.key=*}), writing by header. Generation 1
     * filled copies of databases a, b and gone; generation 2 sends a but a3, b but b1, and nothing of gone (emptied in
     * the source), over two topics. Once the three markers (two partitions of one topic, one of the other) are reached,
     * what generation 2 did not send is gone from every copy; an entry of another source table and one written without
     * a generation stay.
     */
    @Test
    void aWholeTablesSnapshotEndClearsEveryDatabaseOfThatSourceTableOnceEveryMarkerIsReached(DynamoDbClient client) {
        DynamoDbDownSinkTask sink = start(client, new StubSinkTaskContext(false),
                props("hash.key.header", DynamoDbDownHeaders.HASH_KEY));
        try (Database a = DynamoDbDown.open(client, table + "$a"); Database b = DynamoDbDown.open(client, table + "$b");
                Database gone = DynamoDbDown.open(client, table + "$gone")) {
            List<SinkRecord> generation1 = new ArrayList<>();
            for (String database : List.of("a", "b", "gone")) {
                for (int i = 0; i < 5; i++) {
                    generation1.add(ofTable(change(i % 2, generation1.size(), database + i, "v1", 1), "src", database, "orders"));
                }
            }
            generation1.add(ofTable(change(0, generation1.size(), "x1", "of another table", 1), "other", "a", "orders"));
            sink.put(generation1);
            sink.flush(Map.of());
            b.put("unstamped", "written by something else");

            List<SinkRecord> generation2 = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                if (i != 3) {
                    generation2.add(ofTable(change(i % 2, 100 + i, "a" + i, "v2", 2), "src", "a", "orders"));
                }
                if (i != 1) {
                    generation2.add(ofTable(change(0, 200 + i, "b" + i, "v2", 2), "src", "b", "more"));
                }
            }
            generation2.add(ofTable(snapshotEnd(0, 300, 2, 3), "src", DynamoDbDownHeaders.ALL_DATABASES, "orders"));
            generation2.add(ofTable(snapshotEnd(0, 301, 2, 3), "src", DynamoDbDownHeaders.ALL_DATABASES, "more"));
            sink.put(generation2);
            assertEquals("v1", a.getString("a3"), "two of three markers reached: a partition may still hold records");
            assertEquals(5, gone.keys(KeyRange.all()).stream().count());

            SinkRecord last = ofTable(snapshotEnd(1, 302, 2, 3), "src", DynamoDbDownHeaders.ALL_DATABASES, "orders");
            sink.put(List.of(last));
            assertNull(a.getString("a3"), "every marker reached: what the snapshot did not send is gone");
            assertNull(b.getString("b1"));
            assertEquals(0, gone.keys(KeyRange.all()).stream().count(), "a database the source no longer holds is emptied");
            assertEquals("of another table", a.getString("x1"));
            assertEquals("written by something else", b.getString("unstamped"));
            assertEquals(5, a.keys(KeyRange.all()).stream().count(), "a0..a4 but a3, and x1");
            assertEquals(5, b.keys(KeyRange.all()).stream().count(), "b0..b4 but b1, and the unstamped one");

            sink.put(List.of(ofTable(change(1, 303, "a3", "v1", 1), "src", "a", "orders"), last)); // redelivered
            assertNull(a.getString("a3"), "a marker reached again clears again what came before it");
        }
        try (Database all = DynamoDbDown.open(client, table + "$*")) {
            assertEquals(0, all.keys(KeyRange.all()).stream().count(), "a whole table's marker names no database to write into");
        }
    }

    /**
     * A whole table's snapshot end opens every database it clears (and the sink's own record of the markers): when
     * DynamoDB cannot be reached for that (throttled past the retries), the marker is handed back to be retried, like
     * a write that could not complete, and not reported as a bad record: that would skip it, and the copies would
     * keep what the snapshot did not send.
     */
    @Test
    void aWholeTablesSnapshotEndThatCannotReachDynamoDbIsRetriedNotReportedAsBad(DynamoDbClient client) {
        DynamoDbDownSinkTask other = new DynamoDbDownSinkTask(config -> new FaultInjectingClient(client));
        other.initialize(new StubSinkTaskContext(false));
        other.start(props("hash.key.header", DynamoDbDownHeaders.HASH_KEY));
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                Database gone = DynamoDbDown.open(client, table + "$gone")) {
            other.put(List.of(ofTable(change(0, 0, "g0", "v1", 1), "src", "gone", "orders")));
            other.flush(Map.of());
            StubSinkTaskContext context = new StubSinkTaskContext(true); // errors.tolerance=all
            startWithHttpFaults(http, context, props("hash.key.header", DynamoDbDownHeaders.HASH_KEY));
            task.put(List.of(ofTable(change(0, 1, "a0", "v2", 2), "src", "a", "orders")));

            http.failAlways("DescribeTable", Fault.THROTTLE);
            SinkRecord marker = ofTable(snapshotEnd(0, 2, 2, 1), "src", DynamoDbDownHeaders.ALL_DATABASES, "orders");
            assertThrows(RetriableException.class, () -> task.put(List.of(marker)));
            assertEquals(List.of(), context.reasons, "not a bad record");
            http.heal();
            task.put(List.of(marker)); // redelivered
            assertEquals(0, gone.keys(KeyRange.all()).stream().count(), "the snapshot did not send it");
        } finally {
            other.stop();
        }
    }
}
