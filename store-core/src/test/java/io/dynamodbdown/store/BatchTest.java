package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.assertEntries;
import static io.dynamodbdown.store.DatabaseTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class BatchTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private Database db;

    @BeforeEach
    void open(DynamoDbClient client) {
        db = DatabaseTestSupport.openFresh(client, "batch", OpenOptions.defaults().withPageSize(7).withShards(shards));
    }

    @AfterEach
    void drop() {
        db.dropTable();
    }

    @Test
    void thousandOperationsWithDuplicatesEndInTheLastOperationPerKey() {
        ReferenceModel model = new ReferenceModel();
        List<BatchOperation> operations = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            byte[] key = Bytes.utf8("key-" + random.nextInt(300));
            if (random.nextInt(4) == 0) {
                operations.add(BatchOperation.del(key));
                model.del(key);
            } else {
                byte[] value = Bytes.utf8("value-" + i);
                operations.add(BatchOperation.put(key, value));
                model.put(key, value);
            }
        }
        db.batch(operations);
        assertEntries(model.all(), drain(db.iterator(KeyRange.all())), "after the batch");
    }

    @Test
    void chainedBatchWritesPutsAndDeletes() {
        db.put("gone", "x");
        db.batch().put("a", "1").put("b", "2").del("gone").put("a", "3").write();
        assertEquals("3", db.getString("a"));
        assertEquals("2", db.getString("b"));
        assertNull(db.get("gone"));
    }

    @Test
    void chainedBatchCanBeClearedAndIsWrittenOnce() {
        WriteBatch batch = db.batch().put("x", "1");
        assertEquals(1, batch.size());
        batch.clear().put("y", "2");
        batch.write();
        assertFalse(db.has("x"));
        assertTrue(db.has("y"));
        IllegalStateException e = assertThrows(IllegalStateException.class, batch::write);
        assertTrue(e.getMessage().contains("already written"), e.getMessage());
    }

    @Test
    void anInvalidOperationAnywhereMeansNothingIsWritten() {
        List<BatchOperation> operations = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            operations.add(BatchOperation.put("ok-" + i, "v"));
        }
        operations.add(BatchOperation.put(Bytes.utf8("too-big"), new byte[(int) OpenOptions.DEFAULT_MAX_VALUE_SIZE + 1]));
        InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> db.batch(operations));
        assertTrue(e.getMessage().contains("\"too-big\""), e.getMessage());
        assertEquals(List.of(), drain(db.iterator(KeyRange.all())), "nothing of the batch was written");
    }

    @Test
    void atomicBatchWritesEverything() {
        db.put("old", "x");
        db.batch(List.of(BatchOperation.put("t1", "a"), BatchOperation.del("old"), BatchOperation.put("t2", "b"),
                BatchOperation.put("t1", "c")), WriteOptions.ATOMIC);
        assertEquals("c", db.getString("t1"));
        assertEquals("b", db.getString("t2"));
        assertFalse(db.has("old"));
    }

    @Test
    void atomicBatchOfOneHundredDistinctKeysIsAllowedEvenWithDuplicates() {
        WriteBatch batch = db.batch();
        for (int i = 0; i < 100; i++) {
            batch.put("k" + i, "v");
            batch.put("k" + i, "w"); // 200 operations, 100 keys
        }
        batch.write(WriteOptions.ATOMIC);
        assertEquals(100, drain(db.iterator(KeyRange.all())).size());
    }

    @Test
    void atomicBatchOverOneHundredKeysFailsClearlyAndWritesNothing() {
        WriteBatch batch = db.batch();
        for (int i = 0; i < 101; i++) {
            batch.put("k" + i, "v");
        }
        InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> batch.write(WriteOptions.ATOMIC));
        assertTrue(e.getMessage().contains("101 distinct keys") && e.getMessage().contains("at most 100"), e.getMessage());
        assertEquals(List.of(), drain(db.iterator(KeyRange.all())));
    }

    @Test
    void atomicBatchRollsBackWhenDynamoDbCancelsIt(DynamoDbClient client) {
        db.put("keep", "original");
        FaultInjectingClient faulty = new FaultInjectingClient(client).cancelTransactions(1);
        try (Database viaFaults = DynamoDbDown.open(faulty, db.location(), OpenOptions.defaults())) {
            WriteBatch batch = viaFaults.batch().put("keep", "changed").del("keep-too");
            for (int i = 0; i < 97; i++) {
                batch.put("new-" + i, "x");
            }
            batch.put("last", "x"); // DynamoDB cancels the transaction on this one, the 100th item
            DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> batch.write(WriteOptions.ATOMIC));
            assertTrue(e.getMessage().contains("atomic batch of 100 operations"), e.getMessage());
            assertInstanceOf(TransactionCanceledException.class, e.getCause());
        }
        assertEquals("original", db.getString("keep"));
        assertEquals(1, drain(db.iterator(KeyRange.all())).size(), "no part of the atomic batch was written");
    }

    @Test
    void emptyBatchIsANoOp() {
        db.batch(List.of());
        db.batch(List.of(), WriteOptions.ATOMIC);
        db.batch().write();
        assertEquals(List.of(), drain(db.iterator(KeyRange.all())));
    }

    @Test
    void clearDeletesExactlyTheRange() {
        ReferenceModel model = new ReferenceModel();
        WriteBatch batch = db.batch();
        for (int i = 0; i < 60; i++) {
            String key = String.format("c%02d", i);
            batch.put(key, "v");
            model.put(Bytes.utf8(key), Bytes.utf8("v"));
        }
        batch.write();
        KeyRange first = KeyRange.all().gte("c10").lt("c20");
        assertEquals(10, db.clear(first));
        KeyRange lastThree = KeyRange.all().reverse(true).limit(3);
        assertEquals(3, db.clear(lastThree));
        KeyRange exclusive = KeyRange.all().gt("c30").lte("c33");
        assertEquals(3, db.clear(exclusive));
        for (KeyRange range : List.of(first, lastThree, exclusive)) {
            model.range(range).forEach(e -> model.del(e.key()));
        }
        assertEquals(0, db.clear(KeyRange.all().gte("c10").lt("c20")), "clearing an empty range deletes nothing");
        assertEntries(model.all(), drain(db.iterator(KeyRange.all())), "after clears");
        assertEquals(44, db.clear(KeyRange.all()));
        assertEquals(List.of(), drain(db.iterator(KeyRange.all())));
    }

    @Test
    void clearOfManyPagesAndChunks() {
        List<BatchOperation> operations = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            operations.add(BatchOperation.put(String.format("m%05d", i), "v"));
        }
        db.batch(operations);
        assertEquals(2_400, db.clear(KeyRange.all().gte("m00100")));
        assertEquals(100, drain(db.iterator(KeyRange.all())).size());
    }
}
