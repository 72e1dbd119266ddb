package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Bench.awaitAll;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * 5 MB values (MB/s): the store writes each as chunks behind one entry and reads it back whole; the ceiling is
 * the raw SDK writing the same bytes as 390 KB items (BatchWriteItem, 8 threads) and reading them back
 * (BatchGetItem, 8 threads), with no entry, no registry and no order.
 */
final class LargeValueRows implements RowGroup {

    private static final int VALUE_SIZE = 5 * 1024 * 1024;
    private static final int RAW_PIECE = 390 * 1024;

    @Override
    public void run(Bench bench) throws Exception {
        DynamoDbClient client = bench.client();
        int count = Math.max(4, bench.size(40));
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[VALUE_SIZE];
            new Random(i).nextBytes(value);
            values.add(value);
        }
        double megabytes = count * 5.0;
        Trial coreWrite = new Trial("core put of 5 MB values", () -> coreWrite(client, bench.scratchTable(), values, megabytes));
        Trial rawWrite = new Trial("raw BatchWriteItem of 390 KB items, 8 threads",
                () -> rawWrite(client, bench.scratchTable(), values, megabytes));
        Map<Trial, Measured> write = bench.sideBySide(List.of(rawWrite, coreWrite));
        bench.add("write " + count + " values of 5 MB (MB/s)", write.get(coreWrite), write.get(rawWrite), null);

        String coreTable = bench.freshTable();
        coreWrite(client, coreTable, values, megabytes);
        String rawTable = bench.freshTable();
        rawWrite(client, rawTable, values, megabytes);
        Trial coreRead = new Trial("core get of 5 MB values", () -> coreRead(client, coreTable, count, megabytes));
        Trial rawRead = new Trial("raw BatchGetItem of 390 KB items, 8 threads", () -> rawRead(client, rawTable, values, megabytes));
        Map<Trial, Measured> read = bench.sideBySide(List.of(rawRead, coreRead));
        bench.add("read " + count + " values of 5 MB (MB/s)", read.get(coreRead), read.get(rawRead), null);
        client.deleteTable(b -> b.tableName(coreTable));
        client.deleteTable(b -> b.tableName(rawTable));
    }

    private static Sample coreWrite(DynamoDbClient client, String table, List<byte[]> values, double megabytes) {
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            long start = System.nanoTime();
            for (int i = 0; i < values.size(); i++) {
                db.put(key(i), values.get(i));
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        }
    }

    private static Sample coreRead(DynamoDbClient client, String table, int count, double megabytes) {
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (db.get(key(i)).length != VALUE_SIZE) {
                    throw new IllegalStateException("value " + i + " came back torn");
                }
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        }
    }

    /** The values' bytes as raw items of 390 KB, keyed by value and piece. */
    private static List<WriteRequest> pieces(List<byte[]> values) {
        List<WriteRequest> requests = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i);
            for (int from = 0, piece = 0; from < value.length; from += RAW_PIECE, piece++) {
                byte[] bytes = Arrays.copyOfRange(value, from, Math.min(value.length, from + RAW_PIECE));
                requests.add(RawSdk.putRequest(pieceKey(i, piece), bytes));
            }
        }
        return requests;
    }

    private static byte[] pieceKey(int value, int piece) {
        return String.format("%08d-%04d", value, piece).getBytes();
    }

    private static Sample rawWrite(DynamoDbClient client, String table, List<byte[]> values, double megabytes) throws Exception {
        List<WriteRequest> requests = pieces(values);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long start = System.nanoTime();
            List<Future<?>> chunks = new ArrayList<>();
            for (int from = 0; from < requests.size(); from += 25) {
                List<WriteRequest> chunk = requests.subList(from, Math.min(requests.size(), from + 25));
                chunks.add(pool.submit(() -> RawSdk.writeAll(client, table, chunk)));
            }
            awaitAll(chunks);
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    private static Sample rawRead(DynamoDbClient client, String table, List<byte[]> values, double megabytes) throws Exception {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            for (int piece = 0; piece * RAW_PIECE < values.get(i).length; piece++) {
                keys.add(RawSdk.itemKey(pieceKey(i, piece)));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long start = System.nanoTime();
            AtomicLong bytes = new AtomicLong();
            List<Future<?>> gets = new ArrayList<>();
            for (int from = 0; from < keys.size(); from += 40) { // BatchGetItem answers at most 16 MB
                List<Map<String, AttributeValue>> part = keys.subList(from, Math.min(keys.size(), from + 40));
                gets.add(pool.submit(() -> {
                    List<Map<String, AttributeValue>> pending = part;
                    while (!pending.isEmpty()) {
                        KeysAndAttributes request = KeysAndAttributes.builder().keys(pending).consistentRead(true).build();
                        var response = client.batchGetItem(b -> b.requestItems(Map.of(table, request)));
                        response.responses().getOrDefault(table, List.of())
                                .forEach(item -> bytes.addAndGet(item.get("value").b().asByteArrayUnsafe().length));
                        KeysAndAttributes left = response.unprocessedKeys().get(table);
                        pending = left == null ? List.of() : left.keys();
                    }
                    return null;
                }));
            }
            awaitAll(gets);
            if (bytes.get() != values.size() * (long) VALUE_SIZE) {
                throw new IllegalStateException("raw read " + bytes.get() + " bytes");
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }
}
