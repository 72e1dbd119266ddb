package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * abstract-level's "iterator#seek() respects range" table (test/iterator-seek-test.js), row for row: over the
 * keys '0' to '9', a seek to a target outside the range ends the iteration; inside, it moves to the first key at
 * or after the target (at or before it, in reverse). Run for entries, keys and values alike.
 */
@ExtendWith(DynamoDbLocalExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class IteratorSeekTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private Database db;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void tenKeys(DynamoDbClient client) {
        db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("seek") + "$db", OpenOptions.defaults().withShards(shards));
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            puts.add(BatchOperation.put(String.valueOf(i), String.valueOf(i)));
        }
        db.batch(puts);
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void drop() {
        db.dropTable();
    }

    private static KeyRange gt(String key) {
        return KeyRange.all().gt(key);
    }

    private static KeyRange gte(String key) {
        return KeyRange.all().gte(key);
    }

    private static KeyRange lt(String key) {
        return KeyRange.all().lt(key);
    }

    private static KeyRange lte(String key) {
        return KeyRange.all().lte(key);
    }

    /** Range, seek target, the first value after the seek (null: the iteration ended). */
    static Stream<Arguments> respectsRange() {
        return Stream.of(
                Arguments.of(gt("5"), "4", null),
                Arguments.of(gt("5"), "5", null),
                Arguments.of(gt("5"), "6", "6"),

                Arguments.of(gte("5"), "4", null),
                Arguments.of(gte("5"), "5", "5"),
                Arguments.of(gte("5"), "6", "6"),

                Arguments.of(lt("5"), "4", "4"),
                Arguments.of(lt("5"), "5", null),
                Arguments.of(lt("5"), "6", null),

                Arguments.of(lte("5"), "4", "4"),
                Arguments.of(lte("5"), "5", "5"),
                Arguments.of(lte("5"), "6", null),

                Arguments.of(lt("5").reverse(true), "4", "4"),
                Arguments.of(lt("5").reverse(true), "5", null),
                Arguments.of(lt("5").reverse(true), "6", null),

                Arguments.of(lte("5").reverse(true), "4", "4"),
                Arguments.of(lte("5").reverse(true), "5", "5"),
                Arguments.of(lte("5").reverse(true), "6", null),

                Arguments.of(gt("5").reverse(true), "4", null),
                Arguments.of(gt("5").reverse(true), "5", null),
                Arguments.of(gt("5").reverse(true), "6", "6"),

                Arguments.of(gte("5").reverse(true), "4", null),
                Arguments.of(gte("5").reverse(true), "5", "5"),
                Arguments.of(gte("5").reverse(true), "6", "6"),

                Arguments.of(gt("7").lt("8"), "7", null),
                Arguments.of(gte("7").lt("8"), "7", "7"),
                Arguments.of(gte("7").lt("8"), "8", null),
                Arguments.of(gt("7").lte("8"), "8", "8"),

                // and the table's neighbours: no range at all, forward and reverse, out of the keys' span
                Arguments.of(KeyRange.all(), "zzz", null),
                Arguments.of(KeyRange.all().reverse(true), "zzz", "9"));
    }

    @ParameterizedTest(name = "seek({1}) on {0} yields {2}")
    @MethodSource("respectsRange")
    void seekRespectsTheRangeForEntries(KeyRange range, String target, String expected) {
        assertEquals(expected, firstAfterSeek(db.iterator(range), target, e -> new String(e.value())));
    }

    @ParameterizedTest(name = "seek({1}) on {0} yields {2}")
    @MethodSource("respectsRange")
    void seekRespectsTheRangeForKeys(KeyRange range, String target, String expected) {
        assertEquals(expected, firstAfterSeek(db.keys(range), target, String::new));
    }

    @ParameterizedTest(name = "seek({1}) on {0} yields {2}")
    @MethodSource("respectsRange")
    void seekRespectsTheRangeForValues(KeyRange range, String target, String expected) {
        assertEquals(expected, firstAfterSeek(db.values(range), target, String::new));
    }

    private static <T> String firstAfterSeek(RangeIterator<T> iterator, String target, Function<T, String> text) {
        try (iterator) {
            iterator.seek(target);
            return iterator.hasNext() ? text.apply(iterator.next()) : null;
        }
    }
}
