package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynamodbdown.it.infra.DynamoDbService;
import io.dynamodbdown.it.infra.FaultInjectingProxy;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline 3: faults in the middle of a run. DynamoDB goes away for several seconds under a sink, the
 * Connect worker restarts under a source, a sink meets UnprocessedItems and throttling again and again, and a
 * sink writes a backlog into a partition key at its limit: afterwards every record is in place, the source went
 * on without a gap, and the limited sink ran throughout without a redelivery.
 */
class FaultsPipelineTest extends PipelineTestSupport {

    @Test
    void sinkRidesOutADynamoDbOutageOfSeveralSeconds(@TempDir Path data) throws Exception {
        Path log = Files.createTempFile("dynamodb-local-outage", ".log");
        try (DynamoDbLocalProcess process = DynamoDbLocalProcess.start(data, log.toFile());
                DynamoDbService outage = DynamoDbService.local(process.endpoint(), "DynamoDB Local (child JVM, -dbPath)", null)) {
            String table = outage.newTable("p3-outage");
            String topic = "p3-outage-input";
            kafka.createTopic(topic, 2);
            List<Entry> expected = produceNumbered(topic, 20_000);

            Map<String, String> config = sink(topic, table, "events");
            config.putAll(outage.connectorSettings());
            config.put("max.retries", "2");
            config.put("retry.backoff.ms", "300");
            connect.putConnector("p3-outage", config);
            awaitUntil(() -> outage.count(table + "$events") >= 3_000, "the sink to be under way");

            process.kill();
            Thread.sleep(5_000);
            process.startProcess();

            awaitUntil(() -> outage.count(table + "$events") >= expected.size(), "every record after the outage");
            assertSameEntries(expected, outage.entries(table + "$events"), "the table after the outage");
            connect.deleteConnector("p3-outage");
        }
    }

