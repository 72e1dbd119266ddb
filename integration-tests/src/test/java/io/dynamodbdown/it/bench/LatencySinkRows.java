package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import io.dynamodbdown.it.infra.FaultInjectingProxy;
import io.dynamodbdown.testing.DynamoDbLocal;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The sink under an 8 ms round trip, against the raw SDK's best write through the same proxy and, with Kafka in
 * the loop, a raw consumer feeding it.
 */
final class LatencySinkRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        ConnectWorkloads connect = bench.connect();
        int records = bench.size(20_000);
        String topic = connect.filledTopic(records);
        try (FaultInjectingProxy proxy = LatencyRows.latencyProxy(bench);
                DynamoDbClient slow = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> rawWrites = settings("raw BatchWriteItem, 8 ms", "threads", LatencyRows.THREADS,
                    t -> () -> RawSdk.write(slow, bench.scratchTable(), records, t));
            List<Trial> rawSinks = settings("raw consumer + BatchWriteItem, 8 ms", "threads", new int[] {16, 64},
                    t -> () -> connect.rawSink(slow, topic, records, t));
            Trial sink = new Trial("sink connector, 8 ms", () -> connect.sink(topic, records, proxy.endpoint(), 0, false));
            Map<Trial, Measured> row = bench.sideBySide(plus(plus(rawWrites, rawSinks.toArray(Trial[]::new)), sink));
            bench.add("8 ms round trip: Kafka -> table, " + records + " records through the sink", row.get(sink),
                    row.get(fastest(rawWrites, row)), null, row.get(fastest(rawSinks, row)));
        }
    }
}
