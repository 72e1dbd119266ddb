package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Bench.awaitAll;
import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * A whole table into Kafka: the source with {@code hash.key=*} (snapshot mode, {@link #SEGMENTS} tasks, so a parallel
 * Scan of as many segments) over a table of {@link #DATABASES} databases, against the same job done with raw
 * clients on the same server: a parallel Scan of as many segments, one thread each, every item (but the store's own)
 * sent to a producer, into a one-partition topic as the connector's.
 */
final class WholeTableRows implements RowGroup {

    static final int DATABASES = 10;
    static final int SEGMENTS = 4;

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.entries();
        ConnectWorkloads connect = bench.connect();
        String table = bench.freshTable();
        for (int d = 0; d < DATABASES; d++) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = d; i < n; i += DATABASES) {
                puts.add(BatchOperation.put(key(i), VALUE));
            }
            try (Database db = DynamoDbDown.open(bench.client(), table + "$db" + d)) {
                db.batch(puts);
            }
        }
        Trial raw = new Trial("raw parallel Scan + producer", () -> rawScan(bench, table, n));
        Trial source = new Trial("source, hash.key=*", () -> connect.source(bench.dynamo().endpoint(), table, n, "snapshot", null,
                Map.of("hash.key", "*", "tasks.max", String.valueOf(SEGMENTS))));
        Map<Trial, Measured> row = bench.sideBySide(List.of(raw, source));
        bench.add("whole table -> Kafka: " + n + " entries of " + DATABASES + " databases", row.get(source), null, null,
                row.get(raw));
    }

    /** Timed from the first item sent until the producer has every record acknowledged. */
    private static Sample rawScan(Bench bench, String table, int n) throws Exception {
        String topic = "bench-raw-scan-" + bench.nextNumber();
        bench.connect().cluster().kafka().createTopic(topic, 1);
        ExecutorService pool = Executors.newFixedThreadPool(SEGMENTS);
        AtomicLong first = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = bench.connect().cluster().kafka()
                .createProducer(new HashMap<>(ConnectWorkloads.SOURCE_PRODUCER))) {
            List<Future<?>> segments = new ArrayList<>();
            for (int s = 0; s < SEGMENTS; s++) {
                int segment = s;
                segments.add(pool.submit(() -> {
                    Map<String, AttributeValue> next = null;
                    do {
                        Map<String, AttributeValue> from = next;
                        ScanResponse page = bench.client().scan(b -> b.tableName(table).segment(segment).totalSegments(SEGMENTS)
                                .exclusiveStartKey(from));
                        for (Map<String, AttributeValue> item : page.items()) {
                            if (item.get("db").s().startsWith(Location.RESERVED_PREFIX) || !item.containsKey("value")) {
                                continue; // the store's own items
                            }
                            first.compareAndSet(0, System.nanoTime());
                            producer.send(new ProducerRecord<>(topic, item.get("key").b().asByteArrayUnsafe(),
                                    item.get("value").b().asByteArrayUnsafe()));
                            sent.incrementAndGet();
                        }
                        next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
                    } while (next != null);
                    return null;
                }));
            }
            awaitAll(segments);
            producer.flush();
        } finally {
            pool.shutdown();
        }
        if (sent.get() != n) {
            throw new IllegalStateException("raw parallel Scan sent " + sent.get() + " of " + n);
        }
        return new Sample(n, System.nanoTime() - first.get());
    }
}
