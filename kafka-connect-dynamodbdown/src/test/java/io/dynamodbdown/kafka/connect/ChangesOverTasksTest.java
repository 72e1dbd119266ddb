package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.kafka.connect.FaultySourceTasks.isSnapshotEnd;
import static io.dynamodbdown.kafka.connect.FaultySourceTasks.pollAndCommit;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.StreamSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Changes mode spread over tasks ({@code tasks.max}), on a simulated stream of 8 shards that split while the tasks
 * read: every change of every database arrives once, each key's changes in the order they were made, with 1, 2 and 4
 * tasks and when the tasks are stopped and more of them take over (a rebalance: a new task count, the same offsets).
 */
class ChangesOverTasksTest {

    private static final String TOPIC = "backup";
    private static final OpenOptions STREAM = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final List<DynamoDbDownSourceTask> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(DynamoDbDownSourceTask::stop);
        http.close();
    }

    @Test
    void eachChangeArrivesOnceInItsKeysOrderWithOneTwoAndFourTasksAcrossSplitsAndAHandOverToMoreTasks() throws Exception {
        for (int tasks : new int[] {1, 2, 4}) {
            String table = DynamoDbLocal.uniqueTableName("over-tasks-" + tasks);
            Workload workload = new Workload(tasks);
            InMemoryOffsets offsets = new InMemoryOffsets(); // the connector's, shared by its tasks as a worker's are
            try (Database a = DynamoDbDown.open(dynamo.client(), table + "$a", STREAM);
                    Database b = DynamoDbDown.open(dynamo.client(), table + "$b", STREAM);
                    StreamSimulator simulator = StreamSimulator.of(dynamo, table).shards(8).splitEvery(300).start()) {
                Map<String, Database> databases = Map.of("a", a, "b", b);
                workload.write(databases, 200); // before the snapshot: it sends them
                List<DynamoDbDownSourceTask> first = startTasks(table, simulator, tasks, offsets);
                List<SourceRecord> sent = new ArrayList<>();
                workload.write(databases, 400);
                simulator.splitAll();
                pollUntilReplayEquals(first, sent, databases);
                first.forEach(DynamoDbDownSourceTask::stop);
                running.removeAll(first);

                // a rebalance to one task more: they go on from the offsets the first ones committed
                List<DynamoDbDownSourceTask> second = startTasks(table, simulator, tasks + 1, offsets);
                workload.write(databases, 400);
                simulator.splitAll();
                pollUntilReplayEquals(second, sent, databases);

                List<SourceRecord> changes = sent.stream().filter(r -> r.topic().equals(TOPIC) && !isSnapshotEnd(r)
                        && r.timestamp() != null).toList();
                Map<String, List<Integer>> byKey = new TreeMap<>();
                for (SourceRecord change : changes) {
                    byKey.computeIfAbsent(idOf(change), k -> new ArrayList<>()).add(change.value() == null ? -1
                            : Integer.parseInt(new String((byte[]) change.value()).substring(1)));
                }
                byKey.forEach((key, values) -> assertTrue(isIncreasing(values),
                        key + ": its changes in the order they were made, each once: " + values));
                System.out.printf("%d then %d tasks: %d changes through %d shards, %d GetRecords calls (%d throttled),"
                        + " %d records and heartbeats%n", tasks, tasks + 1, changes.size(), simulator.shards().size(),
                        simulator.getRecordsCalls(), simulator.throttledCalls(), sent.size());
                running.forEach(DynamoDbDownSourceTask::stop);
                running.clear();
            }
        }
    }

    /**
     * Review of #25: a task that finds the stream lost makes a new epoch while the others still stream the old one. A
     * change of the old epoch still on its way to Kafka, written after the new snapshot's entry of its key, would
     * leave the copy with an older value for good. So the new snapshot waits until every task confirmed that all it
     * sent was written.
     */
    @Test
    void aNewEpochsSnapshotWaitsUntilEveryTaskWroteWhatItSentOfTheOldOne() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("handover");
        InMemoryOffsets offsets = new InMemoryOffsets();
        try (Database a = DynamoDbDown.open(dynamo.client(), table + "$a", STREAM);
                Database b = DynamoDbDown.open(dynamo.client(), table + "$b", STREAM);
                StreamSimulator simulator = StreamSimulator.of(dynamo, table).shards(8).start()) {
            Map<String, Database> databases = Map.of("a", a, "b", b);
            new Workload(3).write(databases, 50);
            List<DynamoDbDownSourceTask> tasks = startTasks(table, simulator, 2, offsets);
            List<SourceRecord> sent = new ArrayList<>();
            pollUntilReplayEquals(tasks, sent, databases);
            new Workload(5).write(databases, 40); // both tasks follow the stream
            pollUntilReplayEquals(tasks, sent, databases);

            // one task sends changes that the worker has not written yet
            new Workload(4).write(databases, 40);
            List<SourceRecord> pending = new ArrayList<>();
            await("changes sent, not yet written").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                List<SourceRecord> polled = tasks.get(1).poll();
                if (polled != null) {
                    pending.addAll(polled);
                }
                return pending.stream().anyMatch(r -> r.topic().equals(TOPIC));
            });
            // meanwhile the other task found the stream lost and made a new epoch, which the worker stored
            ChangesEpoch old = ChangesEpoch.of(offsets.offset(ChangesEpoch.partition(table)));
            ChangesEpoch replacing = new ChangesEpoch(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS),
                    old.generation() + 1, old.scope(), old.stream(), old.generation(), old.segments());
            offsets.store(ChangesEpoch.partition(table), replacing.toMap());
            List<SourceRecord> during = new ArrayList<>();
            long until = System.nanoTime() + (ChangesReading.EPOCH_CHECK.toNanos() * 3) / 2;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                during.addAll(pollAndCommit(tasks.get(0)));
                return System.nanoTime() > until;
            });
            String newGeneration = Long.toString(replacing.generation());
            assertEquals(List.of(), during.stream().filter(r -> r.topic().equals(TOPIC)
                    && newGeneration.equals(r.headers().lastWithName(DynamoDbDownHeaders.GENERATION).value())).toList(),
                    "nothing of the new snapshot while the other task's changes were not written");

            for (SourceRecord record : pending) { // the worker writes them
                tasks.get(1).commitRecord(record, null);
                offsets.store(record.sourcePartition(), record.sourceOffset());
            }
            sent.addAll(pending);
            sent.addAll(during);
            await("then the new snapshot").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                for (DynamoDbDownSourceTask task : tasks) {
                    sent.addAll(pollAndCommit(task));
                }
                return sent.stream().anyMatch(r -> r.topic().equals(TOPIC) && r.timestamp() == null
                        && newGeneration.equals(r.headers().lastWithName(DynamoDbDownHeaders.GENERATION).value()));
            });
            pollUntilReplayEquals(tasks, sent, databases);
        }
    }

    private List<DynamoDbDownSourceTask> startTasks(String table, StreamSimulator simulator, int count, InMemoryOffsets offsets) {
        List<DynamoDbDownSourceTask> tasks = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", TOPIC, "mode", "changes",
                    "batch.max.rows", "100", "poll.interval.ms", "10", "heartbeat.interval.ms", "100",
                    DynamoDbDownSourceTask.TASK_INDEX, Integer.toString(index),
                    DynamoDbDownSourceTask.TASK_COUNT, Integer.toString(count)));
            tasks.add(FaultySourceTasks.start(dynamo, http, simulator.endpoint(), "a,b", props, offsets, Clock.systemUTC()));
        }
        running.addAll(tasks);
        return tasks;
    }

    /** Polls the tasks in turn, as their worker does, until a replay of what they sent equals both databases. */
    private static void pollUntilReplayEquals(List<DynamoDbDownSourceTask> tasks, List<SourceRecord> sent,
            Map<String, Database> databases) {
        Map<String, String> expected = new TreeMap<>();
        databases.forEach((name, db) -> {
            try (var entries = db.iterator(KeyRange.all())) {
                entries.forEachRemaining((Entry e) -> expected.put(name + "/" + new String(e.key()), new String(e.value())));
            }
        });
        await("a replay of the records to equal the databases").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ZERO)
                .until(() -> {
                    for (DynamoDbDownSourceTask task : tasks) {
                        sent.addAll(pollAndCommit(task));
                    }
                    return replay(sent).equals(expected);
                });
    }

    private static Map<String, String> replay(List<SourceRecord> records) {
        Map<String, String> state = new TreeMap<>();
        for (SourceRecord record : records) {
            if (!record.topic().equals(TOPIC) || isSnapshotEnd(record)) {
                continue;
            }
            if (record.value() == null) {
                state.remove(idOf(record));
            } else {
                state.put(idOf(record), new String((byte[]) record.value()));
            }
        }
        return state;
    }

    /** The record's database and key: the databases' keys overlap. */
    private static String idOf(SourceRecord record) {
        return record.headers().lastWithName(DynamoDbDownHeaders.HASH_KEY).value() + "/" + new String((byte[]) record.key());
    }

    private static boolean isIncreasing(List<Integer> values) {
        int last = Integer.MIN_VALUE;
        for (int value : values) {
            if (value != -1 && value <= last) {
                return false;
            }
            last = Math.max(last, value);
        }
        return true;
    }

    /** Puts and deletes of 40 keys in each of the databases, each put's value numbered in the order written. */
    private static final class Workload {
        private final Random random;
        private int written;

        Workload(long seed) {
            this.random = new Random(seed);
        }

        void write(Map<String, Database> databases, int writes) {
            List<String> names = new ArrayList<>(new TreeMap<>(databases).keySet());
            for (int i = 0; i < writes; i++) {
                Database db = databases.get(names.get(random.nextInt(names.size())));
                String key = String.format("k%02d", random.nextInt(40));
                if (random.nextInt(4) == 0) {
                    db.del(key);
                } else {
                    db.put(key, "w" + written++);
                }
            }
        }
    }
}
