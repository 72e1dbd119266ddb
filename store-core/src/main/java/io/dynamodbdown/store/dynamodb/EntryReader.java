package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DynamoDbDownException;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Reads a key's item and the value an item stands for, whole: its value attribute, or the chunks its reference
 * names. A value is never a mix of two versions: chunks replaced while they were read are read again, as the key
 * holds them now.
 */
final class EntryReader {

    private final TableContext table;
    private final LargeValues large;

    EntryReader(TableContext table, LargeValues large) {
        this.table = table;
        this.large = large;
    }

    /** The key's value now, whole, read as the options say ({@code consistentRead}); null when it has none. */
    byte[] get(byte[] key) {
        Map<String, AttributeValue> item = item(key, table.options().consistentRead());
        return item == null ? null : currentValueOf(key, item);
    }

    /** The key's item (every attribute), or null. */
    Map<String, AttributeValue> item(byte[] key, boolean consistent) {
        String hashKey = table.hashKeyOf(key);
        double least = CapacityUnits.leastRead(consistent);
        GetItemResponse response = table.retrier().read("get " + Bytes.describe(key) + " from " + table.location(), hashKey,
                least, override -> table.client().getItem(b -> b.tableName(table.location().table())
                        .key(table.layout().itemKey(hashKey, key)).consistentRead(consistent).overrideConfiguration(override)),
                found -> found.hasItem() ? CapacityUnits.read(List.of(found.item()), consistent) - least : 0);
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    /**
     * The value an entry's item stands for: its value attribute, or the chunks its reference names; null when
     * those chunks are gone (the entry was overwritten or deleted meanwhile, its old chunks removed).
     */
    byte[] valueOf(Map<String, AttributeValue> item) {
        LargeValues.Reference reference = LargeValues.referenceOf(item);
        return reference == null ? table.layout().valueOf(item) : large.read(reference);
    }

    /**
     * The value of an item read a moment ago. If its chunks were replaced since, the key is read again: the value
     * it has now, whole (null if it was deleted). Never a mix of two values.
     */
    byte[] currentValueOf(byte[] key, Map<String, AttributeValue> item) {
        for (int attempt = 1; ; attempt++) {
            byte[] value = valueOf(item);
            if (value != null) {
                return value;
            }
            Map<String, AttributeValue> now = item(key, true);
            if (now == null) {
                return null;
            }
            LargeValues.Reference before = LargeValues.referenceOf(item);
            LargeValues.Reference after = LargeValues.referenceOf(now);
            if (after != null && after.equals(before)) {
                throw new DynamoDbDownException("The " + before.size() + "-byte value of " + Bytes.describe(key) + " in "
                        + table.location() + " is missing chunks of version " + before.version()
                        + " (were they removed by hand?)");
            }
            if (attempt >= table.retrier().maxAttempts()) {
                throw new DynamoDbDownException("The value of " + Bytes.describe(key) + " in " + table.location()
                        + " was replaced " + attempt + " times while it was being read; read it again", null, true);
            }
            item = now;
        }
    }
}
