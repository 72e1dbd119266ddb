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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Reads many keys' items with BatchGetItem: 100 distinct keys per call, calls in parallel, each at its partition
 * keys' pace ({@link Retrier#reads()}), unprocessed keys asked again while DynamoDB answers any of them.
 */
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

    BatchGetter(TableContext table) {
        this.client = table.client();
        this.location = table.location();
        this.layout = table.layout();
        this.shards = table.shards();
        this.retrier = table.retrier();
        this.pool = table.pool();
        this.consistentRead = table.options().consistentRead();
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
                Parallel.chunksByKey(new ArrayList<>(distinct), MAX_BATCH_GET_KEYS, key -> shards.hashKeyOf(key.array())),
                chunk -> getChunk(chunk, withValues))) {
            found.putAll(part);
        }
        return found;
    }

    private Map<ByteBuffer, Map<String, AttributeValue>> getChunk(List<ByteBuffer> chunk, boolean withValues) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(chunk.size());
        for (ByteBuffer key : chunk) {
            keys.add(layout.itemKey(shards.hashKeyOf(key.array()), key.array()));
        }
        Map<String, String> names = new HashMap<>(LargeValues.referenceNames());
        names.put(TableLayout.RANGE, layout.rangeAttribute());
        String projection = TableLayout.RANGE + ", " + LargeValues.REFERENCE_PROJECTION;
        if (withValues) {
            names.put(TableLayout.VALUE, layout.valueAttribute());
            projection += ", " + TableLayout.VALUE;
        }
        KeysAndAttributes request = KeysAndAttributes.builder().consistentRead(consistentRead)
                .projectionExpression(projection).expressionAttributeNames(names).build();
        Map<ByteBuffer, Map<String, AttributeValue>> found = new HashMap<>();
        for (Map<String, AttributeValue> item : getAll(keys, request, "getMany of " + keys.size() + " keys from " + location)) {
            found.put(ByteBuffer.wrap(layout.keyOf(item)), item);
        }
        return found;
    }

    /**
     * The items of {@code keys} (distinct keys of this table; at most {@value #MAX_BATCH_GET_KEYS}) that exist, read
     * as {@code request} says (its own keys are ignored), at the pace of their partition keys; the keys DynamoDB
     * leaves unprocessed are asked again until it has answered all, or none of them {@code maxAttempts} times in a
     * row. {@code what} names the read in errors.
     */
    List<Map<String, AttributeValue>> getAll(List<Map<String, AttributeValue>> keys, KeysAndAttributes request, String what) {
        boolean consistent = Boolean.TRUE.equals(request.consistentRead());
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        List<Map<String, AttributeValue>> pending = keys;
        for (int stalled = 0; ; ) {
            List<Map<String, AttributeValue>> asked = pending;
            List<Pacer.Ticket> tickets = retrier.reads().await(leastReadUnitsByPartition(asked, consistent));
            Attempts attempts = new Attempts();
            BatchGetItemResponse response;
            try {
                response = client.batchGetItem(b -> b.requestItems(Map.of(location.table(), request.toBuilder().keys(asked).build()))
                        .overrideConfiguration(attempts.override()));
            } catch (SdkException e) {
                retrier.reads().failed(tickets, attempts.throttled());
                retrier.throttled(attempts.throttled());
                throw Failures.wrap(what, e);
            }
            List<Map<String, AttributeValue>> items = response.responses().getOrDefault(location.table(), List.of());
            found.addAll(items);
            KeysAndAttributes unprocessed = response.unprocessedKeys().get(location.table());
            pending = unprocessed == null ? List.of() : unprocessed.keys();
            retrier.reads().answered(tickets, leastReadUnitsByPartition(pending, consistent), attempts.throttled());
            for (Map<String, AttributeValue> item : items) { // items past 4 KB cost more than the least
                chargeForSize(tickets, item, consistent);
            }
            retrier.throttled(attempts.throttled() + (pending.isEmpty() ? 0 : 1));
            if (pending.isEmpty()) {
                return found;
            }
            stalled = pending.size() < asked.size() ? 0 : stalled + 1;
            if (stalled >= retrier.maxAttempts()) {
                throw new DynamoDbDownException(what + " failed: DynamoDB left " + pending.size() + " keys unprocessed,"
                        + " answering none of them in " + stalled + " attempts in a row (throttled; retry later or raise capacity)", null, true);
            }
            if (stalled > 0) { // after progress, the pace alone sets when the rest goes
                retrier.pauseBeforeRetry(stalled);
            }
        }
    }

    private Map<String, Double> leastReadUnitsByPartition(List<Map<String, AttributeValue>> keys, boolean consistent) {
        Map<String, Double> units = new HashMap<>();
        for (Map<String, AttributeValue> key : keys) {
            units.merge(key.get(layout.hashAttribute()).s(), CapacityUnits.leastRead(consistent), Double::sum);
        }
        return units;
    }

    private void chargeForSize(List<Pacer.Ticket> tickets, Map<String, AttributeValue> item, boolean consistent) {
        double more = CapacityUnits.read(List.of(item), consistent) - CapacityUnits.leastRead(consistent);
        AttributeValue hash = item.get(layout.hashAttribute());
        if (more > 0 && (hash != null || tickets.size() == 1)) { // a projection without the hash key: only one it can be
            tickets.stream().filter(t -> hash == null || t.key().equals(hash.s())).findFirst()
                    .ifPresent(t -> retrier.reads().charge(t, more));
        }
    }
}
