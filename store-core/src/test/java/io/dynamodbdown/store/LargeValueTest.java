package io.dynamodbdown.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Values past DynamoDB's 400 KB item limit, kept as chunks: every operation reads and writes them whole, readers
 * never see a torn or mixed value, and overwrites, deletes, batches and clear leave no chunk behind (the table's
 * items are counted). A writer that stops between the chunks and the entry leaves chunks only the sweep removes.
 */
@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class LargeValueTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private static final int MB = 1024 * 1024;

    private final DynamoDbClient client = DynamoDbLocalExtension.get().client();
    private String table;
    private Database db;

    @BeforeEach
    void open() {
        table = DynamoDbLocal.uniqueTableName("large");
        db = DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withShards(shards));
    }

    @AfterEach
    void drop() {
        db.dropTable();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Every item in the table, entries, registry and chunks alike, but the shard count the database records and the
     * registry items of versions a sweep removed while they were young (kept an hour, their chunks removed: a writer
     * fenced off may still add a chunk, which the next sweeps remove; see LargeValues.WRITE_GRACE).
     */
    private long items() {
        long recordedShardCount = 1;
        return client.scanPaginator(b -> b.tableName(table).select("COUNT")).stream().mapToLong(p -> p.count()).sum()
                - recordedShardCount - removedWhileYoung();
    }

    private long removedWhileYoung() {
        return client.scanPaginator(b -> b.tableName(table).select("COUNT").filterExpression("discarded = :r")
                .expressionAttributeValues(Map.of(":r", AttributeValue.fromS("removed")))).stream().mapToLong(p -> p.count()).sum();
    }

    @Test
    void oneFiveAndSixteenMegabyteBinaryValuesReadBackWholeThroughEveryRead() {
        byte[] one = random(MB, 1);
        byte[] five = random(5 * MB, 5);
        byte[] max = random((int) OpenOptions.DEFAULT_MAX_VALUE_SIZE, 16);
        db.put(Bytes.utf8("b-one"), one);
        db.put(Bytes.utf8("c-five"), five);
        db.put(Bytes.utf8("d-max"), max);
        db.put("a-small", "small");
        db.put(Bytes.utf8("e-edge"), random(400 * 1024 - 10, 4)); // with its keys, just past what one item holds
        db.put(Bytes.utf8("f-fits"), random(400 * 1024 - 30, 5)); // and just within

        assertArrayEquals(one, db.get(Bytes.utf8("b-one")));
        assertArrayEquals(five, db.get(Bytes.utf8("c-five")));
        assertArrayEquals(max, db.get(Bytes.utf8("d-max")));
        List<byte[]> many = db.getMany(List.of(Bytes.utf8("c-five"), Bytes.utf8("missing"), Bytes.utf8("a-small")));
        assertArrayEquals(five, many.get(0));
        assertNull(many.get(1));
        assertEquals("small", new String(many.get(2)));

        List<Entry> entries = DatabaseTestSupport.drain(db.iterator(KeyRange.all()));
        assertEquals(List.of("a-small", "b-one", "c-five", "d-max", "e-edge", "f-fits"),
                entries.stream().map(e -> new String(e.key())).toList(), "keys keep their order");
        assertArrayEquals(one, entries.get(1).value());
        assertArrayEquals(max, entries.get(3).value());
        try (RangeIterator<byte[]> values = db.values(KeyRange.all().reverse(true).limit(3))) {
            assertArrayEquals(random(400 * 1024 - 30, 5), values.next());
            assertArrayEquals(random(400 * 1024 - 10, 4), values.next());
            assertArrayEquals(max, values.next());
            assertFalse(values.hasNext(), "limit exact");
        }
        assertTrue(db.has(Bytes.utf8("c-five")));
    }

    @Test
    void overwritesLargeToSmallToLargeAndDeletesLeaveNoChunkBehind() {
        db.put(Bytes.utf8("k"), random(2 * MB, 1));
        long oneLarge = items();
        assertTrue(oneLarge > 3, "the entry, its registry entry and its chunks: " + oneLarge);
        db.put("k", "small now");
        assertEquals(1, items(), "the large value's chunks and registry entry went with it");
        assertEquals("small now", db.getString("k"));
        db.put(Bytes.utf8("k"), random(2 * MB, 2));
        db.put(Bytes.utf8("k"), random(2 * MB, 3)); // large over large
        assertEquals(oneLarge, items(), "one large value's worth of items, not two");
        assertArrayEquals(random(2 * MB, 3), db.get(Bytes.utf8("k")));
        db.del("k");
        assertEquals(0, items());
        assertNull(db.get("k"));
    }

    @Test
    void batchesMixSmallAndLargeValuesAtomicallyOrNotAndClearRemovesChunks() {
        List<BatchOperation> mixed = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            mixed.add(i % 10 == 0 ? BatchOperation.put(Bytes.utf8("k" + i), random(MB, i)) : BatchOperation.put("k" + i, "v" + i));
        }
        db.batch(mixed);
        assertArrayEquals(random(MB, 20), db.get(Bytes.utf8("k20")));
        db.batch(List.of(BatchOperation.put("k0", "small"), BatchOperation.put(Bytes.utf8("k1"), random(MB, 100)),
                BatchOperation.del("k10")), WriteOptions.ATOMIC);
        assertEquals("small", db.getString("k0"));
        assertArrayEquals(random(MB, 100), db.get(Bytes.utf8("k1")));
        assertNull(db.get("k10"));
        long entries = DatabaseTestSupport.drain(db.iterator(KeyRange.all())).size();
        assertEquals(29, entries);
        long itemsPerLarge = 1 + 3; // registry entry and three 384 KB chunks of a 1 MB value
        assertEquals(29 + 2 * itemsPerLarge, items(), "k0 and k10 took their chunks with them; k1 and k20 hold theirs");
        assertEquals(29, db.clear(KeyRange.all()));
        assertEquals(0, items(), "clear removed the chunks too");
    }

    @Test
    void aWriterStoppedBetweenChunksAndEntryLeavesTheOldValueAndChunksOnlyTheSweepRemoves(DynamoDbLocal local) {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withMaxAttempts(2).withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5)))
                        .httpClient(http).build();
                Database crashing = DynamoDbDown.open(faulty, table + "$db")) {
            db.put("k", "old");
            // the registry entry (a PutItem) and the chunks (BatchWriteItem) go through; the entry (a transaction) does not
            http.failAlways("TransactWriteItems", Fault.CONNECTION_REFUSED);
            assertThrows(DynamoDbDownException.class, () -> crashing.put(Bytes.utf8("k"), random(3 * MB, 7)));
            http.heal();
            assertEquals("old", db.getString("k"), "readers see the old value, whole");
            assertTrue(items() > 1, "unreachable chunks are left behind");
            assertEquals(0, db.sweep(), "younger than an hour: a writer may still be under way");
            assertEquals(1, db.sweep(Duration.ZERO));
            assertEquals(1, items(), "only the entry is left");
            assertEquals(1, removedWhileYoung(), "and, for an hour, the removed version's registry item, marked");
            assertEquals(0, db.sweep(Duration.ZERO), "a version is removed once");
            assertEquals("old", db.getString("k"));
        }
    }

    @Test
    void concurrentWritersOfOneKeyNeverShowATornValueAndLeaveNoChunkBehind() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> torn = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 6; i++) {
                    db.put(Bytes.utf8("k"), filled(MB + 1000 * writer + i, (byte) (writer * 16 + i)));
                }
            }));
        }
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                byte[] value = db.get(Bytes.utf8("k"));
                if (value != null && !isFilled(value)) {
                    torn.add(value.length + " bytes starting " + value[0]);
                }
            }
        });
        reader.start();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        writing.set(false);
        reader.join();
        assertEquals(List.of(), torn, "every value read is one that was written, whole");
        assertTrue(isFilled(db.get(Bytes.utf8("k"))));
        assertEquals(1 + 1 + 3, items(), "the entry, and the registry entry and chunks of the last value only");
    }

    private static byte[] filled(int size, byte b) {
        byte[] value = new byte[size];
        Arrays.fill(value, b);
        return value;
    }

    private static boolean isFilled(byte[] value) {
        for (byte b : value) {
            if (b != value[0]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A range of 1,000 entries, every 10th value 2 MB (200 MB in all), read with the heap measured after a full
     * collection every 100 entries: it stays within a few values of where it started, as the iterator holds one
     * large value at a time, never the range.
     */
    @Test
    void aRangeWithManyLargeValuesIsReadInFlatMemory() {
        List<BatchOperation> batch = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            byte[] key = Bytes.utf8(String.format("k%04d", i));
            batch.add(BatchOperation.put(key, i % 10 == 0 ? random(2 * MB, i) : Bytes.utf8("v" + i)));
            if (batch.size() == 50) {
                db.batch(batch);
                batch.clear();
            }
        }
        long baseline = usedHeapAfterGc();
        long highest = baseline;
        int read = 0;
        try (RangeIterator<Entry> entries = db.iterator(KeyRange.all())) {
            while (entries.hasNext()) {
                Entry entry = entries.next();
                if (read % 10 == 0) {
                    assertArrayEquals(random(2 * MB, read), entry.value(), "entry " + read);
                } else {
                    assertEquals("v" + read, new String(entry.value()));
                }
                if (++read % 100 == 0) {
                    highest = Math.max(highest, usedHeapAfterGc());
                }
            }
        }
        assertEquals(1_000, read);
        long grew = highest - baseline;
        System.out.printf("large-value range: heap %d MB at the start, at most %d MB more while reading 200 MB%n",
                baseline / MB, grew / MB);
        assertTrue(grew < 64L * MB, "the heap grew by " + grew / MB + " MB reading 200 MB of values: it keeps them");
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void conditionalWritesCompareLargeValuesWhole() {
        byte[] big = random(2 * MB, 9);
        assertTrue(db.putIfAbsent(Bytes.utf8("k"), big));
        assertFalse(db.putIfAbsent(Bytes.utf8("k"), random(2 * MB, 10)), "present: nothing written");
        assertArrayEquals(big, db.get(Bytes.utf8("k")));
        long itemsOfOne = items();
        assertFalse(db.writeIf(BatchOperation.del(Bytes.utf8("k")), Expect.value(random(2 * MB, 10))), "another value");
        assertFalse(db.writeIf(BatchOperation.del(Bytes.utf8("k")), Expect.value(Bytes.utf8("short"))));
        assertTrue(db.writeIf(BatchOperation.put(Bytes.utf8("k"), random(MB, 11)),
                Expect.valueStartingWith(Arrays.copyOf(big, 100))), "a prefix of the stored large value");
        assertTrue(db.writeIf(BatchOperation.del(Bytes.utf8("k")), Expect.value(random(MB, 11))));
        assertNull(db.get(Bytes.utf8("k")));
        assertEquals(0, items(), "no chunk left by the writes that did not happen, nor by those that did");
        assertTrue(itemsOfOne > 1);
    }

    @Test
    void aValueOverMaxValueSizeIsRefusedAndAReadOfASmallerMaximumStillReadsIt() {
        try (Database small = DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withMaxValueSize(MB))) {
            InvalidEntryException e = assertThrows(InvalidEntryException.class,
                    () -> small.put(Bytes.utf8("k"), new byte[MB + 1]));
            assertTrue(e.getMessage().contains("maxValueSize of 1048576") && e.getMessage().contains("\"k\""), e.getMessage());
            db.put(Bytes.utf8("k"), random(2 * MB, 1));
            assertArrayEquals(random(2 * MB, 1), small.get(Bytes.utf8("k")), "the limit is for writes");
        }
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withMaxValueSize(OpenOptions.MAX_VALUE_SIZE_LIMIT + 1));
    }

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"DYNAMODBDOWN", "DYNAMODB_LEVELDOWN"})
    void theStringKeyedLayoutsKeepLargeValuesToo(Layout layout) {
        try (Database other = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("large-" + layout) + "$db",
                OpenOptions.defaults().withLayout(layout))) {
            other.put(Bytes.utf8("k"), random(MB, 3));
            other.put("small", "v");
            assertArrayEquals(random(MB, 3), other.get(Bytes.utf8("k")));
            assertEquals(2, DatabaseTestSupport.drain(other.iterator(KeyRange.all())).size());
            other.dropTable();
        }
    }

    @Test
    void theChangeReaderDeliversAChangeToALargeValueOnceAndWhole() {
        String streamed = DynamoDbLocal.uniqueTableName("large-changes");
        try (Database source = DynamoDbDown.open(client, streamed + "$db", OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false));
                var streams = DynamoDbLocalExtension.get().newStreamsClient();
                ChangeReader reader = DynamoDbDown.changes(streams, source, KeyRange.all(), ChangeCheckpoint.since(null))) {
            source.put(Bytes.utf8("k"), random(3 * MB, 1));
            source.put("small", "v");
            List<Change> changes = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                changes.addAll(reader.poll(100));
                return changes.size() >= 2;
            });
            assertEquals(2, changes.size(), "the chunks are not changes of the database: " + changes);
            assertArrayEquals(random(3 * MB, 1), changes.get(0).value());
            assertEquals("v", new String(changes.get(1).value()));
            source.dropTable();
        }
    }

    @Test
    void anEmptyExpectedValueDoesNotMatchALargeOne() {
        db.put(Bytes.utf8("k"), random(MB, 1));
        assertFalse(db.writeIf(BatchOperation.del(Bytes.utf8("k")), Expect.value(new byte[0])), "1 MB is not empty");
        assertFalse(db.writeIf(BatchOperation.put("k", "x"), Expect.value(new byte[0])));
        assertArrayEquals(random(MB, 1), db.get(Bytes.utf8("k")));
    }

    @Test
    void aCompareAndSetWhoseAnswerIsLostStillReportsItsWriteAndKeepsItsValue(DynamoDbLocal local) {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5)))
                        .httpClient(http).build();
                Database other = DynamoDbDown.open(faulty, table + "$db")) {
            byte[] v1 = random(MB, 1);
            db.put(Bytes.utf8("k"), v1);
            http.fail("TransactWriteItems", Fault.ANSWER_LOST, 0, 1); // the large value's entry: applied, answer lost
            assertTrue(other.writeIf(BatchOperation.put(Bytes.utf8("k"), random(MB, 2)), Expect.valueStartingWith(Arrays.copyOf(v1, 17))));
            assertArrayEquals(random(MB, 2), db.get(Bytes.utf8("k")));

            // a small value over a large one: the conditional PutItem on the stored form loses its answer
            http.fail("PutItem", Fault.ANSWER_LOST, 1, 1);
            assertTrue(other.writeIf(BatchOperation.put("k", "small"), Expect.valueStartingWith(Arrays.copyOf(random(MB, 2), 17))));
            assertEquals("small", db.getString("k"));
            assertEquals(2, http.injected());
        }
    }

    @Test
    void aLargePutSentAgainAfterAnotherWriterReplacedItNeverLeavesADanglingReference(DynamoDbLocal local) {
        try (InterleavingHttpClient http = new InterleavingHttpClient("TransactWriteItems");
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5)))
                        .httpClient(http).build();
                Database a = DynamoDbDown.open(faulty, table + "$db")) {
            http.loseAnswerOf = 1; // A's entry: applied, its answer lost; the client sends it again
            http.afterLostAnswer = () -> db.put(Bytes.utf8("k"), random(MB, 2)); // B replaces it meanwhile, and removes A's chunks
            try {
                a.put(Bytes.utf8("k"), random(MB, 1));
            } catch (DynamoDbDownException e) {
                assertTrue(e.getMessage().contains("write it again"), e.getMessage()); // A's version was fenced off
            }
            assertArrayEquals(random(MB, 2), db.get(Bytes.utf8("k")), "B's value, whole: A's entry did not come back");
            assertEquals(0, db.sweep(Duration.ZERO));
            assertEquals(1 + 1 + 3, items(), "only B's value's items");
        }
    }

    @Test
    void aSweepWhileAWriterIsBetweenChunksAndEntryFencesTheWriterOff(DynamoDbLocal local) {
        try (InterleavingHttpClient http = new InterleavingHttpClient("TransactWriteItems");
                DynamoDbClient slowClient = DynamoDbClients.builder(local.settings()).httpClient(http).build();
                Database slow = DynamoDbDown.open(slowClient, table + "$db")) {
            long[] swept = {-1};
            // the writer stalls (a pause, a retry storm) before its entry, longer than the sweep waits for it
            http.beforeFirst = () -> swept[0] = db.sweep(Duration.ZERO);
            DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> slow.put(Bytes.utf8("k"), random(MB, 1)));
            assertTrue(e.getMessage().contains("write it again") && e.isRetryable(), e.getMessage());
            assertEquals(1, swept[0], "the sweep took the chunks for left behind");
            assertNull(db.get(Bytes.utf8("k")), "and the entry was never written: nothing refers to them");
            assertEquals(0, items());
        }
    }

    /**
     * Issue #24, 2a: sweeps whose requests fail part-way (35% of their GetItem and UpdateItem calls, sent once), then
     * a healthy one. Before, a mark set before the in-use check stayed when the check or the unmark failed, and the
     * next sweep removed marked versions without checking: live 450 KB values read back as "missing chunks".
     */
    @Test
    void sweepsThatFailPartWayNeverLetALaterSweepRemoveALiveValue(DynamoDbLocal local) {
        Map<String, byte[]> live = writeLive(16);
        leaveBehind(local, 2);
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withMaxAttempts(1)).httpClient(http).build();
                Database sweeper = DynamoDbDown.open(faulty, table + "$db")) {
            for (int round = 0; round < 4; round++) {
                http.failAtRandom(Set.of("GetItem", "UpdateItem"), Fault.SERVER_ERROR, 0.35, new Random(round));
                sweeper.sweep(Duration.ZERO);
                http.heal();
            }
            assertTrue(http.injected() > 0, "faults were met");
        }
        db.sweep(Duration.ZERO);
        assertLiveAndNothingElse(live);
    }

    /**
     * Issue #24, 2b: four sweeps at once, each sweeping again and again, over 16 live large values and some left
     * behind. Before, a sweep that read the registry while another had marked a live version for its check removed
     * it without checking, and the other's unconditional unmark then re-created the removed registry item (a
     * NullPointerException in the next sweep).
     */
    @Test
    void sweepsRunningAtOnceKeepEveryLiveValueAndRemoveWhatIsLeftBehind(DynamoDbLocal local) throws Exception {
        Map<String, byte[]> live = writeLive(16);
        leaveBehind(local, 3);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier together = new CyclicBarrier(4);
            List<Future<Long>> sweepers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int sweeper = i;
                sweepers.add(pool.submit(() -> {
                    try (Database db = DynamoDbDown.open(client, table + "$db")) {
                        together.await();
                        long removed = 0;
                        for (int sweep = 0; sweep < 8 + sweeper; sweep++) { // out of step with each other
                            removed += db.sweep(Duration.ZERO);
                        }
                        return removed;
                    }
                }));
            }
            long removed = 0;
            for (Future<Long> sweeper : sweepers) {
                removed += sweeper.get();
            }
            assertTrue(removed >= 3, "what was left behind is removed (by one sweep or several): " + removed);
            assertLiveAndNothingElse(live);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes {@code count} values of 450 KB (two chunks each), returned by key. */
    private Map<String, byte[]> writeLive(int count) {
        Map<String, byte[]> live = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] value = random(450 * 1024, i);
            db.put(Bytes.utf8("live" + i), value);
            live.put("live" + i, value);
        }
        return live;
    }

    /** Leaves {@code count} versions nothing refers to: writers that stopped between their chunks and their entry. */
    private void leaveBehind(DynamoDbLocal local, int count) {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withMaxAttempts(1)).httpClient(http).build();
                Database crashing = DynamoDbDown.open(faulty, table + "$db")) {
            http.failAlways("TransactWriteItems", Fault.CONNECTION_REFUSED);
            for (int i = 0; i < count; i++) {
                int n = i;
                assertThrows(DynamoDbDownException.class, () -> crashing.put(Bytes.utf8("unwritten" + n), random(MB, n)));
            }
        }
    }

    /** Every live value reads back whole, and the table holds their items only (entry, registry entry, 2 chunks). */
    private void assertLiveAndNothingElse(Map<String, byte[]> live) {
        live.forEach((key, value) -> assertArrayEquals(value, db.get(Bytes.utf8(key)), key));
        assertEquals(live.size() * 4L, items(), "nothing but the live values' items is left");
    }

    @Test
    void aHashKeyTooLongForChunkPartitionsIsRefusedBeforeAnythingIsWritten() {
        try (Database longName = DynamoDbDown.open(client, table + "$" + "h".repeat(2000))) {
            InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> longName.put(Bytes.utf8("k"), random(MB, 1)));
            assertTrue(e.getMessage().contains("too long for values past 400 KB"), e.getMessage());
            longName.put("k", "a small value is fine");
            assertEquals(1, items());
            assertEquals(0, longName.sweep(Duration.ZERO));
        }
        assertThrows(IllegalArgumentException.class, () -> DynamoDbDown.open(client, table + "$__dynamodbdown.chunks/db"),
                "the chunks' partitions are not a database");
    }

    /** Real HTTP, with a hook on one operation: before its first request, or after its n-th ran but lost its answer. */
    private static final class InterleavingHttpClient implements SdkHttpClient {
        private final SdkHttpClient real = Apache5HttpClient.builder().build();
        private final String operation;
        private final AtomicInteger sent = new AtomicInteger();
        Runnable beforeFirst = () -> { };
        int loseAnswerOf = -1;
        Runnable afterLostAnswer = () -> { };

        InterleavingHttpClient(String operation) {
            this.operation = operation;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            if (!request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("").endsWith("." + operation)) {
                return real.prepareRequest(request);
            }
            int n = sent.incrementAndGet();
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    if (n == 1) {
                        beforeFirst.run();
                    }
                    HttpExecuteResponse response = real.prepareRequest(request).call();
                    if (n == loseAnswerOf) {
                        response.responseBody().ifPresent(body -> {
                            try {
                                body.close();
                            } catch (IOException ignored) {
                                // thrown away either way
                            }
                        });
                        afterLostAnswer.run();
                        throw new SocketException("Connection reset (injected after the server applied the request)");
                    }
                    return response;
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public String clientName() {
            return "Interleaving-" + real.clientName();
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
