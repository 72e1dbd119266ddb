package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import java.util.List;
import java.util.Map;

/**
 * Table -> Kafka: the source connector's snapshot against the raw Query ceiling (measured again, at the setting that
 * won) and, with Kafka in the loop, the raw Query loop feeding a producer.
 */
final class SourceRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.entries();
        ConnectWorkloads connect = bench.connect();
        String table = bench.filledTable();
        List<Trial> rawSources = settings("raw Query + producer", "items per page", Bench.WITH_KAFKA_PAGE_SIZES,
                size -> () -> connect.rawSource(table, n, size));
        Trial source = new Trial("source connector", () -> connect.source(table, n, "snapshot"));
        Map<Trial, Measured> sourceRow = bench.sideBySide(plus(rawSources, bench.readCeiling(), source));
        bench.add("table -> Kafka: " + n + " entries through the source", sourceRow.get(source), sourceRow.get(bench.readCeiling()),
                null, sourceRow.get(fastest(rawSources, sourceRow)));
    }
}
