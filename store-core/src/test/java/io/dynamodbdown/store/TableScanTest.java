package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.JsTables;
import io.dynamodbdown.testing.JsTables.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A whole-table scan ({@code DynamoDbDown.scan}) of a table shared by several databases: a plain one, one of 4
 * shards, one holding large values, and records of the adapters, next to the store's own items (shard counts,
 * large-value registries and chunks).
 */
@ExtendWith(DynamoDbLocalExtension.class)
class TableScanTest {

    private static final int LARGE = 500 * 1024;
    /** Small pages: many of them, and positions in the middle of pages as well as at their ends. */
    private static final OpenOptions SMALL_PAGES = OpenOptions.defaults().withPageSize(7);

    private static final String table = DynamoDbLocal.uniqueTableName("scan");
    /** Every database's entries, as its own iterator reads them. */
    private static final Map<String, List<Entry>> expected = new TreeMap<>();

    @BeforeAll
    static void fill(DynamoDbClient client) {
        write(client, "plain", OpenOptions.defaults(), 60, i -> Entry.of(String.format("p%03d", i), "plain " + i));
        write(client, "sharded", OpenOptions.defaults().withShards(4), 80, i -> Entry.of("s" + i, "sharded " + i));
        write(client, "large", OpenOptions.defaults(), 6, i -> i % 2 == 0
                ? new Entry(Bytes.utf8("l" + i), random(LARGE, i)) : Entry.of("l" + i, "small " + i));
        // binary keys, and the default database of the table
        write(client, Location.DEFAULT_HASH_KEY, OpenOptions.defaults(), 3,
                i -> new Entry(new byte[] {(byte) (i * 0x7f), 0}, new byte[] {(byte) i}));
        // a database of an adapter's own (as the source connector keeps its snapshot ends): not a user's
        try (Database records = DynamoDbDown.open(client, new Location(table, Location.RESERVED_PREFIX + "snapshot-ends/plain"),
                OpenOptions.defaults())) {
            records.put("task-0", "done");
        }
        for (String database : List.of("plain", "sharded", "large", Location.DEFAULT_HASH_KEY)) {
            try (Database db = DynamoDbDown.open(client, new Location(table, database), OpenOptions.defaults());
                    RangeIterator<Entry> entries = db.iterator(KeyRange.all())) {
                List<Entry> list = new ArrayList<>();
                entries.forEachRemaining(list::add);
                expected.put(database, list);
            }
        }
        assertEquals(60 + 80 + 6 + 3, expected.values().stream().mapToInt(List::size).sum());
    }

    private interface EntryMaker {
        Entry make(int i);
    }

    private static void write(DynamoDbClient client, String database, OpenOptions options, int count, EntryMaker entries) {
        try (Database db = DynamoDbDown.open(client, new Location(table, database), options)) {
            for (int i = 0; i < count; i++) {
                Entry entry = entries.make(i);
                db.put(entry.key(), entry.value());
            }
        }
    }

