package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The store's model-based checker (issue #24, 6): random operations (puts and deletes, small and large values,
 * batches, atomic batches, conditional writes, clears, sweeps) through several handles of one database opened with
 * different options (its shard count given or not, a smaller maxValueSize), handles closed and opened again, a
 * sweeper running beside them, and faults injected at random into every handle's requests (server errors,
 * throttling, refused connections, answers lost after the server carried a request out). Every step is checked
 * against an in-memory model: what a successful write did, what a failed one may have done (the old value or the
 * new one, all or nothing for an atomic batch, exactly the keys a BatchWriteException names left unwritten), and
 * every few steps whole ranges read through a faulty handle (a read may fail, never be wrong). At the end, after a
 * healthy sweep, the table holds the model's entries and nothing else: no chunk left behind, none missing.
 *
 * <p>A run prints its seed and what it did; {@code -Dcheck.seed=N} replays its operations and faults (their timing
 * against the sweeper thread may differ), {@code -Dcheck.seconds=S} sets how long it runs (60 by default; the
 * {@code soak} profile runs it 15 minutes). A failure names the seed and the last operations.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class StoreModelCheckTest {

    private static final int KEYS = 48;
    private static final int SMALL_MAX = 300;
    private static final int LARGE_MIN = 400 * 1024;
    private static final int LARGE_MAX = 1_300 * 1024;
    /** The maxValueSize of one handle: puts over it through that handle are refused before anything is sent. */
    private static final long SMALL_HANDLE_MAX = 1024 * 1024;
    private static final Set<String> FAULTY_OPERATIONS = Set.of(FaultInjectingHttpClient.ANY);
    private static final List<Fault> FAULTS = List.of(Fault.SERVER_ERROR, Fault.THROTTLE, Fault.CONNECTION_REFUSED,
            Fault.ANSWER_LOST);

    private final DynamoDbLocal local = DynamoDbLocalExtension.get();
    private final long seed = Long.getLong("check.seed", System.nanoTime());
    private final long seconds = Long.getLong("check.seconds", 60);
    private final Random random = new Random(seed);
    private final String table = DynamoDbLocal.uniqueTableName("model-check");
    private final int shards = List.of(1, 3, 8).get(random.nextInt(3));
    private final TreeMap<ByteBuffer, byte[]> model = new TreeMap<>((a, b) -> Bytes.compare(a.array(), b.array()));
    /** The generation each key's entry was written in (none: absent), or {@link #UNKNOWN} after a failed write. */
    private final Map<ByteBuffer, Object> stamps = new HashMap<>();
    private static final Object UNKNOWN = new Object();
    private static final List<String> ORIGINS = List.of("source$a", "source$b");
    /** The newest generation number written per origin. */
    private final Map<String, Long> newest = new HashMap<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private final List<Handle> handles = new ArrayList<>();

    /** One handle of the database: its own client with its own faults, and the options it was opened with. */
    private final class Handle implements AutoCloseable {
        final String name;
        final OpenOptions options;
        final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
        final DynamoDbClient client;
        Database db;

        /** A handle whose requests are each sent {@code attempts} times at most: with one, every fault is felt. */
        Handle(String name, OpenOptions options, int attempts) {
            this.name = name;
            this.options = options;
            client = DynamoDbClients.builder(local.settings().withMaxAttempts(attempts).withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5)))
                    .httpClient(http).build();
            db = DynamoDbDown.open(client, table + "$db", options);
        }

        void reopen() {
            db.close();
            http.heal();
            db = DynamoDbDown.open(client, table + "$db", options);
        }

        @Override
        public void close() {
            db.close();
            client.close();
            http.close();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void randomOperationsFaultsRestartsAndSweepsKeepTheDatabaseEqualToItsModel() throws Exception {
        System.out.printf("store model check: seed %d (-Dcheck.seed=%d replays it), %d shards, %d s%n", seed, seed, shards,
                seconds);
        DynamoDbClient healthy = local.client();
        Database verifier = null;
        Handle sweeperHandle = null;
        AtomicBoolean sweeping = new AtomicBoolean(true);
        AtomicLong sweeps = new AtomicLong();
        Thread sweeper = null;
        try {
            handles.add(new Handle("first opener (shards=" + shards + ")", OpenOptions.defaults().withShards(shards), 2));
            handles.add(new Handle("recorded count, one attempt", OpenOptions.defaults(), 1));
            handles.add(new Handle("recorded count, maxValueSize 1 MiB", OpenOptions.defaults().withMaxValueSize(SMALL_HANDLE_MAX), 2));
            verifier = DynamoDbDown.open(healthy, table + "$db");
            sweeperHandle = new Handle("sweeper", OpenOptions.defaults(), 2);
            Handle sweeps0 = sweeperHandle;
            Random sweeperRandom = new Random(seed + 1);
            sweeper = new Thread(() -> {
                while (sweeping.get()) {
                    sweeps0.http.failAtRandom(FAULTY_OPERATIONS, FAULTS.get(sweeperRandom.nextInt(FAULTS.size())), 0.1,
                            sweeperRandom);
                    try {
                        // mostly what a writer left half a second ago; now and then everything unreferenced, which
                        // fences off the writes under way (they fail, and the model keeps the old value)
                        sweeps0.db.sweep(sweeperRandom.nextInt(5) == 0 ? Duration.ZERO : Duration.ofMillis(500));
                    } catch (DynamoDbDownException e) {
                        // a sweep that fails part-way leaves what it did not finish to the next one
                    }
                    sweeps.incrementAndGet();
                }
            }, "model-check-sweeper");
            sweeper.start();

            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long steps = 0;
            while (System.nanoTime() < deadline) {
                if (steps % 40 == 0) {
                    injectFaults();
                }
                step(verifier);
                steps++;
                if (steps % 25 == 0) {
                    compareRanges(verifier);
                }
            }
            sweeping.set(false);
            sweeper.join();
            handles.forEach(h -> h.http.heal());
            compareRanges(verifier);
            verifier.sweep(Duration.ZERO);
            assertNothingLeftBehind(healthy, verifier);
            long faults = handles.stream().mapToLong(h -> h.http.injected()).sum() + sweeperHandle.http.injected();
            System.out.printf("store model check passed: seed %d, %d steps %s, %d faults injected, %d background sweeps,"
                    + " %d entries at the end%n", seed, steps, counts, faults, sweeps.get(), model.size());
        } catch (Throwable e) {
            throw new AssertionError("Store model check failed: seed " + seed + " (-Dcheck.seed=" + seed + " replays it), "
                    + shards + " shards; the last steps:\n  " + String.join("\n  ", recent), e);
        } finally {
            sweeping.set(false);
            if (sweeper != null) {
                sweeper.join();
            }
            handles.forEach(Handle::close);
            if (sweeperHandle != null) {
                sweeperHandle.close();
            }
            if (verifier != null) {
                verifier.dropTable();
            }
        }
    }

    /** Every handle gets a new kind of fault, at a rate that leaves most requests alone. */
    private void injectFaults() {
        for (Handle handle : handles) {
            handle.http.heal();
            if (random.nextInt(4) > 0) {
                handle.http.failAtRandom(FAULTY_OPERATIONS, FAULTS.get(random.nextInt(FAULTS.size())),
                        0.02 + random.nextDouble() * 0.1, new Random(random.nextLong()));
            }
        }
    }

    private void note(String what) {
        recent.addLast(what);
        if (recent.size() > 30) {
            recent.removeFirst();
        }
        counts.merge(what.substring(0, what.indexOf(' ')), 1, Integer::sum);
    }

    private void step(Database verifier) {
        Handle handle = handles.get(random.nextInt(handles.size()));
        int kind = random.nextInt(100);
        if (kind < 25) {
            put(handle, verifier);
        } else if (kind < 37) {
            delete(handle, verifier);
        } else if (kind < 55) {
            batch(handle, verifier, random.nextInt(3) == 0 ? generation() : null);
        } else if (kind < 65) {
            atomicBatch(handle, verifier);
        } else if (kind < 80) {
            writeIf(handle, verifier);
        } else if (kind < 82) {
            clear(handle, verifier);
        } else if (kind < 84) {
            clearOlderGenerations(handle, verifier);
        } else if (kind < 88) {
            note("reopen " + handle);
            handle.reopen();
        } else if (kind < 90) {
            refusedCount();
        } else {
            read(handle, verifier);
        }
    }

    private byte[] key() {
        return Bytes.utf8(String.format("k%02d", random.nextInt(KEYS)));
    }

    private byte[] value() {
        int size = random.nextInt(8) == 0 ? LARGE_MIN + random.nextInt(LARGE_MAX - LARGE_MIN) : random.nextInt(SMALL_MAX);
        byte[] value = new byte[size];
        random.nextBytes(value);
        return value;
    }

    private byte[] current(byte[] key) {
        return model.get(ByteBuffer.wrap(key));
    }

    /** The key holds {@code value} (null: nothing), written without a generation. */
    private void set(byte[] key, byte[] value) {
        set(key, value, null);
    }

    /** The key holds {@code value} (null: nothing), written in {@code stamp} (a Generation, {@link #UNKNOWN} or none). */
    private void set(byte[] key, byte[] value, Object stamp) {
        ByteBuffer at = ByteBuffer.wrap(key);
        if (value == null) {
            model.remove(at);
            stamps.remove(at);
        } else {
            model.put(at, value);
            if (stamp == null) {
                stamps.remove(at);
            } else {
                stamps.put(at, stamp);
            }
        }
    }

    /** A generation of one of two origins, usually the newest of its origin or one past it, now and then an older one. */
    private Generation generation() {
        String origin = ORIGINS.get(random.nextInt(ORIGINS.size()));
        long newestOfOrigin = newest.getOrDefault(origin, 1L);
        long number = Math.max(1, newestOfOrigin + (random.nextInt(4) == 0 ? -random.nextInt(3) : random.nextInt(2)));
        newest.put(origin, Math.max(newestOfOrigin, number));
        return new Generation(origin, number);
    }

    private static String describe(byte[] key, byte[] value) {
        return Bytes.describe(key) + (value == null ? " (delete)" : " (" + value.length + " bytes)");
    }

    /** Whether this handle refuses the value before sending anything. */
    private static boolean refuses(Handle handle, byte[] value) {
        return value != null && value.length > handle.options.maxValueSize();
    }

    private void put(Handle handle, Database verifier) {
        byte[] key = key();
        byte[] value = value();
        note("put " + describe(key, value) + " via " + handle);
        if (refuses(handle, value)) {
            expectRefused(() -> handle.db.put(key, value));
            return;
        }
        apply(verifier, Map.of(ByteBuffer.wrap(key), value), () -> handle.db.put(key, value));
    }

    private void delete(Handle handle, Database verifier) {
        byte[] key = key();
        note("del " + Bytes.describe(key) + " via " + handle);
        Map<ByteBuffer, byte[]> change = new HashMap<>();
        change.put(ByteBuffer.wrap(key), null);
        apply(verifier, change, () -> handle.db.del(key));
    }

    private void batch(Handle handle, Database verifier, Generation generation) {
        List<BatchOperation> operations = new ArrayList<>();
        Map<ByteBuffer, byte[]> last = new HashMap<>();
        int count = 1 + random.nextInt(40);
        boolean refused = false;
        for (int i = 0; i < count; i++) {
            byte[] key = key();
            byte[] value = random.nextInt(4) == 0 ? null : (random.nextInt(12) == 0 ? value() : smallValue());
            operations.add(value == null ? BatchOperation.del(key) : BatchOperation.put(key, value));
            last.put(ByteBuffer.wrap(key), value);
            refused |= refuses(handle, value);
        }
        note("batch " + operations.size() + " operations, " + last.size() + " keys" + (generation == null ? ""
                : " in generation " + generation) + " via " + handle);
        WriteOptions options = WriteOptions.DEFAULT.withGeneration(generation);
        if (refused) {
            expectRefused(() -> handle.db.batch(operations, options));
            return;
        }
        try {
            handle.db.batch(operations, options);
            last.forEach((key, value) -> set(key.array(), value, generation));
            checkKeys(verifier, last.keySet());
        } catch (BatchWriteException e) {
            Set<ByteBuffer> unwritten = new java.util.HashSet<>();
            e.unwrittenKeys().forEach(k -> unwritten.add(ByteBuffer.wrap(k)));
            Map<ByteBuffer, byte[]> written = new HashMap<>(last);
            written.keySet().removeAll(unwritten);
            // written: exactly what the exception does not name
            written.forEach((key, value) -> set(key.array(), value, generation));
            checkKeys(verifier, written.keySet());
            Map<ByteBuffer, byte[]> maybe = new HashMap<>(last);
            maybe.keySet().retainAll(unwritten);
            resolveEach(verifier, maybe, "named unwritten by " + e.getMessage());
        } catch (DynamoDbDownException e) {
            resolveEach(verifier, last, e.getMessage());
        }
    }

    private byte[] nonEmpty(byte[] value) {
        return value.length > 0 ? value : new byte[] {1};
    }

    private byte[] smallValue() {
        byte[] value = new byte[random.nextInt(SMALL_MAX)];
        random.nextBytes(value);
        return value;
    }

    private void atomicBatch(Handle handle, Database verifier) {
        List<BatchOperation> operations = new ArrayList<>();
        Map<ByteBuffer, byte[]> last = new HashMap<>();
        int count = 1 + random.nextInt(10);
        int large = 0;
        boolean refused = false;
        for (int i = 0; i < count; i++) {
            byte[] key = key();
            byte[] value = random.nextInt(4) == 0 ? null : (large < 2 && random.nextInt(6) == 0 ? value() : smallValue());
            large += value != null && value.length >= LARGE_MIN ? 1 : 0;
            operations.add(value == null ? BatchOperation.del(key) : BatchOperation.put(key, value));
            last.put(ByteBuffer.wrap(key), value);
            refused |= refuses(handle, value);
        }
        note("atomic " + last.size() + " keys via " + handle);
        if (refused) {
            expectRefused(() -> handle.db.batch(operations, WriteOptions.ATOMIC));
            return;
        }
        Map<ByteBuffer, byte[]> before = new HashMap<>();
        last.keySet().forEach(key -> before.put(key, current(key.array())));
        try {
            handle.db.batch(operations, WriteOptions.ATOMIC);
            last.forEach((key, value) -> set(key.array(), value));
            checkKeys(verifier, last.keySet());
        } catch (DynamoDbDownException e) {
            // all or nothing: every key as before, or every key as the batch wrote it
            Map<ByteBuffer, byte[]> now = new HashMap<>();
            last.keySet().forEach(key -> now.put(key, verifier.get(key.array())));
            boolean allOld = last.keySet().stream().allMatch(k -> Arrays.equals(now.get(k), before.get(k)));
            boolean allNew = last.keySet().stream().allMatch(k -> Arrays.equals(now.get(k), last.get(k)));
            if (!allOld && !allNew) {
                throw new AssertionError("A failed atomic batch was written in part (" + e.getMessage() + ")");
            }
            if (allNew && !allOld) {
                last.forEach((key, value) -> set(key.array(), value));
            } else if (allNew) {
                last.keySet().forEach(key -> set(key.array(), current(key.array()), UNKNOWN)); // same values: written or not
            }
        }
    }

    private void writeIf(Handle handle, Database verifier) {
        byte[] key = key();
        byte[] old = current(key);
        Expect expect = switch (random.nextInt(4)) {
            case 0 -> Expect.absent();
            case 1 -> Expect.present();
            case 2 -> Expect.value(old != null && random.nextBoolean() ? old : smallValue());
            default -> Expect.valueStartingWith(old != null && old.length > 0 && random.nextBoolean()
                    ? Arrays.copyOf(old, 1 + random.nextInt(Math.min(old.length, 20))) : nonEmpty(smallValue()));
        };
        boolean delete = random.nextInt(3) == 0;
        byte[] value = delete ? null : value();
        BatchOperation operation = delete ? BatchOperation.del(key) : BatchOperation.put(key, value);
        boolean holds = holds(expect, old);
        note("writeIf " + describe(key, value) + " if " + expect + " (holds: " + holds + ") via " + handle);
        if (refuses(handle, value)) {
            expectRefused(() -> handle.db.writeIf(operation, expect));
            return;
        }
        Map<ByteBuffer, byte[]> change = new HashMap<>();
        change.put(ByteBuffer.wrap(key), value);
        try {
            boolean written = handle.db.writeIf(operation, expect);
            if (written != holds && !(delete && holds && !written)) {
                throw new AssertionError("writeIf returned " + written + " where the model says the condition "
                        + (holds ? "holds" : "does not hold"));
            }
            if (written) {
                set(key, value);
                checkKeys(verifier, change.keySet());
            } else if (holds) {
                resolveEach(verifier, change, "a delete whose answer was lost reports false"); // documented
            } else {
                checkKeys(verifier, change.keySet());
            }
        } catch (DynamoDbDownException e) {
            if (holds) {
                resolveEach(verifier, change, e.getMessage());
            } else {
                checkKeys(verifier, change.keySet()); // the condition does not hold: nothing may have changed
            }
        }
    }

    private static boolean holds(Expect expect, byte[] value) {
        if (expect instanceof Expect.Absent) {
            return value == null;
        }
        if (value == null) {
            return false;
        }
        if (expect instanceof Expect.Value expected) {
            return Arrays.equals(expected.value(), value);
        }
        if (expect instanceof Expect.ValuePrefix prefix) {
            return value.length >= prefix.prefix().length
                    && Arrays.equals(prefix.prefix(), 0, prefix.prefix().length, value, 0, prefix.prefix().length);
        }
        return true;
    }

    private void clear(Handle handle, Database verifier) {
        KeyRange range = randomRange().limit(KeyRange.NO_LIMIT).reverse(false);
        note("clear " + range + " via " + handle);
        Map<ByteBuffer, byte[]> cleared = new HashMap<>();
        model.keySet().stream().filter(k -> range.contains(k.array())).forEach(k -> cleared.put(k, null));
        apply(verifier, cleared, () -> handle.db.clear(range));
    }

    /**
     * Clears a range of an origin's older generations: the keys the model says are stamped older by that origin go,
     * the others stay; a key whose stamp a failed write left unknown may go or stay (read to settle it).
     */
    private void clearOlderGenerations(Handle handle, Database verifier) {
        KeyRange range = randomRange().limit(KeyRange.NO_LIMIT).reverse(false);
        Generation generation = generation();
        note("clearGenerations " + range + " older than " + generation + " via " + handle);
        Map<ByteBuffer, byte[]> certain = new HashMap<>();
        Map<ByteBuffer, byte[]> maybe = new HashMap<>();
        for (ByteBuffer key : model.keySet()) {
            Object stamp = stamps.get(key);
            if (!range.contains(key.array())) {
                continue;
            }
            if (stamp == UNKNOWN) {
                maybe.put(key, null);
            } else if (stamp instanceof Generation stamped && stamped.before(generation)) {
                certain.put(key, null);
            }
        }
        try {
            long deleted = handle.db.clearOlderGenerations(range, generation);
            // a delete whose answer was lost and that the client sent again finds nothing to delete: not counted
            if (deleted > certain.size() + maybe.size()) {
                throw new AssertionError("clearOlderGenerations deleted " + deleted + " entries; the model says at most "
                        + (certain.size() + maybe.size()));
            }
            certain.keySet().forEach(key -> set(key.array(), null));
            checkKeys(verifier, certain.keySet());
            resolveEach(verifier, maybe, "a stamp a failed write left unknown", false);
        } catch (DynamoDbDownException e) {
            certain.putAll(maybe);
            resolveEach(verifier, certain, e.getMessage());
        }
    }

    /** A handle opened with another count than the recorded one is refused and changes nothing. */
    private void refusedCount() {
        note("open with another count");
        try (DynamoDbClient client = local.newClient()) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withShards(shards + 1)));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("created with " + shards + " shard"),
                    e.getMessage());
        }
    }

    private void read(Handle handle, Database verifier) {
        KeyRange range = randomRange();
        note("read " + range + " via " + handle);
        List<byte[]> asked = new ArrayList<>();
        for (int i = random.nextInt(6); i >= 0; i--) {
            asked.add(key());
        }
        try {
            List<byte[]> values = handle.db.getMany(asked);
            for (int i = 0; i < asked.size(); i++) {
                assertArrayEquals(current(asked.get(i)), values.get(i), "getMany of " + Bytes.describe(asked.get(i)));
            }
            assertEquals(describe(expected(range)), describe(DatabaseTestSupport.drain(handle.db.iterator(range))),
                    "iterator over " + range + " via " + handle);
        } catch (DynamoDbDownException e) {
            counts.merge("failedRead", 1, Integer::sum); // a read may fail; it is never wrong
        }
    }

    private KeyRange randomRange() {
        KeyRange range = KeyRange.all();
        if (random.nextBoolean()) {
            range = random.nextBoolean() ? range.gte(key()) : range.gt(key());
        }
        if (random.nextBoolean()) {
            range = random.nextBoolean() ? range.lte(key()) : range.lt(key());
        }
        if (random.nextInt(3) == 0) {
            range = range.limit(random.nextInt(12));
        }
        return range.reverse(random.nextBoolean());
    }

    private List<Entry> expected(KeyRange range) {
        ReferenceModel reference = new ReferenceModel();
        model.forEach((k, v) -> reference.put(k.array(), v));
        return reference.range(range);
    }

    private static String describe(List<Entry> entries) {
        StringBuilder text = new StringBuilder();
        for (Entry e : entries) {
            text.append(Bytes.describe(e.key())).append('=').append(e.value().length).append(':')
                    .append(Arrays.hashCode(e.value())).append('\n');
        }
        return text.toString();
    }

    /** Runs a write of {@code change} (value null: delete); a failure leaves each key old or new, read to settle it. */
    private void apply(Database verifier, Map<ByteBuffer, byte[]> change, Runnable write) {
        try {
            write.run();
            change.forEach((key, value) -> set(key.array(), value));
            checkKeys(verifier, change.keySet());
        } catch (DynamoDbDownException e) {
            resolveEach(verifier, change, e.getMessage());
        }
    }

    private void expectRefused(Runnable write) {
        org.junit.jupiter.api.Assertions.assertThrows(InvalidEntryException.class, write::run,
                "a value over this handle's maxValueSize is refused before anything is sent");
        counts.merge("refused", 1, Integer::sum);
    }

    /** After a write that failed: each key holds its old value or the new one, whole; the model takes what it holds. */
    private void resolveEach(Database verifier, Map<ByteBuffer, byte[]> change, String failure) {
        resolveEach(verifier, change, failure, true);
    }

    private void resolveEach(Database verifier, Map<ByteBuffer, byte[]> change, String failure, boolean failed) {
        if (failed) {
            counts.merge("failedWrite", 1, Integer::sum);
        }
        change.forEach((key, value) -> {
            byte[] now = verifier.get(key.array());
            byte[] old = current(key.array());
            if (!Arrays.equals(now, old) && !Arrays.equals(now, value)) {
                throw new AssertionError("After a failed write (" + failure + ") " + Bytes.describe(key.array())
                        + " holds neither its old value nor the new one: " + (now == null ? "nothing" : now.length + " bytes"));
            }
            set(key.array(), now, UNKNOWN); // what generation it holds, if any, is not known
        });
    }

    private void checkKeys(Database verifier, Set<ByteBuffer> keys) {
        for (ByteBuffer key : keys) {
            assertArrayEquals(current(key.array()), verifier.get(key.array()), () -> "after a write, "
                    + Bytes.describe(key.array()));
        }
    }

    /** The whole database, forwards and backwards, through the healthy verifier. */
    private void compareRanges(Database verifier) {
        assertEquals(describe(expected(KeyRange.all())), describe(DatabaseTestSupport.drain(verifier.iterator(KeyRange.all()))),
                "the whole database");
        KeyRange range = randomRange();
        assertEquals(describe(expected(range)), describe(DatabaseTestSupport.drain(verifier.iterator(range))),
                "the range " + range);
        counts.merge("compare", 1, Integer::sum);
    }

    /**
     * After a healthy sweep the table holds the model's entries, the shard count, and for each large value its
     * registry entry and chunks: nothing left behind by the failed writes, nothing missing.
     */
    private void assertNothingLeftBehind(DynamoDbClient client, Database verifier) {
        List<byte[]> large = model.values().stream().filter(v -> v.length >= LARGE_MIN).toList();
        long chunks = large.stream().mapToLong(v -> (v.length + 384L * 1024 - 1) / (384L * 1024)).sum();
        Map<String, Long> items = new TreeMap<>();
        client.scanPaginator(b -> b.tableName(table).projectionExpression("db, discarded")).items().forEach(item -> {
            String hash = item.get("db").s();
            String kind = !hash.startsWith("__dynamodbdown.") || hash.startsWith("__dynamodbdown.shard/") && !hash.endsWith("/count")
                    ? "entries" : hash.endsWith("/count") ? "shard count"
                    : hash.chars().filter(c -> c == '/').count() > 1 ? "chunks"
                    : item.containsKey("discarded") && "removed".equals(item.get("discarded").s()) ? "removed while young"
                    : "registry";
            items.merge(kind, 1L, Long::sum);
        });
        // the registry items of versions removed while young stay an hour (LargeValues.WRITE_GRACE), their chunks gone
        long removedWhileYoung = items.getOrDefault("removed while young", 0L);
        Map<String, Long> expected = new TreeMap<>(Map.of("entries", (long) model.size(), "shard count", 1L,
                "registry", (long) large.size(), "chunks", chunks, "removed while young", removedWhileYoung));
        expected.values().removeIf(n -> n == 0);
        assertEquals(expected, items, "the table's items after a healthy sweep: the model's, nothing left behind");
        model.forEach((key, value) -> assertArrayEquals(value, verifier.get(key.array()), () -> Bytes.describe(key.array())));
    }
}
