package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.kafka.connect.FaultySourceTasks.isData;
import static io.dynamodbdown.kafka.connect.FaultySourceTasks.isSnapshotEnd;
import static io.dynamodbdown.kafka.connect.FaultySourceTasks.pollAndCommit;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The source task in changes mode, driven as a worker drives it (each record acknowledged, offsets committed after
 * each poll): a snapshot, then the change stream, with puts, overwrites and deletes made while the snapshot runs
 * and after. A replay of what it sent (puts, tombstones) must equal the table, also when a restarted task resumes
 * from the offset of any record, in the snapshot, at the hand-over or in the stream, when its first start is cut
 * short, when the stream's reads fail for a while, and when its checkpoint can no longer be continued.
 */
class ChangesSourceTaskTest {

    private static final String TOPIC = "backup";

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
        return start(offsets, Clock.systemUTC(), extra);
    }

    private DynamoDbDownSourceTask start(InMemoryOffsets offsets, Clock clock, String... extra) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", TOPIC,
                "mode", "changes", "batch.max.rows", "25", "poll.interval.ms", "10",
                "max.retries", "1", "retry.backoff.ms", "1", "retry.backoff.max.ms", "5"));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        DynamoDbDownSourceTask task = FaultySourceTasks.start(dynamo, http, "orders", props, offsets, clock);
        tasks.add(task);
        return task;
    }

    /** Polls (as a worker) into {@code sent} until a replay of it equals the table; RetriableExceptions are polled past. */
    private static void pollUntilReplayEqualsTable(DynamoDbDownSourceTask task, List<SourceRecord> sent, Database db) {
        pollUntilReplayEqualsTable(task, sent, db, record -> 0);
    }

    private static void pollUntilReplayEqualsTable(DynamoDbDownSourceTask task, List<SourceRecord> sent, Database db,
            ToIntFunction<SourceRecord> partitionOf) {
        await("a replay of the records to equal the table").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO)
                .until(() -> {
                    try {
                        sent.addAll(pollAndCommit(task, partitionOf));
                    } catch (RetriableException e) {
                        return false;
                    }
                    return replay(sent).equals(contents(db));
                });
    }

    private void pollUntilReplayEqualsTable(DynamoDbDownSourceTask task, List<SourceRecord> sent) {
        pollUntilReplayEqualsTable(task, sent, db);
    }

    /** The data records (entries and tombstones of the topic) among {@code records}. */
    private static List<SourceRecord> data(List<SourceRecord> records) {
        return records.stream().filter(r -> isData(r, TOPIC)).toList();
    }

    private static Map<String, String> replay(List<SourceRecord> records) {
        Map<String, String> state = new TreeMap<>();
        for (SourceRecord record : data(records)) {
            String key = new String((byte[]) record.key());
            if (record.value() == null) {
                state.remove(key);
            } else {
                state.put(key, new String((byte[]) record.value()));
            }
        }
        return state;
    }

    private static Map<String, String> contents(Database db) {
        Map<String, String> state = new TreeMap<>();
        try (var entries = db.iterator(KeyRange.all())) {
            entries.forEachRemaining((Entry e) -> state.put(new String(e.key()), new String(e.value())));
        }
        return state;
    }

    private static String header(SourceRecord record, String name) {
        return record.headers().lastWithName(name).value().toString();
    }

    /** Polls until the task sends entries of the topic: the first snapshot batch, once its start is stored. */
    private static List<SourceRecord> pollUntilData(DynamoDbDownSourceTask task, List<SourceRecord> sent) {
        await("the first entries").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            sent.addAll(pollAndCommit(task));
            return !data(sent).isEmpty();
        });
        return data(sent);
    }

    @Test
    void changesMadeDuringAndAfterTheSnapshotAllArriveAndARestartFromAnyOffsetLosesNone() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets(), "heartbeat.interval.ms", "600000");
        List<SourceRecord> sent = new ArrayList<>();
        assertEquals(25, pollUntilData(task, sent).size(), "the first snapshot batch");
        db.put(key(10), "v1");   // behind the snapshot: only the stream can tell
        db.del(key(5));          // behind, deleted
        db.del(key(80));         // ahead: the snapshot will not see it; the stream's delete is harmless
        db.put(key(90), "v1");   // ahead, overwritten
        db.put("k200", "new");   // a new key
        pollUntilReplayEqualsTable(task, sent);
        int snapshotRecords = (int) data(sent).stream().filter(r -> r.timestamp() == null).count();
        assertEquals(100, snapshotRecords, "the snapshot: 25 entries, then the 75 it found after the changes (k080 gone, k200 new)");

        db.put(key(20), "v2");
        db.batch(List.of(BatchOperation.del(key(21)), BatchOperation.put(key(22), "v2")));
        pollUntilReplayEqualsTable(task, sent);

        List<SourceRecord> data = data(sent);
        SourceRecord tombstone = data.stream().filter(r -> r.value() == null).findFirst().orElseThrow();
        assertEquals("delete", header(tombstone, DynamoDbDownHeaders.CHANGE));
        assertNotNull(tombstone.timestamp(), "a change carries the time DynamoDB recorded it");
        assertTrue(data.stream().filter(r -> r.value() != null).allMatch(r -> header(r, DynamoDbDownHeaders.CHANGE).equals("put")));
        assertTrue(sent.stream().allMatch(r -> header(r, DynamoDbDownHeaders.HASH_KEY).equals("orders")), "every record names its database");
        String generation = header(data.get(0), DynamoDbDownHeaders.GENERATION);
        assertTrue(data.stream().allMatch(r -> header(r, DynamoDbDownHeaders.GENERATION).equals(generation)),
                "the snapshot and the changes after it share one generation");
        assertNull(data.get(0).timestamp(), "a snapshot record has no change time: Kafka stamps it");
        assertEquals(List.of(), sent.stream().filter(r -> r.topic().equals("dynamodbdown-heartbeats")
                && r.sourceOffset().get(ShardOffset.SEQUENCE) != null).toList(),
                "no heartbeat of a position moved while idle: changes came, and the interval did not pass (the start's"
                        + " and the shards' lineages are sent once)");
        assertEquals(1, sent.stream().filter(FaultySourceTasks::isSnapshotEnd).count(), "one snapshot-end marker, to partition 0");

        // a restart from what the worker committed up to each of these records (were it the last) sends what follows
        for (int cut : List.of(0, 40, snapshotRecords - 1, snapshotRecords, data.size() - 2)) {
            InMemoryOffsets committed = committedUpTo(sent, data.get(cut));
            db.put(key(30), "after-cut-" + cut);
            db.del(key(31 + cut % 7));
            List<SourceRecord> resumed = new ArrayList<>(data.subList(0, cut + 1));
            pollUntilReplayEqualsTable(start(committed), resumed);
        }
    }

    /** The offsets a worker stores having committed {@code sent} up to {@code last}: each partition's latest. */
    private static InMemoryOffsets committedUpTo(List<SourceRecord> sent, SourceRecord last) {
        InMemoryOffsets committed = new InMemoryOffsets();
        for (SourceRecord record : sent.subList(0, sent.indexOf(last) + 1)) {
            committed.store(record.sourcePartition(), record.sourceOffset());
        }
        return committed;
    }

    /**
     * Issue #24, 5: a first start whose snapshot's start time was not stored yet would begin again with a later one,
     * and a key the first run sent and deleted in between would stay in a copy. Now nothing but the start is sent
     * until the worker has stored it (read back from the offset store: acknowledgements and commit() calls prove
     * nothing, the worker may not have taken the offset into its commit yet); a restart (here three minutes later by
     * its clock) goes on from it.
     */
    @Test
    void aFirstStartSendsNothingUntilItsStartIsStoredSoARestartMissesNoDelete() throws Exception {
        InMemoryOffsets stored = new InMemoryOffsets();
        DynamoDbDownSourceTask first = start(stored);
        List<SourceRecord> startOnly = first.poll();
        assertEquals(1, startOnly.size());
        SourceRecord start = startOnly.get(0);
        assertEquals("dynamodbdown-heartbeats", start.topic(), "the snapshot's start, as a heartbeat");
        first.commitRecord(start, new RecordMetadata(new TopicPartition(start.topic(), 0), 0, 0, 0, 0, 0));
        for (int poll = 0; poll < 3; poll++) {
            first.commit();
            assertNull(first.poll(), "nothing more until the worker stored the start: acknowledged and committed is not enough");
        }
        stored.store(start.sourcePartition(), start.sourceOffset());
        List<SourceRecord> sentByFirst = data(first.poll());
        assertEquals(25, sentByFirst.size(), "the snapshot's first batch");
        assertEquals(key(5), new String((byte[]) sentByFirst.get(5).key()));

        db.del(key(5)); // sent by the first run, which stops before any of its records' offsets are stored
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(3));
        DynamoDbDownSourceTask restarted = start(stored, later);
        List<SourceRecord> sent = new ArrayList<>(sentByFirst);
        pollUntilReplayEqualsTable(restarted, sent);
        assertNull(replay(sent).get(key(5)), "the stream from the stored start deletes what the first run sent");
    }

    @Test
    void aQuietDatabaseSendsHeartbeatsSoItsStoredPositionKeepsUpWithTheStream() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets(), "heartbeat.interval.ms", "1");
        List<SourceRecord> sent = new ArrayList<>();
        pollUntilReplayEqualsTable(task, sent);
        try (Database other = DynamoDbDown.open(dynamo.client(), table + "$other")) {
            other.put("x", "another database's change: it moves the stream position, not this database");
        }
        List<SourceRecord> heartbeats = new ArrayList<>();
        await("a heartbeat").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            pollAndCommit(task).stream().filter(r -> r.topic().equals("dynamodbdown-heartbeats")
                    && r.sourceOffset().get(ShardOffset.SEQUENCE) != null).forEach(heartbeats::add);
            return !heartbeats.isEmpty();
        });
        SourceRecord heartbeat = heartbeats.get(heartbeats.size() - 1);
        assertEquals(Set.of("stream", "shard"), heartbeat.sourcePartition().keySet(), "a stream shard's position");
        assertEquals("orders", new String((byte[]) heartbeat.key()));
        ShardOffset position = ShardOffset.of(heartbeat.sourceOffset());
        assertEquals(heartbeat.sourcePartition().get("shard") + "@" + position.position().sequenceNumber(),
                new String((byte[]) heartbeat.value()));

        InMemoryOffsets committed = committedUpTo(sent, sent.get(sent.size() - 1));
        heartbeats.forEach(h -> committed.store(h.sourcePartition(), h.sourceOffset()));
        db.put(key(1), "after the heartbeat");
        DynamoDbDownSourceTask resumed = start(committed);
        List<SourceRecord> after = new ArrayList<>();
        await("the next change").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            after.addAll(data(pollAndCommit(resumed)));
            return !after.isEmpty();
        });
        assertEquals(List.of(key(1) + "=after the heartbeat"),
                after.stream().map(r -> new String((byte[]) r.key()) + "=" + new String((byte[]) r.value())).toList(),
                "resumed from the heartbeat's position: the change after it, nothing before it again");
    }

    @Test
    void itsMetricsCountRecordsAndHeartbeatsApartAndKnowTheLagOnlyOnceItFollowsTheStream() throws Exception {
        DynamoDbDownSourceTask task = start(new InMemoryOffsets(), "heartbeat.interval.ms", "1");
        List<SourceRecord> sent = new ArrayList<>();
        pollUntilData(task, sent);
        assertEquals(25, task.metrics().recordsPolled.get());
        assertTrue(Double.isNaN(task.metrics().changeLagMs()), "in the snapshot no lag is known");
        db.put(key(1), "v1"); // behind the snapshot: it arrives from the stream
        pollUntilReplayEqualsTable(task, sent);
        double lag = task.metrics().changeLagMs();
        assertTrue(lag >= 0 && lag < 60_000, "the age of the newest change read: " + lag);
        try (Database other = DynamoDbDown.open(dynamo.client(), table + "$other")) {
            other.put("x", "moves the stream position, not this database's");
        }
        long before = task.metrics().heartbeatsSent.get();
        await("a heartbeat").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            sent.addAll(pollAndCommit(task));
            return task.metrics().heartbeatsSent.get() > before;
        });
        long heartbeats = sent.stream().filter(r -> r.topic().equals("dynamodbdown-heartbeats")).count();
        assertEquals(heartbeats, task.metrics().heartbeatsSent.get());
        assertEquals(data(sent).size(), task.metrics().recordsPolled.get(), "every entry and change, no heartbeat, no marker");
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
        // the shards are read in the background: the failure reaches the worker within a few polls, as retriable
        await("the failure, retriable: the worker polls again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO)
                .until(() -> {
                    try {
                        pollAndCommit(task);
                        return false;
                    } catch (RetriableException e) {
                        return true;
                    }
                });
        http.heal();
        pollUntilReplayEqualsTable(task, sent);
        assertTrue(http.injected() >= 2, "the reads failed: " + http.injected());
    }

    @Test
    void aCheckpointTheStreamCannotContinueFailsTheTaskOrTakesANewSnapshotInANewGeneration() throws Exception {
        InMemoryOffsets offsets = FaultySourceTasks.inAStreamThatIsGone(table, "orders", 0);
        DynamoDbDownSourceTask failing = start(offsets);
        ConnectException e = assertThrows(ConnectException.class, () -> {
            for (int poll = 0; poll < 5; poll++) {
                pollAndCommit(failing);
            }
        });
        assertTrue(e.getMessage().contains("changes.on.trimmed=resnapshot") && e.getMessage().contains("turned off and on"),
                e.getMessage());

        // a topic of three partitions; the records of the new snapshot land in them by key
        ToIntFunction<SourceRecord> byKey = r -> Math.floorMod(Arrays.hashCode((byte[]) r.key()), 3);
        List<SourceRecord> sent = new ArrayList<>();
        DynamoDbDownSourceTask resnapshotting = start(offsets, "changes.on.trimmed", "resnapshot");
        pollUntilReplayEqualsTable(resnapshotting, sent, db, byKey);
        await("the snapshot-end markers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
            sent.addAll(pollAndCommit(resnapshotting, byKey));
            return sent.stream().anyMatch(FaultySourceTasks::isSnapshotEnd);
        });
        List<SourceRecord> snapshot = data(sent).stream().filter(r -> r.timestamp() == null).toList();
        assertEquals(100, snapshot.size(), "a new snapshot of every entry (then the stream from its start)");
        long generation = Long.parseLong(header(snapshot.get(0), DynamoDbDownHeaders.GENERATION));
        assertTrue(generation > 5, "a new generation, newer than the stored one: " + generation);
        List<SourceRecord> ends = sent.stream().filter(FaultySourceTasks::isSnapshotEnd).toList();
        assertEquals(List.of(0, 1, 2), ends.stream().map(SourceRecord::kafkaPartition).toList(),
                "one marker to each partition the records were seen in");
        for (SourceRecord end : ends) {
            assertEquals(Long.toString(generation), header(end, DynamoDbDownHeaders.GENERATION));
            assertEquals("3", header(end, DynamoDbDownHeaders.PARTITIONS));
            assertEquals(KeyRange.all().boundsId(), header(end, DynamoDbDownHeaders.RANGE));
            assertEquals(0, ((byte[]) end.key()).length, "an empty key, which no entry has");
            assertNull(end.value());
            assertTrue(sent.indexOf(end) > sent.indexOf(snapshot.get(snapshot.size() - 1)), "after the snapshot's last record");
        }
        assertTrue(PieceOffset.of(ends.get(2).sourceOffset()).done(), "the last one's offset: the snapshot is complete");
        assertTrue(!PieceOffset.of(ends.get(0).sourceOffset()).done() && !PieceOffset.of(ends.get(1).sourceOffset()).done(),
                "the others' the snapshot's: a restart before all are written sends them again");
    }
}
