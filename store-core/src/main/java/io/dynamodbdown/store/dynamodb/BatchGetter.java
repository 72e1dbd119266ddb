package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** Reads many keys' items with BatchGetItem: 100 distinct keys per call, calls in parallel, unprocessed keys retried. */
final class BatchGetter {

    /** DynamoDB's limit for the keys in one BatchGetItem call. */
    static final int MAX_BATCH_GET_KEYS = 100;

    private final DynamoDbClient client;
    private final Location location;
    private final TableLayout layout;
    private final Shards shards;
    private final Retrier retrier;
    private final ExecutorService pool;
    private final boolean consistentRead;

    BatchGetter(DynamoDbClient client, Location location, TableLayout layout, Shards shards, Retrier retrier,
            ExecutorService pool, boolean consistentRead) {
        this.client = client;
        this.location = location;
        this.layout = layout;
        this.shards = shards;
        this.retrier = retrier;
        this.pool = pool;
        this.consistentRead = consistentRead;
    }

    /**
     * The items of the keys found (keys checked by the caller), by key: with their values if {@code withValues},
     * and with the references of values kept in chunks either way.
     */
    Map<ByteBuffer, Map<String, AttributeValue>> items(List<byte[]> keys, boolean withValues) {
        // DynamoDB refuses a key twice in one request, so ask for each distinct key once.
        LinkedHashSet<ByteBuffer> distinct = new LinkedHashSet<>();
        for (byte[] key : keys) {
            distinct.add(ByteBuffer.wrap(key));
        }
        Map<ByteBuffer, Map<String, AttributeValue>> found = new HashMap<>();
        for (Map<ByteBuffer, Map<String, AttributeValue>> part : Parallel.map(pool,
                Parallel.chunks(new ArrayList<>(distinct), MAX_BATCH_GET_KEYS), chunk -> getChunk(chunk, withValues))) {
            found.putAll(part);
        }
        return found;
    }

    private Map<ByteBuffer, Map<String, AttributeValue>> getChunk(List<ByteBuffer> chunk, boolean withValues) {
        List<Map<String, AttributeValue>> pending = new ArrayList<>(chunk.size());
        for (ByteBuffer key : chunk) {
            pending.add(layout.itemKey(shards.hashKeyOf(key.array()), key.array()));
        }
        Map<String, String> names = new HashMap<>(LargeValues.referenceNames());
        names.put(TableLayout.RANGE, layout.rangeAttribute());
        String projection = TableLayout.RANGE + ", " + LargeValues.REFERENCE_PROJECTION;
        if (withValues) {
            names.put(TableLayout.VALUE, layout.valueAttribute());
            projection += ", " + TableLayout.VALUE;
        }
        Map<ByteBuffer, Map<String, AttributeValue>> found = new HashMap<>();
        for (int attempt = 1; ; attempt++) {
            KeysAndAttributes request = KeysAndAttributes.builder()
                    .keys(pending)
                    .consistentRead(consistentRead)
                    .projectionExpression(projection)
                    .expressionAttributeNames(names)
                    .build();
            String what = "getMany of " + pending.size() + " keys from " + location;
            BatchGetItemResponse response = Failures.call(what,
                    () -> client.batchGetItem(b -> b.requestItems(Map.of(location.table(), request))));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(location.table(), List.of())) {
                found.put(ByteBuffer.wrap(layout.keyOf(item)), item);
            }
            KeysAndAttributes unprocessed = response.unprocessedKeys().get(location.table());
            if (unprocessed == null || unprocessed.keys().isEmpty()) {
                return found;
            }
            if (attempt >= retrier.maxAttempts()) {
                throw new DynamoDbDownException(what + " failed: DynamoDB left " + unprocessed.keys().size()
                        + " keys unprocessed through " + attempt + " attempts (throttled; retry later or raise capacity)",
                        null, true);
            }
            pending = unprocessed.keys();
            retrier.pauseBeforeRetry(attempt);
        }
    }
}
