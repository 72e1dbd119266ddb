package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.store.Entry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * Pipeline 1: a Camel route writes 20,000 entries (growing binary keys with 0x00 and 0xff bytes; empty, small
 * and 200 KB values) while the source connector tails that database into a topic, the sink connector writes the
 * topic into a second table: both hold the same entries, byte for byte, in the same order.
 */
class CamelToKafkaToDynamoDbPipelineTest extends PipelineTestSupport {

    private static final int ENTRIES = 20_000;

    @Test
    void twentyThousandEntriesArriveInTheSecondTableByteForByteInOrder() throws Exception {
        String origin = dynamo.newTable("p1-origin");
        String copy = dynamo.newTable("p1-copy");
        String topic = "p1-events";

        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("dynamoDbClient", dynamo.client());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:load").to("dynamodbdown:" + origin + "$events?op=batch");
                }
            });
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            // The connectors start first, so the source tails a database that is still being written.
            connect.putConnector("p1-source", source(origin, "events", topic));
            connect.putConnector("p1-sink", sink(topic, copy, "events"));
            connect.awaitRunning("p1-source", 1);
            connect.awaitRunning("p1-sink", 1);
            for (Map<byte[], byte[]> batch : batches(ENTRIES, 500)) {
                template.sendBody("direct:load", batch);
            }
        }

        List<Entry> written = dynamo.entries(origin + "$events");
        assertEquals(ENTRIES, written.size(), "entries written by the route");
        awaitEntries(dynamo, copy + "$events", written.size(), "p1-source", "p1-sink");
        assertSameEntries(written, dynamo.entries(copy + "$events"), "the copy");
        assertSameEntries(written.stream().sorted((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey())).toList(), written,
                "the origin, in unsigned byte order");
        connect.deleteConnector("p1-source");
        connect.deleteConnector("p1-sink");
    }

    /**
     * Binary keys that grow, as a tail reader expects (a 4-byte big-endian sequence number, so 0x00 bytes
     * everywhere, then 0..28 random bytes, 0xff among them), and values of every size class: empty, small, 200 KB.
     */
    private static List<Map<byte[], byte[]>> batches(int entries, int perBatch) {
        Random random = new Random(20_000);
        List<Map<byte[], byte[]>> batches = new ArrayList<>();
        Map<byte[], byte[]> batch = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            byte[] suffix = new byte[random.nextInt(29)];
            random.nextBytes(suffix);
            byte[] key = ByteBuffer.allocate(4 + suffix.length).putInt(i).put(suffix).array();
            byte[] value = new byte[i % 10 == 0 ? 0 : i % 2_000 == 1 ? 200 * 1024 : random.nextInt(300)];
            random.nextBytes(value);
            batch.put(key, value);
            if (batch.size() == perBatch) {
                batches.add(batch);
                batch = new LinkedHashMap<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
