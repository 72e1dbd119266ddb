package io.dynamodbdown.it.bench;

import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import io.dynamodbdown.testing.StreamSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The source in changes mode on a stream as AWS serves one: the table's DynamoDB Local stream re-partitioned by the
 * test fixtures' {@link StreamSimulator} into 8 shards, each serving 5 GetRecords calls a second, 1,000 records a
 * call, with {@link #LATENCY} added to every Streams call, so reading shards in parallel matters. The connector's
 * one {@code aws.endpoint} is the simulator's: it answers the Streams calls and forwards DynamoDB's (DescribeTable,
 * the empty snapshot) to the server unchanged. The same table's changes are read at 1, 2 and 4 tasks, each trial
 * with a new simulator (so every trial reads the whole stream from its start) and a new connector, timed from the
 * first record in the topic to the last; the rate is shown as a ratio to 1 task. The table is filled once, on a
 * DynamoDB Local of its own (see {@link ChangesRows} for why).
 */
final class SimulatedChangesRows implements RowGroup {

    static final int SHARDS = 8;
    static final Duration LATENCY = Duration.ofMillis(20);
    private static final int[] TASKS = {1, 2, 4};

    @Override
    public void run(Bench bench) throws Exception {
        int changes = bench.size(10_000);
        bench.onFreshServer(server -> {
            measure(bench, server, changes);
            return new Sample(0, 1);
        });
    }

    private static void measure(Bench bench, DynamoDbLocalProcess server, int changes) throws Exception {
        ConnectWorkloads connect = bench.connect();
        ChangesRows.ChangedTable changed = ChangesRows.changedTable(bench, server, changes);
        String table = changed.table();
        Instant since = changed.since();
        Map<Integer, List<String>> requests = new LinkedHashMap<>();
        List<Trial> trials = new ArrayList<>();
        for (int tasks : TASKS) {
            trials.add(new Trial("source, " + Report.counted(tasks, "task"), () -> {
                try (DynamoDbClient tables = server.newClient();
                        DynamoDbStreamsClient streams = DynamoDbLocal.streamsClientFor(server.endpoint());
                        StreamSimulator simulator = StreamSimulator.of(tables, streams, table).shards(SHARDS).latency(LATENCY)
                                .start()) {
                    Sample sample = connect.source(simulator.endpoint(), table, changes, "changes", since,
                            Map.of("tasks.max", String.valueOf(tasks)));
                    long calls = simulator.requests("GetRecords") + simulator.requests("GetShardIterator")
                            + simulator.requests("DescribeStream");
                    requests.computeIfAbsent(tasks, t -> new ArrayList<>()).add(String.format(Locale.ROOT,
                            "%.3f (GetRecords %d, GetShardIterator %d, DescribeStream %d, throttled %d)",
                            (double) calls / changes, simulator.requests("GetRecords"), simulator.requests("GetShardIterator"),
                            simulator.requests("DescribeStream"), simulator.throttledCalls()));
                    return sample;
                }
            }));
        }
        Map<Trial, Measured> row = bench.sideBySide(trials);
        Measured one = row.get(trials.get(0));
        for (int i = 0; i < TASKS.length; i++) {
            // the ratio column is to 1 task: the "ceiling" of these rows is the 1-task rate
            bench.add(String.format(Locale.ROOT, "simulated stream, %d shards: %d changes, %s", SHARDS, changes,
                    Report.counted(TASKS[i], "task")), row.get(trials.get(i)), one, null);
        }
        requests.forEach((tasks, runs) -> {
            List<String> measured = runs.subList(Math.min(1, runs.size()), runs.size()); // the warm-up left out
            String line = String.format(Locale.ROOT, "stream requests per change delivered, simulated stream of %d shards, %s: %s",
                    SHARDS, Report.counted(tasks, "task"), String.join("; ", measured));
            System.out.println("    " + line);
            bench.report().addCost(line, String.format(Locale.ROOT, "  {\"workload\": %s, \"runs\": %s}",
                    Report.quoted("stream requests per change, simulated, " + Report.counted(tasks, "task")),
                    Report.quoted(String.join("; ", measured))));
        });
    }
}
