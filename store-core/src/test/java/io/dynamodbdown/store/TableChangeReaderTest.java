package io.dynamodbdown.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.StreamSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A whole table's change stream read once for many databases ({@link DynamoDbDown#tableChanges}): every change
 * of every database in scope comes once, named by its database (sharded databases under their own name, large
 * values whole, the store's own items never), each key's changes in order; readers that share the lineages out
 * between them read each change once together, also when they are stopped and others (more of them) go on from
 * the positions stored; failures in the middle of a read lose nothing.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class TableChangeReaderTest {

    private static final OpenOptions STREAM = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);

    /** Random puts, overwrites and deletes in databases "a" and "b" with overlapping keys, and the changes expected. */
    private static final class Workload {
        final Map<String, List<String>> expected = new TreeMap<>();
        int changes;
        private final Set<String> present = new HashSet<>();
        private final Random random;
        private int version;

        Workload(long seed) {
            this.random = new Random(seed);
        }

        void write(Map<String, Database> databases, int operations) {
            List<String> names = List.copyOf(databases.keySet());
            for (int i = 0; i < operations; i++) {
                String name = names.get(random.nextInt(names.size()));
                String key = String.format("k%03d", random.nextInt(200));
                List<String> ofKey = expected.computeIfAbsent(name + "/" + key, k -> new ArrayList<>());
                if (present.contains(name + "/" + key) && random.nextInt(4) == 0) {
                    databases.get(name).del(key);
                    present.remove(name + "/" + key);
                    ofKey.add("deleted");
                } else {
                    String value = "v" + ++version;
                    databases.get(name).put(key, value);
                    present.add(name + "/" + key);
                    ofKey.add("=" + value);
                }
                changes++;
            }
        }
    }

    private static Map<String, List<String>> byKey(List<StreamChange> changes) {
        return changes.stream().collect(Collectors.groupingBy(
                c -> c.database() + "/" + new String(c.key(), StandardCharsets.UTF_8), TreeMap::new,
                Collectors.mapping(c -> c.isDelete() ? "deleted" : "=" + new String(c.value(), StandardCharsets.UTF_8),
                        Collectors.toList())));
    }

    /**
     * Polls the readers in turn until {@code count} changes came from them all and a last round found nothing
     * more; the positions of each reader after each poll go into {@code stored}, as a caller storing them with the
     * changes does. A retryable failure is polled again, as the connector's task does.
     */
    private static List<StreamChange> readAll(List<TableChangeReader> readers, int count, Map<String, ShardPosition> stored) {
        List<StreamChange> changes = new ArrayList<>();
        await(count + " changes").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
            int before = changes.size();
            for (TableChangeReader reader : readers) {
                try {
                    changes.addAll(reader.poll(300));
                } catch (DynamoDbDownException e) {
                    if (!e.isRetryable()) {
                        throw e;
                    }
                }
                stored.putAll(reader.positions());
            }
            return changes.size() >= count && changes.size() == before;
        });
        return changes;
    }

    private static StreamScope scopeOf(int reader, int readers, Map<String, ShardPosition> stored) {
        return new StreamScope(database -> true, lineage -> Math.floorMod(lineage.hashCode(), readers) == reader,
                stored::get, null, null);
    }

    @Test
    void everyDatabaseOfATableComesFromOneReadUnderItsOwnName(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-changes");
        byte[] large = "L".repeat(500_000).getBytes(StandardCharsets.UTF_8); // over an item's 400 KB: in chunks
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                Database b = DynamoDbDown.open(local.client(), table + "$b", STREAM);
                Database sharded = DynamoDbDown.open(local.client(), table + "$sharded", STREAM.withShards(3));
                DynamoDbStreamsClient streams = local.newStreamsClient();
                TableChangeReader all = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM);
                TableChangeReader some = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(Set.of("a", "sharded")::contains, null), STREAM)) {
            a.put("k", "a1");
            b.put("k", "b1");
            sharded.batch(List.of(BatchOperation.put("k", "s1"), BatchOperation.put("m", "s2"), BatchOperation.put("z", "s3")));
            a.put("big".getBytes(StandardCharsets.UTF_8), large);
            a.del("k");
            b.put("k", "b2");
            sharded.del("m");

            Map<String, List<String>> expected = new TreeMap<>(Map.of(
                    "a/k", List.of("=a1", "deleted"), "a/big", List.of("=" + new String(large, StandardCharsets.UTF_8)),
                    "b/k", List.of("=b1", "=b2"), "sharded/k", List.of("=s1"), "sharded/m", List.of("=s2", "deleted"),
                    "sharded/z", List.of("=s3")));
            List<StreamChange> read = readAll(List.of(all), 9, new ConcurrentHashMap<>());
            assertEquals(expected, byKey(read), "every database's changes, once, in order; the store's own items never");
            expected.keySet().removeIf(key -> key.startsWith("b/"));
            assertEquals(expected, byKey(readAll(List.of(some), 7, new ConcurrentHashMap<>())), "only the databases in scope");
            assertTrue(all.streamArn().contains(":table/" + table + "/stream/"), all.streamArn());
        }
    }

    @Test
    void readersSharingTheLineagesReadEachChangeOnceAcrossSplitsAndAHandOverToMoreReaders(DynamoDbLocal local) {
        for (int readers : new int[] {1, 2, 4}) {
            String table = DynamoDbLocal.uniqueTableName("shared-out-" + readers);
            Workload workload = new Workload(readers);
            Map<String, ShardPosition> stored = new ConcurrentHashMap<>();
            try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                    Database b = DynamoDbDown.open(local.client(), table + "$b", STREAM);
                    StreamSimulator simulator = StreamSimulator.of(local, table).shards(8).splitEvery(300).rolloverEvery(200)
                            .start();
                    DynamoDbStreamsClient streams = streamsOf(local, simulator, null)) {
                List<TableChangeReader> first = open(streams, local, table, readers, stored);
                workload.write(Map.of("a", a, "b", b), 600);
                simulator.splitAll();
                List<StreamChange> before = readAll(first, workload.changes, stored);
                first.forEach(TableChangeReader::close);
                // more readers now, each with other lineages: they go on from the positions stored
                List<TableChangeReader> second = open(streams, local, table, readers + 1, stored);
                workload.write(Map.of("a", a, "b", b), 600);
                simulator.splitAll();
                List<StreamChange> after = readAll(second, workload.changes - before.size(), stored);
                second.forEach(TableChangeReader::close);

                List<StreamChange> all = new ArrayList<>(before);
                all.addAll(after);
                assertEquals(workload.expected, byKey(all), readers + " then " + (readers + 1) + " readers: each change once, in order");
                assertEquals(workload.changes, all.size());
                System.out.printf("%d then %d readers: %d changes through %d shards, %d GetRecords calls (%d throttled)%n",
                        readers, readers + 1, all.size(), simulator.shards().size(), simulator.getRecordsCalls(),
                        simulator.throttledCalls());
            }
        }
    }

    /**
     * A Connect source stores each shard's position apart, as its records are written: a child's position can be
     * stored while its parent's last records were not (their send was still retried, or failed). A reader started
     * from such positions reads the parent on from its own, then the child again from its start: nothing of the
     * parent is lost, and no key ends with an older value than its last change.
     */
    @Test
    void aParentStoredBehindItsChildIsReadOnAndTheChildAgainAfterIt(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("parent-behind");
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null)) {
            for (int i = 0; i < 20; i++) {
                a.put(String.format("k%02d", i % 12), "parent-" + i);
            }
            simulator.catchUp();
            String parent = simulator.openShardIds().get(0);
            simulator.rolloverAll();
            for (int i = 0; i < 5; i++) {
                a.put(String.format("k%02d", i), "child-" + i);
            }
            simulator.catchUp();
            Map<String, ShardPosition> positions = new ConcurrentHashMap<>();
            List<StreamChange> first = readAll(open(streams, local, table, 1, positions), 25, positions);
            Map<String, ShardPosition> stored = new HashMap<>();
            stored.put(parent, first.stream().filter(c -> c.shard().equals(parent)).toList().get(9).position());
            stored.put(first.get(24).shard(), first.get(24).position());

            List<StreamChange> again = readAll(open(streams, local, table, 1, stored), 15, new ConcurrentHashMap<>());
            assertEquals(10, again.stream().filter(c -> c.shard().equals(parent)).count(), "the parent's last 10, again");
            assertEquals(5, again.stream().filter(c -> !c.shard().equals(parent)).count(), "then the child's 5, again");
            Map<String, String> replayed = new TreeMap<>();
            first.subList(0, 10).forEach(c -> replayed.put(new String(c.key()), new String(c.value())));
            again.forEach(c -> replayed.put(new String(c.key()), new String(c.value())));
            Map<String, String> contents = new TreeMap<>();
            try (RangeIterator<Entry> entries = a.iterator(KeyRange.all())) {
                entries.forEachRemaining(e -> contents.put(new String(e.key()), new String(e.value())));
            }
            assertEquals(contents, replayed, "what was delivered before the restart, then after it, ends in the table's state");
        }
    }

    /**
     * Readers sharing a stream out by lineage must agree on each shard's lineage, though each works it out from its
     * own listing (a parent the stream forgot between two listings would split them): lineages stored as positions
     * without a sequence number are taken over what the listing says.
     */
    @Test
    void storedLineagesWinOverWhatAReaderListsSoReadersSharingTheStreamAgree(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("stored-lineages");
        Workload workload = new Workload(11);
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                Database b = DynamoDbDown.open(local.client(), table + "$b", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(3).start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null)) {
            workload.write(Map.of("a", a, "b", b), 200);
            simulator.catchUp();
            Map<String, String> listed;
            try (TableChangeReader lister = DynamoDbDown.tableChanges(streams, local.client(), table,
                    new StreamScope(database -> true, lineage -> false, shard -> null, null, null), STREAM)) {
                lister.poll(1);
                listed = lister.lineages();
            }
            assertEquals(3, listed.size(), "every shard listed, none in scope: " + listed);
            Map<String, ShardPosition> stored = new ConcurrentHashMap<>();
            listed.keySet().forEach(shard -> stored.put(shard, new ShardPosition("agreed", null, false)));
            List<StreamChange> read;
            try (TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                    new StreamScope(database -> true, "agreed"::equals, stored::get, null, null), STREAM)) {
                read = readAll(List.of(reader), workload.changes, new ConcurrentHashMap<>());
            }
            assertEquals(workload.expected, byKey(read), "the stored lineage, not the shard's own id, decided the scope");
            assertTrue(read.stream().allMatch(change -> change.lineage().equals("agreed")));
        }
    }

    @Test
    void readsFailingInTheMiddleLoseNothingAndRepeatNothing(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("failing-reads");
        Workload workload = new Workload(7);
        Map<String, ShardPosition> stored = new ConcurrentHashMap<>();
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                Database b = DynamoDbDown.open(local.client(), table + "$b", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(4).splitEvery(250).start();
                FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, http)) {
            List<TableChangeReader> readers = open(streams, local, table, 2, stored);
            http.failAtRandom(Set.of("GetRecords", "GetShardIterator", "DescribeStream"), Fault.SERVER_ERROR, 0.3, new Random(7));
            workload.write(Map.of("a", a, "b", b), 800);
            List<StreamChange> read = readAll(readers, workload.changes, stored);
            readers.forEach(TableChangeReader::close);
            assertEquals(workload.expected, byKey(read), "each change once, in order, through the failures");
            assertTrue(http.injected() > 0, "failures happened: " + http.injected());
        }
    }

    /**
     * A caller that polls again at once while {@link TableChangeReader#more()} says so (as the connector's task does,
     * without its poll interval) gets changes from every such poll: the reader waits out the stream's pace itself,
     * instead of answering nothing until the shard may be read again, which had the task poll in a busy loop. And it
     * keeps to 5 calls a second on the shard.
     */
    @Test
    void pollingAgainWhileMoreIsWaitingGetsChangesWithinTheStreamsPace(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-backlog");
        int changes = 2_500; // full pages of 1,000, then the rest
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).latency(Duration.ofMillis(20)).start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null);
                TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM)) {
            List<BatchOperation> puts = putsOf(changes, "v");
            a.batch(puts);
            simulator.catchUp();
            List<StreamChange> read = new ArrayList<>();
            List<Integer> polls = new ArrayList<>();
            await(changes + " changes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                boolean more;
                do {
                    List<StreamChange> polled = reader.poll(5_000);
                    read.addAll(polled);
                    more = reader.more();
                    if (more) {
                        polls.add(polled.size());
                    }
                } while (more);
                return read.size() >= changes;
            });
            assertEquals(changes, read.size());
            long empty = polls.stream().filter(size -> size == 0).count();
            assertTrue(empty <= 1, empty + " of the " + polls.size() + " polls made while more() was true returned nothing");
            assertEquals(0, simulator.throttledCalls(), "within 5 GetRecords calls a second on the shard");
        }
    }

    /**
     * A caller busy with what it polled (a Connect task sending it on) does not hold the stream back: a shard with a
     * backlog is read on at the stream's pace without waiting for the next poll, up to two pages ahead of what was
     * handed out, and no further while the caller does not come back.
     */
    @Test
    void aShardWithABacklogIsReadAheadWhileTheCallerIsBusyAndNoFurtherThanTwoPages(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-ahead");
        int changes = 4_500;
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null);
                TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM)) {
            List<BatchOperation> puts = putsOf(changes, "v");
            a.batch(puts);
            simulator.catchUp();
            List<StreamChange> read = new ArrayList<>();
            await("a first page").atMost(Duration.ofSeconds(30)).until(() -> read.addAll(reader.poll(1_000)));
            // The caller is busy now: the next page is read meanwhile, and one more if the first was handed out
            // before the second came in (a slow first call can leave two pages waiting); never a third ahead.
            await("a page read ahead").atMost(Duration.ofSeconds(10)).until(() -> simulator.getRecordsCalls() >= 2);
            await("no third page ahead").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> simulator.getRecordsCalls() <= 3);
            await(changes + " changes").atMost(Duration.ofSeconds(30)).until(() -> {
                read.addAll(reader.poll(5_000));
                return read.size() >= changes;
            });
            assertEveryChangeOnce(puts, read);
        }
    }

    /**
     * A GetRecords call returns at most 1 MB: a backlog of changes of a few kilobytes each comes in pages of a few
     * hundred, and is read ahead like one of small changes, more waiting told as well.
     */
    @Test
    void aBacklogOfChangesTooLargeForAThousandToAPageIsReadAheadToo(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-ahead-large");
        int changes = 2_400;
        String value = "v".repeat(2_000);
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null);
                TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM)) {
            List<BatchOperation> puts = putsOf(changes, value);
            a.batch(puts);
            simulator.catchUp();
            List<StreamChange> read = new ArrayList<>();
            await("a first page").atMost(Duration.ofSeconds(30)).until(() -> read.addAll(reader.poll(1_000)));
            assertTrue(read.size() < 1_000, "a page of 1 MB holds fewer than 1,000 of these: " + read.size());
            assertTrue(reader.more(), "more is waiting");
            await("pages read ahead").atMost(Duration.ofSeconds(10)).until(() -> simulator.getRecordsCalls() >= 3);
            await(changes + " changes").atMost(Duration.ofSeconds(30)).until(() -> {
                read.addAll(reader.poll(5_000));
                return read.size() >= changes;
            });
            assertEquals(changes, read.stream().map(change -> new String(change.key(), StandardCharsets.UTF_8))
                    .distinct().count(), "every change once");
        }
    }

    /**
     * What is read and not handed out stays within two pages, in bytes too: a caller taking one change a poll from a
     * shard of large records is not read ahead a thousand of them.
     */
    @Test
    void aShardOfLargeRecordsIsReadNoMoreThanTwoPagesAhead(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-ahead-bytes");
        int changes = 500;
        String value = "v".repeat(2_000);
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled()
                        .maxBytesPerCall(20_000).start(); // pages of about 9 of these records, as of 1 MB ones of 100 KB
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null);
                TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM)) {
            List<BatchOperation> puts = putsOf(changes, value);
            a.batch(puts);
            simulator.catchUp();
            List<StreamChange> read = new ArrayList<>();
            await("a first change").atMost(Duration.ofSeconds(30)).until(() -> read.addAll(reader.poll(1)));
            await("polls of one change").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        read.addAll(reader.poll(1));
                        return simulator.recordsServed() - read.size() <= 30;
                    });
        }
    }

    /** A read ahead that fails, or finds its iterator expired, is read again from after the last page read. */
    @Test
    void aReadAheadFailingOrExpiredLosesNothingAndRepeatsNothing(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-ahead-fails");
        int changes = 4_500;
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, http);
                TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                        StreamScope.all(database -> true, null), STREAM)) {
            List<BatchOperation> puts = putsOf(changes, "v");
            a.batch(puts);
            simulator.catchUp();
            http.fail("GetRecords", Fault.SERVER_ERROR, 1, 2); // the first read ahead fails, both its attempts
            List<StreamChange> read = new ArrayList<>();
            int[] failures = {0};
            await(changes + " changes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(700)).until(() -> {
                try {
                    read.addAll(reader.poll(1_000));
                } catch (DynamoDbDownException e) {
                    failures[0]++;
                }
                if (read.size() >= 2_000 && failures[0] == 1) {
                    simulator.expireIterators();
                    failures[0]++;
                }
                return read.size() >= changes;
            });
            assertEquals(2, failures[0], "the failed read was told");
            assertEveryChangeOnce(puts, read);
        }
    }

    /** A reader closed while it reads ahead stops reading and leaves no thread behind. */
    @Test
    void aReaderClosedWhileReadingAheadStops(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-ahead-closed");
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = streamsOf(local, simulator, null)) {
            List<BatchOperation> puts = putsOf(4_500, "v");
            a.batch(puts);
            simulator.catchUp();
            TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table,
                    StreamScope.all(database -> true, null), STREAM);
            await("a first page").atMost(Duration.ofSeconds(30)).until(() -> !reader.poll(1_000).isEmpty());
            reader.close();
            long calls = simulator.getRecordsCalls();
            await("no read after the close").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> simulator.getRecordsCalls() <= calls + 1);
            await("no thread left").atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.getName().startsWith("dynamodbdown-" + table + "-stream")));
        }
    }

    @Test
    void whatTheStreamCannotGoOnFromIsReportedAsChangesLost(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("table-lost");
        try (Database a = DynamoDbDown.open(local.client(), table + "$a", STREAM);
                DynamoDbStreamsClient streams = local.newStreamsClient()) {
            a.put("k", "v");
            Predicate<String> every = x -> true;
            ChangesLostException otherStream = assertThrows(ChangesLostException.class, () -> DynamoDbDown.tableChanges(
                    streams, local.client(), table, new StreamScope(every, every, s -> null, null, "arn:other"), STREAM));
            assertTrue(otherStream.getMessage().contains("snapshot"), otherStream.getMessage());
            StreamScope tooOld = new StreamScope(every, every, s -> null, Instant.now().minus(Duration.ofHours(25)), null);
            try (TableChangeReader reader = DynamoDbDown.tableChanges(streams, local.client(), table, tooOld, STREAM)) {
                assertThrows(ChangesLostException.class, () -> readAll(List.of(reader), 1, new ConcurrentHashMap<>()),
                        "changes wanted from 25 hours ago, from a stream that keeps 24");
            }
        }
    }

    /** Puts of keys k00000, k00001, ... of {@code value}. */
    private static List<BatchOperation> putsOf(int count, String value) {
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            puts.add(BatchOperation.put(String.format("k%05d", i), value));
        }
        return puts;
    }

    /**
     * Every put read once. A batch is written in parallel: the stream's order is the order the puts arrived in, not
     * the keys'.
     */
    private static void assertEveryChangeOnce(List<BatchOperation> puts, List<StreamChange> read) {
        List<String> keys = read.stream().map(change -> new String(change.key(), StandardCharsets.UTF_8)).sorted().toList();
        assertEquals(puts.stream().map(put -> new String(put.key(), StandardCharsets.UTF_8)).toList(), keys, "every change once");
    }

    private static List<TableChangeReader> open(DynamoDbStreamsClient streams, DynamoDbLocal local, String table, int readers,
            Map<String, ShardPosition> stored) {
        List<TableChangeReader> opened = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            opened.add(DynamoDbDown.tableChanges(streams, local.client(), table, scopeOf(i, readers, Map.copyOf(stored)), STREAM));
        }
        return opened;
    }

    private static DynamoDbStreamsClient streamsOf(DynamoDbLocal local, StreamSimulator simulator, FaultInjectingHttpClient http) {
        var settings = local.settings().withEndpoint(simulator.endpoint().toString());
        // with faults, two attempts a call: most failures reach the reader, in the middle of its reads
        return http == null ? DynamoDbClients.buildStreams(settings)
                : DynamoDbClients.streamsBuilder(settings.withMaxAttempts(2)).httpClient(http).build();
    }
}
