package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.camel.DynamoDbDownConstants;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A Camel route's puts: op=batch, 1,000 entries an exchange, against the raw write ceiling (measured again, at the
 * setting that won) and op=put, one exchange per entry.
 */
final class CamelRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int camel = bench.size(50_000);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("dynamoDbClient", bench.client());
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Trial camelBatch = new Trial("Camel op=batch", () -> batch(template, bench.scratchTable(), camel));
            Trial camelPut = new Trial("Camel op=put per entry", () -> puts(template, bench.scratchTable(), camel / 5));
            Map<Trial, Measured> camelRow = bench.sideBySide(List.of(bench.writeCeiling(), camelBatch, camelPut));
            bench.add("Camel route: " + camel + " puts through op=batch", camelRow.get(camelBatch), camelRow.get(bench.writeCeiling()),
                    camelRow.get(camelPut));
        }
    }

    private static Sample batch(ProducerTemplate template, String table, int n) {
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

    private static Sample puts(ProducerTemplate template, String table, int n) {
        String uri = "dynamodbdown:" + table + "$bench";
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            template.sendBodyAndHeader(uri, VALUE, DynamoDbDownConstants.KEY, key(i));
        }
        return new Sample(n, System.nanoTime() - start);
    }
}
