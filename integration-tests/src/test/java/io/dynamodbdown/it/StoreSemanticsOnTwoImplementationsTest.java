package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dynamodbdown.it.infra.Dynalite;
import io.dynamodbdown.it.infra.DynamoDbService;
import io.dynamodbdown.it.infra.Infra;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store's LevelDB semantics on the selected DynamoDB and, where installed, on dynalite: ranges against an
 * in-memory oracle, batches, getMany and the string-keyed JavaScript layout must behave the same on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreSemanticsOnTwoImplementationsTest {

    private final List<DynamoDbService> implementations = new ArrayList<>();
    private DynamoDbService dynalite;

    @BeforeAll
    void start() throws Exception {
        implementations.add(Infra.dynamoDb());
        Optional<Path> executable = Dynalite.executable();
        if (executable.isPresent()) {
            dynalite = Dynalite.start(executable.get());
            implementations.add(dynalite);
        } else {
            System.out.println("dynalite is not installed (npm install -g dynalite, or -Dit.dynalite=PATH):"
                    + " the semantics run on " + Infra.dynamoDb() + " only");
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (dynalite != null) {
            dynalite.close();
        }
    }

    Stream<DynamoDbService> implementations() {
        return implementations.stream();
    }

    @Test
    void dynaliteRunsWhereItIsInstalled() {
        assertEquals(Dynalite.executable().isPresent() ? 2 : 1, implementations.size());
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the services outlive the test
    @MethodSource("implementations")
    void randomRangesMatchAnInMemoryOracle(DynamoDbService service) {
        Random random = new Random(7);
        NavigableMap<byte[], byte[]> oracle = new TreeMap<>(Bytes::compare);
        try (Database db = DynamoDbDown.open(service.client(), service.newTable("ranges") + "$db")) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                byte[] key = randomKey(random);
                byte[] value = new byte[random.nextInt(20)];
                random.nextBytes(value);
                puts.add(BatchOperation.put(key, value));
                oracle.put(key, value);
            }
            db.batch(puts);
            for (int i = 0; i < 150; i++) {
                KeyRange range = randomRange(random);
                List<Entry> expected = new ArrayList<>();
                for (var e : (range.isReverse() ? oracle.descendingMap() : oracle).entrySet()) {
                    if (range.contains(e.getKey()) && !(range.hasLimit() && expected.size() >= range.limit())) {
                        expected.add(new Entry(e.getKey(), e.getValue()));
                    }
                }
                List<Entry> actual = db.stream(range).collect(Collectors.toList());
                assertEquals(expected, actual, "range " + range + " on " + service);
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the services outlive the test
    @MethodSource("implementations")
    void batchesGetManyAndLimitsBehaveAlike(DynamoDbService service) {
        try (Database db = DynamoDbDown.open(service.client(), service.newTable("batch") + "$db")) {
            db.batch(List.of(BatchOperation.put("a", "1"), BatchOperation.put("b", "2"), BatchOperation.del("a"), BatchOperation.put("b", "3")));
            assertNull(db.get("a"), "the last operation on a key wins");
            assertEquals("3", db.getString("b"));
            List<byte[]> values = db.getMany(List.of(bytes("b"), bytes("missing"), bytes("b")));
            assertArrayEquals(bytes("3"), values.get(0));
            assertNull(values.get(1));
            assertArrayEquals(bytes("3"), values.get(2));
            byte[] tooLong = new byte[1_025];
            assertThrows(IllegalArgumentException.class, () -> db.put(tooLong, new byte[0]));
            byte[] large = new byte[600 * 1024];
            large[0] = 1;
            db.put(bytes("large"), large);
            assertArrayEquals(large, db.get(bytes("large")), "a value past the 400 KB item limit, in chunks");
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the services outlive the test
    @MethodSource("implementations")
    void stringKeyedJavaScriptTablesOrderByUtf8Bytes(DynamoDbService service) {
        List<String> keys = List.of("a", "z", "é", "ü", "中", "😀", "~", "A");
        try (Database db = DynamoDbDown.open(service.client(), service.newTable("js") + "$!", OpenOptions.defaults().withLayout(Layout.DYNAMODBDOWN))) {
            keys.forEach(k -> db.put(k, "v-" + k));
            List<String> read = db.stream(KeyRange.all()).map(e -> new String(e.getKey(), StandardCharsets.UTF_8)).collect(Collectors.toList());
            List<String> expected = keys.stream().sorted((x, y) -> Bytes.compare(bytes(x), bytes(y))).collect(Collectors.toList());
            assertEquals(expected, read);
            assertEquals(List.of("é", "ü"), db.stream(KeyRange.all().gt("~").lt("中"))
                    .map(e -> new String(e.getKey(), StandardCharsets.UTF_8)).collect(Collectors.toList()));
        }
    }

    private static byte[] randomKey(Random random) {
        byte[] key = new byte[1 + random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) new int[] {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 'a', 'b'}[random.nextInt(8)];
        }
        return key;
    }

    private static KeyRange randomRange(Random random) {
        KeyRange range = KeyRange.all();
        switch (random.nextInt(3)) {
            case 0 -> range = range.gt(randomKey(random));
            case 1 -> range = range.gte(randomKey(random));
            default -> { }
        }
        switch (random.nextInt(3)) {
            case 0 -> range = range.lt(randomKey(random));
            case 1 -> range = range.lte(randomKey(random));
            default -> { }
        }
        return range.reverse(random.nextBoolean()).limit(random.nextInt(4) == 0 ? random.nextInt(10) : -1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
