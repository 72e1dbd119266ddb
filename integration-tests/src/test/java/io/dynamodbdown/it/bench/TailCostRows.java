package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.kafka.connect.DynamoDbDownSourceConnector;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * The source in tail mode (default settings) while a database grows steadily: the read units DynamoDB reports
 * for its Query requests, per entry delivered. Each entry is read when new and in a few sweeps of the settle
 * window, so the cost stays flat however often the source polls; the target is 1.5 at most.
 */
final class TailCostRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.size(20_000);
        int seconds = 20;
        ConnectWorkloads connect = bench.connect();
        EmbeddedConnectCluster cluster = connect.cluster();
        String table = bench.freshTable();
        String topic = "bench-tail-" + bench.nextNumber();
        String name = topic + "-source";
        cluster.kafka().createTopic(topic, 1);
        Map<String, String> props = connect.connector(table);
        props.put("connector.class", DynamoDbDownSourceConnector.class.getName());
        props.put("topic", topic);
        props.put("hash.key", "bench");
        CapacityMeter.watch(table);
        cluster.configureConnector(name, props);
        try (Database db = DynamoDbDown.open(bench.client(), table + "$bench")) {
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
            connect.sourceSteadyRate(name, topic, n);
            double perEntry = CapacityMeter.readUnits() / n;
            String line = String.format(Locale.ROOT, "source tail mode, %,d entries written over %d s: %.1f read units"
                    + " in %,d Query requests, %.3f per entry delivered (target <= 1.5)", n, seconds,
                    CapacityMeter.readUnits(), CapacityMeter.queries(), perEntry);
            String json = String.format(Locale.ROOT, "  {\"workload\": \"source tail mode, steady writes\", \"entries\": %d,"
                    + " \"readUnits\": %.1f, \"queries\": %d, \"readUnitsPerEntry\": %.4f}", n, CapacityMeter.readUnits(),
                    CapacityMeter.queries(), perEntry);
            System.out.println("  done: " + line);
            bench.report().addCost(line, json);
        } finally {
            CapacityMeter.stop();
            cluster.deleteConnector(name);
        }
    }
}
