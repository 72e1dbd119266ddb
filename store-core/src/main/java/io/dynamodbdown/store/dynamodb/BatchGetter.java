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

/** Reads many keys with BatchGetItem: 100 distinct keys per call, calls in parallel, unprocessed keys retried. */
final class BatchGetter {

    /** DynamoDB's limit for the keys in one BatchGetItem call. */
    static final int MAX_BATCH_GET_KEYS = 100;

    private final DynamoDbClient client;
    private final Location location;
    private final TableLayout layout;
    private final Retrier retrier;
    private final ExecutorService pool;
    private final boolean consistentRead;

    BatchGetter(DynamoDbClient client, Location location, TableLayout layout, Retrier retrier, ExecutorService pool,
            boolean consistentRead) {
        this.client = client;
        this.location = location;
        this.layout = layout;
        this.retrier = retrier;
        this.pool = pool;
        this.consistentRead = consistentRead;
    }

    /** Values in the order of {@code keys}, null where a key is missing; keys were checked by the caller. */
    List<byte[]> getMany(List<byte[]> keys) {
        // DynamoDB refuses a key twice in one request, so ask for each distinct key once.
        LinkedHashSet<ByteBuffer> distinct = new LinkedHashSet<>();
        for (byte[] key : keys) {
            distinct.add(ByteBuffer.wrap(key));
        }
        Map<ByteBuffer, byte[]> found = new HashMap<>();
        for (Map<ByteBuffer, byte[]> part : Parallel.map(pool,
                Parallel.chunks(new ArrayList<>(distinct), MAX_BATCH_GET_KEYS), this::getChunk)) {
            found.putAll(part);
        }
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            values.add(found.get(ByteBuffer.wrap(key)));
        }
        return values;
    }

    private Map<ByteBuffer, byte[]> getChunk(List<ByteBuffer> chunk) {
        List<Map<String, AttributeValue>> pending = new ArrayList<>(chunk.size());
        for (ByteBuffer key : chunk) {
            pending.add(layout.itemKey(location.hashKey(), key.array()));
        }
        Map<ByteBuffer, byte[]> found = new HashMap<>();
        for (int attempt = 1; ; attempt++) {
            KeysAndAttributes request = KeysAndAttributes.builder()
                    .keys(pending)
                    .consistentRead(consistentRead)
                    .projectionExpression(TableLayout.RANGE + ", " + TableLayout.VALUE)
                    .expressionAttributeNames(Map.of(TableLayout.RANGE, layout.rangeAttribute(),
                            TableLayout.VALUE, layout.valueAttribute()))
                    .build();
            String what = "getMany of " + pending.size() + " keys from " + location;
            BatchGetItemResponse response = Failures.call(what,
                    () -> client.batchGetItem(b -> b.requestItems(Map.of(location.table(), request))));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(location.table(), List.of())) {
                found.put(ByteBuffer.wrap(layout.keyOf(item)), layout.valueOf(item));
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
