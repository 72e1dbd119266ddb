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
 * <p>Every database records its count in the table, under the hash key {@value #COUNT_HASH_KEY} with the
 * database's hash key as sort key, the first time it is opened: the requested count, or 1 when none is given.
 * So every opener finds the same spread, and opening with another count fails rather than read or write half
 * the entries. A database without a record (written by an older build or the JavaScript original) is given
 * one when it is next opened: 1 if it holds entries, as they all live in its own hash key. A hash key longer
 * than a sort key may be (1,024 bytes) cannot record a count: such a database has one shard.
 */
final class Shards {

    /** Hash keys starting with this are shards of other databases (and the recorded counts). */
    static final String PREFIX = Location.RESERVED_PREFIX + "shard/";
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
     * requested one; for a database without a record, the requested one (1 when not given), recorded now. Every
     * opener records, readers too: an opener that took one shard for granted while another recorded four would put
     * or look for a key in another shard than the rest, silently.
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
        if (recorded == null) {
            int wanted = Math.max(1, requested);
            if (wanted > 1 && holdsEntries(client, location, layout)) {
                // an opener that recorded a count and wrote these entries since the count was read above?
                recorded = recordedCount(client, location, layout, countKey);
                if (recorded == null) {
                    // entries written without a record (an older build, the JavaScript original) all live in shard 0
                    throw new DynamoDbDownException(location + " holds entries in one shard; it cannot be opened with "
                            + wanted + " shards. Copy it into a database of " + wanted + " shards instead: read all of"
                            + " it and write it into a new database opened with " + wanted + " shards");
                }
            }
            if (recorded == null) {
                record(client, location, layout, databaseKey, wanted);
                Integer first = recordedCount(client, location, layout, countKey); // whoever recorded first, that count stands
                recorded = first == null ? wanted : first;
            }
        }
        if (requested != 0 && requested != recorded) {
            throw new IllegalArgumentException(location + " was created with " + recorded + " shard" + (recorded == 1 ? "" : "s")
                    + "; open it with shards=" + recorded + " (or leave shards unset to use the recorded count)."
                    + " A database takes the count of its first opener: to give a new one " + requested + " shards, open it"
                    + " with shards=" + requested + " before anything opens it without a count");
        }
        return new Shards(location.hashKey(), recorded);
    }

    /** Records the count unless another opener recorded one first (or this put's lost answer was retried). */
    private static void record(DynamoDbClient client, Location location, TableLayout layout, byte[] databaseKey, int count) {
        Map<String, AttributeValue> item = layout.item(COUNT_HASH_KEY, databaseKey,
                String.valueOf(count).getBytes(StandardCharsets.US_ASCII), true);
        String what = "record the shard count of " + location + " (every database records its count the first time it is"
                + " opened, so that all its openers agree; a reader needs dynamodb:PutItem for that one item, hash key "
                + COUNT_HASH_KEY + ")";
        Failures.call(what, () -> {
            try {
                return client.putItem(b -> b.tableName(location.table()).item(item)
                        .conditionExpression("attribute_not_exists(" + TableLayout.RANGE + ")")
                        .expressionAttributeNames(Map.of(TableLayout.RANGE, layout.rangeAttribute())));
            } catch (ConditionalCheckFailedException raced) {
                return null;
            }
        });
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

    /**
     * The database whose shard {@code hashKey} is ({@code __dynamodbdown.shard/<i>/<db>}, i at least 1), or null
     * when it is no shard: another hash key, or the recorded counts' {@value #COUNT_HASH_KEY}.
     */
    static String databaseOfShard(String hashKey) {
        if (!hashKey.startsWith(PREFIX)) {
            return null;
        }
        int slash = hashKey.indexOf('/', PREFIX.length());
        if (slash < 0 || slash == PREFIX.length() || slash == hashKey.length() - 1) {
            return null;
        }
        String index = hashKey.substring(PREFIX.length(), slash);
        if (index.startsWith("0") || !index.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null; // shard i >= 1 is written as a decimal number without leading zeros
        }
        return hashKey.substring(slash + 1);
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
