package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The source task in changes mode, driven directly: a snapshot, then the change stream, with puts, overwrites
 * and deletes made while the snapshot runs and after. A replay of what it sent (puts, tombstones) must equal
 * the table, also when a restarted task resumes from the offset of any record, in the snapshot, at the hand-over
 * or in the stream, and when the stream's reads fail for a while or its checkpoint can no longer be continued.
 */
class ChangesSourceTaskTest {

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final String table = DynamoDbLocal.uniqueTableName("changes-task");
    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final List<DynamoDbDownSourceTask> tasks = new ArrayList<>();
    private Database db;

    @BeforeEach
    void fill() {
        db = DynamoDbDown.open(dynamo.client(), table + "$orders", OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false));
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            puts.add(BatchOperation.put(key(i), "v0"));
        }
        db.batch(puts);
    }

    @AfterEach
    void stop() {
        tasks.forEach(DynamoDbDownSourceTask::stop);
        http.close();
        db.dropTable();
        db.close();
    }

    private static String key(int i) {
        return String.format("k%03d", i);
    }

    private DynamoDbDownSourceTask start(InMemoryOffsets offsets, String... extra) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", "backup",
                "mode", "changes", "batch.max.rows", "25", "poll.interval.ms", "10",
                "max.retries", "1", "retry.backoff.ms", "1", "retry.backoff.max.ms", "5"));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        DynamoDbDownSourceTask task = FaultySourceTasks.start(dynamo, http, "orders", props, offsets);
        tasks.add(task);
        return task;
    }

    /** Polls into {@code sent} until a replay of it equals the table; RetriableExceptions are polled past. */
    private void pollUntilReplayEqualsTable(DynamoDbDownSourceTask task, List<SourceRecord> sent) {
        await("a replay of the records to equal the table").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO)
                .until(() -> {
                    try {
                        List<SourceRecord> records = task.poll();
                        if (records != null) {
                            sent.addAll(records);
                        }
                    } catch (RetriableException e) {
                        return false;
                    }
                    return replay(sent).equals(table());
                });
    }

    private static Map<String, String> replay(List<SourceRecord> records) {
        Map<String, String> state = new TreeMap<>();
        for (SourceRecord record : records) {
            String key = new String((byte[]) record.key());
            if (record.value() == null) {
                state.remove(key);
            } else {
                state.put(key, new String((byte[]) record.value()));
            }
        }
        return state;
    }

    private Map<String, String> table() {
        Map<String, String> state = new TreeMap<>();
        try (var entries = db.iterator(KeyRange.all())) {
            entries.forEachRemaining((Entry e) -> state.put(new String(e.key()), new String(e.value())));
        }
        return state;
    }

    private static String change(SourceRecord record) {
        return new String(record.headers().lastWithName(DynamoDbDownSourceTask.CHANGE_HEADER).value().toString());
    }

    @Test
    void changesMadeDuringAndAfterTheSnapshotAllArriveAndARestartFromAnyOffsetLosesNone() throws Exception {
        InMemoryOffsets none = new InMemoryOffsets();
        DynamoDbDownSourceTask task = start(none);
        List<SourceRecord> sent = new ArrayList<>(task.poll());
        assertEquals(25, sent.size(), "the first snapshot batch");
        db.put(key(10), "v1");   // behind the snapshot: only the stream can tell
        db.del(key(5));          // behind, deleted
        db.del(key(80));         // ahead: the snapshot will not see it; the stream's delete is harmless
        db.put(key(90), "v1");   // ahead, overwritten
        db.put("k200", "new");   // a new key
        pollUntilReplayEqualsTable(task, sent);
        int snapshotRecords = (int) sent.stream().filter(r -> r.timestamp() == null).count();
        assertEquals(100, snapshotRecords, "the snapshot: 25 entries, then the 75 it found after the changes (k080 gone, k200 new)");

        db.put(key(20), "v2");
        db.batch(List.of(BatchOperation.del(key(21)), BatchOperation.put(key(22), "v2")));
        pollUntilReplayEqualsTable(task, sent);

        SourceRecord tombstone = sent.stream().filter(r -> r.value() == null).findFirst().orElseThrow();
        assertEquals("delete", change(tombstone));
        assertNotNull(tombstone.timestamp(), "a change carries the time DynamoDB recorded it");
        assertTrue(sent.stream().filter(r -> r.value() != null).allMatch(r -> change(r).equals("put")));
        assertNull(sent.get(0).timestamp(), "a snapshot record has no change time: Kafka stamps it");
        assertTrue(sent.stream().allMatch(r -> r.topic().equals("backup")), "no heartbeat: changes came, and 10 minutes did not pass");

        // a restart from the offset of each of these records (were it the last committed) sends what follows
        for (int cut : List.of(0, 40, snapshotRecords - 1, snapshotRecords, sent.size() - 2)) {
            InMemoryOffsets committed = new InMemoryOffsets();
            committed.store(sent.get(cut).sourcePartition(), sent.get(cut).sourceOffset());
            db.put(key(30), "after-cut-" + cut);
            db.del(key(31 + cut % 7));
            List<SourceRecord> resumed = new ArrayList<>(sent.subList(0, cut + 1));
            pollUntilReplayEqualsTable(start(committed), resumed);
        }
    }

    @Test
    void aQuietDatabaseSendsHeartbeatsSoItsStoredPositionKeepsUpWithTheStream() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets(), "changes.heartbeat.interval.ms", "1");
        List<SourceRecord> sent = new ArrayList<>();
        pollUntilReplayEqualsTable(task, sent);
        try (Database other = DynamoDbDown.open(dynamo.client(), table + "$other")) {
            other.put("x", "another database's change: it moves the stream position, not this database");
        }
        List<SourceRecord> heartbeats = new ArrayList<>();
        await("a heartbeat").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = task.poll();
            if (records != null) {
                records.stream().filter(r -> r.topic().equals("dynamodbdown-heartbeats")).forEach(heartbeats::add);
            }
            return !heartbeats.isEmpty();
        });
        SourceRecord heartbeat = heartbeats.get(heartbeats.size() - 1);
        assertEquals(new RangePartition("orders", KeyRange.all()).changesPartition(table), heartbeat.sourcePartition());
        assertEquals("orders", new String((byte[]) heartbeat.key()));
        ChangeCheckpoint position = RangePartition.checkpointOf(heartbeat.sourceOffset());
        assertEquals(position.encode(), new String((byte[]) heartbeat.value()));

        InMemoryOffsets committed = new InMemoryOffsets();
        committed.store(heartbeat.sourcePartition(), heartbeat.sourceOffset());
        db.put(key(1), "after the heartbeat");
        DynamoDbDownSourceTask resumed = start(committed);
        List<SourceRecord> after = new ArrayList<>();
        await("the next change").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = resumed.poll();
            if (records != null) {
                records.stream().filter(r -> r.topic().equals("backup")).forEach(after::add);
            }
            return !after.isEmpty();
        });
        assertEquals(List.of(key(1) + "=after the heartbeat"),
                after.stream().map(r -> new String((byte[]) r.key()) + "=" + new String((byte[]) r.value())).toList(),
                "resumed from the heartbeat's position: the change after it, nothing before it again");
    }

    @Test
    void itsMetricsCountRecordsAndHeartbeatsApartAndKnowTheLagOnlyOnceItFollowsTheStream() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets(), "changes.heartbeat.interval.ms", "1");
        List<SourceRecord> sent = new ArrayList<>(task.poll());
        assertEquals(25, task.metrics().recordsPolled.get());
        assertTrue(Double.isNaN(task.metrics().changeLagMs()), "in the snapshot no lag is known");
        db.put(key(1), "v1"); // behind the snapshot: it arrives from the stream
        pollUntilReplayEqualsTable(task, sent);
        double lag = task.metrics().changeLagMs();
        assertTrue(lag >= 0 && lag < 60_000, "the age of the newest change read: " + lag);
        try (Database other = DynamoDbDown.open(dynamo.client(), table + "$other")) {
            other.put("x", "moves the stream position, not this database's");
        }
        await("a heartbeat").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = task.poll();
            if (records != null) {
                sent.addAll(records);
            }
            return task.metrics().heartbeatsSent.get() > 0;
        });
        long heartbeats = sent.stream().filter(r -> r.topic().equals("dynamodbdown-heartbeats")).count();
        assertEquals(heartbeats, task.metrics().heartbeatsSent.get());
        assertEquals(sent.size() - heartbeats, task.metrics().recordsPolled.get(), "every record but the heartbeats");
    }

    @Test
    void throttledQueriesAndGetRecordsAreRiddenOutAndCounted() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets());
        http.fail("Query", Fault.THROTTLE, 0, 2); // both attempts (max.retries 1) of the snapshot's first page
        List<SourceRecord> sent = new ArrayList<>();
        pollUntilReplayEqualsTable(task, sent);
        assertEquals(2, task.metrics().requestsThrottled.get(), "the snapshot's throttled Query attempts");
        http.fail("GetRecords", Fault.STREAMS_LIMIT, 0, 2);
        db.put(key(1), "while the stream throttles");
        pollUntilReplayEqualsTable(task, sent);
        assertEquals(2 + 2, task.metrics().requestsThrottled.get(), "and the stream's LimitExceeded answers");
    }

    @Test
    void getRecordsFailingForAWhileDelaysChangesButLosesNone() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets());
        List<SourceRecord> sent = new ArrayList<>();
        pollUntilReplayEqualsTable(task, sent);
        http.failAlways("GetRecords", Fault.CONNECTION_REFUSED);
        for (int i = 0; i < 20; i++) {
            db.put(key(i), "during-outage");
        }
        db.del(key(50));
        assertThrows(RetriableException.class, () -> {
            for (int poll = 0; poll < 5; poll++) {
                task.poll();
            }
        }, "the failure is retriable: the worker polls again");
        http.heal();
        pollUntilReplayEqualsTable(task, sent);
        assertTrue(http.injected() >= 2, "the reads failed: " + http.injected());
    }

    @Test
    void aCheckpointTheStreamCannotContinueFailsTheTaskOrTakesANewSnapshotAsConfigured() throws Exception {
        String stream = dynamo.client().describeTable(b -> b.tableName(table)).table().latestStreamArn();
        ChangeCheckpoint gone = ChangeCheckpoint.since(null).inStream(stream).at("shardId-trimmed-away", "000000000000000000001");
        Map<String, String> partition = new RangePartition("orders", KeyRange.all()).changesPartition(table);
        InMemoryOffsets offsets = new InMemoryOffsets();
        offsets.store(partition, RangePartition.streamOffset(gone));

        DynamoDbDownSourceTask failing = start(offsets);
        ConnectException e = assertThrows(ConnectException.class, () -> {
            for (int poll = 0; poll < 5; poll++) {
                failing.poll();
            }
        });
        assertTrue(e.getMessage().contains("changes.on.trimmed=resnapshot") && e.getMessage().contains("shardId-trimmed-away"),
                e.getMessage());

        List<SourceRecord> sent = new ArrayList<>();
        pollUntilReplayEqualsTable(start(offsets, "changes.on.trimmed", "resnapshot"), sent);
        assertEquals(100, sent.size(), "a new snapshot of every entry");
    }
}
