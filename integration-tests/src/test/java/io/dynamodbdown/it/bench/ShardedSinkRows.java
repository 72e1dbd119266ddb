package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Report.counted;

import io.dynamodbdown.it.infra.FaultInjectingProxy;
import java.util.List;

/**
 * The sink draining a backlog of 100,000 records under the simulated partition limits, into one partition key
 * (against 1,000 records a second) and into a database of 4 shards (4,000). A run counts only if the sink's
 * tasks stayed RUNNING and nothing was redelivered (records-retried-total 0): a sink that keeps failing its
 * writes and asking Connect to deliver them again fails the row instead of being measured.
 */
final class ShardedSinkRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        ConnectWorkloads connect = bench.connect();
        int records = bench.size(100_000);
        String topic = connect.filledTopic(records);
        String warmUpTopic = connect.filledTopic(Math.min(records, 5_000));
        try (FaultInjectingProxy proxy = PartitionLimitRows.limitsProxy(bench)) {
            for (int shards : new int[] {1, 4}) {
                Trial sink = new Trial("sink connector, " + counted(shards, "shard"),
                        () -> connect.sink(topic, records, proxy.endpoint(), shards, true),
                        () -> connect.sink(warmUpTopic, Math.min(records, 5_000), proxy.endpoint(), shards, true));
                bench.report().addAgainstLimit("Kafka -> table under partition limits: sink, " + records + " records, "
                        + counted(shards, "shard"), bench.sideBySide(List.of(sink), PartitionLimitRows.ROUNDS).get(sink),
                        shards * 1_000);
            }
        }
    }
}
