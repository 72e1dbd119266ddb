package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import java.util.List;
import java.util.Map;

/**
 * Kafka -> table: the sink connector against the raw write ceiling (measured again, at the setting that won) and,
 * with Kafka in the loop, a raw consumer feeding BatchWriteItem.
 */
final class SinkRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.entries();
        ConnectWorkloads connect = bench.connect();
        String records = connect.filledTopic(n);
        List<Trial> rawSinks = settings("raw consumer + BatchWriteItem", "threads", Bench.WITH_KAFKA_THREADS,
                t -> () -> connect.rawSink(bench.client(), records, n, t));
        Trial sink = new Trial("sink connector", () -> connect.sink(records, n));
        Map<Trial, Measured> sinkRow = bench.sideBySide(plus(rawSinks, bench.writeCeiling(), sink));
        bench.add("Kafka -> table: " + n + " records through the sink", sinkRow.get(sink), sinkRow.get(bench.writeCeiling()), null,
                sinkRow.get(fastest(rawSinks, sinkRow)));
    }
}
