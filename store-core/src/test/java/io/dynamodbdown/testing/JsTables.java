package io.dynamodbdown.testing;

import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Builds tables the way the JavaScript DynamoDbDown family writes them, with the raw SDK: the attribute
 * names, key types and value encodings of each variant. Used to test reading and writing them as they are.
 */
public final class JsTables {

    /** One variant: its attribute names. */
    public record Variant(String layoutId, String hash, String range, String value) {
        public static final Variant DYNAMODBDOWN = new Variant("dynamodbdown", "hkey", "rkey", "value");
        public static final Variant LEVELDOWN = new Variant("dynamodb-leveldown", "hash", "range", "data");
        public static final Variant LEVELDOWN_LEGACY = new Variant("dynamodb-leveldown-legacy", "---hash", "---range", "---data");
    }

    private JsTables() {
    }

    /** The table as that variant creates it: S hash and range keys; 2.x provisions 1/1, 3.x is on demand. */
    public static void create(DynamoDbClient client, String table, Variant variant) {
        client.createTable(b -> {
            b.tableName(table)
                    .keySchema(KeySchemaElement.builder().attributeName(variant.hash()).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(variant.range()).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(variant.hash()).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(variant.range()).attributeType(ScalarAttributeType.S).build());
            if (variant == Variant.DYNAMODBDOWN) {
                b.billingMode(BillingMode.PROVISIONED).provisionedThroughput(p -> p.readCapacityUnits(1L).writeCapacityUnits(1L));
            } else {
                b.billingMode(BillingMode.PAY_PER_REQUEST);
            }
        });
    }

    /** Writes one item as the variant does: hash key, range key (a string) and a typed value. */
    public static void put(DynamoDbClient client, String table, Variant variant, String hashKey, String key, AttributeValue value) {
        client.putItem(b -> b.tableName(table).item(Map.of(variant.hash(), AttributeValue.fromS(hashKey),
                variant.range(), AttributeValue.fromS(key), variant.value(), value)));
    }

    public static AttributeValue bytes(String ascii) {
        return AttributeValue.fromB(SdkBytes.fromUtf8String(ascii));
    }

    /** The raw item, to check how a value was stored. */
    public static Map<String, AttributeValue> get(DynamoDbClient client, String table, Variant variant, String hashKey, String key) {
        return client.getItem(b -> b.tableName(table).key(Map.of(variant.hash(), AttributeValue.fromS(hashKey),
                variant.range(), AttributeValue.fromS(key)))).item();
    }
}
