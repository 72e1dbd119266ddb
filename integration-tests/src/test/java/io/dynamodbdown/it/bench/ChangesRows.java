package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The change stream into Kafka. Each trial gets a DynamoDB Local process of its own, with its table's changes
 * made just before: DynamoDB Local keeps the records of every stream it ever had (a dropped table's too, as
 * DynamoDB keeps a deleted table's stream for 24 hours), and each write into a table with a stream costs more
 * the more records it holds. Measured here, 10,000 changes a round, tables dropped between rounds: 735, 596, 376
 * and 173 puts a second in rounds 1 to 4 (the same writes without a stream: 1,187 to 5,245), while GetRecords
 * stayed fast; in the benchmark's one long-lived server, behind everything else, filling a trial's table took
 * over ten minutes, which is why this row used to run at a fifth of its size.
 */
final class ChangesRows implements RowGroup {

    /**
     * DynamoDB Streams serves 5 GetRecords calls a second per shard; DynamoDB Local serves any number, so the raw
     * loop unpaced is a ceiling no reader of a real stream can reach. The paced trial is the one it can.
     */
    private static final Duration AWS_CALL_GAP = Duration.ofMillis(200);

    @Override
    public void run(Bench bench) throws Exception {
        ConnectWorkloads connect = bench.connect();
        int changes = bench.size(10_000);
        List<StreamRequestMeter.Count> rawRequests = new ArrayList<>();
        List<StreamRequestMeter.Count> sourceRequests = new ArrayList<>();
        Trial rawChanges = new Trial("raw GetRecords loop", () -> bench.onFreshServer(
                server -> rawChanges(bench, server, changedTable(bench, server, changes).table(), changes, false, Duration.ZERO)));
        Trial rawChangesToKafka = new Trial("raw GetRecords + producer", () -> bench.onFreshServer(
                server -> counted(rawRequests, () -> rawChanges(bench, server, changedTable(bench, server, changes).table(),
                        changes, true, Duration.ZERO))));
        Trial pacedRawChangesToKafka = new Trial("raw GetRecords + producer, 5 calls a second per shard", () -> bench.onFreshServer(
                server -> rawChanges(bench, server, changedTable(bench, server, changes).table(), changes, true, AWS_CALL_GAP)));
        Trial changesSource = new Trial("source connector, changes mode", () -> bench.onFreshServer(
                server -> counted(sourceRequests, () -> changesSource(connect, server, changedTable(bench, server, changes),
                        changes))));
        Map<Trial, Measured> changesRow = bench.sideBySide(List.of(rawChanges, rawChangesToKafka, pacedRawChangesToKafka,
                changesSource));
        bench.add("stream -> Kafka: " + changes + " changes through the source", changesRow.get(changesSource),
                changesRow.get(rawChanges), null, changesRow.get(rawChangesToKafka));
        bench.add("stream -> Kafka: " + changes + " changes through the source, against raw clients within AWS's"
                + " 5 GetRecords a second per shard", changesRow.get(changesSource), null, null,
                changesRow.get(pacedRawChangesToKafka));
        addRequestsPerChange(bench, "source changes mode", sourceRequests, changes);
        addRequestsPerChange(bench, "raw GetRecords + producer", rawRequests, changes);
    }

    /** Runs a trial, keeping the stream requests the benchmark's JVM sent meanwhile (warm-up runs too). */
    private static Sample counted(List<StreamRequestMeter.Count> counts, Callable<Sample> trial) throws Exception {
        StreamRequestMeter.Count before = StreamRequestMeter.now();
        try {
            return trial.call();
        } finally {
            counts.add(StreamRequestMeter.now().since(before));
        }
    }

    /** A line after the table: the stream requests per change delivered, in each measured run (warm-up left out). */
    static void addRequestsPerChange(Bench bench, String who, List<StreamRequestMeter.Count> counts, long changes) {
        List<StreamRequestMeter.Count> measured = counts.subList(Math.min(1, counts.size()), counts.size());
        String runs = measured.stream().map(count -> String.format(Locale.ROOT, "%.3f (GetRecords %d, GetShardIterator %d,"
                + " DescribeStream %d)", (double) count.total() / changes, count.getRecords(), count.getShardIterator(),
                count.describeStream())).collect(Collectors.joining("; "));
        String line = String.format(Locale.ROOT, "stream requests per change delivered, %s, %,d changes: %s", who, changes, runs);
        double median = measured.stream().mapToDouble(count -> (double) count.total() / changes).sorted()
                .skip(measured.size() / 2).findFirst().orElse(Double.NaN);
        System.out.println("    " + line);
        bench.report().addCost(line, String.format(Locale.ROOT, "  {\"workload\": %s, \"changes\": %d,"
                + " \"streamRequestsPerChange\": %.4f}", Report.quoted("stream requests per change, " + who), changes, median));
    }

    /** A table whose stream holds changes made since {@code since}. */
    record ChangedTable(String table, Instant since) {
    }

    /**
     * A new table with a NEW_IMAGE stream whose stream holds {@code changes} changes of one database: puts of
     * half as many keys, then a delete of each. The database ends empty, so its source's snapshot sends nothing
     * and every record it sends comes from the stream.
     */
    static ChangedTable changedTable(Bench bench, DynamoDbLocalProcess server, int changes) {
        String table = "bench-changes-" + bench.nextNumber();
        Instant since = Instant.now();
        try (DynamoDbClient own = server.newClient();
                Database db = DynamoDbDown.open(own, table + "$bench", OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
            List<BatchOperation> puts = new ArrayList<>();
            List<BatchOperation> deletes = new ArrayList<>();
            for (int i = 0; i < changes / 2; i++) {
                puts.add(BatchOperation.put(key(i), VALUE));
                deletes.add(BatchOperation.del(key(i)));
            }
            db.batch(puts);
            db.batch(deletes);
        }
        return new ChangedTable(table, since);
    }

    /**
     * The source in changes mode over a table whose changes were made before it starts: it begins from a stored
     * offset, as if its snapshot had begun right before them. Without it, it would start at its own snapshot's
     * start, less a minute's margin, and pass over every change made longer ago than that while the table was
     * filled.
     */
    private static Sample changesSource(ConnectWorkloads connect, DynamoDbLocalProcess server, ChangedTable changed, int n)
            throws Exception {
        return connect.source(server.endpoint(), changed.table(), n, "changes", changed.since());
    }

    /**
     * The change stream read with raw clients: GetRecords of up to 1,000 records from the oldest one of each shard
     * (parents listed first), optionally each record sent to a new one-partition topic (its new value, or a
     * tombstone). Timed from the first GetRecords to the last record (acknowledged, with the producer). A shard's
     * calls are at least {@code callGap} apart, from one call's start to the next.
     */
    private static Sample rawChanges(Bench bench, DynamoDbLocalProcess server, String table, int n, boolean toKafka,
            Duration callGap) {
        EmbeddedKafkaCluster kafka = bench.connect().cluster().kafka();
        String topic = "bench-raw-changes-" + bench.nextNumber();
        if (toKafka) {
            kafka.createTopic(topic, 1);
        }
        String stream;
        try (DynamoDbClient own = server.newClient()) {
            stream = own.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        }
        try (DynamoDbStreamsClient streams = DynamoDbLocal.streamsClientFor(server.endpoint());
                KafkaProducer<byte[], byte[]> producer = toKafka ? kafka.createProducer(new HashMap<>(ConnectWorkloads.SOURCE_PRODUCER)) : null) {
            long start = System.nanoTime();
            long read = 0;
            for (Shard shard : streams.describeStream(b -> b.streamArn(stream)).streamDescription().shards()) {
                String iterator = streams.getShardIterator(b -> b.streamArn(stream).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                long due = System.nanoTime();
                while (iterator != null && read < n) {
                    String current = iterator;
                    LockSupport.parkNanos(due - System.nanoTime());
                    due = System.nanoTime() + callGap.toNanos();
                    GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                    for (Record record : response.records()) {
                        if (!"bench".equals(record.dynamodb().keys().get("db").s())) {
                            continue; // the store's own items (the database's recorded shard count), as the source skips them
                        }
                        if (producer != null) {
                            AttributeValue value = record.dynamodb().newImage() == null ? null : record.dynamodb().newImage().get("value");
                            producer.send(new ProducerRecord<>(topic, record.dynamodb().keys().get("key").b().asByteArrayUnsafe(),
                                    value == null ? null : value.b().asByteArrayUnsafe()));
                        }
                        read++;
                    }
                    iterator = response.nextShardIterator();
                }
            }
            if (producer != null) {
                producer.flush();
            }
            if (read != n) {
                throw new IllegalStateException("raw GetRecords read " + read + " of " + n + " changes");
            }
            return new Sample(n, System.nanoTime() - start);
        }
    }
}
