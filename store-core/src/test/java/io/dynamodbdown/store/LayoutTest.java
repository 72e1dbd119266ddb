package io.dynamodbdown.store;

import static io.dynamodbdown.store.DatabaseTestSupport.assertEntries;
import static io.dynamodbdown.store.DatabaseTestSupport.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.JsTables.Variant;
import io.dynamodbdown.testing.JsTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Tables of the JavaScript DynamoDbDown family, read and written as they are. */
@ExtendWith(DynamoDbLocalExtension.class)
class LayoutTest {

    static List<Variant> variants() {
        return List.of(Variant.DYNAMODBDOWN, Variant.LEVELDOWN, Variant.LEVELDOWN_LEGACY);
    }

    private static String fresh(DynamoDbClient client, Variant variant) {
        String table = DynamoDbLocal.uniqueTableName("js");
        JsTables.create(client, table, variant);
        return table;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyValueTypeAndMarkerReadsAsBytes(Variant variant, DynamoDbClient client) {
        String table = fresh(client, variant);
        JsTables.put(client, table, variant, "!", "b-buffer", JsTables.bytes("raw"));
        JsTables.put(client, table, variant, "!", "c-null", AttributeValue.fromNul(true));
        JsTables.put(client, table, variant, "!", "d-number", AttributeValue.fromN("42.5"));
        JsTables.put(client, table, variant, "!", "e-bool", AttributeValue.fromBool(true));
        JsTables.put(client, table, variant, "!", "f-list", AttributeValue.fromL(List.of(AttributeValue.fromN("1"), AttributeValue.fromS("x"))));
        JsTables.put(client, table, variant, "!", "g-map", AttributeValue.fromM(Map.of("k", AttributeValue.fromBool(false))));
        JsTables.put(client, table, variant, "!", "g-text", AttributeValue.fromM(Map.of("q\"k", AttributeValue.fromL(List.of(
                AttributeValue.fromS("a\"b\\c\nd\u0001é"), AttributeValue.fromB(SdkBytes.fromUtf8String("hi")),
                AttributeValue.fromNul(true), AttributeValue.fromSs(List.of("s")))))));
        JsTables.put(client, table, variant, "!", "h-empty-buffer", JsTables.bytes("EMPTY_BUFFER"));
        JsTables.put(client, table, variant, "!", "i-empty-string", JsTables.bytes("EMPTY_STRING"));
        JsTables.put(client, table, variant, "!", "j-nan", JsTables.bytes("NaN"));
        JsTables.put(client, table, variant, "!", "a-string", AttributeValue.fromS("text é"));
        JsTables.put(client, table, variant, "other", "a-string", AttributeValue.fromS("another database"));
        boolean markers = variant != Variant.DYNAMODBDOWN;
        try (Database db = DynamoDbDown.open(client, table)) {
            List<Entry> expected = List.of(
                    Entry.of("a-string", "text é"), Entry.of("b-buffer", "raw"), Entry.of("c-null", ""),
                    Entry.of("d-number", "42.5"), Entry.of("e-bool", "true"), Entry.of("f-list", "[1,\"x\"]"),
                    Entry.of("g-map", "{\"k\":false}"),
                    Entry.of("g-text", "{\"q\\\"k\":[\"a\\\"b\\\\c\\nd\\u0001é\",\"aGk=\",null,[\"s\"]]}"),
                    Entry.of("h-empty-buffer", markers ? "" : "EMPTY_BUFFER"),
                    Entry.of("i-empty-string", markers ? "" : "EMPTY_STRING"),
                    Entry.of("j-nan", "NaN"));
            assertEntries(expected, drain(db.iterator(KeyRange.all())), variant);
            assertEquals("text é", db.getString("a-string"));
            assertEquals(2, db.getMany(List.of(Bytes.utf8("a-string"), Bytes.utf8("c-null"))).size());
        }
        client.deleteTable(b -> b.tableName(table));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void writesAreStoredTheWayTheVariantWritesThem(Variant variant, DynamoDbClient client) {
        String table = fresh(client, variant);
        try (Database db = DynamoDbDown.open(client, table + "$h", OpenOptions.defaults().withLayout(Layout.parse(variant.layoutId())))) {
            db.put("text", "hello");
            db.put(Bytes.utf8("bytes"), new byte[] {1, 2});
            db.put("empty-text", "");
            db.put(Bytes.utf8("empty-bytes"), new byte[0]);
            db.batch(List.of(BatchOperation.put("batched", "s"), BatchOperation.put(Bytes.utf8("batched-bytes"), new byte[] {9})));
            db.batch(List.of(BatchOperation.put("atomic", "t")), WriteOptions.ATOMIC);

            assertEquals("hello", raw(client, table, variant, "text").s());
            assertArrayEquals(new byte[] {1, 2}, raw(client, table, variant, "bytes").b().asByteArray());
            assertEquals("s", raw(client, table, variant, "batched").s());
            assertArrayEquals(new byte[] {9}, raw(client, table, variant, "batched-bytes").b().asByteArray());
            assertEquals("t", raw(client, table, variant, "atomic").s());
            if (variant == Variant.DYNAMODBDOWN) {
                assertEquals(Boolean.TRUE, raw(client, table, variant, "empty-text").nul());
                assertEquals(Boolean.TRUE, raw(client, table, variant, "empty-bytes").nul());
            } else {
                assertEquals("EMPTY_STRING", raw(client, table, variant, "empty-text").b().asUtf8String());
                assertEquals("EMPTY_BUFFER", raw(client, table, variant, "empty-bytes").b().asUtf8String());
            }
            assertArrayEquals(new byte[0], db.get("empty-text"));
            assertArrayEquals(new byte[0], db.get("empty-bytes"));
        }
        client.deleteTable(b -> b.tableName(table));
    }

    private static AttributeValue raw(DynamoDbClient client, String table, Variant variant, String key) {
        return JsTables.get(client, table, variant, "h", key).get(variant.value());
    }

    @Test
    void keysThatAreNotTextAreRefusedNotMangledButAnyBoundWorks(DynamoDbClient client) {
        String table = fresh(client, Variant.LEVELDOWN);
        try (Database db = DynamoDbDown.open(client, table)) {
            InvalidEntryException e = assertThrows(InvalidEntryException.class, () -> db.put(new byte[] {(byte) 0xff}, new byte[] {1}));
            assertTrue(e.getMessage().contains("not valid UTF-8") && e.getMessage().contains("dynamodb-leveldown"), e.getMessage());
            assertThrows(InvalidEntryException.class, () -> db.batch(List.of(BatchOperation.put(new byte[] {(byte) 0xc3}, new byte[0]))));
            db.batch(List.of(BatchOperation.put("a", "1"), BatchOperation.put("a\u00e9", "2"), BatchOperation.put("b", "3")));
            // LevelDB takes any bytes as a bound: on string keys they mean the nearest keys, never an error
            assertEquals(List.of(), drain(db.iterator(KeyRange.all().gt(new byte[] {(byte) 0xff}))));
            assertEquals(List.of(Entry.of("b", "3")), drain(db.iterator(KeyRange.all().gte(new byte[] {'a', (byte) 0xc3, (byte) 0xff}))));
            assertEquals(List.of(Entry.of("a", "1")), drain(db.iterator(KeyRange.all().lt(new byte[] {'a', (byte) 0xc3}))));
            byte[] longBound = Bytes.utf8("a\u00e9" + "z".repeat(1100));
            assertEquals(2, drain(db.iterator(KeyRange.all().lte(longBound))).size(), "a and a\u00e9, below the long bound");
            assertEquals(1, db.clear(KeyRange.all().gt(longBound)), "b");
        }
        client.deleteTable(b -> b.tableName(table));
    }

    @Test
    void anExplicitLayoutThatContradictsTheTableIsAClearError(DynamoDbClient client) {
        String table = fresh(client, Variant.DYNAMODBDOWN);
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> DynamoDbDown.open(client, table, OpenOptions.defaults().withLayout(Layout.DYNAMODB_LEVELDOWN)));
        assertTrue(e.getMessage().contains("hkey (S, HASH)") && e.getMessage().contains("hash (S, HASH) and range (S, RANGE)"),
                e.getMessage());
        assertThrows(DynamoDbDownException.class, () -> DynamoDbDown.open(client, table, OpenOptions.defaults().withLayout(Layout.NATIVE)));
        client.deleteTable(b -> b.tableName(table));
    }

    @Test
    void aNewTableGetsTheLayoutAskedForAndNativeByDefault(DynamoDbClient client) {
        String js = DynamoDbLocal.uniqueTableName("js-new");
        try (Database db = DynamoDbDown.open(client, js, OpenOptions.defaults().withLayout(Layout.DYNAMODB_LEVELDOWN_LEGACY))) {
            db.put("k", "v");
        }
        var description = client.describeTable(b -> b.tableName(js)).table();
        assertEquals("---range", description.keySchema().get(1).attributeName());
        assertEquals(ScalarAttributeType.S, description.attributeDefinitions().stream()
                .filter(d -> d.attributeName().equals("---range")).findFirst().orElseThrow().attributeType());
        try (Database detected = DynamoDbDown.open(client, js)) {
            assertEquals("v", detected.getString("k"), "auto detects the legacy layout");
        }
        client.deleteTable(b -> b.tableName(js));
    }

    /** Range semantics on string keys: the same oracle as for binary keys, on multi-byte UTF-8 keys. */
    @Test
    void rangesOverStringKeysMatchTheModel(DynamoDbClient client) {
        String table = fresh(client, Variant.LEVELDOWN);
        ReferenceModel model = new ReferenceModel();
        List<String> keys = new ArrayList<>(List.of("a", "aa", "ab", "b", "z", "é", "éa", "日本", "日本語", "\uD83D\uDE00",
                "a\u0000", "A", "0", "~", "\u007F", "\u0080", "\uFFFF", "\uD7FF", "\uE000", "\uDBFF\uDFFF"));
        keys.add("x".repeat(1020) + "\uDBFF\uDFFF");
        try (Database db = DynamoDbDown.open(client, table, OpenOptions.defaults().withPageSize(3))) {
            List<BatchOperation> puts = new ArrayList<>();
            for (String key : keys) {
                puts.add(BatchOperation.put(key, "v-" + key.length()));
                model.put(Bytes.utf8(key), Bytes.utf8("v-" + key.length()));
            }
            db.batch(puts);
            assertEntries(model.all(), drain(db.iterator(KeyRange.all())), "all, in UTF-8 byte order");
            List<String> bounds = new ArrayList<>(keys);
            bounds.addAll(List.of("", "a0", "ä", "日", "\u0000", "zz", "x".repeat(1000)));
            Random random = new Random(11);
            for (int i = 0; i < 300; i++) {
                KeyRange range = KeyRange.all();
                if (random.nextInt(3) > 0) {
                    String b = bounds.get(random.nextInt(bounds.size()));
                    range = random.nextBoolean() ? range.gt(b) : range.gte(b);
                }
                if (random.nextInt(3) > 0) {
                    String b = bounds.get(random.nextInt(bounds.size()));
                    range = random.nextBoolean() ? range.lt(b) : range.lte(b);
                }
                range = range.reverse(random.nextBoolean()).limit(random.nextInt(6) - 1);
                assertEntries(model.range(range), drain(db.iterator(range)), range);
            }
        }
        client.deleteTable(b -> b.tableName(table));
    }
}
