package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Pipeline 4: bad records scattered through a topic (null keys, values over the sink's value.max.bytes, keys
 * over DynamoDB's 1,024-byte key limit) end up in the dead letter queue with the reason in the headers; every
 * good record arrives (values past the 400 KB item limit among them, kept in chunks), and the source streams
 * exactly the good ones onwards.
 */
class BadInputPipelineTest extends PipelineTestSupport {

    private static final String MESSAGE = "__connect.errors.exception.message";

    @Test
    void badRecordsGoToTheDeadLetterQueueWithTheirReasonAndEverythingElseArrives() throws Exception {
        String table = dynamo.newTable("p4-bad-input");
        String topic = "p4-input";
        kafka.createTopic(topic, 2);
        List<Entry> good = new ArrayList<>();
        Map<String, String> expectedReasons = new HashMap<>(); // first bytes of the value -> a word its reason must hold
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 5_000; i++) {
                byte[] key = String.format("item-%05d", i).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("value " + i).getBytes(StandardCharsets.UTF_8);
                if (i % 500 == 250) {
                    expectedReasons.put("value " + i, "null key");
                    key = null;
                } else if (i % 700 == 350) {
                    expectedReasons.put("big " + i, "maxValueSize");
                    value = Arrays.copyOf(("big " + i + " ").getBytes(StandardCharsets.UTF_8), 1024 * 1024 + 1);
                } else if (i % 1_100 == 550) {
                    value = Arrays.copyOf(("large " + i + " ").getBytes(StandardCharsets.UTF_8), 700 * 1024);
                    good.add(new Entry(key, value)); // past the item limit, within value.max.bytes
                } else if (i % 900 == 450) {
                    expectedReasons.put("value " + i, "1024 bytes per key");
                    key = Arrays.copyOf(key, 1_100);
                } else {
                    good.add(new Entry(key, value));
                }
                producer.send(new ProducerRecord<>(topic, key, value));
            }
        }
        Map<String, String> config = sink(topic, table, "items");
        config.put("value.max.bytes", Integer.toString(1024 * 1024));
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", "p4-dlq");
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        connect.putConnector("p4-sink", config);

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consume("p4-dlq", expectedReasons.size(), TIMEOUT);
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            String id = new String(record.value(), StandardCharsets.UTF_8).trim(); // a big value's zero padding trims away
            String reason = header(record, MESSAGE);
            assertTrue(expectedReasons.containsKey(id), "only bad records in the DLQ, found: " + id);
            assertTrue(reason.contains(expectedReasons.get(id)), "the reason for " + id + " says why: " + reason);
            assertEquals(topic, header(record, "__connect.errors.topic"), "the DLQ record names its source topic");
        }
        assertEquals(expectedReasons.size(), dead.size(), "one DLQ record per bad record");

        good.sort((a, b) -> Bytes.compare(a.getKey(), b.getKey()));
        awaitUntil(() -> dynamo.count(table + "$items") >= good.size(), "every good record");
        assertSameEntries(good, dynamo.entries(table + "$items"), "the good records");

        Map<String, String> onwards = source(table, "items", "p4-output");
        onwards.put("mode", "snapshot");
        connect.putConnector("p4-source", onwards);
        assertEquals(good.size(), kafka.consume("p4-output", good.size(), TIMEOUT).size(), "the good records, streamed onwards");
        connect.deleteConnector("p4-sink");
        connect.deleteConnector("p4-source");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
