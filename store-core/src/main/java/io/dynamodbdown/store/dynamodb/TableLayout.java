package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.InvalidEntryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The one place that knows how a database is laid out in a DynamoDB table: which attribute holds the
 * hash key (the database name), which the LevelDB key (the range key) and which the value, and how they
 * are typed. Everything else goes through it, so other layouts (the JavaScript original's) plug in here.
 *
 * <p>The native layout: {@code db} (S, partition key), {@code key} (B, sort key: orders by unsigned
 * bytes, LevelDB's order) and {@code value} (B, may be empty).
 */
public record TableLayout(String name, String hashAttribute, String rangeAttribute, String valueAttribute) {

    public static final TableLayout NATIVE = new TableLayout("native", "db", "key", "value");

    /** DynamoDB's limit for a sort key value. */
    public static final int MAX_KEY_BYTES = 1024;
    /** DynamoDB's limit for an item: attribute names and values together. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    /** Placeholders used in every expression, so attribute names never clash with reserved words. */
    static final String HASH = "#h";
    static final String RANGE = "#k";
    static final String VALUE = "#v";

    Map<String, String> expressionNames() {
        return Map.of(HASH, hashAttribute, RANGE, rangeAttribute, VALUE, valueAttribute);
    }

    Map<String, String> keyExpressionNames() {
        return Map.of(HASH, hashAttribute, RANGE, rangeAttribute);
    }

    List<KeySchemaElement> keySchema() {
        return List.of(
                KeySchemaElement.builder().attributeName(hashAttribute).keyType(KeyType.HASH).build(),
                KeySchemaElement.builder().attributeName(rangeAttribute).keyType(KeyType.RANGE).build());
    }

    List<AttributeDefinition> attributeDefinitions() {
        return List.of(
                AttributeDefinition.builder().attributeName(hashAttribute).attributeType(ScalarAttributeType.S).build(),
                AttributeDefinition.builder().attributeName(rangeAttribute).attributeType(ScalarAttributeType.B).build());
    }

    /** Whether an existing table's key schema is this layout's. */
    boolean matches(TableDescription table) {
        return table.keySchema().equals(keySchema())
                && table.attributeDefinitions().containsAll(attributeDefinitions());
    }

    AttributeValue hashValue(String hashKey) {
        return AttributeValue.fromS(hashKey);
    }

    AttributeValue rangeValue(byte[] key) {
        return AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(key));
    }

    Map<String, AttributeValue> itemKey(String hashKey, byte[] key) {
        return Map.of(hashAttribute, hashValue(hashKey), rangeAttribute, rangeValue(key));
    }

    Map<String, AttributeValue> item(String hashKey, byte[] key, byte[] value) {
        return Map.of(hashAttribute, hashValue(hashKey), rangeAttribute, rangeValue(key),
                valueAttribute, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(value)));
    }

    byte[] keyOf(Map<String, AttributeValue> item) {
        return item.get(rangeAttribute).b().asByteArrayUnsafe();
    }

    /** The value of an item; an item without a value attribute holds the empty value. */
    byte[] valueOf(Map<String, AttributeValue> item) {
        AttributeValue value = item.get(valueAttribute);
        return value == null || value.b() == null ? new byte[0] : value.b().asByteArrayUnsafe();
    }

    /** Fails, before any request, for a key DynamoDB would refuse. */
    void checkKey(byte[] key) {
        if (key.length == 0) {
            throw new InvalidEntryException(key, "Invalid key: keys must not be empty (DynamoDB refuses empty sort keys)");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new InvalidEntryException(key, "Invalid key " + Bytes.describe(key) + ": it is " + key.length
                    + " bytes, DynamoDB allows at most " + MAX_KEY_BYTES + " bytes per key");
        }
    }

    /** Fails, before any request, for an entry DynamoDB would refuse; returns the item's size in bytes. */
    int checkEntry(String hashKey, byte[] key, byte[] value) {
        checkKey(key);
        int size = itemSize(hashKey, key, value);
        if (size > MAX_ITEM_BYTES) {
            throw new InvalidEntryException(key, "Invalid entry for key " + Bytes.describe(key) + ": the item is "
                    + size + " bytes (value " + value.length + " bytes), DynamoDB allows at most " + MAX_ITEM_BYTES
                    + " bytes per item; split the value or store it elsewhere and keep a reference");
        }
        return size;
    }

    /** DynamoDB's item size: UTF-8 lengths of attribute names plus value lengths. */
    int itemSize(String hashKey, byte[] key, byte[] value) {
        return utf8Length(hashAttribute) + utf8Length(hashKey)
                + utf8Length(rangeAttribute) + key.length
                + utf8Length(valueAttribute) + value.length;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
