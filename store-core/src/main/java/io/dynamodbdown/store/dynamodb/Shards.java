package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The partition keys a database's entries spread over. One DynamoDB partition key serves about 1,000 write and
 * 3,000 read units a second however large the table, so a database of n shards puts each key under one of n
 * hash keys, chosen by a CRC-32 of the key: shard 0 is the database's own hash key (a database of one shard is
 * laid out as before shards existed), shard i is {@code __dynamodbdown.shard/<i>/<hashKey>}.
 *
 * <p>A database of more than one shard records its count in the table, under the hash key
 * {@value #COUNT_HASH_KEY} with the database's hash key as sort key, so every opener finds the same spread;
 * opening with another count fails rather than read half the entries. A database of one shard records
 * nothing, so tables written before shards existed, and by the JavaScript original, open unchanged. A hash
 * key longer than a sort key may be (1,024 bytes) cannot record a count: such a database has one shard.
 */
final class Shards {

    /** Hash keys starting with this are shards of other databases (and the recorded counts). */
    static final String PREFIX = "__dynamodbdown.shard/";
    /** The hash key under which databases of more than one shard record their count. */
    static final String COUNT_HASH_KEY = PREFIX + "count";

    private final List<String> hashKeys;

    private Shards(String hashKey, int count) {
        String[] keys = new String[count];
        keys[0] = hashKey;
        for (int i = 1; i < count; i++) {
            keys[i] = PREFIX + i + "/" + hashKey;
        }
        this.hashKeys = List.of(keys);
    }

    static Shards one(String hashKey) {
        return new Shards(hashKey, 1);
    }

    /**
     * The shards of the database at {@code location}: the count recorded in its table, checked against the
     * requested one, or the requested one (1 when not given) recorded now for a new database.
     */
    static Shards open(DynamoDbClient client, Location location, TableLayout layout, int requested) {
        byte[] databaseKey = Bytes.utf8(location.hashKey());
        if (databaseKey.length > TableLayout.MAX_KEY_BYTES) {
            if (requested > 1) {
                throw new IllegalArgumentException("The hash key of " + location + " is " + databaseKey.length
                        + " bytes: a database with a hash key over " + TableLayout.MAX_KEY_BYTES + " bytes has one shard");
            }
            return one(location.hashKey());
        }
        Map<String, AttributeValue> countKey = layout.itemKey(COUNT_HASH_KEY, databaseKey);
        Integer recorded = recordedCount(client, location, layout, countKey);
        if (recorded == null && requested > 1) {
            if (holdsEntries(client, location, layout)) {
                throw new DynamoDbDownException(location + " holds entries in one shard; it cannot be opened with "
                        + requested + " shards. Copy it into a database of " + requested + " shards instead (e.g. the"
                        + " source connector in snapshot mode into the sink connector with shards=" + requested + ")");
            }
            try {
                Map<String, AttributeValue> item = layout.item(COUNT_HASH_KEY, databaseKey,
                        String.valueOf(requested).getBytes(StandardCharsets.US_ASCII), true);
                Failures.call("record the shard count of " + location, () -> client.putItem(b -> b
                        .tableName(location.table()).item(item)
                        .conditionExpression("attribute_not_exists(" + TableLayout.RANGE + ")")
                        .expressionAttributeNames(Map.of(TableLayout.RANGE, layout.rangeAttribute()))));
                recorded = requested;
            } catch (DynamoDbDownException e) {
                if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                    throw e;
                }
                // another opener recorded it first (or this put's lost answer was retried): what stands is checked below
                recorded = recordedCount(client, location, layout, countKey);
            }
        }
        int count = recorded == null ? 1 : recorded;
        if (requested != 0 && requested != count) {
            throw new IllegalArgumentException(location + " was created with " + count + " shard" + (count == 1 ? "" : "s")
                    + "; open it with shards=" + count + " (or leave shards unset to use the recorded count)");
        }
        return new Shards(location.hashKey(), count);
    }

    private static Integer recordedCount(DynamoDbClient client, Location location, TableLayout layout,
            Map<String, AttributeValue> countKey) {
        Map<String, AttributeValue> item = Failures.call("read the shard count of " + location, () -> client.getItem(b -> b
                .tableName(location.table()).key(countKey).consistentRead(true))).item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        String text = new String(layout.valueOf(item), StandardCharsets.US_ASCII);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DynamoDbDownException("The shard count recorded for " + location + " is not a number: '" + text
                    + "'; remove the item under hash key " + COUNT_HASH_KEY + " if it was written by hand");
        }
    }

    private static boolean holdsEntries(DynamoDbClient client, Location location, TableLayout layout) {
        return Failures.call("look for entries of " + location, () -> client.query(b -> b
                .tableName(location.table()).keyConditionExpression(TableLayout.HASH + " = :h")
                .expressionAttributeNames(Map.of(TableLayout.HASH, layout.hashAttribute()))
                .expressionAttributeValues(Map.of(":h", layout.hashValue(location.hashKey())))
                .limit(1).consistentRead(true))).count() > 0;
    }

    int count() {
        return hashKeys.size();
    }

    /** Every shard's hash key, shard 0 (the database's own) first. */
    List<String> hashKeys() {
        return hashKeys;
    }

    boolean contains(String hashKey) {
        return hashKeys.contains(hashKey);
    }

    /** The hash key {@code key} lives under. */
    String hashKeyOf(byte[] key) {
        if (hashKeys.size() == 1) {
            return hashKeys.get(0);
        }
        CRC32 crc = new CRC32();
        crc.update(key);
        return hashKeys.get((int) (crc.getValue() % hashKeys.size()));
    }

    @Override
    public String toString() {
        return hashKeys.size() + " shard" + (hashKeys.size() == 1 ? "" : "s") + " of " + hashKeys.get(0);
    }
}
