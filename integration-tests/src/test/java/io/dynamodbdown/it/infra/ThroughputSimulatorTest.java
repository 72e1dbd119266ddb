package io.dynamodbdown.it.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.BatchWriteException;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.RetryPolicy;
import io.dynamodbdown.store.WriteBatch;
import io.dynamodbdown.store.WriteOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The proxy's partition limits behave as DynamoDB's do, and the store loses nothing under them: writes over a
 * partition key's units come back as UnprocessedItems or throttling and are sent again at the pace the key
 * accepts, with the default retry budget (which counts only attempts without progress), reads over its units are
 * throttled or handed back and read again, another partition key of the same table is not held back, and a key
 * that accepts nothing for longer than the budget still fails, naming the keys not written. The limits are below
 * what one request asks for, so each check holds whatever the machine's speed.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class ThroughputSimulatorTest {

    private static final int ENTRIES = 1_000;

    @Test
    void writesOverAPartitionsLimitAreHandedBackAndWrittenInTheEnd(DynamoDbLocal local) throws Exception {
        String table = DynamoDbLocal.uniqueTableName("sim-writes");
        // Limits below one request's cost, so each check below holds whatever the machine's speed: a
        // BatchWriteItem of 25 items against 20 units a second always has items handed back.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(local.endpoint()).partitionLimits(20, 3_000).start();
                DynamoDbClient throttled = DynamoDbClients.build(local.settings().withEndpoint(proxy.endpoint().toString()));
                Database db = DynamoDbDown.open(throttled, table + "$hot")) {
            long start = System.nanoTime();
            // 100 write units into one partition key, 20 a second: 5 s, where the retry budget of old (10 attempts
            // in all, about 3.5 s of pauses) gave up with a BatchWriteException
            db.batch(numbered(0, 100));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("100 items into one partition key at 20 WCU/s: %.1f s, %,d handed back, %,d throttled%n",
                    seconds, proxy.itemsHandedBack(), proxy.throttledAnswers());
            assertTrue(proxy.itemsHandedBack() > 0, "the partition's limit was met");
            assertEntries(local.client(), table + "$hot", numbered(0, 100));

            // transactions too, two units an item: each takes 30 units, so the next is cancelled with a
            // ThrottlingError reason until the partition has a whole second's units again, and sent again
            int throttledBefore = proxy.throttledAnswers();
            for (int round = 0; round < 3; round++) {
                WriteBatch atomic = db.batch();
                for (int i = 0; i < 15; i++) {
                    atomic.put(key(i), ("round " + round).getBytes(StandardCharsets.UTF_8));
                }
                atomic.write(WriteOptions.ATOMIC);
            }
            assertTrue(proxy.throttledAnswers() > throttledBefore, "transactions met the limit too");
            try (Database direct = DynamoDbDown.open(local.client(), table + "$hot")) {
                assertArrayEquals("round 2".getBytes(StandardCharsets.UTF_8), direct.get(key(14)));
            }
        }
    }

    @Test
    void readsOverAPartitionsLimitAreThrottledAndReadAgainInOrder(DynamoDbLocal local) throws Exception {
        String table = DynamoDbLocal.uniqueTableName("sim-reads");
        try (Database direct = DynamoDbDown.open(local.client(), table + "$hot")) {
            direct.batch(numbered(0, ENTRIES));
        }
        // a page of 250 entries (~32 KB) costs 8 read units, against 4 a second: the next page finds the
        // partition in debt
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(local.endpoint()).partitionLimits(1_000, 4).start();
                DynamoDbClient throttled = DynamoDbClients.build(local.settings().withEndpoint(proxy.endpoint().toString()));
                Database db = DynamoDbDown.open(throttled, table + "$hot", OpenOptions.defaults().withPageSize(250));
                RangeIterator<Entry> it = db.iterator(KeyRange.all())) {
            List<BatchOperation.Put> expected = numbered(0, ENTRIES);
            int i = 0;
            while (it.hasNext()) {
                Entry entry = it.next();
                assertArrayEquals(expected.get(i).key(), entry.getKey(), "entry " + i + " in order");
                assertArrayEquals(expected.get(i).value(), entry.getValue());
                i++;
            }
            assertEquals(ENTRIES, i, "every entry read");
            assertTrue(proxy.throttledAnswers() > 0, "Queries met the partition's read limit");
        }
        // a BatchGetItem read costs a unit per item (each rounded up to 4 KB): 400 keys against 300 a second
        // have keys handed back as UnprocessedKeys; the client may retry long enough for the units to return
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(local.endpoint()).partitionLimits(1_000, 300).start();
                DynamoDbClient throttled = DynamoDbClients.build(local.settings().withEndpoint(proxy.endpoint().toString())
                        .withMaxAttempts(30));
                Database db = DynamoDbDown.open(throttled, table + "$hot", OpenOptions.defaults())) {
            List<BatchOperation.Put> expected = numbered(0, ENTRIES);
            List<byte[]> keys = new ArrayList<>();
            for (int k = 0; k < 400; k++) {
                keys.add(key(k));
            }
            List<byte[]> values = db.getMany(keys);
            for (int k = 0; k < keys.size(); k++) {
                assertArrayEquals(expected.get(k).value(), values.get(k), "getMany value " + k);
            }
            assertTrue(proxy.itemsHandedBack() > 0, "BatchGetItem handed keys back as UnprocessedKeys");
        }
    }

    @Test
    void anotherPartitionKeyOfTheTableIsNotHeldBack(DynamoDbLocal local) throws Exception {
        String table = DynamoDbLocal.uniqueTableName("sim-two");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(local.endpoint()).partitionLimits(20, 3_000).start();
                DynamoDbClient throttled = DynamoDbClients.build(local.settings().withEndpoint(proxy.endpoint().toString()));
                Database hot = DynamoDbDown.open(throttled, table + "$hot");
                Database other = DynamoDbDown.open(throttled, table + "$other")) {
            hot.batch(numbered(0, 50)); // more than the hot partition's second of units
            long handedBack = proxy.itemsHandedBack();
            int throttledCalls = proxy.throttledAnswers();
            assertTrue(handedBack > 0, "the hot partition met its limit");
            other.batch(numbered(0, 15)); // within another partition key's own units
            assertEquals(handedBack, proxy.itemsHandedBack(), "nothing of the other partition key handed back");
            assertEquals(throttledCalls, proxy.throttledAnswers(), "nor throttled");
            assertEntries(local.client(), table + "$other", numbered(0, 15));
        }
    }

    @Test
    void aKeyThatAcceptsNothingForLongerThanTheBudgetFailsNamingTheKeysNotWritten(DynamoDbLocal local) throws Exception {
        String table = DynamoDbLocal.uniqueTableName("sim-stuck");
        // one write unit every 100 s: the key takes its first item, then nothing for the rest of the test
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(local.endpoint()).partitionLimits(0.01, 3_000).noBurst().start();
                DynamoDbClient throttled = DynamoDbClients.build(local.settings().withEndpoint(proxy.endpoint().toString())
                        .withMaxAttempts(4).withRetryDelays(Duration.ofMillis(10), Duration.ofMillis(200)));
                Database db = DynamoDbDown.open(throttled, table + "$stuck", OpenOptions.defaults()
                        .withRetryPolicy(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(200))))) {
            BatchWriteException e = assertThrows(BatchWriteException.class, () -> db.batch(numbered(0, 30)));
            assertTrue(e.isRetryable(), "DynamoDB may accept them later");
            assertTrue(e.getMessage().contains("not written") && e.getMessage().contains("k-00001"), e.getMessage());
            List<String> unwritten = e.unwrittenKeys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
            assertTrue(unwritten.size() >= 29, "at most the first item got in: " + unwritten);
            try (Database direct = DynamoDbDown.open(local.client(), table + "$stuck")) {
                for (BatchOperation.Put put : numbered(0, 30)) {
                    String key = new String(put.key(), StandardCharsets.UTF_8);
                    assertEquals(!unwritten.contains(key), direct.get(put.key()) != null, key + ": written exactly when not reported");
                }
            }
        }
    }

    private static void assertEntries(DynamoDbClient client, String location, List<BatchOperation.Put> expected)
            throws Exception {
        try (Database db = DynamoDbDown.open(client, location); RangeIterator<Entry> it = db.iterator(KeyRange.all())) {
            int i = 0;
            while (it.hasNext()) {
                Entry entry = it.next();
                assertArrayEquals(expected.get(i).key(), entry.getKey(), "entry " + i);
                assertArrayEquals(expected.get(i).value(), entry.getValue(), "value " + i);
                i++;
            }
            assertEquals(expected.size(), i, "no write lost");
        }
    }

    private static byte[] key(int i) {
        return String.format("k-%05d", i).getBytes(StandardCharsets.UTF_8);
    }

    /** Keys k-00000.. with 100-byte values, in key order. */
    private static List<BatchOperation.Put> numbered(int from, int count) {
        List<BatchOperation.Put> puts = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            puts.add(BatchOperation.put(key(i), String.format("%-100s", "value " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return puts;
    }
}
