package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(DynamoDbLocalExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class ReadWriteTest {

    @Parameter
    int shards;
    private Database db;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void open(DynamoDbClient client) {
        db = DatabaseTestSupport.openFresh(client, "readwrite", OpenOptions.defaults().withShards(shards));
        System.out.println("ReadWriteTest opened " + db + " with shards=" + shards);
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void drop() {
        db.dropTable();
    }

    @Test
    void stringsWithAnUnpairedSurrogateAreRefusedNotTurnedIntoQuestionMarks() {
        InvalidEntryException key = assertThrows(InvalidEntryException.class, () -> db.put("ab\uD800c", "v"));
        assertTrue(key.getMessage().contains("unpaired surrogate U+D800 at index 2"), key.getMessage());
        assertThrows(InvalidEntryException.class, () -> db.put("k", "broken \uDC00 value"));
        assertThrows(InvalidEntryException.class, () -> KeyRange.all().gte("\uDBFF"));
        assertThrows(InvalidEntryException.class, () -> db.get("x\uDFFFy"));
        assertNull(db.get("ab?c"), "nothing was written under the key Java would have made of it");
        assertArrayEquals(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, Bytes.utf8("\uD83D\uDE00"),
                "a pair is fine");
    }

    @Test
    void putThenGetReturnsTheValue() {
        db.put("alpha", "one");
        assertEquals("one", db.getString("alpha"));
        assertArrayEquals(Bytes.utf8("one"), db.get(Bytes.utf8("alpha")));
    }

    @Test
    void missingKeyIsNullNotAnError() {
        assertNull(db.get("no-such-key"));
        assertNull(db.getString("no-such-key"));
        assertFalse(db.has("no-such-key"));
    }

    @Test
    void putOverwrites() {
        db.put("overwrite", "first");
        db.put("overwrite", "second");
        assertEquals("second", db.getString("overwrite"));
    }

    @Test
    void delRemovesAndDeletingAMissingKeyIsFine() {
        db.put("to-delete", "x");
        assertTrue(db.has("to-delete"));
        db.del("to-delete");
        assertFalse(db.has("to-delete"));
        assertNull(db.get("to-delete"));
        db.del("to-delete");
        db.del("never-existed");
    }

    @Test
    void binaryKeysAndValuesRoundTripExactly() {
        byte[] key = bytes(0x00, 0xff, 0x80, 0x7f, 0x01);
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        db.put(key, value);
        assertArrayEquals(value, db.get(key));
    }

    @Test
    void utf8KeysAndValues() {
        db.put("ключ-🔑-鍵", "значение-✓");
        assertEquals("значение-✓", db.getString("ключ-🔑-鍵"));
    }

    @Test
    void emptyValueIsAValueNotAMissingKey() {
        db.put(Bytes.utf8("empty"), new byte[0]);
        assertTrue(db.has("empty"));
        assertArrayEquals(new byte[0], db.get("empty"));
    }

    @Test
    void largestAllowedKeyAndItemAreAccepted() {
        byte[] key = new byte[1024];
        Arrays.fill(key, (byte) 'k');
        db.put(key, new byte[300 * 1024]);
        assertEquals(300 * 1024, db.get(key).length);
    }

    @Test
    void getManyReturnsValuesInRequestOrderWithNullForMissing() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            if (i % 3 != 0) {
                db.put("many-" + i, "v" + i);
            }
            keys.add(Bytes.utf8("many-" + (249 - i)));
        }
        keys.add(Bytes.utf8("many-1")); // a key asked twice comes back twice
        List<byte[]> values = db.getMany(keys);
        assertEquals(keys.size(), values.size());
        for (int i = 0; i < 250; i++) {
            int n = 249 - i;
            if (n % 3 == 0) {
                assertNull(values.get(i), "many-" + n + " is missing");
            } else {
                assertArrayEquals(Bytes.utf8("v" + n), values.get(i), "value of many-" + n);
            }
        }
        assertArrayEquals(Bytes.utf8("v1"), values.get(250));
        assertEquals(List.of(), db.getMany(List.of()));
    }

    @Test
    void emptyKeyIsRejectedBeforeAnyRequest() {
        InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> db.put(new byte[0], bytes(1)));
        assertTrue(e.getMessage().contains("must not be empty"), e.getMessage());
        assertThrows(InvalidEntryException.class, () -> db.get(new byte[0]));
        assertThrows(InvalidEntryException.class, () -> db.has(new byte[0]));
        assertThrows(InvalidEntryException.class, () -> db.del(new byte[0]));
        assertThrows(InvalidEntryException.class, () -> db.getMany(List.of(bytes(1), new byte[0])));
    }

    @Test
    void keyOver1024BytesIsRejectedWithItsSize() {
        byte[] key = new byte[1025];
        Arrays.fill(key, (byte) 'x');
        InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> db.put(key, bytes(1)));
        assertTrue(e.getMessage().contains("1025 bytes") && e.getMessage().contains("1024"), e.getMessage());
        assertTrue(e.getMessage().contains("\"xxxx"), "names the key: " + e.getMessage());
        assertArrayEquals(key, e.key());
    }

    @Test
    void aValueOverMaxValueSizeIsRejectedNamingKeyAndSize() {
        InvalidEntryException e = assertThrows(InvalidEntryException.class,
                () -> db.put(Bytes.utf8("huge"), new byte[(int) OpenOptions.DEFAULT_MAX_VALUE_SIZE + 1]));
        assertTrue(e.getMessage().contains("\"huge\"") && e.getMessage().contains("16777217 bytes")
                && e.getMessage().contains("maxValueSize"), e.getMessage());
        assertFalse(db.has("huge"), "nothing was written");
    }

    @Test
    void putIfAbsentWritesOnlyAMissingKey() {
        assertTrue(db.putIfAbsent(Bytes.utf8("once"), Bytes.utf8("first")));
        assertFalse(db.putIfAbsent(Bytes.utf8("once"), Bytes.utf8("second")));
        assertEquals("first", db.getString("once"));
        assertThrows(InvalidEntryException.class, () -> db.putIfAbsent(new byte[0], new byte[0]));
    }

    @Test
    void putIfAbsentLetsExactlyOneConcurrentWriterWin() throws Exception {
        java.util.concurrent.atomic.AtomicInteger wins = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                if (db.putIfAbsent(Bytes.utf8("race"), Bytes.utf8(Thread.currentThread().getName()))) {
                    wins.incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1, wins.get());
    }

    @Test
    void checkTellsABadOperationApartWithoutWritingAnything() {
        db.check(BatchOperation.put("fine", "v"));
        db.check(BatchOperation.del("fine"));
        InvalidEntryException e = assertThrows(InvalidEntryException.class,
                () -> db.check(BatchOperation.put(Bytes.utf8("big"), new byte[(int) OpenOptions.DEFAULT_MAX_VALUE_SIZE + 1])));
        assertTrue(e.getMessage().contains("\"big\""), e.getMessage());
        assertThrows(InvalidEntryException.class, () -> db.check(BatchOperation.del(new byte[0])));
        assertFalse(db.has("fine"));
    }

    @Test
    void nullValueIsRejected() {
        assertThrows(NullPointerException.class, () -> db.put(Bytes.utf8("k"), null));
    }

    @Test
    void storeIsThreadSafe() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        db.put("thread-" + thread + "-" + i, "v" + i);
                        db.batch().put("tbatch-" + thread + "-" + i, "b").write();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
        for (int t = 0; t < 4; t++) {
            assertEquals(50, DatabaseTestSupport.drain(db.iterator(KeyRange.all().gte("thread-" + t + "-").lt("thread-" + t + ".")))
                    .size());
        }
    }
}
