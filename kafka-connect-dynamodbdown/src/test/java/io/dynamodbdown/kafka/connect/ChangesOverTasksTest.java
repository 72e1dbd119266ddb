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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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

    /**
     * Review of #25: a task waiting for another (task 0's epoch, another task's snapshot piece, task 0's lineages) sent
     * nothing and said nothing, so a failed or slow task 0 left the others silent. After a minute of waiting a task
     * says what it waits for, once a minute. The tasks' clocks are moved by hand: no test waits a minute.
     */
    @Test
    void aTaskWaitingForAnotherSaysForWhatOnceAMinute() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("waiting");
        InMemoryOffsets offsets = new InMemoryOffsets();
        MovableClock clock0 = new MovableClock();
        MovableClock clock1 = new MovableClock();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Database a = DynamoDbDown.open(dynamo.client(), table + "$a", STREAM);
                Database b = DynamoDbDown.open(dynamo.client(), table + "$b", STREAM)) {
            a.put("k", "a");
            b.put("k", "b");
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            // database a is task 0's piece, database b task 1's; task 1 starts alone
            DynamoDbDownSourceTask task1 = startTask(table, 1, offsets, clock1);
            pollAndCommit(task1);
            clock1.move(Duration.ofSeconds(59));
            pollAndCommit(task1);
            assertEquals(List.of(), waitWarnings(log), "no warning within the first minute");
            clock1.move(Duration.ofSeconds(2));
            pollAndCommit(task1);
            clock1.move(Duration.ofSeconds(30));
            pollAndCommit(task1);
            assertWarnedOnce(log, "Task 1 (of 2) of the changes of " + table + " has waited 61 s", "the epoch",
                    "that task 0 makes");
            clock1.move(Duration.ofSeconds(30));
            pollAndCommit(task1);
            assertWarnedOnce(log, "Task 1 (of 2)", "has waited 121 s", "that task 0 makes");

            // task 0 makes the epoch and sends its piece; task 1 is not polled, so its piece is not complete
            DynamoDbDownSourceTask task0 = startTask(table, 0, offsets, clock0);
            List<SourceRecord> sent0 = new ArrayList<>();
            await("task 0's piece ended").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                sent0.addAll(pollAndCommit(task0));
                return sent0.stream().anyMatch(FaultySourceTasks::isSnapshotEnd);
            });
            clock0.move(Duration.ofSeconds(61));
            pollAndCommit(task0);
            assertWarnedOnce(log, "Task 0 (of 2) of the changes of " + table + " has waited 61 s",
                    "the snapshot pieces of generation", "not complete yet: database b (task 1)");

            // task 1 sends its piece; task 0 is not polled, so it stores no lineages
            List<SourceRecord> sent1 = new ArrayList<>();
            await("task 1's piece ended").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                sent1.addAll(pollAndCommit(task1));
                return sent1.stream().anyMatch(FaultySourceTasks::isSnapshotEnd);
            });
            clock1.move(Duration.ofSeconds(2)); // its next read of the pieces' offsets finds them all complete
            pollAndCommit(task1);
            clock1.move(Duration.ofSeconds(61));
            pollAndCommit(task1);
            assertWarnedOnce(log, "Task 1 (of 2) of the changes of " + table + " has waited 61 s",
                    "the lineages of the stream's shards, which task 0 stores");
        } finally {
            System.setErr(originalErr);
            originalErr.print(log.toString(StandardCharsets.UTF_8));
        }
    }

    /** The waiting warnings logged since the last {@link #assertWarnedOnce}. */
    private static List<String> waitWarnings(ByteArrayOutputStream log) {
        return log.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(" WARN ")
                && line.contains(WaitWarning.class.getName())).toList();
    }

    /** Exactly one waiting warning was logged, holding every one of {@code parts}; the log is then cleared. */
    private static void assertWarnedOnce(ByteArrayOutputStream log, String... parts) {
        List<String> warnings = waitWarnings(log);
        System.out.print(log.toString(StandardCharsets.UTF_8));
        log.reset();
        assertEquals(1, warnings.size(), "one warning: " + warnings);
        for (String part : parts) {
            assertTrue(warnings.get(0).contains(part), "'" + part + "' in: " + warnings.get(0));
        }
    }

    private DynamoDbDownSourceTask startTask(String table, int index, InMemoryOffsets offsets, Clock clock) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", TOPIC, "mode", "changes",
                "poll.interval.ms", "10", DynamoDbDownSourceTask.TASK_INDEX, Integer.toString(index),
                DynamoDbDownSourceTask.TASK_COUNT, "2"));
        DynamoDbDownSourceTask task = FaultySourceTasks.start(dynamo, http, null, "a,b", props, offsets, clock);
        running.add(task);
        return task;
    }

    /** A clock that stands still at the time it was made, but for the moves it is given. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
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
