package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Tailing a growing range on DynamoDB Local, with a clock the test moves. */
@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class TailReaderTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final AtomicLong now = new AtomicLong();
    private Database db;

    @BeforeEach
    void open(DynamoDbClient client) {
        db = DatabaseTestSupport.openFresh(client, "tail", OpenOptions.defaults().withPageSize(2).withShards(shards));
    }

    @AfterEach
    void drop() {
        db.dropTable();
    }

    private TailReader reader(byte[] settledKey) {
        return new TailReader(db, KeyRange.all().gte("k"), settledKey, SETTLE, now::get);
    }

    private static List<String> keys(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.key())).collect(Collectors.toList());
    }

    private void later(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aKeyThatAppearsBehindReturnedOnesIsStillReturned() {
        TailReader tail = reader(null);
        db.put("k1", "v");
        db.put("k3", "v"); // k2 is still in flight
        assertEquals(List.of("k1", "k3"), keys(tail.poll(100)));
        later(Duration.ofSeconds(1));
        db.put("k2", "v");
        assertEquals(List.of(), keys(tail.poll(100)), "the region behind is swept every settle / 2, not on every poll");
        later(SETTLE.dividedBy(2));
        assertEquals(List.of("k2"), keys(tail.poll(100)), "the late key, once");
        assertEquals(List.of(), keys(tail.poll(100)));
        assertNull(tail.settledKey(), "nothing settled before the settle time passed");
        later(SETTLE);
        tail.poll(100);
        assertArrayEquals(Bytes.utf8("k3"), tail.settledKey());
    }

    @Test
    void settlingWaitsForTheYoungestEntryInKeyOrder() {
        TailReader tail = reader(null);
        db.put("k1", "v");
        tail.poll(100);
        later(Duration.ofSeconds(4));
        db.put("k2", "v");
        tail.poll(100);
        later(Duration.ofSeconds(3)); // k1 is 7 s old, k2 3 s; the last sweep was 3 s ago
        tail.poll(100);
        assertArrayEquals(Bytes.utf8("k1"), tail.settledKey());
        db.put("k15", "late, between k1 and k2"); // below k2, above the settled k1: still found
        later(SETTLE.dividedBy(2));
        assertEquals(List.of("k15"), keys(tail.poll(100)));
    }

    @Test
    void pollsAreBoundedAndResumeFromTheSettledKey() {
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            puts.add(BatchOperation.put("k" + i, "v"));
        }
        db.batch(puts);
        TailReader tail = reader(null);
        assertEquals(List.of("k0", "k1", "k2", "k3"), keys(tail.poll(4)));
        assertEquals(List.of("k4", "k5", "k6", "k7"), keys(tail.poll(4)));
        later(SETTLE);
        assertEquals(List.of("k8", "k9"), keys(tail.poll(4)));
        assertArrayEquals(Bytes.utf8("k7"), tail.settledKey(), "settled only as far as it read again");
        TailReader restarted = reader(tail.settledKey());
        assertEquals(List.of("k8", "k9"), keys(restarted.poll(100)), "a restart returns the unsettled tail again");
    }

    @Test
    void retryFromHandsEntriesBack() {
        db.batch(List.of(BatchOperation.put("k1", "v"), BatchOperation.put("k2", "v"), BatchOperation.put("k3", "v")));
        TailReader tail = reader(null);
        assertEquals(3, tail.poll(100).size());
        tail.retryFrom(Bytes.utf8("k2"));
        assertEquals(List.of("k2", "k3"), keys(tail.poll(100)));
    }

    @Test
    void entriesReadByASlowPollAreOnlyAsOldAsTheirRead() {
        Database slow = (Database) Proxy.newProxyInstance(Database.class.getClassLoader(), new Class<?>[] {Database.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("iterator")) {
                        later(Duration.ofSeconds(4)); // a read held up by retries
                    }
                    return invoke(method, db, args);
                });
        TailReader tail = new TailReader(slow, KeyRange.all().gte("k"), null, SETTLE, now::get);
        db.put("k1", "v");
        assertEquals(List.of("k1"), keys(tail.poll(100))); // began at 0 s, read k1 at 4 s
        later(Duration.ofSeconds(1)); // 5 s: a sweep is due; k1 is 1 s old, not 5
        tail.poll(100);
        assertNull(tail.settledKey(), "its neighbours may still appear until 4 s + settle");
    }

    @Test
    void withSettleTimeZeroAPollNeverSettlesWhatItReturns() {
        TailReader tail = new TailReader(db, KeyRange.all().gte("k"), null, Duration.ZERO, now::get);
        db.batch(List.of(BatchOperation.put("k1", "v"), BatchOperation.put("k2", "v")));
        assertEquals(List.of("k1", "k2"), keys(tail.poll(100)));
        assertNull(tail.settledKey(), "the caller has not handled k1 and k2 yet");
        tail.retryFrom(Bytes.utf8("k2")); // k2 failed
        assertEquals(List.of("k2"), keys(tail.poll(100)), "handed back, so returned again");
        assertArrayEquals(Bytes.utf8("k1"), tail.settledKey(), "k1 was handled before this poll");
        assertEquals(List.of(), keys(tail.poll(100)));
        assertArrayEquals(Bytes.utf8("k2"), tail.settledKey());
    }


    /** Query requests fail on demand below the client's retries (2 attempts); 2 entries a page. */
    @Test
    void aQueryFailingPastTheRetriesInTheMiddleOfAPollLosesNothing() {
        Assumptions.assumeTrue(shards == 1, "counts the Query pages of one partition; see the test after it for shards");
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient client = twoAttempts(http);
                Database failing = DynamoDbDown.open(client, db.location(), OpenOptions.defaults().withPageSize(2))) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                puts.add(BatchOperation.put("k" + i, "v"));
            }
            db.batch(puts);
            TailReader tail = new TailReader(failing, KeyRange.all().gte("k"), null, SETTLE, now::get);

            http.fail("Query", Fault.SERVER_ERROR, 0, 2); // the first page's request and its retry
            assertThrows(DynamoDbDownException.class, () -> tail.poll(100), "nothing read: the poll fails");
            http.fail("Query", Fault.SERVER_ERROR, 1, 2); // the second page's
            assertEquals(List.of("k0", "k1"), keys(tail.poll(100)), "what was read before the failure");
            http.fail("Query", Fault.SERVER_ERROR, 2, 2); // a third request: none is made when max ends on a page boundary
            assertEquals(List.of("k2", "k3", "k4", "k5"), keys(tail.poll(4)));
            assertEquals(4, http.injected(), "no extra request only to ask whether the range goes on");
            http.heal();
            assertEquals(List.of("k6", "k7", "k8"), keys(tail.poll(100)), "the rest, none lost, none twice");

            later(SETTLE);
            http.fail("Query", Fault.SERVER_ERROR, 1, 2); // a sweep that fails after its first page, having found nothing
            assertThrows(DynamoDbDownException.class, () -> tail.poll(100));
            assertNull(tail.settledKey(), "a failed poll settles nothing");
            later(SETTLE);
            assertEquals(List.of(), keys(tail.poll(100)));
            assertArrayEquals(Bytes.utf8("k8"), tail.settledKey(), "the next sweep settles it all");
        }
    }

    /** Whichever Query fails, in whichever shard, the polls that succeed return every key once, in order. */
    @Test
    void queriesFailingAtEveryPointOfTheReadLoseNothingAndRepeatNothing() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient client = twoAttempts(http);
                Database failing = DynamoDbDown.open(client, db.location(), OpenOptions.defaults().withPageSize(2))) {
            List<BatchOperation> puts = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                puts.add(BatchOperation.put(String.format("k%02d", i), "v"));
                expected.add(String.format("k%02d", i));
            }
            db.batch(puts);
            TailReader tail = new TailReader(failing, KeyRange.all().gte("k"), null, SETTLE, now::get);
            List<String> read = new ArrayList<>();
            int failures = 0;
            for (int skip = 0; read.size() < expected.size(); skip = (skip + 1) % 7) {
                http.fail("Query", Fault.SERVER_ERROR, skip, 2); // the skip+1-th request and its retry
                try {
                    read.addAll(keys(tail.poll(3)));
                } catch (DynamoDbDownException e) {
                    failures++;
                }
                assertTrue(failures < 100, "the reader moves on between failures: " + read);
            }
            assertEquals(expected, read, "every key once, in order, across " + failures + " failed polls");
            assertTrue(failures > 0, "queries failed");
        }
    }

    /** A client through {@code http} that tries a request twice, quickly: a fault there outlasts its retries. */
    private static DynamoDbClient twoAttempts(FaultInjectingHttpClient http) {
        ClientSettings settings = DynamoDbLocalExtension.get().settings().withMaxAttempts(2)
                .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5));
        return DynamoDbClients.builder(settings).httpClient(http).build();
    }

    /** Counts the entries a database's iterators yield: the items the reader read. */
    private static Database counting(Database real, AtomicLong read) {
        return (Database) Proxy.newProxyInstance(Database.class.getClassLoader(), new Class<?>[] {Database.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (!method.getName().equals("iterator")) {
                        return result;
                    }
                    return Proxy.newProxyInstance(RangeIterator.class.getClassLoader(), new Class<?>[] {RangeIterator.class},
                            (p, m, a) -> {
                                Object value = invoke(m, result, a);
                                if (m.getName().equals("next")) {
                                    read.incrementAndGet();
                                }
                                return value;
                            });
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void eachEntryIsReadAFewTimesHoweverOftenTheReaderPolls() {
        AtomicLong read = new AtomicLong();
        TailReader tail = new TailReader(counting(db, read), KeyRange.all().gte("k"), null, SETTLE, now::get);
        int delivered = 0;
        for (int poll = 0; poll < 200; poll++) { // 10 new keys every 100 ms for 20 s, a poll after each
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                puts.add(BatchOperation.put(String.format("k%05d", poll * 10 + i), "v"));
            }
            db.batch(puts);
            delivered += tail.poll(1_000).size();
            later(Duration.ofMillis(100));
        }
        assertEquals(2_000, delivered);
        double perEntry = (double) read.get() / delivered;
        System.out.printf("tail reader: %,d items read for %,d delivered (%.2f per entry)%n", read.get(), delivered, perEntry);
        assertTrue(perEntry < 5, "about 1 read when new and 3 sweeps, not the whole window on every poll: " + perEntry);
    }

    @Test
    void reverseRangesCannotBeTailed() {
        assertThrows(IllegalArgumentException.class, () -> new TailReader(db, KeyRange.all().reverse(true), null, SETTLE));
    }
}
