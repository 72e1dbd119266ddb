package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Tailing a growing range on DynamoDB Local, with a clock the test moves. */
@ExtendWith(DynamoDbLocalExtension.class)
class TailReaderTest {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final AtomicLong now = new AtomicLong();
    private Database db;

    @BeforeEach
    void open(DynamoDbClient client) {
        db = DatabaseTestSupport.openFresh(client, "tail", OpenOptions.defaults().withPageSize(2));
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
        later(Duration.ofSeconds(2)); // k1 is 6 s old, k2 2 s
        tail.poll(100);
        assertArrayEquals(Bytes.utf8("k1"), tail.settledKey());
        db.put("k15", "late, between k1 and k2"); // below k2, above the settled k1: still found
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
    void reverseRangesCannotBeTailed() {
        assertThrows(IllegalArgumentException.class, () -> new TailReader(db, KeyRange.all().reverse(true), null, SETTLE));
    }
}
