package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.kafka.connect.FaultySourceTasks.isSnapshotEnd;
import static io.dynamodbdown.kafka.connect.FaultySourceTasks.pollAndCommit;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.WriteOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Snapshot ends under the faults a skeptical review found (issue #24, 4): several databases of one source in one
 * copy, a restart while the markers are being written, a transformation that renames the topic, records given to
 * the sink again after its clear (a crash, or a retried batch), and a restart before the markers of a resnapshot.
 * Source and sink tasks are driven directly on DynamoDB Local, as a worker drives them.
 */
class SnapshotEndFaultsTest {

    private static final String TOPIC = "backup";

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final String table = DynamoDbLocal.uniqueTableName("review-src");
    private final String copyTable = DynamoDbLocal.uniqueTableName("review-copy");
    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final List<DynamoDbDownSourceTask> tasks = new ArrayList<>();
    private final List<DynamoDbDownSinkTask> sinks = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.forEach(DynamoDbDownSourceTask::stop);
        sinks.forEach(DynamoDbDownSinkTask::stop);
        http.close();
        for (String t : List.of(table, copyTable)) {
            try {
                dynamo.client().deleteTable(b -> b.tableName(t));
            } catch (RuntimeException ignored) {
                // not created
            }
        }
    }

    private DynamoDbDownSourceTask startSource(List<String> hashKeys, OffsetStorageReader offsets, String... extra) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", TOPIC, "mode", "changes",
                "poll.interval.ms", "10", "max.retries", "1", "retry.backoff.ms", "1", "retry.backoff.max.ms", "5"));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        DynamoDbDownSourceTask task = FaultySourceTasks.start(dynamo, http, String.join(",", hashKeys), props, offsets);
        tasks.add(task);
        return task;
    }

    private DynamoDbDownSinkTask startSink(String hashKey) {
        return startSink(hashKey, Map.of());
    }

    private DynamoDbDownSinkTask startSink(String hashKey, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of("table", copyTable, "hash.key", hashKey, "batch.size", "50",
                "aws.endpoint", dynamo.endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        props.putAll(extra);
        DynamoDbDownSinkTask sink = new DynamoDbDownSinkTask();
        sink.initialize(new StubSinkTaskContext(false));
        sink.start(props);
        sinks.add(sink);
        return sink;
    }

    /** The records of the topic as the sink gets them: partition as the worker wrote them, offsets in order. */
    private static List<SinkRecord> asSinkRecords(List<SourceRecord> sent, ToIntFunction<SourceRecord> partitionOf) {
        List<SinkRecord> out = new ArrayList<>();
        long offset = 0;
        for (SourceRecord r : sent) {
            if (!r.topic().equals(TOPIC)) {
                continue; // heartbeats
            }
            int partition = r.kafkaPartition() != null ? r.kafkaPartition() : partitionOf.applyAsInt(r);
            out.add(new SinkRecord(TOPIC, partition, r.keySchema(), r.key(), r.valueSchema(), r.value(), offset++, null,
                    TimestampType.NO_TIMESTAMP_TYPE, r.headers()));
        }
        return out;
    }

    private static TreeSet<String> keys(Database db) {
        TreeSet<String> keys = new TreeSet<>();
        try (var it = db.iterator(KeyRange.all())) {
            it.forEachRemaining((Entry e) -> keys.add(new String(e.key())));
        }
        return keys;
    }

    /**
     * One changes-mode source of two databases writes one topic, and the sink writes it into one copy. The two
     * databases' snapshots have generations of their own; before, the newer one's end cleared every entry of the
     * older generation, the other database's included. Generations are now of an origin (table and database), and a
     * snapshot's end clears only its own database's older entries.
     */
    @Test
    void twoDatabasesOfOneChangesSourceInOneCopyKeepEachOthersEntries() throws Exception {
        try (Database a = DynamoDbDown.open(dynamo.client(), table + "$a", OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false));
                Database b = DynamoDbDown.open(dynamo.client(), table + "$b")) {
            List<BatchOperation> pa = new ArrayList<>();
            List<BatchOperation> pb = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pa.add(BatchOperation.put(String.format("a-%02d", i), "va"));
                pb.add(BatchOperation.put(String.format("b-%02d", i), "vb"));
            }
            a.batch(pa);
            b.batch(pb);
        }
        DynamoDbDownSourceTask source = startSource(List.of("a", "b"), new InMemoryOffsets());
        List<SourceRecord> sent = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            sent.addAll(pollAndCommit(source, r -> 0));
            return sent.stream().filter(FaultySourceTasks::isSnapshotEnd).count() >= 2;
        });

        DynamoDbDownSinkTask sink = startSink("copy-${topic}");
        sink.put(asSinkRecords(sent, r -> 0));
        sink.flush(Map.of());
        try (Database copy = DynamoDbDown.open(dynamo.client(), copyTable + "$copy-" + TOPIC)) {
            assertEquals(40, keys(copy).size(), "the copy holds both databases' 40 keys: " + keys(copy));
        }
    }

    /**
     * A resnapshot whose worker dies after its last snapshot record's offset is stored but before its markers are
     * written: the restarted task sends a marker to every partition records were ever seen in (the stream phase's
     * offsets carried the count), so the sink clears the copy only once all three are reached, and never loses a key
     * the source holds. (A first snapshot of a handful of keys cut off the same way may know fewer partitions than
     * the topic has: README.)
     */
    @Test
    void aResnapshotRestartedBeforeItsMarkersSendsThemToEveryPartitionSeen() throws Exception {
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$orders",
                OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                puts.add(BatchOperation.put(String.format("k%03d", i), "v"));
            }
            db.batch(puts);
        }
        // the stream phase, in a stream that is gone: a new snapshot, with the three partitions seen
        InMemoryOffsets offsets = FaultySourceTasks.inAStreamThatIsGone(table, "orders", 3);
        ToIntFunction<SourceRecord> byKey = r -> Math.floorMod(Arrays.hashCode((byte[]) r.key()), 3);
        DynamoDbDownSourceTask first = startSource(List.of("orders"), offsets, "batch.max.rows", "1000",
                "changes.on.trimmed", "resnapshot");
        List<SourceRecord> snapshot = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = first.poll(); // not acknowledged: the markers never come in this run
            for (SourceRecord record : records == null ? List.<SourceRecord>of() : records) {
                if (record.topic().equals(TOPIC)) {
                    snapshot.add(record);
                } else { // the new snapshot's start, and the task's word that it follows it, are written and stored
                    first.commitRecord(record, new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0));
                    offsets.store(record.sourcePartition(), record.sourceOffset());
                }
            }
            return snapshot.size() >= 30;
        });
        SourceRecord last = snapshot.get(snapshot.size() - 1);
        first.stop();
        tasks.remove(first);
        Generation generation = new Generation(table + "$orders",
                Long.parseLong(last.headers().lastWithName(DynamoDbDownHeaders.GENERATION).value().toString()));
        try (Database copy = DynamoDbDown.open(dynamo.client(), copyTable + "$copy")) {
            List<BatchOperation> old = new ArrayList<>(); // the copy of the generation before
            for (int i = 0; i < 30; i++) {
                old.add(BatchOperation.put(String.format("k%03d", i), "v"));
            }
            copy.batch(old, WriteOptions.DEFAULT.withGeneration(new Generation(generation.origin(), 5)));
        }

        InMemoryOffsets stored = new InMemoryOffsets();
        stored.store(ChangesEpoch.partition(table), offsets.offset(ChangesEpoch.partition(table)));
        stored.store(last.sourcePartition(), last.sourceOffset()); // the worker stored the last record's offset, and died
        DynamoDbDownSourceTask restarted = startSource(List.of("orders"), stored, "batch.max.rows", "1000");
        List<SourceRecord> after = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            after.addAll(pollAndCommit(restarted, byKey));
            return after.stream().anyMatch(FaultySourceTasks::isSnapshotEnd);
        });
        List<SourceRecord> markers = after.stream().filter(FaultySourceTasks::isSnapshotEnd).toList();
        assertEquals(List.of(0, 1, 2), markers.stream().map(SourceRecord::kafkaPartition).toList());

        // the sink task of partition 0 writes its records and reaches its marker; partitions 1 and 2 are not written yet
        List<SourceRecord> all = new ArrayList<>(snapshot);
        all.addAll(markers);
        List<SinkRecord> partition0 = asSinkRecords(all, byKey).stream().filter(r -> r.kafkaPartition() == 0).toList();
        DynamoDbDownSinkTask sink = startSink("copy");
        sink.put(partition0);
        sink.flush(Map.of());
        try (Database copy = DynamoDbDown.open(dynamo.client(), copyTable + "$copy")) {
            assertEquals(30, keys(copy).size(), "the copy lost keys the source holds: " + keys(copy));
        }
    }

    /**
     * A RegexRouter (or any SMT that renames the topic) on the source: the acks name the new topic, never the one
     * the source compares with, so partitionsSeen stays 0 and the markers go to partition 0 only, saying 1.
     */
    @Test
    void aRenamingTransformStillSendsAMarkerToEveryPartition() throws Exception {
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$orders",
                OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                puts.add(BatchOperation.put(String.format("k%03d", i), "v"));
            }
            db.batch(puts);
        }
        ToIntFunction<SourceRecord> byKey = r -> Math.floorMod(Arrays.hashCode((byte[]) r.key()), 3);
        InMemoryOffsets offsets = new InMemoryOffsets();
        DynamoDbDownSourceTask task = startSource(List.of("orders"), offsets);
        List<SourceRecord> sent = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = task.poll();
            for (SourceRecord record : records == null ? List.<SourceRecord>of() : records) {
                int partition = record.kafkaPartition() != null ? record.kafkaPartition() : byKey.applyAsInt(record);
                String written = record.topic().equals(TOPIC) ? "dc1." + TOPIC : record.topic(); // RegexRouter
                task.commitRecord(record, new RecordMetadata(new TopicPartition(written, partition), 0, 0, 0, 0, 0));
                offsets.store(record.sourcePartition(), record.sourceOffset());
                sent.add(record);
            }
            task.commit();
            return sent.stream().anyMatch(FaultySourceTasks::isSnapshotEnd);
        });
        assertEquals(List.of(0, 1, 2), sent.stream().filter(FaultySourceTasks::isSnapshotEnd)
                .map(SourceRecord::kafkaPartition).toList(), "a marker to each partition the snapshot went to");
    }

    private SinkRecord change(int partition, long offset, String key, String value, long generation) {
        org.apache.kafka.connect.header.ConnectHeaders headers = new org.apache.kafka.connect.header.ConnectHeaders();
        headers.addString(DynamoDbDownHeaders.TABLE, table);
        headers.addString(DynamoDbDownHeaders.HASH_KEY, "orders");
        headers.addString(DynamoDbDownHeaders.CHANGE, value == null ? DynamoDbDownHeaders.DELETE : DynamoDbDownHeaders.PUT);
        headers.addString(DynamoDbDownHeaders.GENERATION, Long.toString(generation));
        return new SinkRecord(TOPIC, partition, org.apache.kafka.connect.data.Schema.STRING_SCHEMA, key,
                org.apache.kafka.connect.data.Schema.STRING_SCHEMA, value, offset, null, TimestampType.NO_TIMESTAMP_TYPE, headers);
    }

    private SinkRecord snapshotEnd(int partition, long offset, long generation, int partitions) {
        org.apache.kafka.connect.header.ConnectHeaders headers = new org.apache.kafka.connect.header.ConnectHeaders();
        headers.addString(DynamoDbDownHeaders.TABLE, table);
        headers.addString(DynamoDbDownHeaders.HASH_KEY, "orders");
        headers.addString(DynamoDbDownHeaders.CHANGE, DynamoDbDownHeaders.SNAPSHOT_END);
        headers.addString(DynamoDbDownHeaders.GENERATION, Long.toString(generation));
        headers.addString(DynamoDbDownHeaders.RANGE, KeyRange.all().boundsId());
        headers.addString(DynamoDbDownHeaders.PARTITIONS, Integer.toString(partitions));
        return new SinkRecord(TOPIC, partition, org.apache.kafka.connect.data.Schema.BYTES_SCHEMA, new byte[0],
                org.apache.kafka.connect.data.Schema.BYTES_SCHEMA, null, offset, null, TimestampType.NO_TIMESTAMP_TYPE, headers);
    }

    /**
     * A partition holds, after the sink's last committed offset: a change of generation 1 (j put, before the source
     * lost the stream; j was deleted in the gap), the new snapshot (generation 2: k only) and its marker. The sink
     * writes all, reaches the marker, clears j. Its worker then dies before committing the partition's offset; the
     * restarted task gets the same records again: j@1 is written again, and the marker, reached again, clears it
     * again (before, a marker already cleared was skipped, and j stayed for good).
     */
    @Test
    void aRedeliveryAfterTheClearDoesNotBringBackAKeyTheClearDeleted() {
        List<SinkRecord> partition0 = List.of(change(0, 10, "j", "before the gap", 1), change(0, 11, "k", "v", 2),
                snapshotEnd(0, 12, 2, 1));
        DynamoDbDownSinkTask sink = startSink("copy");
        sink.put(partition0);
        try (Database copy = DynamoDbDown.open(dynamo.client(), copyTable + "$copy")) {
            assertEquals(List.of("k"), List.copyOf(keys(copy)), "cleared: j is gone");
            sink.stop(); // a crash: no preCommit, the committed offset stays at 10
            sinks.remove(sink);
            DynamoDbDownSinkTask restarted = startSink("copy");
            restarted.put(partition0); // redelivered from the committed offset
            restarted.flush(Map.of());
            assertEquals(List.of("k"), List.copyOf(keys(copy)), "j, deleted in the source, stays out of the copy");
        }
    }

    /**
     * No crash needed: the framework gives the same put() batch again after a RetriableException. A batch holding a
     * change of generation 1 (j, deleted in the source during the gap), the new snapshot's k and its marker: the
     * marker clears j; a write after it in the same batch is throttled; the worker puts the same batch again: j@1 is
     * written again, and the marker clears it again.
     */
    @Test
    void aThrottledWriteAfterTheMarkerInTheSameBatchDoesNotBringBackAClearedKey() {
        Map<String, String> props = new HashMap<>(Map.of("table", copyTable, "hash.key", "copy", "batch.size", "1",
                "max.retries", "0", "aws.endpoint", dynamo.endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        DynamoDbDownSinkTask sink = new DynamoDbDownSinkTask(config -> DynamoDbClients.builder(config.clientSettings()).httpClient(http).build());
        sink.initialize(new StubSinkTaskContext(false));
        sink.start(props);
        sinks.add(sink);
        List<SinkRecord> batch = List.of(change(0, 10, "j", "before the gap", 1), change(0, 11, "k", "v", 2),
                snapshotEnd(0, 12, 2, 1), change(0, 13, "x", "a change after the snapshot", 2));
        http.fail("BatchWriteItem", io.dynamodbdown.testing.FaultInjectingHttpClient.Fault.THROTTLE, 2, 1);
        org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.connect.errors.RetriableException.class, () -> sink.put(batch));
        try (Database copy = DynamoDbDown.open(dynamo.client(), copyTable + "$copy")) {
            sink.put(batch); // WorkerSinkTask puts the same batch again
            sink.flush(Map.of());
            assertEquals(List.of("k", "x"), List.copyOf(keys(copy)), "j, deleted in the source, stays out of the copy");
        }
    }

    /**
     * The worker commits a source partition's offsets up to the last record acknowledged with all before it: marker
     * 0 acknowledged, markers 1 and 2 not (their partitions' leaders away), an offset commit, a crash. Before, every
     * marker carried the stream's offset, so the restarted task resumed in the stream and never sent markers 1 and 2.
     * Now all but the last carry the snapshot's, and the restarted task sends them all again.
     */
    @Test
    void aCrashWithOnlyTheFirstMarkerWrittenSendsTheOthersAgain() throws Exception {
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$orders",
                OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                puts.add(BatchOperation.put(String.format("k%03d", i), "v"));
            }
            db.batch(puts);
        }
        ToIntFunction<SourceRecord> byKey = r -> Math.floorMod(Arrays.hashCode((byte[]) r.key()), 3);
        InMemoryOffsets firstOffsets = new InMemoryOffsets();
        DynamoDbDownSourceTask first = startSource(List.of("orders"), firstOffsets);
        List<SourceRecord> markers = pollUntilMarkers(first, firstOffsets, byKey, new ArrayList<>());
        assertEquals(3, markers.size());
        first.stop();
        InMemoryOffsets stored = new InMemoryOffsets();
        stored.store(markers.get(0).sourcePartition(), markers.get(0).sourceOffset()); // what the worker committed
        DynamoDbDownSourceTask restarted = startSource(List.of("orders"), stored);
        List<SourceRecord> after = new ArrayList<>();
        for (int poll = 0; poll < 20; poll++) {
            after.addAll(pollAndCommit(restarted, byKey));
        }
        assertEquals(List.of(0, 1, 2), after.stream().filter(FaultySourceTasks::isSnapshotEnd).map(SourceRecord::kafkaPartition)
                .distinct().sorted().toList(), "the markers not yet in Kafka are sent after the restart (with the first again)");
    }

    /**
     * Polls as a worker does, every record written and its offset stored (into {@code written} too), until snapshot-end
     * markers come; returns them, neither written nor stored: the worker dies before they are.
     */
    private static List<SourceRecord> pollUntilMarkers(DynamoDbDownSourceTask task, InMemoryOffsets offsets,
            ToIntFunction<SourceRecord> partitionOf, List<SourceRecord> written) {
        List<SourceRecord> markers = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            List<SourceRecord> records = task.poll();
            for (SourceRecord record : records == null ? List.<SourceRecord>of() : records) {
                if (isSnapshotEnd(record)) {
                    markers.add(record); // not acked yet
                } else {
                    int partition = record.kafkaPartition() != null ? record.kafkaPartition() : partitionOf.applyAsInt(record);
                    task.commitRecord(record, new RecordMetadata(new TopicPartition(record.topic(), partition), 0, 0, 0, 0, 0));
                    offsets.store(record.sourcePartition(), record.sourceOffset());
                    written.add(record);
                }
            }
            task.commit();
            return !markers.isEmpty();
        });
        return markers;
    }

    /**
     * Issue #25: a whole table's snapshot ({@code hash.key=*}) ends with markers for every database, to every partition
     * its segments' records were seen in, the last one carrying its completion. The worker dies with none of them
     * written; the restarted task, whose pieces are all complete, sends them all again (the partitions known from the
     * segments' stored offsets). The sink, writing by header, then deletes from every copy what the snapshot did not
     * send: a key of a database the source holds, and a whole database the source no longer holds; an entry of another
     * source table's stays.
     */
    @Test
    void aWholeTablesSnapshotEndReachesEveryPartitionAfterACrashAndClearsDatabasesTheSourceNoLongerHolds() throws Exception {
        OpenOptions stream = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);
        try (Database a = DynamoDbDown.open(dynamo.client(), table + "$a", stream);
                Database b = DynamoDbDown.open(dynamo.client(), table + "$b", stream.withShards(3))) {
            for (int i = 0; i < 20; i++) {
                a.put(String.format("k%02d", i), "va");
                b.put(String.format("k%02d", i), "vb");
            }
        }
        try (Database a = DynamoDbDown.open(dynamo.client(), copyTable + "$a");
                Database gone = DynamoDbDown.open(dynamo.client(), copyTable + "$gone")) {
            // what the copy holds of an older generation: a key deleted since, a database emptied since, another table's
            a.batch(List.of(BatchOperation.put("k99", "deleted in the source")),
                    WriteOptions.DEFAULT.withGeneration(new Generation(table + "$a", 5)));
            gone.batch(List.of(BatchOperation.put("k01", "gone"), BatchOperation.put("k02", "gone")),
                    WriteOptions.DEFAULT.withGeneration(new Generation(table + "$gone", 5)));
            a.batch(List.of(BatchOperation.put("x01", "another table's")),
                    WriteOptions.DEFAULT.withGeneration(new Generation(table + "-other$a", 5)));
        }
        ToIntFunction<SourceRecord> byKey = r -> Math.floorMod(Arrays.hashCode((byte[]) r.key()), 3);
        InMemoryOffsets offsets = new InMemoryOffsets();
        DynamoDbDownSourceTask first = startSource(List.of("*"), offsets);
        List<SourceRecord> written = new ArrayList<>();
        List<SourceRecord> markers = pollUntilMarkers(first, offsets, byKey, written);
        assertEquals(List.of(0, 1, 2), markers.stream().map(SourceRecord::kafkaPartition).toList());
        for (SourceRecord marker : markers) {
            assertEquals(DynamoDbDownHeaders.ALL_DATABASES, marker.headers().lastWithName(DynamoDbDownHeaders.HASH_KEY).value());
            assertEquals("3", marker.headers().lastWithName(DynamoDbDownHeaders.PARTITIONS).value());
            assertEquals(TOPIC, marker.topic());
        }
        assertEquals(List.of("false", "false", "true"), markers.stream().map(m -> m.sourceOffset().get("done")).toList(),
                "only the last one's offset says the markers are all written");
        first.stop();
        tasks.remove(first);

        DynamoDbDownSourceTask restarted = startSource(List.of("*"), offsets);
        List<SourceRecord> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            again.addAll(pollAndCommit(restarted, byKey));
            return again.stream().filter(FaultySourceTasks::isSnapshotEnd).count() >= 3;
        });
        List<SourceRecord> resent = again.stream().filter(FaultySourceTasks::isSnapshotEnd).toList();
        assertEquals(List.of(0, 1, 2), resent.stream().map(SourceRecord::kafkaPartition).toList(), "sent again after the crash");

        DynamoDbDownSinkTask sink = startSink("unused", Map.of("hash.key.header", DynamoDbDownHeaders.HASH_KEY));
        List<SourceRecord> topic = new ArrayList<>(written);
        topic.addAll(resent);
        sink.put(asSinkRecords(topic, byKey));
        sink.flush(Map.of());
        try (Database a = DynamoDbDown.open(dynamo.client(), copyTable + "$a");
                Database b = DynamoDbDown.open(dynamo.client(), copyTable + "$b");
                Database gone = DynamoDbDown.open(dynamo.client(), copyTable + "$gone")) {
            TreeSet<String> expected = new TreeSet<>();
            for (int i = 0; i < 20; i++) {
                expected.add(String.format("k%02d", i));
            }
            assertEquals(expected, keys(b));
            expected.add("x01");
            assertEquals(expected, keys(a), "k99 deleted, another table's x01 kept");
            assertEquals(new TreeSet<>(), keys(gone), "a database the source no longer holds is emptied");
        }
    }
}
