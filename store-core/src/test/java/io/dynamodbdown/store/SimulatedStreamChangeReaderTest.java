package io.dynamodbdown.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.StreamSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The change reader on a stream as AWS serves one, simulated over DynamoDB Local's ({@link StreamSimulator}):
 * several shards that split and roll over while the table is written, listed a few a page, 5 GetRecords calls
 * a second per shard, pages of at most 1,000 records or 1 MB, iterators that expire. Each change must come
 * exactly once, and each key's changes in the order they were made.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class SimulatedStreamChangeReaderTest {

    private static final OpenOptions STREAM = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);

    /**
     * Random puts, overwrites and deletes of {@code keys} keys, one at a time or in batches, and for each key the
     * changes they make in order ({@code =value} or {@code deleted}). Every put writes a new value (an unchanged
     * item makes no stream record) and only present keys are deleted (a delete of nothing makes none).
     */
    private static final class Workload {
        final Map<String, List<String>> expected = new TreeMap<>();
        final AtomicInteger changes = new AtomicInteger();
        private final Map<String, String> present = new LinkedHashMap<>();
        private final Random random;
        private final int keys;
        private int version;

        Workload(long seed, int keys) {
            this.random = new Random(seed);
            this.keys = keys;
        }

        /** Writes about {@code operations} changes; {@code midway} runs once, halfway. */
        void write(Database db, int operations, Runnable midway) {
            boolean pastMidway = false;
            while (changes.get() < operations) {
                if (!pastMidway && changes.get() >= operations / 2) {
                    midway.run();
                    pastMidway = true;
                }
                int size = random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(25);
                Map<String, BatchOperation> batch = new LinkedHashMap<>();
                while (batch.size() < size) {
                    String key = String.format("k%04d", random.nextInt(keys));
                    if (!batch.containsKey(key)) {
                        batch.put(key, next(key));
                    }
                }
                if (batch.size() == 1) {
                    BatchOperation only = batch.values().iterator().next();
                    if (only instanceof BatchOperation.Put put) {
                        db.put(put);
                    } else {
                        db.del(only.key());
                    }
                } else {
                    db.batch(List.copyOf(batch.values()));
                }
                changes.addAndGet(batch.size()); // counted once written, so a reader never waits for more than there is
            }
        }

        private BatchOperation next(String key) {
            List<String> changesOfKey = expected.computeIfAbsent(key, k -> new ArrayList<>());
            if (present.containsKey(key) && random.nextInt(5) == 0) {
                present.remove(key);
                changesOfKey.add("deleted");
                return BatchOperation.del(key);
            }
            String value = "v" + ++version;
            present.put(key, value);
            changesOfKey.add("=" + value);
            return BatchOperation.put(key, value);
        }
    }

    private static Map<String, List<String>> byKey(List<Change> changes) {
        return changes.stream().collect(Collectors.groupingBy(c -> new String(c.key(), StandardCharsets.UTF_8), TreeMap::new,
                Collectors.mapping(c -> c.isDelete() ? "deleted" : "=" + new String(c.value(), StandardCharsets.UTF_8),
                        Collectors.toList())));
    }

    /**
     * Polls, up to {@code max} changes a poll, until the writes are done, {@code count} changes came (the count
     * grows while the writes go on) and a poll found nothing more (so a change read twice would show). A
     * retryable failure (the client's retries of throttling ran out) is polled again, as the connector's task does.
     */
    private static List<Change> read(ChangeReader reader, AtomicInteger count, CompletableFuture<?> writes, int max,
            AtomicInteger retryableFailures) {
        List<Change> changes = new ArrayList<>();
        await(count + " changes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
            boolean writesDone = writes.isDone(); // before the poll: what it reads includes every write counted
            List<Change> polled;
            try {
                polled = reader.poll(max);
            } catch (DynamoDbDownException e) {
                if (!e.isRetryable()) {
                    throw e;
                }
                retryableFailures.incrementAndGet();
                return false;
            }
            changes.addAll(polled);
            if (writes.isCompletedExceptionally()) {
                writes.join();
            }
            return writesDone && polled.isEmpty() && changes.size() >= count.get();
        });
        return changes;
    }

    private static List<Change> readAll(ChangeReader reader, int count) {
        return read(reader, new AtomicInteger(count), CompletableFuture.completedFuture(null), 1000, new AtomicInteger());
    }

    private static DynamoDbStreamsClient streamsOf(DynamoDbLocal local, StreamSimulator simulator, int attempts) {
        return DynamoDbClients.buildStreams(local.settings().withEndpoint(simulator.endpoint().toString()).withMaxAttempts(attempts));
    }

    @Test
    void everyChangeComesOnceAndInOrderForEachKeyWhileShardsSplitAndRollOver(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("simulated-changes");
        Workload workload = new Workload(25, 300);
        try (Database db = DynamoDbDown.open(local.client(), table + "$db", STREAM);
                Database other = DynamoDbDown.open(local.client(), table + "$other", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(4).splitEvery(900).rolloverEvery(500)
                        .describeStreamPageSize(5).start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, ClientSettings.DEFAULT_MAX_ATTEMPTS);
                ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
            CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> workload.write(db, 2500, () -> {
                simulator.splitAll(); // on demand too, in the middle of the writes
                other.put("k0001", "another database's change, in the same shards");
            }));
            AtomicInteger failures = new AtomicInteger();
            List<Change> changes = read(reader, workload.changes, writes, 500, failures);

            assertEquals(workload.expected, byKey(changes), "each change once, each key's in order");
            assertEquals(workload.changes.get(), changes.size());
            List<StreamSimulator.ShardInfo> shards = simulator.shards();
            long parents = shards.stream().map(StreamSimulator.ShardInfo::parentShardId).filter(p -> p != null).distinct().count();
            assertTrue(parents >= 4 + 2 + 4, "the 4 first shards split on demand, 2 more split and 4 rolled over: " + shards);
            System.out.printf("%d changes through %d shards (%d open): %d GetRecords (%d throttled), %d GetShardIterator,"
                    + " %d DescribeStream calls, %d retryable failures reported, %d records served of %d%n", changes.size(),
                    shards.size(), simulator.openShardIds().size(), simulator.getRecordsCalls(), simulator.throttledCalls(),
                    simulator.requests("GetShardIterator"), simulator.requests("DescribeStream"), failures.get(),
                    simulator.recordsServed(), simulator.recordsPulled());

            // a reader resumed from the checkpoint of any change goes on exactly after it, across the splits
            int middle = changes.size() / 2;
            try (ChangeReader resumed = DynamoDbDown.changes(streams, db, KeyRange.all(), changes.get(middle).checkpoint())) {
                List<Change> after = readAll(resumed, changes.size() - middle - 1);
                assertEquals(byKey(changes.subList(middle + 1, changes.size())), byKey(after));
                assertEquals(changes.size() - middle - 1, after.size());
            }
            db.dropTable();
        }
    }

    @Test
    void aReaderPollingWithoutPauseKeepsToFiveCallsASecondPerShardAndReadsEverything(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("simulated-limit");
        for (int attempts : new int[] {ClientSettings.DEFAULT_MAX_ATTEMPTS, 1}) {
            Workload workload = new Workload(attempts, 100);
            try (Database db = DynamoDbDown.open(local.client(), table + "$db" + attempts, STREAM);
                    StreamSimulator simulator = StreamSimulator.of(local, table).shards(8).start();
                    DynamoDbStreamsClient streams = streamsOf(local, simulator, attempts);
                    ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
                CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> workload.write(db, 300, () -> { }));
                AtomicInteger failures = new AtomicInteger();
                List<Change> changes = read(reader, workload.changes, writes, 10, failures);
                assertEquals(workload.expected, byKey(changes), "with " + attempts + " attempts a call");
                assertEquals(0, simulator.throttledCalls(), "polls of 10 changes, every 10 ms, over 8 shards: the reader"
                        + " paces its calls to each shard itself, so the stream turns none away");
                System.out.printf("%d attempts a call: %d changes, %d GetRecords calls, %d throttled, %d retryable"
                        + " failures reported%n", attempts, changes.size(), simulator.getRecordsCalls(),
                        simulator.throttledCalls(), failures.get());
            }
        }
    }

    @Test
    void pagesOfAtMost1000RecordsOrOneMegabyteAreReadWhole(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("simulated-pages");
        try (Database db = DynamoDbDown.open(local.client(), table + "$db", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, ClientSettings.DEFAULT_MAX_ATTEMPTS);
                ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
            Map<String, List<String>> expected = new TreeMap<>();
            List<BatchOperation> batch = new ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                String key = String.format("small%04d", i);
                batch.add(BatchOperation.put(key, "v"));
                expected.put(key, List.of("=v"));
            }
            String large = "x".repeat(100_000);
            for (int i = 0; i < 15; i++) {
                String key = String.format("large%02d", i);
                batch.add(BatchOperation.put(key, large));
                expected.put(key, List.of("=" + large));
            }
            db.batch(batch);
            simulator.catchUp();
            List<Change> changes = readAll(reader, 1115);
            assertEquals(expected, byKey(changes));
            assertEquals(simulator.recordsPulled(), simulator.recordsServed(), "each record handed out once");
            // 1,115 records are over 1,000 a call, and 1.5 MB is over 1 MB a call: two pages at least, each read whole
            assertTrue(simulator.getRecordsCalls() >= 2, "more than one page: " + simulator.getRecordsCalls());
        }
    }

    @Test
    void expiredIteratorsAreAskedForAgainFromTheCheckpoint(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("simulated-expiry");
        try (Database db = DynamoDbDown.open(local.client(), table + "$db", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(4).unthrottled().start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, ClientSettings.DEFAULT_MAX_ATTEMPTS);
                ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
            List<Change> changes = new ArrayList<>();
            Map<String, List<String>> expected = new TreeMap<>();
            for (int round = 0; round < 3; round++) {
                for (int key = 0; key < 20; key++) {
                    db.put("k" + key, "v" + round);
                    expected.computeIfAbsent("k" + key, k -> new ArrayList<>()).add("=v" + round);
                }
                changes.addAll(readAll(reader, 20));
                simulator.expireIterators(); // as 15 minutes without a call would
            }
            assertEquals(expected, byKey(changes), "nothing lost, nothing twice");
        }
    }
}