    @AfterAll
    static void drop(DynamoDbClient client) {
        client.deleteTable(b -> b.tableName(table));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static List<TableEntry> drain(TableScan scan) {
        List<TableEntry> entries = new ArrayList<>();
        try (scan) {
            scan.forEachRemaining(entries::add);
        }
        return entries;
    }

    private static List<TableEntry> segment(DynamoDbClient client, int segment, int segments, String after) {
        return drain(DynamoDbDown.scan(client, table, segment, segments, after, SMALL_PAGES));
    }

    /** The entries by database, each database's in key order, as its iterator gives them. */
    private static Map<String, List<Entry>> byDatabase(List<TableEntry> entries) {
        Map<String, List<Entry>> databases = new TreeMap<>();
        for (TableEntry entry : entries) {
            databases.computeIfAbsent(entry.database(), d -> new ArrayList<>()).add(new Entry(entry.key(), entry.value()));
        }
        databases.values().forEach(list -> list.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key())));
        return databases;
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {1, 4})
    void everyDatabasesEntriesComeOnceAndTheStoresOwnItemsNever(int segments, DynamoDbClient client) {
        List<TableEntry> all = new ArrayList<>();
        for (int segment = 0; segment < segments; segment++) {
            all.addAll(segment(client, segment, segments, null));
        }
        assertEquals(expected, byDatabase(all));
        assertEquals(all.size(), new HashSet<>(all).size(), "no entry twice");
        Set<String> positions = new HashSet<>();
        all.forEach(entry -> assertTrue(positions.add(entry.position()) && entry.position().matches("[0-9A-Za-z/_-]+"),
                () -> "a position of its own, plain text: " + entry.position()));
        // the store's own items are there, and were left out
        Set<String> internal = new HashSet<>();
        client.scanPaginator(b -> b.tableName(table)).items().forEach(item -> {
            String hashKey = item.get("db").s();
            if (hashKey.startsWith(Location.RESERVED_PREFIX)) {
                internal.add(hashKey.replaceAll("(shard/[0-9]+/|chunks/).*", "$1"));
            }
        });
        assertEquals(Set.of("__dynamodbdown.shard/count", "__dynamodbdown.shard/1/", "__dynamodbdown.shard/2/",
                "__dynamodbdown.shard/3/", "__dynamodbdown.chunks/", "__dynamodbdown.snapshot-ends/plain"), internal);
    }

    @Test
    void segmentsSplitTheTableBetweenThem(DynamoDbClient client) {
        int nonEmpty = 0;
        for (int segment = 0; segment < 4; segment++) {
            nonEmpty += segment(client, segment, 4, null).isEmpty() ? 0 : 1;
        }
        assertTrue(nonEmpty > 1, "more than one segment holds entries");
    }

    @ParameterizedTest(name = "{0} segments")
    @ValueSource(ints = {1, 4})
    void resumingAfterAnEntryYieldsExactlyTheRestOfItsSegment(int segments, DynamoDbClient client) {
        int resumed = 0;
        for (int segment = 0; segment < segments; segment++) {
            List<TableEntry> whole = segment(client, segment, segments, null);
            for (int i = 0; i < whole.size(); i += 7) {
                assertEquals(whole.subList(i + 1, whole.size()), segment(client, segment, segments, whole.get(i).position()),
                        "segment " + segment + " of " + segments + " after entry " + i);
                resumed++;
            }
            if (!whole.isEmpty()) {
                assertEquals(List.of(), segment(client, segment, segments, whole.get(whole.size() - 1).position()),
                        "after the segment's last entry");
            }
        }
        assertTrue(resumed >= 149 / 7, "resumed from every 7th entry");
    }

    @Test
    void aFailedScanPageIsReadAgainLosingAndRepeatingNothing(DynamoDbLocal local) {
        List<TableEntry> whole = segment(local.client(), 0, 1, null);
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient faulty = DynamoDbClients.builder(local.settings().withMaxAttempts(1)).httpClient(http).build()) {
            drain(DynamoDbDown.scan(faulty, table, 0, 1, null, SMALL_PAGES));
            int pages = http.requests("Scan");
            assertTrue(pages > 10, "many pages: " + pages);
            for (int failAt = 0; failAt < pages; failAt++) {
                http.fail("Scan", Fault.SERVER_ERROR, failAt, 1);
                assertEquals(whole, drainRetrying(DynamoDbDown.scan(faulty, table, 0, 1, null, SMALL_PAGES)),
                        "Scan request " + failAt + " failed once");
            }
            // reading a large value fails: its entry is read again, not skipped
            http.fail("BatchGetItem", Fault.SERVER_ERROR, 0, 1);
            assertEquals(whole, drainRetrying(DynamoDbDown.scan(faulty, table, 0, 1, null, SMALL_PAGES)));
            assertEquals(pages + 1, http.injected());
        }
    }

    /** Drains a scan, calling hasNext again after each failure, as a source task polls again. */
    private static List<TableEntry> drainRetrying(TableScan scan) {
        List<TableEntry> entries = new ArrayList<>();
        int failures = 0;
        try (scan) {
            while (true) {
                try {
                    if (!scan.hasNext()) {
                        return entries;
                    }
                    entries.add(scan.next());
                } catch (DynamoDbDownException e) {
                    assertTrue(e.isRetryable(), e::toString);
                    assertEquals(1, ++failures, "one injected failure, then the same page again");
                }
            }
        }
    }

    @Test
    void aLargeValueDeletedWhileItsPageIsReadIsLeftOut(DynamoDbClient client) {
        String other = DynamoDbLocal.uniqueTableName("scan-deleted");
        try (Database db = DynamoDbDown.open(client, other + "$db")) {
            for (int i = 0; i < 3; i++) {
                db.put(Bytes.utf8("k" + i), random(LARGE, i));
            }
            try (TableScan scan = DynamoDbDown.scan(client, other, 0, 1, null, OpenOptions.defaults())) {
                TableEntry first = scan.next(); // its page holds all three
                for (int i = 0; i < 3; i++) {
                    if (!Arrays.equals(first.key(), Bytes.utf8("k" + i))) {
                        db.del("k" + i);
                    }
                }
                assertFalse(scan.hasNext(), "the deleted values come with their deletes, from the change stream");
            }
            db.dropTable();
        }
    }

    @Test
    void aTableOfTheJavaScriptLayoutIsScannedAsItIs(DynamoDbClient client) {
        String js = DynamoDbLocal.uniqueTableName("scan-js");
        JsTables.create(client, js, Variant.DYNAMODBDOWN);
        JsTables.put(client, js, Variant.DYNAMODBDOWN, "!", "a", AttributeValue.fromS("text"));
        JsTables.put(client, js, Variant.DYNAMODBDOWN, "!", "b", JsTables.bytes("buffer"));
        JsTables.put(client, js, Variant.DYNAMODBDOWN, "other", "a", AttributeValue.fromNul(true));
        List<TableEntry> all = drain(DynamoDbDown.scan(client, js, 0, 1, null, OpenOptions.defaults()));
        assertEquals(Map.of("!", List.of(Entry.of("a", "text"), Entry.of("b", "buffer")), "other", List.of(Entry.of("a", ""))),
                byDatabase(all));
        assertEquals(all.subList(1, 3), drain(DynamoDbDown.scan(client, js, 0, 1, all.get(0).position(), OpenOptions.defaults())));
        client.deleteTable(b -> b.tableName(js));
    }

    @Test
    void badArgumentsAreRefusedSayingWhatIsAllowed(DynamoDbClient client) {
        OpenOptions options = OpenOptions.defaults();
        assertMessage("1 to 1000000 segments", () -> DynamoDbDown.scan(client, table, 0, 0, null, options));
        assertMessage("1 to 1000000 segments", () -> DynamoDbDown.scan(client, table, 0, 1_000_001, null, options));
        assertMessage("numbered 0 to 3", () -> DynamoDbDown.scan(client, table, 4, 4, null, options));
        assertMessage("numbered 0 to 3", () -> DynamoDbDown.scan(client, table, -1, 4, null, options));
        assertMessage("Invalid table name 'a$b'", () -> DynamoDbDown.scan(client, "a$b", 0, 1, null, options));
        assertMessage("it is not one", () -> DynamoDbDown.scan(client, table, 0, 1, "the start", options));
        assertMessage("it is not one", () -> DynamoDbDown.scan(client, table, 0, 1, "0/1/!!/AA", options));
        String position = segment(client, 1, 4, null).get(0).position();
        assertMessage("it is a position of segment 1 of 4", () -> DynamoDbDown.scan(client, table, 2, 4, position, options));
        assertMessage("it is a position of segment 1 of 4", () -> DynamoDbDown.scan(client, table, 1, 2, position, options));
        assertThrows(NullPointerException.class, () -> DynamoDbDown.scan(client, null, 0, 1, null, options));
        assertThrows(NullPointerException.class, () -> DynamoDbDown.scan(client, table, 0, 1, null, null));
    }

    private static void assertMessage(String part, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(part), e::getMessage);
    }

    @Test
    void aMissingTableIsAnErrorAndIsNotCreated(DynamoDbClient client) {
        String missing = DynamoDbLocal.uniqueTableName("scan-missing");
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> DynamoDbDown.scan(client, missing, 0, 1, null, OpenOptions.defaults()));
        assertEquals("Table '" + missing + "' does not exist: there is nothing to scan (a scan never creates a table)",
                e.getMessage());
        assertFalse(client.listTables().tableNames().contains(missing));
    }

    @Test
    void aClosedScanFailsOnUse(DynamoDbClient client) {
        TableScan scan = DynamoDbDown.scan(client, table, 0, 1, null, SMALL_PAGES);
        assertTrue(scan.hasNext());
        scan.close();
        scan.close();
        assertThrows(DatabaseClosedException.class, scan::hasNext);
        assertThrows(DatabaseClosedException.class, scan::next);
    }
}
