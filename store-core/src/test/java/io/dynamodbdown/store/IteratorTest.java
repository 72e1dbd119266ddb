package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.assertEntries;
import static io.dynamodbdown.store.DatabaseTestSupport.bytes;
import static io.dynamodbdown.store.DatabaseTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Range semantics against the reference model. The database uses Query pages of 3 items, so every range
 * longer than that spans several pages and limit exactness is checked across page boundaries.
 */
@ExtendWith(DynamoDbLocalExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class IteratorTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private static final int PAGE_SIZE = 3;

    private ReferenceModel model;
    private final List<byte[]> keys = new ArrayList<>();
    private Database db;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void fill(DynamoDbClient client) {
        model = new ReferenceModel();
        keys.clear();
        db = DatabaseTestSupport.openFresh(client, "iterator", OpenOptions.defaults().withPageSize(PAGE_SIZE).withShards(shards));
        byte[] longest = new byte[1024];
        Arrays.fill(longest, (byte) 0xff);
        byte[] longZeros = new byte[1024];
        keys.addAll(List.of(bytes(0x00), bytes(0x00, 0x00), bytes(0x01), bytes(0x7f), bytes(0x80), bytes(0xfe),
                bytes(0xff), bytes(0xff, 0x00), bytes(0xff, 0xff), longest, longZeros));
        for (String s : List.of("a", "aa", "ab", "b", "ba", "c", "d", "é", "z", "日本")) {
            keys.add(Bytes.utf8(s));
        }
        List<BatchOperation> operations = new ArrayList<>();
        for (byte[] key : keys) {
            byte[] value = Bytes.utf8("value of " + Bytes.describe(key));
            operations.add(BatchOperation.put(key, value));
            model.put(key, value);
        }
        db.batch(operations);
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void drop() {
        db.dropTable();
    }

    @Test
    void allEntriesComeInUnsignedByteOrder() {
        List<Entry> all = drain(db.iterator(KeyRange.all()));
        assertEntries(model.all(), all, "all");
        assertArrayEquals(bytes(0x00), all.get(0).key());
        assertEquals(1024, all.get(all.size() - 1).key().length, "0xff * 1024 is the last key");
    }

    @Test
    void everyCombinationOfBoundsMatchesTheModel() {
        // Bounds at, between and outside stored keys, including empty and over-long ones.
        byte[] overLong = new byte[1100];
        Arrays.fill(overLong, (byte) 0xff);
        List<byte[]> bounds = new ArrayList<>(keys);
        bounds.addAll(List.of(new byte[0], bytes(0x00, 0x00, 0x00), Bytes.utf8("a0"), Bytes.utf8("bz"),
                Bytes.utf8("zz"), bytes(0xff, 0x00, 0x00), overLong, Arrays.copyOf(overLong, 1023)));
        Random random = new Random(42);
        int checked = 0;
        for (int i = 0; i < 400; i++) {
            KeyRange range = KeyRange.all();
            if (random.nextInt(3) > 0) {
                byte[] b = bounds.get(random.nextInt(bounds.size()));
                range = random.nextBoolean() ? range.gt(b) : range.gte(b);
            }
            if (random.nextInt(3) > 0) {
                byte[] b = bounds.get(random.nextInt(bounds.size()));
                range = random.nextBoolean() ? range.lt(b) : range.lte(b);
            }
            if (random.nextInt(4) == 0) {
                // both gt and gte (or lt and lte): the inclusive one wins
                range = range.gte(bounds.get(random.nextInt(bounds.size()))).gt(bounds.get(random.nextInt(bounds.size())));
            }
            range = range.reverse(random.nextBoolean());
            if (random.nextBoolean()) {
                range = range.limit(random.nextInt(8) - 1);
            }
            assertEntries(model.range(range), drain(db.iterator(range)), range);
            checked++;
        }
        assertEquals(400, checked);
    }

    @Test
    void namedRangeCombinations() {
        List<KeyRange> ranges = List.of(
                KeyRange.all().gt("a").lte("c"),
                KeyRange.all().gte("a").lt("c"),
                KeyRange.all().gt("a").lt("b"),
                KeyRange.all().gte("aa").lte("aa"),
                KeyRange.all().gt("aa").lt("ab"),
                KeyRange.all().reverse(true).limit(2),
                KeyRange.all().gte("b").reverse(true).limit(4),
                KeyRange.all().gte("0").lt("1"),
                KeyRange.all().gt("zzz"),
                KeyRange.all().lt(bytes(0x00)),
                KeyRange.all().gte(bytes(0x00)).lte(bytes(0x00)),
                KeyRange.all().gt(bytes(0xff)).lt(bytes(0xff, 0x00, 0x01)));
        for (KeyRange range : ranges) {
            assertEntries(model.range(range), drain(db.iterator(range)), range);
        }
    }

    @Test
    void invertedAndEmptyRangesYieldNothingWithoutError() {
        assertEquals(List.of(), drain(db.iterator(KeyRange.all().gte("c").lte("a"))));
        assertEquals(List.of(), drain(db.iterator(KeyRange.all().gt("b").lt("b"))));
        assertEquals(List.of(), drain(db.iterator(KeyRange.all().gte("b").lt("b"))));
        assertEquals(List.of(), drain(db.iterator(KeyRange.all().lte(new byte[0]))));
        assertEquals(List.of(), drain(db.iterator(KeyRange.all().gte("c").lte("a").reverse(true))));
    }

    @Test
    void gteWinsOverGtAndLteOverLt() {
        KeyRange range = KeyRange.all().gt("a").gte("a").lt("c").lte("c");
        List<Entry> entries = drain(db.iterator(range));
        assertEquals("a", new String(entries.get(0).key()));
        assertEquals("c", new String(entries.get(entries.size() - 1).key()));
    }

    @Test
    void reverseYieldsTheSameEntriesInReverseOrder() {
        KeyRange forward = KeyRange.all().gte("a").lt("d");
        List<Entry> ahead = drain(db.iterator(forward));
        List<Entry> back = drain(db.iterator(forward.reverse(true)));
        List<Entry> reversed = new ArrayList<>(back);
        java.util.Collections.reverse(reversed);
        assertEntries(ahead, reversed, "reverse of " + forward);
    }

    @Test
    void limitIsExactAcrossPages() {
        for (int limit = 0; limit <= 2 * PAGE_SIZE + 2; limit++) {
            assertEquals(limit, drain(db.iterator(KeyRange.all().limit(limit))).size(), "limit " + limit);
            assertEquals(limit, drain(db.iterator(KeyRange.all().reverse(true).limit(limit))).size(), "reverse limit " + limit);
        }
        assertEquals(keys.size(), drain(db.iterator(KeyRange.all().limit(-1))).size());
    }

    @Test
    void keysAndValuesIterators() {
        List<Entry> expected = model.range(KeyRange.all().gte("a"));
        List<String> expectedKeys = expected.stream().map(e -> Bytes.describe(e.key())).collect(Collectors.toList());
        List<String> expectedValues = expected.stream().map(e -> Bytes.describe(e.value())).collect(Collectors.toList());
        try (RangeIterator<byte[]> k = db.keys(KeyRange.all().gte("a")); RangeIterator<byte[]> v = db.values(KeyRange.all().gte("a"))) {
            List<String> gotKeys = new ArrayList<>();
            k.forEachRemaining(key -> gotKeys.add(Bytes.describe(key)));
            List<String> gotValues = new ArrayList<>();
            v.forEachRemaining(value -> gotValues.add(Bytes.describe(value)));
            assertEquals(expectedKeys, gotKeys);
            assertEquals(expectedValues, gotValues);
        }
    }

    @Test
    void seekMovesWithinTheRangeForwardAndBack() {
        try (RangeIterator<Entry> it = db.iterator(KeyRange.all().gte("a").lt("z"))) {
            it.seek("b");
            assertEquals("b", new String(it.next().key()));
            it.seek("aa"); // backwards is allowed
            assertEquals("aa", new String(it.next().key()));
            it.seek("bb"); // between keys: the next key after it
            assertEquals("c", new String(it.next().key()));
            it.seek("zz"); // beyond the range: the iteration ends
            assertFalse(it.hasNext());
            it.seek("0"); // before the range: ends too (abstract-level), entries never come back twice
            assertFalse(it.hasNext());
            it.seek("a");
            assertEquals("a", new String(it.next().key()));
        }
    }

    @Test
    void seekInReverseGoesToTheLastKeyAtOrBeforeTheTarget() {
        try (RangeIterator<Entry> it = db.iterator(KeyRange.all().gt("a").lte("d").reverse(true))) {
            it.seek("bz");
            assertEquals("ba", new String(it.next().key()));
            assertEquals("b", new String(it.next().key()));
            it.seek("a"); // outside (gt a): ends
            assertFalse(it.hasNext());
            it.seek("zzz"); // above the range (lte d): ends too
            assertFalse(it.hasNext());
            it.seek("d");
            assertEquals("d", new String(it.next().key()));
        }
    }

    @Test
    void seekWorksAfterExhaustionAndLimitKeepsCounting() {
        try (RangeIterator<Entry> it = db.iterator(KeyRange.all().gte("c").lt("e"))) {
            assertEquals(2, drainCount(it));
            assertFalse(it.hasNext());
            it.seek("d");
            assertEquals("d", new String(it.next().key()));
            assertFalse(it.hasNext());
        }
        try (RangeIterator<Entry> it = db.iterator(KeyRange.all().gte("a").limit(2))) {
            assertEquals(2, drainCount(it));
            it.seek("a");
            assertFalse(it.hasNext(), "the limit counts across seeks, as in abstract-level");
        }
    }

    @Test
    void afterContinuesARangeWhereAReaderStopped() {
        KeyRange forward = KeyRange.all().gte("a").lt("d");
        assertEntries(model.range(KeyRange.all().gt("b").lt("d")), drain(db.iterator(forward.after(Bytes.utf8("b")))), "after b");
        assertEntries(model.range(forward), drain(db.iterator(forward.after(Bytes.utf8("0")))), "before the start");
        KeyRange backward = forward.reverse(true);
        assertEntries(model.range(KeyRange.all().gte("a").lt("b").reverse(true)),
                drain(db.iterator(backward.after(Bytes.utf8("b")))), "reverse after b");
    }

    @Test
    void nextPastTheEndThrows() {
        try (RangeIterator<Entry> it = db.iterator(KeyRange.all().gt("z").lt("zz"))) {
            assertThrows(NoSuchElementException.class, it::next);
        }
    }

    @Test
    void closedIteratorFailsClearly() {
        RangeIterator<Entry> it = db.iterator(KeyRange.all());
        it.close();
        IllegalStateException e = assertThrows(DatabaseClosedException.class, it::hasNext);
        assertTrue(e.getMessage().contains("iterator"), e.getMessage());
    }

    @Test
    void streamYieldsTheRangeAndClosesTheIterator() {
        KeyRange range = KeyRange.all().gte("a").lt("c");
        AtomicBoolean closed = new AtomicBoolean();
        List<Entry> viaStream;
        try (Stream<Entry> stream = db.stream(range).onClose(() -> closed.set(true))) {
            viaStream = stream.collect(Collectors.toList());
        }
        assertTrue(closed.get());
        assertEntries(model.range(range), viaStream, range);
        RangeIterator<Entry> it = db.iterator(range);
        it.stream().close();
        assertThrows(DatabaseClosedException.class, it::hasNext, "closing the stream closed the iterator");
    }

    /**
     * Without a Limit DynamoDB Local reads every remaining row of the range for each page (a 400,000-entry range
     * read 18x slower), so the default options must bound every page even where 1 MB would hold more.
     */
    @Test
    void defaultOptionsBoundEveryQueryPage(DynamoDbLocal local) {
        List<Integer> limits = new CopyOnWriteArrayList<>();
        ExecutionInterceptor recordLimits = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof QueryRequest query) {
                    limits.add(query.limit());
                }
            }
        };
        try (DynamoDbClient client = DynamoDbLocal.clientBuilderFor(local.endpoint())
                .overrideConfiguration(c -> c.addExecutionInterceptor(recordLimits)).build();
                Database small = DatabaseTestSupport.openFresh(client, "pages", OpenOptions.defaults())) {
            List<BatchOperation> operations = new ArrayList<>();
            for (int i = 0; i < 21_000; i++) {
                operations.add(BatchOperation.put(String.format("k%05d", i), "v")); // 21,000 fit in one 1 MB page
            }
            small.batch(operations);
            limits.clear();
            assertEquals(21_000, drain(small.iterator(KeyRange.all())).size());
            assertEquals(List.of(10_000, 10_000, 10_000), limits, "one bounded Query per 10,000 entries");
            small.dropTable();
        }
    }

    @Test
    void largeRangeIsFetchedLazilyPageByPage(DynamoDbClient client) {
        try (Database big = DatabaseTestSupport.openFresh(client, "lazy", OpenOptions.defaults().withPageSize(50))) {
            List<BatchOperation> operations = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                operations.add(BatchOperation.put(String.format("k%05d", i), "v" + i));
            }
            big.batch(operations);
            try (RangeIterator<Entry> it = big.iterator(KeyRange.all())) {
                int n = 0;
                String previous = "";
                while (it.hasNext()) {
                    String key = new String(it.next().key());
                    assertTrue(key.compareTo(previous) > 0);
                    previous = key;
                    n++;
                }
                assertEquals(2_000, n);
            }
            big.dropTable();
        }
    }

    private static int drainCount(RangeIterator<Entry> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }
}
