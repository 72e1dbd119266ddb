package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

/** Throttling and unprocessed items, injected in front of a real DynamoDB Local. */
@ExtendWith(DynamoDbLocalExtension.class)
class RetryTest {

    private static final RetryPolicy FAST = new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(10));

    private FaultInjectingClient faulty;
    private Database db;

    @BeforeEach
    void open(DynamoDbClient client) {
        faulty = new FaultInjectingClient(client);
        db = DynamoDbDown.open(faulty, DynamoDbLocal.uniqueTableName("retry"), OpenOptions.defaults().withRetryPolicy(FAST));
    }

    @AfterEach
    void drop() {
        db.dropTable();
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
    void throttledBatchWritesAreRetried() {
        faulty.throttle(3);
        db.batch(puts(100));
        assertEquals(100, drain(db.iterator(KeyRange.all())).size());
        assertEquals(3, faulty.throttledCalls());
    }

    @Test
    void throttlingBeyondTheBoundFailsWithTheCause() {
        faulty.throttle(Integer.MAX_VALUE);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> db.put("k", "v"));
        assertInstanceOf(ProvisionedThroughputExceededException.class, e.getCause());
        assertTrue(e.getMessage().contains("after 5 attempts"), e.getMessage());
        assertTrue(e.isRetryable());
        BatchWriteException batch = assertThrows(BatchWriteException.class, () -> db.batch(puts(30)));
        assertEquals(30, batch.unwrittenKeys().size());
        assertTrue(batch.isRetryable());
        faulty.throttle(0);
    }

    @Test
    void throttledReadsAndQueriesAreRetried() {
        db.batch(puts(10));
        faulty.throttle(2);
        assertArrayEquals(Bytes.utf8("v3"), db.get("r0003"));
        faulty.throttle(2);
        assertEquals(10, drain(db.iterator(KeyRange.all())).size());
        faulty.throttle(2);
        db.batch(List.of(BatchOperation.put("t", "x")), WriteOptions.ATOMIC);
        assertEquals("x", db.getString("t"));
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
