package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * One retry layer: failed requests are retried by the client's retry strategy (faults injected below it, in
 * its HTTP client), what DynamoDB answers but does not do (unprocessed items and keys) by the store's loop
 * (faults injected above the client). Both with the same budget, from {@link ClientSettings}: the store's loop
 * counts only attempts that made no progress, so a batch DynamoDB accepts a part of at each attempt never fails.
 * Every request DynamoDB turned away is counted for the {@link ThrottleListener}.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class RetryTest {

    private static final ClientSettings FAST = DynamoDbLocalExtension.get().settings()
            .withMaxAttempts(5).withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(10));

    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final AtomicInteger throttled = new AtomicInteger();
    private DynamoDbClient client;
    private FaultInjectingClient faulty;
    private Database db;

    @BeforeEach
    void open() {
        client = DynamoDbClients.builder(FAST).httpClient(http).build();
        faulty = new FaultInjectingClient(client);
        db = DynamoDbDown.open(faulty, DynamoDbLocal.uniqueTableName("retry"),
                OpenOptions.defaults().withRetryPolicy(FAST.retryPolicy()).withThrottleListener(throttled::addAndGet));
    }

    @AfterEach
    void drop() {
        http.heal();
        db.dropTable();
        client.close();
        http.close();
    }

    private static List<BatchOperation> puts(int n) {
        List<BatchOperation> operations = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            operations.add(BatchOperation.put(String.format("r%04d", i), "v" + i));
        }
        return operations;
    }

    @Test
    void unprocessedItemsAreRetriedUntilWritten() {
        faulty.unprocessedWrites(3);
        db.batch(puts(25));
        assertEquals(25, drain(db.iterator(KeyRange.all())).size());
        assertEquals(4, faulty.batchWriteCalls(), "one call plus three retries of the unprocessed rest");
        assertEquals(3, throttled.get(), "three answers handed items back");
    }

    @Test
    void aBatchGoesOnForAsLongAsEachAttemptWritesSomething() {
        faulty.acceptAtMost(2); // a partition key at its limit: 2 items of each request, the rest handed back
        db.batch(puts(100));
        faulty.acceptAtMost(Integer.MAX_VALUE);
        assertEquals(100, drain(db.iterator(KeyRange.all())).size(), "all written");
        assertTrue(faulty.batchWriteCalls() >= 50, "13 calls for each chunk of 25, far past the budget of 5 attempts: "
                + faulty.batchWriteCalls());
        assertTrue(throttled.get() >= 46, "each call that handed items back is counted: " + throttled.get());
    }

    @Test
    void aKeyThatAcceptsNothingFailsAfterMaxAttemptsInARowNamingTheKeys() {
        faulty.acceptAtMost(0);
        BatchWriteException e = assertThrows(BatchWriteException.class, () -> db.batch(puts(30)));
        faulty.acceptAtMost(Integer.MAX_VALUE);
        assertEquals(30, e.unwrittenKeys().size());
        assertEquals(2 * 5, faulty.batchWriteCalls(), "two chunks, 5 attempts each without progress");
        assertTrue(e.getMessage().contains("30 key(s) not written") && e.getMessage().contains("5 attempts in a row")
                && e.getMessage().contains("r0000"), e.getMessage());
        assertTrue(e.isRetryable());
    }

    @Test
    void unprocessedItemsBeyondTheRetryBoundFailNamingExactlyTheKeysNotWritten() {
        faulty.unprocessedWrites(Integer.MAX_VALUE);
        BatchWriteException e = assertThrows(BatchWriteException.class, () -> db.batch(puts(50)));
        faulty.unprocessedWrites(0);
        Set<String> stored = new HashSet<>();
        drain(db.iterator(KeyRange.all())).forEach(entry -> stored.add(new String(entry.key())));
        Set<String> unwritten = new HashSet<>();
        e.unwrittenKeys().forEach(k -> unwritten.add(new String(k)));
        assertFalse(unwritten.isEmpty());
        assertEquals(50, stored.size() + unwritten.size(), "every key is either stored or reported");
        assertTrue(unwritten.stream().noneMatch(stored::contains));
        assertTrue(e.getMessage().contains("not written") && e.getMessage().contains("5 attempts"), e.getMessage());
        assertTrue(e.isRetryable(), "unprocessed items may go through later");
        db.batch(puts(50));
        assertEquals(50, drain(db.iterator(KeyRange.all())).size(), "writing the batch again completes it");
    }

    @Test
    void throttledBatchWritesAreRetriedByTheClient() {
        http.fail("BatchWriteItem", Fault.THROTTLE, 0, 3);
        db.batch(puts(100));
        assertEquals(100, drain(db.iterator(KeyRange.all())).size());
        assertEquals(3, http.injected());
        assertEquals(4 + 3, http.requests("BatchWriteItem"), "four chunks, three of their attempts throttled");
        assertEquals(3, throttled.get(), "the client's throttled attempts are counted too");
    }

    @Test
    void throttlingBeyondTheBudgetFailsWithTheCauseAfterExactlyMaxAttemptsRequests() {
        int before = http.requests("PutItem"); // opening records the shard count
        http.failAlways(FaultInjectingHttpClient.ANY, Fault.THROTTLE);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> db.put("k", "v"));
        assertInstanceOf(ProvisionedThroughputExceededException.class, e.getCause());
        assertTrue(e.isRetryable());
        assertEquals(5, http.requests("PutItem") - before, "one layer of retries: 5 attempts, not 5 x 5");
        BatchWriteException batch = assertThrows(BatchWriteException.class, () -> db.batch(puts(30)));
        assertEquals(30, batch.unwrittenKeys().size());
        assertTrue(batch.isRetryable());
        assertEquals(2 * 5, http.requests("BatchWriteItem"), "two chunks of 25 and 5, 5 attempts each");
    }

    @Test
    void throttledReadsQueriesAndTransactionsAreRetried() {
        db.batch(puts(10));
        http.fail("GetItem", Fault.THROTTLE, 0, 2);
        assertArrayEquals(Bytes.utf8("v3"), db.get("r0003"));
        http.fail("Query", Fault.SERVER_ERROR, 0, 2);
        assertEquals(10, drain(db.iterator(KeyRange.all())).size());
        http.fail("TransactWriteItems", Fault.THROTTLE, 0, 2);
        db.batch(List.of(BatchOperation.put("t", "x")), WriteOptions.ATOMIC);
        assertEquals("x", db.getString("t"));
        assertEquals(6, http.injected());
        assertEquals(4, throttled.get(), "throttled GetItem and TransactWriteItems attempts; server errors are no throttling");
    }

    @Test
    void anUnreachableEndpointIsRetriedThenReportedAsRetryable() {
        int before = http.requests("GetItem"); // opening reads the shard count
        http.failAlways(FaultInjectingHttpClient.ANY, Fault.CONNECTION_REFUSED);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> db.get("k"));
        assertInstanceOf(SdkClientException.class, e.getCause());
        assertTrue(e.isRetryable(), "DynamoDB may be back later");
        assertEquals(before + 5, http.requests("GetItem"));
    }

    @Test
    void serverErrorsAreRetryableAndErrorsThatRepeatAreNotRetriedAtAll() {
        http.failAlways("Query", Fault.SERVER_ERROR);
        DynamoDbDownException serverError = assertThrows(DynamoDbDownException.class, () -> drain(db.iterator(KeyRange.all())));
        assertInstanceOf(InternalServerErrorException.class, serverError.getCause());
        assertTrue(serverError.isRetryable());
        http.heal();

        String table = db.location().table();
        client.deleteTable(b -> b.tableName(table));
        int before = http.requests("GetItem");
        DynamoDbDownException missing = assertThrows(DynamoDbDownException.class, () -> db.get("k"));
        assertInstanceOf(ResourceNotFoundException.class, missing.getCause());
        assertFalse(missing.isRetryable(), "a missing table stays missing");
        assertEquals(before + 1, http.requests("GetItem"), "sent once");
    }

    @Test
    void maxAttemptsOfOneMeansNoRetryAtAll() {
        try (DynamoDbClient once = DynamoDbClients.builder(FAST.withMaxAttempts(1)).httpClient(http).build();
                Database db1 = DynamoDbDown.open(once, db.location(), OpenOptions.defaults()
                        .withRetryPolicy(FAST.withMaxAttempts(1).retryPolicy()))) {
            int before = http.requests("GetItem");
            http.failAlways(FaultInjectingHttpClient.ANY, Fault.THROTTLE);
            assertThrows(DynamoDbDownException.class, () -> db1.get("k"));
            assertEquals(before + 1, http.requests("GetItem"));
        }
    }

    /**
     * The default budget, measured: a client that is always throttled gives up after 10 attempts and at most
     * 7.2 s of pauses (25 ms doubling to 2 s, full jitter: the pauses' caps add up to 7,175 ms).
     */
    @Test
    void withTheDefaultBudgetAnAlwaysThrottledRequestGivesUpWithinTheDocumentedBound() {
        ClientSettings defaults = DynamoDbLocalExtension.get().settings();
        assertEquals(ClientSettings.DEFAULT_MAX_ATTEMPTS, defaults.maxAttempts());
        try (DynamoDbClient throttled = DynamoDbClients.builder(defaults).httpClient(http).build();
                Database db1 = DynamoDbDown.open(throttled, db.location(), OpenOptions.defaults())) {
            int before = http.requests("GetItem");
            http.failAlways(FaultInjectingHttpClient.ANY, Fault.THROTTLE);
            long start = System.nanoTime();
            assertThrows(DynamoDbDownException.class, () -> db1.get("k"));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.printf("always throttled, default budget: gave up after %d attempts and %,d ms%n",
                    http.requests("GetItem") - before, millis);
            assertEquals(10, http.requests("GetItem") - before);
            assertTrue(millis < 7_175 + 3_000, "within 7.2 s of pauses plus the requests themselves: " + millis + " ms");
        }
    }

    @Test
    void aTransactionCancelledByAConflictIsSentAgainWithTheSameToken() {
        faulty.conflictingTransactions(2);
        db.batch(List.of(BatchOperation.put("a", "1"), BatchOperation.put("b", "2")), WriteOptions.ATOMIC);
        assertEquals("2", db.getString("b"));
        faulty.conflictingTransactions(Integer.MAX_VALUE);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> db.batch(List.of(BatchOperation.put("c", "3")), WriteOptions.ATOMIC));
        assertTrue(e.isRetryable(), "a conflict may be gone later");
        faulty.conflictingTransactions(0);
    }

    @Test
    void aBatchIsRetryableOnlyIfEveryPartThatFailedMaySucceedLater() {
        faulty.unprocessedWrites(Integer.MAX_VALUE).refuseBatchWrites(1); // one chunk refused for good, the rest throttled
        BatchWriteException e = assertThrows(BatchWriteException.class, () -> db.batch(puts(100)));
        assertEquals(100, e.unwrittenKeys().size() + drain(db.iterator(KeyRange.all())).size());
        assertFalse(e.isRetryable(), "writing it again cannot fix the refused part: " + e.getMessage());
        assertTrue(e.getMessage().contains("ValidationException") || e.getMessage().contains("invalid"), e.getMessage());
        faulty.unprocessedWrites(0);
    }

    @Test
    void unprocessedKeysOfGetManyAreRetried() {
        db.batch(puts(150));
        faulty.unprocessedGets(4);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 149; i >= 0; i--) {
            keys.add(Bytes.utf8(String.format("r%04d", i)));
        }
        List<byte[]> values = db.getMany(keys);
        for (int i = 0; i < 150; i++) {
            assertArrayEquals(Bytes.utf8("v" + (149 - i)), values.get(i));
        }
        assertTrue(faulty.batchGetCalls() >= 4, "unprocessed keys were asked again");
    }

    @Test
    void getManyGivesUpClearlyWhenKeysStayUnprocessed() {
        db.batch(puts(10));
        faulty.unprocessedGets(Integer.MAX_VALUE);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> db.getMany(List.of(Bytes.utf8("r0001"), Bytes.utf8("r0002"))));
        assertTrue(e.getMessage().contains("unprocessed"), e.getMessage());
        faulty.unprocessedGets(0);
    }

    @Test
    void backoffStaysWithinTheBounds() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(100));
        for (int retry = 1; retry < 40; retry++) {
            long delay = policy.delayBeforeRetry(retry).toMillis();
            assertTrue(delay >= 0 && delay <= Math.min(100, 10L << Math.min(retry - 1, 30)), "retry " + retry + ": " + delay);
        }
    }
}
