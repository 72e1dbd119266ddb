package io.dynamodbdown.it.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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

    /** The row groups, in the order they run, with the names {@code bench.only} takes. */
    static final List<Named> GROUPS = List.of(
            new Named("write", new WriteRows()),
            new Named("read", new ReadRows()),
            new Named("reverse", new ReverseRows()),
            new Named("getMany", new GetManyRows()),
            new Named("largeValues", new LargeValueRows()),
            new Named("partitionLimits", new PartitionLimitRows()),
            new Named("latency", new LatencyRows()),
            new Named("sink", new SinkRows()),
            new Named("source", new SourceRows()),
            new Named("tailCost", new TailCostRows()),
            new Named("shardedSink", new ShardedSinkRows()),
            new Named("latencySink", new LatencySinkRows()),
            new Named("changes", new ChangesRows()),
            new Named("simulatedChanges", new SimulatedChangesRows()),
            new Named("wholeTable", new WholeTableRows()),
            new Named("camel", new CamelRows()));

    /** A row group and its name. */
    record Named(String name, RowGroup group) {
    }

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> only = only(System.getProperty("bench.only", ""));
        Path output = Path.of(System.getProperty("bench.output", "target/benchmark-results.json"));
        Files.createDirectories(output.getParent());
        Report report;
        try (Bench bench = new Bench(output.resolveSibling("dynamodb-local-bench.log").toFile(),
                Double.parseDouble(System.getProperty("bench.scale", "1")), Integer.getInteger("bench.runs", 3))) {
            runAll(bench, only, System.getProperty("bench.memory", "false"));
            report = bench.report();
        }
        Files.writeString(output, report.json());
        System.out.println(report.table());
        System.out.println("Results: " + output.toAbsolutePath());
        System.exit(0); // the embedded Kafka leaves non-daemon threads behind
    }

    private static void runAll(Bench bench, Set<String> only, String memory) throws Exception {
        int n = bench.entries();
        DynamoDbClient client = bench.client();
        System.out.printf("dynamodbdown benchmark: scale %s (%,d entries), %d measured runs after a warm-up, DynamoDB Local at %s%n",
                bench.scale(), n, bench.runs(), bench.dynamo().endpoint());
        // The server is a JVM too: warm it up first, or whatever is measured first looks slower.
        String warmUp = bench.scratchTable();
        for (int round = 0; round < 2; round++) {
            Core.write(client, warmUp, n);
            Core.read(client, warmUp);
            RawSdk.write(client, warmUp, n, 8);
        }
        if (!memory.equals("only")) {
            // The raw ceilings the connector and Camel rows measure again, until the write and read groups find the best.
            bench.writeCeiling(new Trial("raw BatchWriteItem, 8 threads", () -> RawSdk.write(client, bench.scratchTable(), n, 8)));
            bench.readCeiling(new Trial("raw Query loop, 5000 items per page", () -> RawSdk.query(client, bench.filledTable(), n, 5_000)));
            for (Named group : GROUPS) {
                if (only.isEmpty() || only.contains(group.name())) {
                    run(bench, group);
                }
            }
        }
        if (memory.equals("true") || memory.equals("only")) {
            MemoryRows.run(bench);
        }
    }

    /**
     * Runs a row group. A group that fails is reported as a failed row, with its error, and the run goes on with the
     * next: one row must not cost the figures of all the others.
     */
    private static void run(Bench bench, Named group) {
        try {
            group.group().run(bench);
        } catch (Exception | AssertionError e) {
            bench.report().addFailed(group.name(), e);
        }
    }

    private static Set<String> only(String groups) {
        List<String> known = GROUPS.stream().map(Named::name).toList();
        Set<String> names = Arrays.stream(groups.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                .collect(Collectors.toSet());
        for (String name : names) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("bench.only names " + name + ", which is none of " + known);
            }
        }
        return names;
    }
}
