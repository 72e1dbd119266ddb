package io.dynamodbdown.it.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.dynamodbdown.camel.DynamoDbDownConstants;
import io.dynamodbdown.it.infra.FaultInjectingProxy;
import io.dynamodbdown.kafka.connect.DynamoDbDownSinkConnector;
import io.dynamodbdown.kafka.connect.DynamoDbDownSourceConnector;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Throughput and heap of the store, the connectors and the Camel component, each measured in the same run
 * next to what the raw AWS SDK does on the same DynamoDB (the ceiling) and to one request per entry (the
 * naive way), in rounds: each round runs every trial of a row once. DynamoDB Local runs in a child JVM, so
 * the heap figures are this JVM's: the store, the adapters and, for the connector rows, the embedded Kafka
 * broker and Connect worker as well.
 *
 * <p>A benchmark, not a test: it prints figures and never fails on them. System properties:
 * {@code bench.scale} (1 = the sizes of the issue), {@code bench.runs} (measured rounds after one warm-up,
 * the median is reported), {@code bench.memory} (true: also compare peak heap at 10x the size; only: just that),
 * {@code bench.output} (the JSON file), {@code bench.only} (a comma-separated list of the row groups to run, as
 * {@link #GROUPS} names them; all when empty: a row whose ceiling comes from a group not run measures the raw
 * SDK at its usual best setting instead).
 */
public final class Benchmark {

    private static final byte[] VALUE = new byte[100];
    private static final int[] THREADS = {1, 4, 8, 16};
    /** Items per Query page; 0 is no item limit, DynamoDB's 1 MB pages only (about 7,000 of these entries). */
    private static final int[] PAGE_SIZES = {0, 1_000, 5_000, 10_000};
    /** Fewer settings for the ceilings with Kafka in the loop (slower runs): the ones that won without Kafka here. */
    private static final int[] WITH_KAFKA_THREADS = {4, 8, 16};
    private static final int[] WITH_KAFKA_PAGE_SIZES = {1_000, 5_000, 10_000};

    /** The row groups, in the order they run. */
    static final List<String> GROUPS = List.of("write", "read", "reverse", "getMany", "largeValues", "partitionLimits",
            "latency", "sink", "source", "tailCost", "shardedSink", "latencySink", "changes", "camel");

    private final Set<String> only = only(System.getProperty("bench.only", ""));
    private final double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
    private final int runs = Integer.getInteger("bench.runs", 3);
    private final File log;
    private final DynamoDbLocalProcess dynamo;
    /** The DynamoDB Local process of the trial running now, if it has one of its own (see {@link #changes()}). */
    private volatile DynamoDbLocalProcess freshServer;
    private long retiredServersCpuNanos;
    private final DynamoDbClient client;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> costs = new ArrayList<>();
    private final List<String> costLines = new ArrayList<>();
    private int tables;
    private String scratch;
    private EmbeddedConnectCluster connect;

    /**
     * One line of the results; ceiling and naive are null where a workload has none. For the connector rows,
     * kafkaCeiling is the raw SDK with a raw Kafka client in the loop (what the connector's job costs here at
     * least), null elsewhere. A row group that failed is one row with its error and nothing measured.
     */
    record Row(String workload, Measured ours, Double ceiling, Double naive, Double kafkaCeiling, String error) {
        Row(String workload, Measured ours, Double ceiling, Double naive, Double kafkaCeiling) {
            this(workload, ours, ceiling, naive, kafkaCeiling, null);
        }

        Double ratio() {
            return over(ceiling);
        }

        Double naiveRatio() {
            return over(naive);
        }

        Double kafkaRatio() {
            return over(kafkaCeiling);
        }

        private Double over(Double baseline) {
            return baseline == null || ours == null ? null : ours.perSecond / baseline;
        }
    }

    /** Items handled and the time they took. */
    record Sample(long items, long nanos) {
        double perSecond() {
            return items / (nanos / 1e9);
        }
    }

    /**
     * The median rate over the measured runs, the highest heap use sampled during them (garbage included, so it
     * follows the collector's sizing) and, for the memory rows only, the live heap: the most still in use right after
     * a full collection, forced after 250 ms and then once a second (null elsewhere, as the forced collections cost
     * throughput, and for runs shorter than 250 ms). Where the time goes: the CPU both processes used over the wall
     * time (2.0 is this machine's two cores saturated) and the server's share of that CPU.
     */
    record Measured(double perSecond, double peakHeapMb, Double liveHeapMb, double coresBusy, double serverCpuShare) {
    }

    private Benchmark(File log) {
        new Random(1).nextBytes(VALUE);
        this.log = log;
        this.dynamo = DynamoDbLocalProcess.start(null, log);
        this.client = dynamo.newClient();
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(System.getProperty("bench.output", "target/benchmark-results.json"));
        Files.createDirectories(output.getParent());
        Benchmark bench = new Benchmark(output.resolveSibling("dynamodb-local-bench.log").toFile());
        try {
            bench.runAll();
        } finally {
            bench.close();
        }
        Files.writeString(output, bench.json());
        System.out.println(bench.table());
        System.out.println("Results: " + output.toAbsolutePath());
        System.exit(0); // the embedded Kafka leaves non-daemon threads behind
    }

    private void runAll() throws Exception {
        int n = size(100_000);
        System.out.printf("dynamodbdown benchmark: scale %s (%,d entries), %d measured runs after a warm-up, DynamoDB Local at %s%n",
                scale, n, runs, dynamo.endpoint());
        // The server is a JVM too: warm it up first, or whatever is measured first looks slower.
        String warmUp = scratchTable();
        for (int round = 0; round < 2; round++) {
            coreWrite(client, warmUp, n);
            coreRead(client, warmUp);
            rawWrite(client, warmUp, n, 8);
        }
        String memory = System.getProperty("bench.memory", "false");
        if (!memory.equals("only")) {
            runThroughput(n);
        }
        if (memory.equals("true") || memory.equals("only")) {
            runMemory(n);
        }
    }

    /** A row group's work; it adds its rows. */
    @FunctionalInterface
    private interface Group {
        void run() throws Exception;
    }

    /**
     * Runs a row group if it was chosen. A group that fails is reported as a failed row, with its error, and the
     * run goes on with the next: one row must not cost the figures of all the others.
     */
    private void group(String name, Group body) {
        if (!selected(name)) {
            return;
        }
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            String error = e.toString();
            rows.add(new Row(name + " (row group failed)", null, null, null, null, error));
            System.out.println("  FAILED: " + name + ": " + error);
            e.printStackTrace(System.out);
        }
    }

    /** The raw ceilings the connector and Camel rows measure again: the settings that won, once known. */
    private Trial rawWrite;
    private Trial rawRead;
    /** A table of n entries for the read rows. */
    private String filled;

    private void runThroughput(int n) throws Exception {
        rawWrite = new Trial("raw BatchWriteItem, 8 threads", () -> rawWrite(client, scratchTable(), n, 8));
        group("write", () -> {
            List<Trial> rawWrites = settings("raw BatchWriteItem", "threads", THREADS, t -> () -> rawWrite(client, scratchTable(), n, t));
            Trial coreWrite = new Trial("core batch", () -> coreWrite(client, scratchTable(), n));
            Trial naivePut = new Trial("one PutItem per entry", () -> naivePut(scratchTable(), size(20_000)));
            Map<Trial, Measured> write = sideBySide(plus(rawWrites, coreWrite, naivePut));
            rawWrite = fastest(rawWrites, write);
            add("write " + n + " entries (16 B keys, 100 B values)", write.get(coreWrite), write.get(rawWrite), write.get(naivePut));
        });

        if (selected("read") || selected("reverse") || selected("getMany") || selected("source")) {
            filled = freshTable();
            coreWrite(client, filled, n);
        }
        String table = filled;
        rawRead = new Trial("raw Query loop, 5000 items per page", () -> rawQuery(client, table, n, 5_000));
        group("read", () -> {
            List<Trial> rawReads = settings("raw Query loop", "items per page", PAGE_SIZES, size -> () -> rawQuery(client, table, n, size));
            Trial coreRead = new Trial("core iterator", () -> coreRead(client, table));
            Map<Trial, Measured> read = sideBySide(plus(rawReads, coreRead));
            rawRead = fastest(rawReads, read);
            add("read a " + n + "-entry range in order", read.get(coreRead), read.get(rawRead), null);
        });

        group("reverse", () -> {
            int repeats = Math.max(1, (int) Math.round(100 * scale));
            Trial rawReverse = new Trial("raw Query reverse", () -> rawReverse(table, repeats));
            Trial coreReverse = new Trial("core reverse iterator", () -> coreReverse(table, repeats));
            Map<Trial, Measured> reverse = sideBySide(List.of(rawReverse, coreReverse));
            add("reverse range, limit 1,000, " + repeats + " times", reverse.get(coreReverse), reverse.get(rawReverse), null);
        });

        group("getMany", () -> {
            List<byte[]> randomKeys = randomKeys(n, size(10_000));
            List<Trial> rawGets = settings("raw BatchGetItem", "threads", THREADS, t -> () -> rawBatchGet(client, table, randomKeys, t));
            Trial coreGet = new Trial("core getMany", () -> coreGetMany(client, table, randomKeys));
            Trial naiveGet = new Trial("one GetItem per key", () -> naiveGet(table, randomKeys.subList(0, randomKeys.size() / 5)));
            Map<Trial, Measured> get = sideBySide(plus(rawGets, coreGet, naiveGet));
            add("getMany of " + randomKeys.size() + " random keys", get.get(coreGet), get.get(fastest(rawGets, get)), get.get(naiveGet));
        });

        group("largeValues", this::largeValues);
        group("partitionLimits", () -> partitionLimits(n));
        group("latency", this::latency);

        // The connector and Camel rows measure their raw ceilings again, at the setting that won above, side by side.
        group("sink", () -> {
            startConnect();
            String records = filledTopic(n);
            List<Trial> rawSinks = settings("raw consumer + BatchWriteItem", "threads", WITH_KAFKA_THREADS, t -> () -> rawSink(client, records, n, t));
            Trial sink = new Trial("sink connector", () -> sink(records, n));
            Map<Trial, Measured> sinkRow = sideBySide(plus(rawSinks, rawWrite, sink));
            add("Kafka -> table: " + n + " records through the sink", sinkRow.get(sink), sinkRow.get(rawWrite), null,
                    sinkRow.get(fastest(rawSinks, sinkRow)));
        });

        group("source", () -> {
            startConnect();
            List<Trial> rawSources = settings("raw Query + producer", "items per page", WITH_KAFKA_PAGE_SIZES, size -> () -> rawSource(table, n, size));
            Trial source = new Trial("source connector", () -> source(table, n, "snapshot"));
            Map<Trial, Measured> sourceRow = sideBySide(plus(rawSources, rawRead, source));
            add("table -> Kafka: " + n + " entries through the source", sourceRow.get(source), sourceRow.get(rawRead), null,
                    sourceRow.get(fastest(rawSources, sourceRow)));
        });
        group("tailCost", () -> {
            startConnect();
            tailReadCost(size(20_000), 20);
        });
        group("shardedSink", () -> {
            startConnect();
            shardedSink();
        });
        group("latencySink", () -> {
            startConnect();
            latencySink();
        });
        group("changes", () -> {
            startConnect();
            changes();
        });
        group("camel", () -> camel());
    }

    private void camel() throws Exception {
        int camel = size(50_000);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("dynamoDbClient", client);
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Trial camelBatch = new Trial("Camel op=batch", () -> camelBatch(template, scratchTable(), camel));
            Trial camelPut = new Trial("Camel op=put per entry", () -> camelPuts(template, scratchTable(), camel / 5));
            Map<Trial, Measured> camelRow = sideBySide(List.of(rawWrite, camelBatch, camelPut));
            add("Camel route: " + camel + " puts through op=batch", camelRow.get(camelBatch), camelRow.get(rawWrite), camelRow.get(camelPut));
        }
    }

    /**
     * The change stream into Kafka. Each trial gets a DynamoDB Local process of its own, with its table's changes
     * made just before: DynamoDB Local keeps the records of every stream it ever had (a dropped table's too, as
     * DynamoDB keeps a deleted table's stream for 24 hours), and each write into a table with a stream costs more
     * the more records it holds. Measured here, 10,000 changes a round, tables dropped between rounds: 735, 596, 376
     * and 173 puts a second in rounds 1 to 4 (the same writes without a stream: 1,187 to 5,245), while GetRecords
     * stayed fast; in the benchmark's one long-lived server, behind everything else, filling a trial's table took
     * over ten minutes, which is why this row used to run at a fifth of its size.
     */
    private void changes() throws Exception {
        int changes = size(10_000);
        Trial rawChanges = new Trial("raw GetRecords loop",
                () -> onFreshServer(server -> rawChanges(server, changedTable(server, changes).table(), changes, false)));
        Trial rawChangesToKafka = new Trial("raw GetRecords + producer",
                () -> onFreshServer(server -> rawChanges(server, changedTable(server, changes).table(), changes, true)));
        Trial changesSource = new Trial("source connector, changes mode",
                () -> onFreshServer(server -> changesSource(server, changedTable(server, changes), changes)));
        Map<Trial, Measured> changesRow = sideBySide(List.of(rawChanges, rawChangesToKafka, changesSource));
        add("stream -> Kafka: " + changes + " changes through the source", changesRow.get(changesSource),
                changesRow.get(rawChanges), null, changesRow.get(rawChangesToKafka));
    }

    /**
     * 5 MB values (MB/s): the store writes each as chunks behind one entry and reads it back whole; the ceiling is
     * the raw SDK writing the same bytes as 390 KB items (BatchWriteItem, 8 threads) and reading them back
     * (BatchGetItem, 8 threads), with no entry, no registry and no order.
     */
    private void largeValues() throws Exception {
        int count = Math.max(4, size(40));
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[5 * 1024 * 1024];
            new Random(i).nextBytes(value);
            values.add(value);
        }
        double megabytes = count * 5.0;
        Trial coreWrite = new Trial("core put of 5 MB values", () -> coreLargeWrite(scratchTable(), values, megabytes));
        Trial rawWrite = new Trial("raw BatchWriteItem of 390 KB items, 8 threads",
                () -> rawLargeWrite(scratchTable(), values, megabytes));
        Map<Trial, Measured> write = sideBySide(List.of(rawWrite, coreWrite));
        add("write " + count + " values of 5 MB (MB/s)", write.get(coreWrite), write.get(rawWrite), null);

        String coreTable = freshTable();
        coreLargeWrite(coreTable, values, megabytes);
        String rawTable = freshTable();
        rawLargeWrite(rawTable, values, megabytes);
        Trial coreRead = new Trial("core get of 5 MB values", () -> coreLargeRead(coreTable, count, megabytes));
        Trial rawRead = new Trial("raw BatchGetItem of 390 KB items, 8 threads", () -> rawLargeRead(rawTable, values, megabytes));
        Map<Trial, Measured> read = sideBySide(List.of(rawRead, coreRead));
        add("read " + count + " values of 5 MB (MB/s)", read.get(coreRead), read.get(rawRead), null);
        client.deleteTable(b -> b.tableName(coreTable));
        client.deleteTable(b -> b.tableName(rawTable));
    }

    /**
     * Rounds for the rows under the simulated partition limits: one. Their pace is the simulator's, not this machine's
     * (but for 16 partition keys, where the machine is the ceiling and the raw SDK beside it shows it), and a run of
     * 100,000 items into one key takes 100 s.
     */
    private static final int LIMITED_ROUNDS = 1;

    /**
     * DynamoDB's per partition key ceiling, which DynamoDB Local lacks, simulated by the test proxy (1,000 write
     * units a second per partition key, no burst): 100,000 items written by the store with 1, 4 and 16 shards, each
     * against its limit (n x 1,000 items of 100 B a second) and next to the raw SDK writing as many items over as many
     * partition keys through the same proxy (8 threads, 16 for 16 keys), which shows how much of the limit this
     * machine reaches at all; then a 16-shard database read in key order (the k-way merge) against an unsharded one
     * of the same size, without the proxy.
     */
    private void partitionLimits(int n) throws Exception {
        int items = size(100_000); // 100 s into one partition key at its rate
        int[] shardCounts = {1, 4, 16};
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).partitionLimits(1_000, 3_000).noBurst().start();
                DynamoDbClient limited = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> raws = new ArrayList<>();
            List<Trial> cores = new ArrayList<>();
            for (int shards : shardCounts) {
                int threads = Math.max(8, shards);
                int warmUp = Math.min(items, 2_000 * shards); // two seconds at the limit
                raws.add(new Trial("raw BatchWriteItem, " + counted(shards, "partition key") + ", " + threads + " threads",
                        () -> rawWrite(limited, scratchTable(), items, threads, shards),
                        () -> rawWrite(limited, scratchTable(), warmUp, threads, shards)));
                cores.add(new Trial("core batch, " + counted(shards, "shard"), () -> coreWrite(limited, scratchTable(), items, shards),
                        () -> coreWrite(limited, scratchTable(), warmUp, shards)));
            }
            Map<Trial, Measured> results = sideBySide(plus(raws, cores.toArray(Trial[]::new)), false, LIMITED_ROUNDS);
            for (int i = 0; i < shardCounts.length; i++) {
                String limit = "write " + items + " under 1,000 WCU/s a key: ";
                addAgainstLimit(limit + "raw SDK, " + counted(shardCounts[i], "key"), results.get(raws.get(i)), shardCounts[i] * 1_000);
                addAgainstLimit(limit + counted(shardCounts[i], "shard"), results.get(cores.get(i)), shardCounts[i] * 1_000);
            }
        }
        String plain = freshTable();
        coreWrite(client, plain, n);
        String sharded = freshTable();
        coreWrite(client, sharded, n, 16);
        Trial plainRead = new Trial("core iterator, 1 shard", () -> coreRead(client, plain));
        Trial mergedRead = new Trial("core iterator, 16 shards merged", () -> coreRead(client, sharded));
        Map<Trial, Measured> read = sideBySide(List.of(plainRead, mergedRead));
        add("read a " + n + "-entry range of 16 shards in order", read.get(mergedRead), read.get(plainRead), null);
        client.deleteTable(b -> b.tableName(plain));
        client.deleteTable(b -> b.tableName(sharded));
    }

    /**
     * The sink draining a backlog of 100,000 records under the simulated partition limits, into one partition key
     * (against 1,000 records a second) and into a database of 4 shards (4,000). A run counts only if the sink's
     * tasks stayed RUNNING and nothing was redelivered (records-retried-total 0): a sink that keeps failing its
     * writes and asking Connect to deliver them again fails the row instead of being measured.
     */
    private void shardedSink() throws Exception {
        int records = size(100_000);
        String topic = filledTopic(records);
        String warmUpTopic = filledTopic(Math.min(records, 5_000));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).partitionLimits(1_000, 3_000).noBurst().start()) {
            for (int shards : new int[] {1, 4}) {
                Trial sink = new Trial("sink connector, " + counted(shards, "shard"),
                        () -> sink(topic, records, proxy.endpoint(), shards, true),
                        () -> sink(warmUpTopic, Math.min(records, 5_000), proxy.endpoint(), shards, true));
                addAgainstLimit("Kafka -> table under partition limits: sink, " + records + " records, "
                        + counted(shards, "shard"), sideBySide(List.of(sink), false, LIMITED_ROUNDS).get(sink),
                        shards * 1_000);
            }
        }
    }

    /** Threads tried for the raw ceilings under latency, where requests in flight, not the server, set the pace. */
    private static final int[] LATENCY_THREADS = {1, 8, 16, 64};
    /** A region-local round trip, added by the proxy to every call. */
    private static final Duration ROUND_TRIP = Duration.ofMillis(8);

    /**
     * A round trip's latency alone (8 ms added to every call, no partition limits): on a real network the number of
     * requests in flight decides throughput, not the server's CPU. The store's batch write, iterator and getMany,
     * with their defaults, against the raw SDK's best of 1 to 64 threads (of page sizes, for the Query loop)
     * through the same proxy.
     */
    private void latency() throws Exception {
        int count = size(20_000);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).latency(ROUND_TRIP).start();
                DynamoDbClient slow = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> rawWrites = settings("raw BatchWriteItem, 8 ms", "threads", LATENCY_THREADS,
                    t -> () -> rawWrite(slow, scratchTable(), count, t));
            Trial coreWrite = new Trial("core batch, 8 ms", () -> coreWrite(slow, scratchTable(), count));
            Map<Trial, Measured> write = sideBySide(plus(rawWrites, coreWrite));
            add("8 ms round trip: write " + count + " entries", write.get(coreWrite), write.get(fastest(rawWrites, write)), null);

            String filled = freshTable();
            coreWrite(client, filled, count);
            List<Trial> rawReads = settings("raw Query loop, 8 ms", "items per page", PAGE_SIZES,
                    size -> () -> rawQuery(slow, filled, count, size));
            Trial coreRead = new Trial("core iterator, 8 ms", () -> coreRead(slow, filled));
            Map<Trial, Measured> read = sideBySide(plus(rawReads, coreRead));
            add("8 ms round trip: read a " + count + "-entry range", read.get(coreRead), read.get(fastest(rawReads, read)), null);

            List<byte[]> keys = randomKeys(count, size(5_000));
            List<Trial> rawGets = settings("raw BatchGetItem, 8 ms", "threads", LATENCY_THREADS,
                    t -> () -> rawBatchGet(slow, filled, keys, t));
            Trial coreGet = new Trial("core getMany, 8 ms", () -> coreGetMany(slow, filled, keys));
            Map<Trial, Measured> get = sideBySide(plus(rawGets, coreGet));
            add("8 ms round trip: getMany of " + keys.size() + " keys", get.get(coreGet), get.get(fastest(rawGets, get)), null);
            client.deleteTable(b -> b.tableName(filled));
        }
    }

    /**
     * The sink under an 8 ms round trip, against the raw SDK's best write through the same proxy and, with Kafka in
     * the loop, a raw consumer feeding it.
     */
    private void latencySink() throws Exception {
        int records = size(20_000);
        String topic = filledTopic(records);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).latency(ROUND_TRIP).start();
                DynamoDbClient slow = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> rawWrites = settings("raw BatchWriteItem, 8 ms", "threads", LATENCY_THREADS,
                    t -> () -> rawWrite(slow, scratchTable(), records, t));
            List<Trial> rawSinks = settings("raw consumer + BatchWriteItem, 8 ms", "threads", new int[] {16, 64},
                    t -> () -> rawSink(slow, topic, records, t));
            Trial sink = new Trial("sink connector, 8 ms", () -> sink(topic, records, proxy.endpoint(), 0, false));
            Map<Trial, Measured> row = sideBySide(plus(plus(rawWrites, rawSinks.toArray(Trial[]::new)), sink));
            add("8 ms round trip: Kafka -> table, " + records + " records through the sink", row.get(sink),
                    row.get(fastest(rawWrites, row)), null, row.get(fastest(rawSinks, row)));
        }
    }

    /** "1 shard", "4 shards". */
    private static String counted(int count, String thing) {
        return count + " " + thing + (count == 1 ? "" : "s");
    }

    /** A row measured against a limit (items a second) rather than a raw ceiling. */
    private void addAgainstLimit(String workload, Measured ours, double limit) {
        rows.add(new Row(workload, ours, limit, null, null));
        System.out.println("  done: " + workload);
    }

    private Sample coreLargeWrite(String table, List<byte[]> values, double megabytes) {
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            long start = System.nanoTime();
            for (int i = 0; i < values.size(); i++) {
                db.put(key(i), values.get(i));
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        }
    }

    private Sample coreLargeRead(String table, int count, double megabytes) {
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (db.get(key(i)).length != 5 * 1024 * 1024) {
                    throw new IllegalStateException("value " + i + " came back torn");
                }
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        }
    }

    private static final int RAW_PIECE = 390 * 1024;

    /** The values' bytes as raw items of 390 KB, keyed by value and piece. */
    private static List<WriteRequest> pieces(List<byte[]> values) {
        List<WriteRequest> requests = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i);
            for (int from = 0, piece = 0; from < value.length; from += RAW_PIECE, piece++) {
                byte[] bytes = Arrays.copyOfRange(value, from, Math.min(value.length, from + RAW_PIECE));
                requests.add(putRequest(pieceKey(i, piece), bytes));
            }
        }
        return requests;
    }

    private static byte[] pieceKey(int value, int piece) {
        return String.format("%08d-%04d", value, piece).getBytes();
    }

    private Sample rawLargeWrite(String table, List<byte[]> values, double megabytes) throws Exception {
        List<WriteRequest> requests = pieces(values);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long start = System.nanoTime();
            List<Future<?>> chunks = new ArrayList<>();
            for (int from = 0; from < requests.size(); from += 25) {
                List<WriteRequest> chunk = requests.subList(from, Math.min(requests.size(), from + 25));
                chunks.add(pool.submit(() -> writeAll(client, table, chunk)));
            }
            awaitAll(chunks);
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    private Sample rawLargeRead(String table, List<byte[]> values, double megabytes) throws Exception {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            for (int piece = 0; piece * RAW_PIECE < values.get(i).length; piece++) {
                keys.add(itemKey(pieceKey(i, piece)));
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
            if (bytes.get() != values.size() * 5L * 1024 * 1024) {
                throw new IllegalStateException("raw read " + bytes.get() + " bytes");
            }
            return new Sample(Math.round(megabytes), System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    /** Peak heap of the iterator and the sink at n and at 10 n entries: a flat heap shows no growth. */
    private void runMemory(int n) throws Exception {
        String small = freshTable();
        coreWrite(client, small, n);
        String big = freshTable();
        coreWrite(client, big, 10 * n);
        add("memory: core iterator over " + n + " entries", measureLiveHeap("iterator", () -> coreRead(client, small)), null, null);
        add("memory: core iterator over " + 10 * n + " entries", measureLiveHeap("iterator x10", () -> coreRead(client, big)), null, null);
        startConnect();
        String records = filledTopic(n);
        add("memory: sink of " + n + " records", measureLiveHeap("sink", () -> sink(records, n)), null, null);
        String moreRecords = filledTopic(10 * n);
        add("memory: sink of " + 10 * n + " records", measureLiveHeap("sink x10", () -> sink(moreRecords, 10 * n)), null, null);
    }

    private static Set<String> only(String groups) {
        Set<String> names = Arrays.stream(groups.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                .collect(Collectors.toSet());
        for (String name : names) {
            if (!GROUPS.contains(name)) {
                throw new IllegalArgumentException("bench.only names " + name + ", which is none of " + GROUPS);
            }
        }
        return names;
    }

    private boolean selected(String group) {
        return only.isEmpty() || only.contains(group);
    }

    private int size(int full) {
        return Math.max(1, (int) Math.round(full * scale));
    }

    private void add(String workload, Measured ours, Measured ceiling, Measured naive) {
        add(workload, ours, ceiling, naive, null);
    }

    private void add(String workload, Measured ours, Measured ceiling, Measured naive, Measured kafkaCeiling) {
        rows.add(new Row(workload, ours, perSecond(ceiling), perSecond(naive), perSecond(kafkaCeiling)));
        System.out.println("  done: " + workload);
    }

    private static Double perSecond(Measured measured) {
        return measured == null ? null : measured.perSecond;
    }

    // ---- the harness

    /** One workload run one way, named as its figures are printed, and its warm-up (the same run, or a shorter one). */
    record Trial(String label, Callable<Sample> run, Callable<Sample> warmUp) {
        Trial(String label, Callable<Sample> run) {
            this(label, run, run);
        }
    }

    /** One trial per setting of a ceiling (thread counts, page sizes). */
    private static List<Trial> settings(String label, String unit, int[] values, IntFunction<Callable<Sample>> trial) {
        return Arrays.stream(values).mapToObj(value -> new Trial(label + ", " + value + " " + unit, trial.apply(value))).toList();
    }

    private static List<Trial> plus(List<Trial> trials, Trial... more) {
        List<Trial> all = new ArrayList<>(trials);
        all.addAll(List.of(more));
        return all;
    }

    /** The best of a ceiling's settings, as a ceiling should be. */
    private static Trial fastest(List<Trial> settings, Map<Trial, Measured> results) {
        return settings.stream().max(Comparator.comparingDouble(trial -> results.get(trial).perSecond())).orElseThrow();
    }

    private Map<Trial, Measured> sideBySide(List<Trial> trials) throws Exception {
        return sideBySide(trials, false, runs);
    }

    private Measured measureLiveHeap(String label, Callable<Sample> run) throws Exception {
        Trial trial = new Trial(label, run);
        return sideBySide(List.of(trial), true, runs).get(trial);
    }

    /**
     * Measures the trials of one row side by side: a warm-up each, then {@code runs} rounds in which every trial
     * runs once. The server's speed drifts during a run of the benchmark (its JIT, its SQLite file, this host's
     * other work), and in rounds the drift falls on every trial of a row alike instead of on whichever ran last.
     */
    private Map<Trial, Measured> sideBySide(List<Trial> trials, boolean liveHeap, int rounds) throws Exception {
        Map<Trial, Runs> runsByTrial = new LinkedHashMap<>();
        for (Trial trial : trials) {
            trial.warmUp().call();
            runsByTrial.put(trial, new Runs());
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<Trial, Runs> trial : runsByTrial.entrySet()) {
                trial.getValue().measure(trial.getKey().run(), liveHeap);
            }
        }
        Map<Trial, Measured> results = new LinkedHashMap<>();
        runsByTrial.forEach((trial, measured) -> results.put(trial, measured.summary(trial.label())));
        return results;
    }

    /** One trial's measured runs so far. */
    private final class Runs {
        private final List<Double> rates = new ArrayList<>();
        private double peak;
        private Double live;
        private long wallNanos;
        private long ownCpuNanos;
        private long serverCpuNanos;

        void measure(Callable<Sample> trial, boolean liveHeap) throws Exception {
            System.gc();
            try (HeapSampler heap = new HeapSampler(liveHeap)) {
                long wall = System.nanoTime();
                long ownCpu = ownCpuNanos();
                long serverCpu = serverCpuNanos();
                rates.add(trial.call().perSecond());
                serverCpuNanos += serverCpuNanos() - serverCpu;
                ownCpuNanos += ownCpuNanos() - ownCpu;
                wallNanos += System.nanoTime() - wall;
                peak = Math.max(peak, heap.peakMb());
                if (heap.liveMb() != null) {
                    live = live == null ? heap.liveMb() : Math.max(live, heap.liveMb());
                }
            }
        }

        /** The median rate, printed with every run's in the order they ran. */
        Measured summary(String label) {
            List<Double> sorted = rates.stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            System.out.printf("    %-26s %,12.0f items/s (runs: %s)%n", label, median,
                    rates.stream().map(rate -> String.format("%,.0f", rate)).collect(Collectors.joining(", ")));
            long cpuNanos = ownCpuNanos + serverCpuNanos;
            return new Measured(median, peak, live, (double) cpuNanos / wallNanos, cpuNanos == 0 ? 0 : (double) serverCpuNanos / cpuNanos);
        }
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Samples used heap every few milliseconds while a run goes. With {@code liveHeap} it also forces a full
     * collection after 250 ms and then once a second, and keeps the most heap still in use after one: what the
     * work really retains, independent of how lazily the collector runs.
     */
    private static final class HeapSampler implements AutoCloseable {
        private static final long SAMPLE_MS = 5;
        private static final long FIRST_FULL_GC_MS = 250; // so that a run under a second has a figure too
        private static final long FULL_GC_EVERY_MS = 1_000;

        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong live = new AtomicLong(-1);
        private final Thread thread;
        private volatile boolean running = true;

        HeapSampler(boolean liveHeap) {
            thread = new Thread(() -> {
                long nextFullGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIRST_FULL_GC_MS);
                while (running) {
                    peak.accumulateAndGet(usedHeap(), Math::max);
                    if (liveHeap && System.nanoTime() >= nextFullGc) {
                        System.gc(); // G1 collects in full and returns when done (no -XX:+ExplicitGCInvokesConcurrent here)
                        live.accumulateAndGet(usedHeap(), Math::max);
                        nextFullGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FULL_GC_EVERY_MS);
                    }
                    try {
                        Thread.sleep(SAMPLE_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private static long usedHeap() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        double peakMb() {
            return peak.get() / (1024.0 * 1024.0);
        }

        /** Null when the run ended before the first forced collection. */
        Double liveMb() {
            return live.get() < 0 ? null : live.get() / (1024.0 * 1024.0);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    // ---- data and tables

    /** A new table that stays for the whole run. */
    private String freshTable() {
        String table = "bench-" + (++tables);
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            return table;
        }
    }

    /**
     * A new table for one trial; the previous trial's is dropped first. DynamoDB Local slows down as it holds
     * more rows (its heap fills), so without this whatever runs later would be measured on a slower server.
     */
    private String scratchTable() {
        if (scratch != null) {
            client.deleteTable(delete -> delete.tableName(scratch));
        }
        scratch = freshTable();
        return scratch;
    }

    private static byte[] key(int i) {
        return String.format("%016d", i).getBytes();
    }

    private static List<byte[]> randomKeys(int range, int count) {
        Random random = new Random(42);
        List<byte[]> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(key(random.nextInt(range)));
        }
        return keys;
    }

    private static Map<String, AttributeValue> itemKey(byte[] key) {
        return itemKey("bench", key);
    }

    private static Map<String, AttributeValue> itemKey(String partitionKey, byte[] key) {
        return Map.of("db", AttributeValue.fromS(partitionKey), "key", AttributeValue.fromB(SdkBytes.fromByteArray(key)));
    }

    // ---- writes

    private Sample coreWrite(DynamoDbClient via, String table, int n) {
        return coreWrite(via, table, n, 0);
    }

    /** The store's batch of n entries into a database of {@code shards} (0: the recorded count, or one). */
    private Sample coreWrite(DynamoDbClient via, String table, int n, int shards) {
        List<BatchOperation> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(BatchOperation.put(key(i), VALUE));
        }
        try (Database db = DynamoDbDown.open(via, table + "$bench", OpenOptions.defaults().withShards(shards))) {
            long start = System.nanoTime();
            db.batch(puts);
            return new Sample(n, System.nanoTime() - start);
        }
    }

    private Sample rawWrite(DynamoDbClient via, String table, int n, int threads) throws Exception {
        return rawWrite(via, table, n, threads, 1);
    }

    /** Entry i goes to partition key {@code bench} or, over more keys, {@code bench/(i mod partitionKeys)}. */
    private Sample rawWrite(DynamoDbClient via, String table, int n, int threads, int partitionKeys) throws Exception {
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

    /** Waits for every task, rethrowing the first failure. */
    private static void awaitAll(List<? extends Future<?>> tasks) throws Exception {
        for (Future<?> task : tasks) {
            task.get();
        }
    }

    private static Map<String, AttributeValue> item(String partitionKey, byte[] key, byte[] value) {
        Map<String, AttributeValue> item = new HashMap<>(itemKey(partitionKey, key));
        item.put("value", AttributeValue.fromB(SdkBytes.fromByteArray(value)));
        return item;
    }

    private static WriteRequest putRequest(byte[] key, byte[] value) {
        return putRequest("bench", key, value);
    }

    private static WriteRequest putRequest(String partitionKey, byte[] key, byte[] value) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item(partitionKey, key, value)).build()).build();
    }

    /**
     * One BatchWriteItem call, repeated with whatever DynamoDB left unprocessed or throttled, after a pause that
     * doubles from 25 ms to 1 s (as a raw client must under partition limits; DynamoDB Local alone never pauses it).
     */
    private void writeAll(DynamoDbClient via, String table, List<WriteRequest> requests) {
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

    private Sample naivePut(String table, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, AttributeValue> item = item("bench", key(i), VALUE);
            client.putItem(b -> b.tableName(table).item(item));
        }
        return new Sample(n, System.nanoTime() - start);
    }

    // ---- reads

    private Sample coreRead(DynamoDbClient via, String table) {
        try (Database db = DynamoDbDown.open(via, table + "$bench")) {
            long start = System.nanoTime();
            long items = 0;
            long bytes = 0;
            try (RangeIterator<Entry> entries = db.iterator(KeyRange.all())) {
                while (entries.hasNext()) {
                    bytes += entries.next().value().length;
                    items++;
                }
            }
            if (bytes < 0) {
                throw new AssertionError();
            }
            return new Sample(items, System.nanoTime() - start);
        }
    }

    private Sample rawQuery(DynamoDbClient via, String table, int expected, int pageSize) {
        long start = System.nanoTime();
        long[] items = {0};
        queryAll(via, table, pageSize, item -> items[0] += item.get("value").b().asByteArrayUnsafe().length > 0 ? 1 : 0);
        if (items[0] != expected) {
            throw new IllegalStateException("raw query read " + items[0] + " of " + expected);
        }
        return new Sample(items[0], System.nanoTime() - start);
    }

    /** The whole bench range in key order, a Query page of pageSize items at a time (0: no item limit). */
    private void queryAll(DynamoDbClient via, String table, int pageSize, Consumer<Map<String, AttributeValue>> each) {
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

    private Sample coreReverse(String table, int repeats) {
        try (Database db = DynamoDbDown.open(client, table + "$bench")) {
            long start = System.nanoTime();
            long items = 0;
            for (int r = 0; r < repeats; r++) {
                try (RangeIterator<Entry> entries = db.iterator(KeyRange.all().reverse(true).limit(1000))) {
                    while (entries.hasNext()) {
                        entries.next();
                        items++;
                    }
                }
            }
            return new Sample(items, System.nanoTime() - start);
        }
    }

    private Sample rawReverse(String table, int repeats) {
        long start = System.nanoTime();
        long items = 0;
        for (int r = 0; r < repeats; r++) {
            items += client.query(b -> b.tableName(table).keyConditionExpression("#h = :h")
                    .expressionAttributeNames(Map.of("#h", "db")).expressionAttributeValues(Map.of(":h", AttributeValue.fromS("bench")))
                    .consistentRead(true).scanIndexForward(false).limit(1000)).count();
        }
        return new Sample(items, System.nanoTime() - start);
    }

    private Sample coreGetMany(DynamoDbClient via, String table, List<byte[]> keys) {
        try (Database db = DynamoDbDown.open(via, table + "$bench")) {
            long start = System.nanoTime();
            List<byte[]> values = db.getMany(keys);
            return new Sample(values.size(), System.nanoTime() - start);
        }
    }

    private Sample rawBatchGet(DynamoDbClient via, String table, List<byte[]> keys, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> chunks = new ArrayList<>();
            for (int from = 0; from < keys.size(); from += 100) {
                List<Map<String, AttributeValue>> chunk = keys.subList(from, Math.min(keys.size(), from + 100)).stream()
                        .distinct().map(Benchmark::itemKey).distinct().collect(Collectors.toList());
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

    private Sample naiveGet(String table, List<byte[]> keys) {
        long start = System.nanoTime();
        for (byte[] key : keys) {
            client.getItem(b -> b.tableName(table).key(itemKey(key)).consistentRead(true));
        }
        return new Sample(keys.size(), System.nanoTime() - start);
    }

    // ---- Kafka Connect

    /** The embedded broker and worker, started by the first row that needs them. */
    private void startConnect() {
        if (connect != null) {
            return;
        }
        connect = (EmbeddedConnectCluster) new EmbeddedConnectCluster.Builder().name("bench").numWorkers(1).numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "100"))).build();
        connect.start();
        connect.kafka().createTopic("dynamodbdown-heartbeats", 1); // the sources' heartbeat topic, as a user creates it
    }

    private Map<String, String> connector(String table) {
        Map<String, String> props = new HashMap<>();
        props.put("table", table);
        props.put("aws.endpoint", dynamo.endpoint().toString());
        props.put("aws.region", "us-east-1");
        props.put("aws.access.key.id", DynamoDbLocal.ACCESS_KEY);
        props.put("aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
        props.put("key.converter", ByteArrayConverter.class.getName());
        props.put("value.converter", ByteArrayConverter.class.getName());
        return props;
    }

    /**
     * A topic holding n records in two partitions, filled before any sink run: producing while the sink runs
     * would measure the producer too (its CPU, and its buffered records on the heap).
     */
    private String filledTopic(int n) throws Exception {
        String topic = "bench-in-" + (++tables);
        connect.kafka().createTopic(topic, 2);
        // Not idempotent: the embedded broker has answered an idempotent producer here with an endless
        // OutOfOrderSequenceException, leaving the topic short and the sink waiting for records never sent.
        List<Future<?>> sends = new ArrayList<>(n);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(
                Map.of("linger.ms", "5", "enable.idempotence", "false", "acks", "all"))) {
            for (int i = 0; i < n; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, key(i), VALUE)));
            }
        }
        awaitAll(sends); // a record that did not make it fails the benchmark here, not as a 10-minute wait
        return topic;
    }

    /**
     * A new sink connector (a new consumer group, so it reads the topic from the start) writes it into a new table.
     * Timed from its first offset commit to the one covering every record: the steady rate, task start-up left out.
     */
    private Sample sink(String topic, int n) throws Exception {
        return sink(topic, n, dynamo.endpoint(), 0, false);
    }

    /**
     * The sink through {@code endpoint} into a database of {@code shards} (0: one, unrecorded). With
     * {@code mustRunSmoothly}, the run fails unless every task is still RUNNING at the end and none asked Connect to
     * deliver records again (records-retried-total, read over JMX); what the tasks counted is printed.
     */
    private Sample sink(String topic, int n, URI endpoint, int shards, boolean mustRunSmoothly) throws Exception {
        String table = scratchTable();
        String name = table + "-sink";
        Map<String, String> props = connector(table);
        props.put("aws.endpoint", endpoint.toString());
        props.put("shards", String.valueOf(shards));
        props.put("connector.class", DynamoDbDownSinkConnector.class.getName());
        props.put("topics", topic);
        props.put("tasks.max", "2");
        props.put("hash.key", "bench");
        props.put("consumer.override.max.poll.records", "2000");
        connect.configureConnector(name, props);
        try (Admin admin = connect.kafka().createAdminClient()) {
            Sample sample = steadyRate(name, n, () -> committed(admin, "connect-" + name));
            if (mustRunSmoothly) {
                checkRanSmoothly(name, n);
            }
            return sample;
        } finally {
            connect.deleteConnector(name);
        }
    }

    /** Fails unless the sink's tasks are RUNNING and redelivered nothing; prints and keeps what they counted. */
    private void checkRanSmoothly(String connector, int n) throws Exception {
        List<String> states = connect.connectorStatus(connector).tasks().stream().map(task -> task.id() + " " + task.state()).toList();
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        double retried = 0;
        double throttled = 0;
        for (ObjectName task : jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*"), null)) {
            retried += ((Number) jmx.getAttribute(task, "records-retried-total")).doubleValue();
            throttled += ((Number) jmx.getAttribute(task, "requests-throttled-total")).doubleValue();
        }
        String line = String.format(Locale.ROOT, "sink under partition limits, %,d records: tasks %s, %.0f records redelivered,"
                + " %.0f requests DynamoDB turned away", n, states, retried, throttled);
        System.out.println("    " + line);
        costLines.add(line);
        costs.add(String.format(Locale.ROOT, "  {\"workload\": %s, \"records\": %d, \"tasks\": %s, \"recordsRedelivered\": %.0f,"
                + " \"requestsThrottled\": %.0f}", quoted("sink under partition limits"), n, quoted(String.join(", ", states)),
                retried, throttled));
        if (retried > 0 || states.stream().anyMatch(state -> !state.endsWith(" RUNNING"))) {
            throw new IllegalStateException("the sink did not run smoothly under the partition limits: " + line);
        }
    }

    /**
     * The sink's job done with raw clients, for the sink's ceiling with Kafka in the loop: one consumer reads the
     * topic from its start while {@code threads} threads write what it read, BatchWriteItem of 25 (at most four
     * chunks per thread waiting, so the heap stays bounded). No conversion, no checks, no offsets committed. Timed
     * from the first record read, as the sink is from its first commit.
     */
    private Sample rawSink(DynamoDbClient via, String topic, int n, int threads) throws Exception {
        String table = scratchTable();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore waiting = new Semaphore(4 * threads);
        List<Future<?>> chunks = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long start = 0;
            int read = 0;
            List<WriteRequest> chunk = new ArrayList<>(25);
            while (read < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw consumer read " + read + " of " + n + " records of " + topic + " in 10 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    start = start == 0 ? System.nanoTime() : start;
                    chunk.add(putRequest(record.key(), record.value()));
                    read++;
                    if (chunk.size() == 25 || read == n) {
                        List<WriteRequest> full = chunk;
                        chunk = new ArrayList<>(25);
                        waiting.acquire();
                        chunks.add(pool.submit(() -> {
                            try {
                                writeAll(via, table, full);
                            } finally {
                                waiting.release();
                            }
                            return null;
                        }));
                    }
                }
            }
            awaitAll(chunks);
            return new Sample(n, System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The source's job done with raw clients, for the source's ceiling with Kafka in the loop: the Query paging loop
     * hands every item to a producer (default settings, acks=all) into a new one-partition topic. Timed from the
     * first record sent until the producer has every record acknowledged, as the source is from its first records.
     */
    /** The producer settings of the source rows, connector and raw client alike. */
    private static final Map<String, String> SOURCE_PRODUCER = Map.of("batch.size", "262144", "linger.ms", "10");

    private Sample rawSource(String table, int n, int pageSize) {
        String topic = "bench-raw-out-" + (++tables);
        connect.kafka().createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(new HashMap<>(SOURCE_PRODUCER))) {
            long[] startAndSent = {0, 0};
            queryAll(client, table, pageSize, item -> {
                startAndSent[0] = startAndSent[0] == 0 ? System.nanoTime() : startAndSent[0];
                producer.send(new ProducerRecord<>(topic, item.get("key").b().asByteArrayUnsafe(), item.get("value").b().asByteArrayUnsafe()));
                startAndSent[1]++;
            });
            producer.flush();
            if (startAndSent[1] != n) {
                throw new IllegalStateException("raw source sent " + startAndSent[1] + " of " + n);
            }
            return new Sample(n, System.nanoTime() - startAndSent[0]);
        }
    }

    /** How far a connector has got: records committed or records in its topic. */
    @FunctionalInterface
    private interface Progress {
        long done() throws Exception;
    }

    /**
     * Polls a just-configured connector's progress until n, timed from the first progress seen to the end: the
     * steady rate, without the seconds a connector takes to start.
     */
    private Sample steadyRate(String connector, int n, Progress progress) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        long first = 0;
        long done;
        while ((done = progress.done()) < n) {
            if (first == 0 && done > 0) {
                start = System.nanoTime();
                first = done;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(connector + " got to " + done + " of " + n + " records in 10 minutes: "
                        + connect.connectorStatus(connector));
            }
            Thread.sleep(20);
        }
        return new Sample(n - first, System.nanoTime() - start);
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }

    /**
     * The source in {@code mode} into a new topic, timed from the first records in the topic to the last: a snapshot
     * of a filled table, or (changes) a table whose database is empty and whose stream holds n changes.
     */
    /**
     * The source in changes mode over a table whose changes were made before it starts: it begins from a stored
     * offset, as if its snapshot had begun right before them. Without it, it would start at its own snapshot's
     * start, less a minute's margin, and pass over every change made longer ago than that while the table was
     * filled.
     */
    private Sample changesSource(DynamoDbLocalProcess server, ChangedTable changed, int n) throws Exception {
        return source(server.endpoint(), changed.table(), n, "changes", changed.since());
    }

    private Sample source(String table, int n, String mode) throws Exception {
        return source(dynamo.endpoint(), table, n, mode, null);
    }

    /**
     * The source on the server at {@code endpoint}. {@code since}: when not null, the connector is created stopped,
     * given that snapshot offset, then started.
     */
    private Sample source(URI endpoint, String table, int n, String mode, Instant since) throws Exception {
        String topic = "bench-" + mode + "-" + (++tables);
        String name = topic + "-source";
        connect.kafka().createTopic(topic, 1);
        Map<String, String> props = connector(table);
        props.put("aws.endpoint", endpoint.toString());
        props.put("connector.class", DynamoDbDownSourceConnector.class.getName());
        props.put("topic", topic);
        props.put("hash.key", "bench");
        props.put("mode", mode);
        props.put("batch.max.rows", "5000");
        props.put("poll.interval.ms", "100");
        // The worker's producer has one request in flight per broker (Connect keeps records in order so): bigger
        // batches, as the README recommends for throughput.
        SOURCE_PRODUCER.forEach((key, value) -> props.put("producer.override." + key, value));
        if (since == null) {
            connect.configureConnector(name, props);
        } else {
            connect.configureConnector(new CreateConnectorRequest(name, props, CreateConnectorRequest.InitialState.STOPPED));
            // The source partition of changes mode and a snapshot's offset, as the connector's documentation gives them.
            connect.alterSourceConnectorOffset(name, Map.of("stream", table, "hash.key", "bench", "range", ".."),
                    Map.of("since", Long.toString(since.toEpochMilli())));
            connect.resumeConnector(name);
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = connect.kafka().createAdminClient()) {
            return steadyRate(name, n,
                    () -> admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset());
        } finally {
            connect.deleteConnector(name);
        }
    }

    /** What a trial does on a server of its own. */
    @FunctionalInterface
    private interface OnServer {
        Sample run(DynamoDbLocalProcess server) throws Exception;
    }

    /** Runs {@code trial} on a new DynamoDB Local process, stopped afterwards; its CPU counts as the server's. */
    private Sample onFreshServer(OnServer trial) throws Exception {
        DynamoDbLocalProcess server = DynamoDbLocalProcess.start(null, log);
        freshServer = server;
        try {
            return trial.run(server);
        } finally {
            retiredServersCpuNanos += server.cpuTime().toNanos();
            freshServer = null;
            server.close();
        }
    }

    /** CPU used so far by the benchmark's DynamoDB Local processes: the long-lived one and those of single trials. */
    private long serverCpuNanos() {
        DynamoDbLocalProcess fresh = freshServer;
        return dynamo.cpuTime().toNanos() + retiredServersCpuNanos + (fresh == null ? 0 : fresh.cpuTime().toNanos());
    }

    /** A table whose stream holds changes made since {@code since}. */
    private record ChangedTable(String table, Instant since) {
    }

    /**
     * A new table with a NEW_IMAGE stream whose stream holds {@code changes} changes of one database: puts of
     * half as many keys, then a delete of each. The database ends empty, so its source's snapshot sends nothing
     * and every record it sends comes from the stream.
     */
    private ChangedTable changedTable(DynamoDbLocalProcess server, int changes) {
        String table = "bench-changes-" + (++tables);
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
     * The change stream read with raw clients: GetRecords of up to 1,000 records from the oldest one of each shard
     * (parents listed first), optionally each record sent to a new one-partition topic (its new value, or a
     * tombstone). Timed from the first GetRecords to the last record (acknowledged, with the producer).
     */
    private Sample rawChanges(DynamoDbLocalProcess server, String table, int n, boolean toKafka) {
        String topic = "bench-raw-changes-" + (++tables);
        if (toKafka) {
            connect.kafka().createTopic(topic, 1);
        }
        String stream;
        try (DynamoDbClient own = server.newClient()) {
            stream = own.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        }
        try (DynamoDbStreamsClient streams = DynamoDbLocal.streamsClientFor(server.endpoint());
                KafkaProducer<byte[], byte[]> producer = toKafka ? connect.kafka().createProducer(new HashMap<>(SOURCE_PRODUCER)) : null) {
            long start = System.nanoTime();
            long read = 0;
            for (Shard shard : streams.describeStream(b -> b.streamArn(stream)).streamDescription().shards()) {
                String iterator = streams.getShardIterator(b -> b.streamArn(stream).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                while (iterator != null && read < n) {
                    String current = iterator;
                    GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                    for (software.amazon.awssdk.services.dynamodb.model.Record record : response.records()) {
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

    /**
     * The source in tail mode (default settings) while a database grows steadily: the read units DynamoDB reports
     * for its Query requests, per entry delivered. Each entry is read when new and in a few sweeps of the settle
     * window, so the cost stays flat however often the source polls; the target is 1.5 at most.
     */
    private void tailReadCost(int n, int seconds) throws Exception {
        String table = freshTable();
        String topic = "bench-tail-" + (++tables);
        String name = topic + "-source";
        connect.kafka().createTopic(topic, 1);
        Map<String, String> props = connector(table);
        props.put("connector.class", DynamoDbDownSourceConnector.class.getName());
        props.put("topic", topic);
        props.put("hash.key", "bench");
        CapacityMeter.watch(table);
        connect.configureConnector(name, props);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Database db = DynamoDbDown.open(client, table + "$bench"); Admin admin = connect.kafka().createAdminClient()) {
            int perTick = Math.max(1, n / (seconds * 20)); // 20 appends a second
            long start = System.nanoTime();
            for (int written = 0, tick = 0; written < n; tick++) {
                List<BatchOperation> puts = new ArrayList<>();
                for (int i = 0; i < perTick && written < n; i++, written++) {
                    puts.add(BatchOperation.put(key(written), VALUE));
                }
                db.batch(puts);
                long due = start + TimeUnit.MILLISECONDS.toNanos(50L * (tick + 1));
                Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()))); // paces the writer
            }
            steadyRate(name, n, () -> admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get().offset());
            double perEntry = CapacityMeter.readUnits() / n;
            String line = String.format(Locale.ROOT, "source tail mode, %,d entries written over %d s: %.1f read units"
                    + " in %,d Query requests, %.3f per entry delivered (target <= 1.5)", n, seconds,
                    CapacityMeter.readUnits(), CapacityMeter.queries(), perEntry);
            costs.add(String.format(Locale.ROOT, "  {\"workload\": \"source tail mode, steady writes\", \"entries\": %d,"
                    + " \"readUnits\": %.1f, \"queries\": %d, \"readUnitsPerEntry\": %.4f}", n, CapacityMeter.readUnits(),
                    CapacityMeter.queries(), perEntry));
            System.out.println("  done: " + line);
            costLines.add(line);
        } finally {
            CapacityMeter.stop();
            connect.deleteConnector(name);
        }
    }

    // ---- Camel

    private Sample camelBatch(ProducerTemplate template, String table, int n) {
        String uri = "dynamodbdown:" + table + "$bench?op=batch";
        List<Map<byte[], byte[]>> bodies = new ArrayList<>();
        for (int from = 0; from < n; from += 1000) {
            Map<byte[], byte[]> body = new LinkedHashMap<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                body.put(key(i), VALUE);
            }
            bodies.add(body);
        }
        long start = System.nanoTime();
        for (Map<byte[], byte[]> body : bodies) {
            template.sendBody(uri, body);
        }
        return new Sample(n, System.nanoTime() - start);
    }

    private Sample camelPuts(ProducerTemplate template, String table, int n) {
        String uri = "dynamodbdown:" + table + "$bench";
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            template.sendBodyAndHeader(uri, VALUE, DynamoDbDownConstants.KEY, key(i));
        }
        return new Sample(n, System.nanoTime() - start);
    }

    // ---- output

    private String table() {
        StringBuilder out = new StringBuilder(String.format("%n%-52s %12s %12s %12s %10s %10s %12s %10s %8s %8s %6s %7s%n",
                "workload", "ours/s", "ceiling/s", "naive/s", "ours/ceil", "ours/naive", "w/ Kafka/s", "ours/w K", "peak MB",
                "live MB", "cores", "server"));
        for (Row row : rows) {
            Measured ours = row.ours();
            if (row.error() != null) {
                out.append(String.format(Locale.ROOT, "%-52s FAILED: %s%n", row.workload(), row.error()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-52s %,12.0f %12s %12s %10s %10s %12s %10s %8.0f %8s %6.2f %6.0f%%%n",
                    row.workload(), ours.perSecond, rate(row.ceiling()), rate(row.naive()), times(row.ratio()),
                    times(row.naiveRatio()), rate(row.kafkaCeiling()), times(row.kafkaRatio()),
                    ours.peakHeapMb, ours.liveHeapMb == null ? "-" : String.format("%.0f", ours.liveHeapMb),
                    ours.coresBusy, 100 * ours.serverCpuShare));
        }
        costLines.forEach(line -> out.append(line).append(System.lineSeparator()));
        return out.toString();
    }

    private static String rate(Double perSecond) {
        return perSecond == null ? "-" : String.format("%,.0f", perSecond);
    }

    private static String times(Double ratio) {
        return ratio == null ? "-" : String.format("%.2fx", ratio);
    }

    private String json() {
        List<String> objects = new ArrayList<>();
        for (Row row : rows) {
            if (row.error() != null) {
                objects.add(String.format(Locale.ROOT, "  {\"workload\": %s, \"error\": %s}", quoted(row.workload()),
                        quoted(row.error())));
                continue;
            }
            objects.add(String.format(Locale.ROOT,
                    "  {\"workload\": %s, \"ours\": %.1f, \"ceiling\": %s, \"naive\": %s, \"ratio\": %s, \"peakHeapMb\": %.1f,"
                            + " \"liveHeapMb\": %s, \"coresBusy\": %.2f, \"serverCpuShare\": %.2f, \"kafkaCeiling\": %s, \"kafkaRatio\": %s}",
                    quoted(row.workload()), row.ours().perSecond, number(row.ceiling()), number(row.naive()), number(row.ratio()),
                    row.ours().peakHeapMb, number(row.ours().liveHeapMb), row.ours().coresBusy, row.ours().serverCpuShare,
                    number(row.kafkaCeiling()), number(row.kafkaRatio())));
        }
        objects.addAll(costs);
        return "[\n" + String.join(",\n", objects) + "\n]\n";
    }

    /** A JSON string. */
    private static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    private static String number(Double value) {
        return value == null ? "null" : String.format(Locale.ROOT, "%.3f", value);
    }

    private void close() {
        if (connect != null) {
            connect.stop();
        }
        client.close();
        dynamo.close();
    }
}
