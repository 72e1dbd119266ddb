package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Replacing what a range holds: its new content written in a newer generation, then the older generations
 * cleared. What the new content did not write goes, large values with their chunks; what it wrote, what was
 * written without a generation and what lies outside the range stay.
 */
@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3})
class GenerationsTest {

    @Parameter
    int shards;

    private final DynamoDbClient client = DynamoDbLocalExtension.get().client();
    private Database db;

    @BeforeEach
    void open() {
        db = DatabaseTestSupport.openFresh(client, "generations", OpenOptions.defaults().withShards(shards));
    }

    @AfterEach
    void drop() {
        db.dropTable();
    }

    private static byte[] large(long seed) {
        byte[] value = new byte[500 * 1024];
        new Random(seed).nextBytes(value);
        return value;
    }

    @Test
    void clearingOlderGenerationsDeletesWhatTheNewContentDidNotWrite() {
        List<BatchOperation> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(BatchOperation.put(String.format("r%02d", i), "first"));
        }
        first.add(BatchOperation.put(Bytes.utf8("r50-large"), large(1)));
        first.add(BatchOperation.put(Bytes.utf8("r51-large"), large(2)));
        db.batch(first, WriteOptions.DEFAULT.withGeneration(first()));
        db.put("r60-unstamped", "written without a generation");
        db.batch(List.of(BatchOperation.put("s00-outside", "first")), WriteOptions.DEFAULT.withGeneration(first()));

        // the range's new content: every other key, one large value again, one atomically
        List<BatchOperation> second = new ArrayList<>();
        for (int i = 0; i < 40; i += 2) {
            second.add(BatchOperation.put(String.format("r%02d", i), "second"));
        }
        second.add(BatchOperation.put(Bytes.utf8("r51-large"), large(3)));
        db.batch(second, WriteOptions.DEFAULT.withGeneration(second()));
        db.batch(List.of(BatchOperation.put("r01", "second, atomically")), WriteOptions.ATOMIC.withGeneration(second()));

        KeyRange range = KeyRange.all().gte("r").lt("s");
        assertEquals(19 + 1, db.clearOlderGenerations(range, second()), "the 19 odd keys but r01, and the large r50");
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 40; i += 2) {
            expected.put(String.format("r%02d", i), "second");
        }
        expected.put("r01", "second, atomically");
        expected.put("r51-large", "(large)");
        expected.put("r60-unstamped", "written without a generation");
        expected.put("s00-outside", "first");
        assertEquals(expected, contents());
        assertArrayEquals(large(3), db.get(Bytes.utf8("r51-large")));
        assertEquals(0, db.clearOlderGenerations(range, second()), "clearing again finds nothing");
        assertEquals(0, db.sweep(java.time.Duration.ZERO), "r50's chunks went with it, r51's old ones with its overwrite");
        assertThrows(IllegalArgumentException.class, () -> new Generation("orders", 0));
        assertThrows(IllegalArgumentException.class, () -> new Generation("", 1));
    }

    private static Generation first() {
        return new Generation("source$orders", 100);
    }

    private static Generation second() {
        return new Generation("source$orders", 200);
    }

    /** A copy fed by two origins: clearing one's older generation leaves the other's entries, whatever their number. */
    @Test
    void clearingOneOriginsOlderGenerationsLeavesAnotherOriginsEntries() {
        db.batch(List.of(BatchOperation.put("a1", "a"), BatchOperation.put("a2", "a")),
                WriteOptions.DEFAULT.withGeneration(new Generation("source$a", 5)));
        db.batch(List.of(BatchOperation.put("b1", "b"), BatchOperation.put("b2", "b")),
                WriteOptions.DEFAULT.withGeneration(new Generation("source$b", 1)));
        db.batch(List.of(BatchOperation.put("a1", "a again")), WriteOptions.DEFAULT.withGeneration(new Generation("source$a", 9)));
        assertEquals(1, db.clearOlderGenerations(KeyRange.all(), new Generation("source$a", 9)), "a2 only");
        assertEquals(Map.of("a1", "a again", "b1", "b", "b2", "b"), contents());
        assertEquals(0, db.clearOlderGenerations(KeyRange.all(), new Generation("source$b", 1)), "b's own generation: nothing older");
    }

    /**
     * A whole source table's writer that rewrote everything: one Scan of the target table finds every database holding
     * older entries of its origins, a database it no longer writes and a sharded one's included, and nothing else.
     */
    @Test
    void aScanOfTheTableFindsEveryDatabaseHoldingOlderEntriesOfTheOriginsAPrefixNames() {
        String table = db.location().table();
        try (Database other = DynamoDbDown.open(client, new Location(table, "other"), OpenOptions.defaults().withShards(shards))) {
            db.batch(List.of(BatchOperation.put("a1", "a"), BatchOperation.put(Bytes.utf8("a2-large"), large(4))),
                    WriteOptions.DEFAULT.withGeneration(new Generation("source$a", 5)));
            db.batch(List.of(BatchOperation.put("b1", "b")), WriteOptions.DEFAULT.withGeneration(new Generation("source$b", 7)));
            other.batch(List.of(BatchOperation.put("c1", "c")), WriteOptions.DEFAULT.withGeneration(new Generation("source$c", 3)));
            other.batch(List.of(BatchOperation.put("d1", "d")), WriteOptions.DEFAULT.withGeneration(new Generation("sourced$d", 1)));
            other.put("e1", "written without a generation");

            assertEquals(Map.of(db.location().hashKey(), Set.of("source$a"), "other", Set.of("source$c")),
                    DynamoDbDown.olderGenerations(client, table, "source$", 7, OpenOptions.defaults()),
                    "b1 is of generation 7 itself, d1 of another table, e1 of none");
            assertEquals(Map.of(), DynamoDbDown.olderGenerations(client, table, "source$", 3, OpenOptions.defaults().withPageSize(1)));
            assertThrows(IllegalArgumentException.class, () -> DynamoDbDown.olderGenerations(client, table, "", 7,
                    OpenOptions.defaults()));
        }
    }

    private Map<String, String> contents() {
        Map<String, String> contents = new TreeMap<>();
        try (RangeIterator<Entry> entries = db.iterator(KeyRange.all())) {
            entries.forEachRemaining(e -> contents.put(new String(e.key()),
                    e.value().length > 1000 ? "(large)" : new String(e.value())));
        }
        return contents;
    }
}