    @Test
    void sourceResumesWithoutAGapAfterTheWorkerRestarts() throws Exception {
        String table = dynamo.newTable("p3-restart");
        String topic = "p3-restart-output";
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$log")) {
            db.batch(numbered(0, 10_000));
            Map<String, String> config = source(table, "log", topic);
            config.put("batch.max.rows", "200");
            config.put("poll.interval.ms", "100");
            connect.putConnector("p3-restart", config);
            kafka.consume(topic, 2_000, TIMEOUT);

            connect.restart();
            for (int from = 10_000; from < 15_000; from += 500) {
                db.batch(numbered(from, 500)); // appended in key order while the new worker takes over
            }
            connect.awaitRunning("p3-restart", 1);
        }
        List<String> expected = numbered(0, 15_000).stream().map(p -> new String(p.key(), StandardCharsets.UTF_8)).collect(Collectors.toList());
        List<String> keys = new ArrayList<>();
        kafka.consumeUntil(topic, records -> distinctKeys(records).containsAll(expected), "every one of the 15,000 keys (a gap otherwise)", TIMEOUT)
                .forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        Set<String> distinct = new TreeSet<>(keys);
        assertEquals(expected.size(), distinct.size(), "only keys of the database were sent");
        System.out.printf("worker restart: %,d records for 15,000 keys (%,d sent again after the restart)%n", keys.size(), keys.size() - 15_000);
        connect.deleteConnector("p3-restart");
    }

    @Test
    void sinkWritesEverythingThroughRepeatedUnprocessedItemsAndThrottling() throws Exception {
        Assumptions.assumeTrue(dynamo.isPlainHttp(), "the fault proxy needs an emulator over plain HTTP, not " + dynamo);
        // Every 2nd BatchWriteItem hands all its items back, every 7th is throttled.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).unprocessedEvery(2).throttleEvery(7).start()) {
            ProxiedSink sink = startSinkThrough(proxy, "p3-unprocessed", 10_000, Map.of("retry.backoff.ms", "50"));
            awaitEntries(dynamo, sink.location(), sink.expected().size(), "p3-unprocessed");
            assertSameEntries(sink.expected(), dynamo.entries(sink.location()), "the table after the faults");
            assertTrue(proxy.unprocessedAnswers() > 10 && proxy.throttledAnswers() > 5,
                    "faults were met: " + proxy.unprocessedAnswers() + " unprocessed, " + proxy.throttledAnswers() + " throttled");
            connect.deleteConnector("p3-unprocessed");
        }
    }

    @Test
    void sinkIntoAKeyAtItsLimitStaysRunningAndRedeliversNothing() throws Exception {
        Assumptions.assumeTrue(dynamo.isPlainHttp(), "the fault proxy needs an emulator over plain HTTP, not " + dynamo);
        // 200 write units a second into the one partition key, no burst: below what one put() of the sink asks for
        // (500 records), so the sink meets the limit on any machine, as a backlog into one key meets DynamoDB's.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.to(dynamo.endpoint()).partitionLimits(200, 3_000).noBurst().start()) {
            ProxiedSink sink = startSinkThrough(proxy, "p3-limited", 2_000, Map.of());
            Set<String> states = new TreeSet<>();
            awaitUntil(() -> {
                JsonNode status = connect.status("p3-limited");
                status.path("tasks").forEach(task -> states.add(task.path("state").asText()));
                return dynamo.count(sink.location()) >= sink.expected().size();
            }, () -> "every record into the limited key; task states seen: " + states);
            assertSameEntries(sink.expected(), dynamo.entries(sink.location()), "the table after the limited run");
            assertEquals(Set.of("RUNNING"), states, "the task kept running");
            ObjectName task = new ObjectName("kafka.connect:type=plugins,connector=p3-limited,task=0");
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertEquals(0L, ((Number) jmx.getAttribute(task, "records-retried-total")).longValue(), "nothing redelivered");
            double throttled = ((Number) jmx.getAttribute(task, "requests-throttled-total")).doubleValue();
            assertTrue(throttled > 0 && proxy.itemsHandedBack() + proxy.throttledAnswers() > 0,
                    "the limit was met: " + throttled + " requests turned away");
            System.out.printf("sink into one key at 200 WCU/s: %,d items handed back, %,d throttled answers, %.0f requests"
                    + " turned away as the task counted them%n", proxy.itemsHandedBack(), proxy.throttledAnswers(), throttled);
            connect.deleteConnector("p3-limited");
        }
    }

    /** A sink's database and the entries it must end up holding. */
    private record ProxiedSink(String location, List<Entry> expected) {
    }

    /**
     * A new table, a topic of {@code count} numbered records, and sink {@code name} (with {@code settings} added)
     * from the topic into the table's database {@code events}, through {@code proxy}.
     */
    private ProxiedSink startSinkThrough(FaultInjectingProxy proxy, String name, int count, Map<String, String> settings) {
        String table = dynamo.newTable(name);
        String topic = name + "-input";
        kafka.createTopic(topic, 2);
        List<Entry> expected = produceNumbered(topic, count);
        Map<String, String> config = sink(topic, table, "events");
        config.putAll(dynamo.connectorSettings(proxy.endpoint()));
        config.putAll(settings);
        connect.putConnector(name, config);
        return new ProxiedSink(table + "$events", expected);
    }

    private static Set<String> distinctKeys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
    }

    /** Keys k-00000.. with 100-byte values, in key order. */
    private static List<BatchOperation.Put> numbered(int from, int count) {
        List<BatchOperation.Put> puts = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            puts.add(BatchOperation.put(String.format("k-%05d", i), String.format("%-100s", "value " + i)));
        }
        return puts;
    }

    /** Sends {@link #numbered} records to {@code topic}; returns the entries they must become. */
    private List<Entry> produceNumbered(String topic, int count) {
        List<BatchOperation.Put> puts = numbered(0, count);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            puts.forEach(p -> producer.send(new ProducerRecord<>(topic, p.key(), p.value())));
        }
        return puts.stream().map(p -> new Entry(p.key(), p.value())).sorted((a, b) -> Bytes.compare(a.getKey(), b.getKey()))
                .collect(Collectors.toList());
    }
}
