package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Bench.awaitAll;
import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The same work done with the raw AWS SDK, items in the store's layout (partition key {@code db}, sort key
 * {@code key}, attribute {@code value}): the ceilings, at a setting the caller picks, and the naive way, one
 * request per entry.
 */
final class RawSdk {

    private RawSdk() {
    }

    static Sample write(DynamoDbClient via, String table, int n, int threads) throws Exception {
        return write(via, table, n, threads, 1);
    }

    /** Entry i goes to partition key {@code bench} or, over more keys, {@code bench/(i mod partitionKeys)}. */
    static Sample write(DynamoDbClient via, String table, int n, int threads, int partitionKeys) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> chunks = new ArrayList<>();
            for (int from = 0; from < n; from += 25) {
                int first = from;
                chunks.add(pool.submit(() -> {
                    List<WriteRequest> requests = new ArrayList<>(25);
                    for (int i = first; i < Math.min(n, first + 25); i++) {
                        requests.add(putRequest(partitionKeys == 1 ? "bench" : "bench/" + i % partitionKeys, key(i), VALUE));
                    }
                    writeAll(via, table, requests);
                    return null;
                }));
            }
            awaitAll(chunks);
            return new Sample(n, System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * One BatchWriteItem call, repeated with whatever DynamoDB left unprocessed or throttled, after a pause that
     * doubles from 25 ms to 1 s (as a raw client must under partition limits; DynamoDB Local alone never pauses it).
     */
    static void writeAll(DynamoDbClient via, String table, List<WriteRequest> requests) {
        List<WriteRequest> pending = requests;
        for (long pauseMs = 25; !pending.isEmpty(); pauseMs = Math.min(1_000, pauseMs * 2)) {
            List<WriteRequest> sent = pending;
            try {
                pending = via.batchWriteItem(b -> b.requestItems(Map.of(table, sent))).unprocessedItems()
                        .getOrDefault(table, List.of());
            } catch (ProvisionedThroughputExceededException throttled) {
                pending = sent;
            }
            if (!pending.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs)); // the client's backoff
            }
        }
    }

    static Sample naivePut(DynamoDbClient via, String table, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, AttributeValue> item = item("bench", key(i), VALUE);
            via.putItem(b -> b.tableName(table).item(item));
        }
        return new Sample(n, System.nanoTime() - start);
    }

    static Sample query(DynamoDbClient via, String table, int expected, int pageSize) {
        long start = System.nanoTime();
        long[] items = {0};
        queryAll(via, table, pageSize, item -> items[0] += item.get("value").b().asByteArrayUnsafe().length > 0 ? 1 : 0);
        if (items[0] != expected) {
            throw new IllegalStateException("raw query read " + items[0] + " of " + expected);
        }
        return new Sample(items[0], System.nanoTime() - start);
    }

    /** The whole bench range in key order, a Query page of pageSize items at a time (0: no item limit). */
    static void queryAll(DynamoDbClient via, String table, int pageSize, Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> next = null;
        do {
            Map<String, AttributeValue> from = next;
            QueryResponse page = via.query(b -> b.tableName(table).keyConditionExpression("#h = :h")
                    .expressionAttributeNames(Map.of("#h", "db")).expressionAttributeValues(Map.of(":h", AttributeValue.fromS("bench")))
                    .consistentRead(true).exclusiveStartKey(from).limit(pageSize == 0 ? null : pageSize));
            page.items().forEach(each);
            next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (next != null);
    }

    static Sample reverse(DynamoDbClient via, String table, int repeats) {
        long start = System.nanoTime();
        long items = 0;
        for (int r = 0; r < repeats; r++) {
            items += via.query(b -> b.tableName(table).keyConditionExpression("#h = :h")
                    .expressionAttributeNames(Map.of("#h", "db")).expressionAttributeValues(Map.of(":h", AttributeValue.fromS("bench")))
                    .consistentRead(true).scanIndexForward(false).limit(1000)).count();
        }
        return new Sample(items, System.nanoTime() - start);
    }

    static Sample batchGet(DynamoDbClient via, String table, List<byte[]> keys, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> chunks = new ArrayList<>();
            for (int from = 0; from < keys.size(); from += 100) {
                List<Map<String, AttributeValue>> chunk = keys.subList(from, Math.min(keys.size(), from + 100)).stream()
                        .distinct().map(RawSdk::itemKey).distinct().collect(Collectors.toList());
                chunks.add(pool.submit(() -> {
                    int found = 0;
                    List<Map<String, AttributeValue>> pending = chunk;
                    while (!pending.isEmpty()) {
                        KeysAndAttributes ask = KeysAndAttributes.builder().keys(pending).consistentRead(true).build();
                        var response = via.batchGetItem(b -> b.requestItems(Map.of(table, ask)));
                        found += response.responses().getOrDefault(table, List.of()).size();
                        KeysAndAttributes left = response.unprocessedKeys().get(table);
                        pending = left == null ? List.of() : left.keys();
                    }
                    return found;
                }));
            }
            awaitAll(chunks);
            return new Sample(keys.size(), System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    static Sample naiveGet(DynamoDbClient via, String table, List<byte[]> keys) {
        long start = System.nanoTime();
        for (byte[] key : keys) {
            via.getItem(b -> b.tableName(table).key(itemKey(key)).consistentRead(true));
        }
        return new Sample(keys.size(), System.nanoTime() - start);
    }

    static Map<String, AttributeValue> itemKey(byte[] key) {
        return itemKey("bench", key);
    }

    private static Map<String, AttributeValue> itemKey(String partitionKey, byte[] key) {
        return Map.of("db", AttributeValue.fromS(partitionKey), "key", AttributeValue.fromB(SdkBytes.fromByteArray(key)));
    }

    private static Map<String, AttributeValue> item(String partitionKey, byte[] key, byte[] value) {
        Map<String, AttributeValue> item = new HashMap<>(itemKey(partitionKey, key));
        item.put("value", AttributeValue.fromB(SdkBytes.fromByteArray(value)));
        return item;
    }

    static WriteRequest putRequest(byte[] key, byte[] value) {
        return putRequest("bench", key, value);
    }

    private static WriteRequest putRequest(String partitionKey, byte[] key, byte[] value) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item(partitionKey, key, value)).build()).build();
    }
}
