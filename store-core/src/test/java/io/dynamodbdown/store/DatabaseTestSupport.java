package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Small helpers shared by the store's tests. */
final class DatabaseTestSupport {

    private DatabaseTestSupport() {
    }

    static Database openFresh(DynamoDbClient client, String prefix, OpenOptions options) {
        return DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName(prefix) + "$db", options);
    }

    static List<Entry> drain(RangeIterator<Entry> iterator) {
        List<Entry> result = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(result::add);
        }
        return result;
    }

    static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }

    static void assertEntries(List<Entry> expected, List<Entry> actual, Object context) {
        assertEquals(describe(expected), describe(actual), () -> "entries for " + context);
    }

    static String describe(List<Entry> entries) {
        return entries.stream().map(Entry::toString).collect(Collectors.joining("\n"));
    }
}
