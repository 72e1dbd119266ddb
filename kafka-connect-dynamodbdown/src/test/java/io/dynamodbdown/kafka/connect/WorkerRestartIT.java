package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;

/**
 * Source offsets survive a restart of the worker process: each restart is a new JVM (a new hash salt), as in a
 * rolling restart, in the middle of a snapshot and while tailing a growing database. The offsets topic then
 * holds one key per source partition, and the source resumes from its offset: what it sends again is bounded by
 * a poll (snapshot) or what the tail had sent beyond its committed offset, never the whole range; and after a quiet
 * spell, when heartbeats have carried the tail's settled key into its offset, by what came within the settle window.
 */
class WorkerRestartIT {

    private static final int SNAPSHOT_ENTRIES = 40_000;
    private static final int ROWS_PER_POLL = 50;
    private static final long TIMEOUT_MS = TimeUnit.MINUTES.toMillis(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void offsetsAreFoundAgainAfterTheWorkerProcessRestarts() throws Exception {
        WorkerProcess.archiveDirectory();
        DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
        String table = DynamoDbLocal.uniqueTableName("restart-it");
        Database snapshot = DynamoDbDown.open(dynamo.client(), table + "$snap");
        Database tail = DynamoDbDown.open(dynamo.client(), table + "$tail");
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < SNAPSHOT_ENTRIES; i++) {
            puts.add(BatchOperation.put(String.format("s%06d", i), "v" + i));
        }
        snapshot.batch(puts);

        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger appended = new AtomicInteger();
        Thread appender = new Thread(() -> { // a growing database: 25 keys every 50 ms while the worker restarts
            while (writing.get()) {
                List<BatchOperation> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    batch.add(BatchOperation.put(String.format("t%06d", appended.getAndIncrement()), "v"));
                }
                tail.batch(batch);
                try {
                    Thread.sleep(50); // paces the writer; nothing waits on it
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tail-appender");
        Path work = Files.createTempDirectory("restart-it");
        try (WorkerProcess worker = WorkerProcess.distributed(work, kafka.bootstrapServers(), "restart-it")) {
            kafka.createTopic("snap-out", 1);
            kafka.createTopic("tail-out", 1);
            kafka.createTopic("dynamodbdown-heartbeats", 1); // the sources' heartbeat topic, as a user creates it
            worker.start();
            Map<String, String> aws = Map.of("table", table, "aws.endpoint", dynamo.endpoint().toString(),
                    "aws.region", "us-east-1", "aws.access.key.id", DynamoDbLocal.ACCESS_KEY,
                    "aws.secret.access.key", DynamoDbLocal.SECRET_KEY,
                    "connector.class", DynamoDbDownSourceConnector.class.getName(), "poll.interval.ms", "100");
            worker.putConnector("snap", with(aws, "topic", "snap-out", "hash.key", "snap", "mode", "snapshot",
                    "batch.max.rows", String.valueOf(ROWS_PER_POLL)));
            appender.start();
            worker.putConnector("tail", with(aws, "topic", "tail-out", "hash.key", "tail", "tail.settle.ms", "1000",
                    "heartbeat.interval.ms", "500"));

            int expectedResent = 0;
            for (int restart = 1; restart <= 2; restart++) {
                int before = restart * SNAPSHOT_ENTRIES / 5;
                await("the snapshot under way").atMost(Duration.ofMillis(TIMEOUT_MS))
                        .until(() -> kafka.consumeAll(TIMEOUT_MS, "snap-out").count() >= before);
                worker.stop();
                // the worker is down: what the tail sent and the offset it committed last are final
                String committed = lastCommittedKey(kafka, "restart-it-offsets", "tail");
                Set<String> sentBeyond = distinctKeys(kafka, "tail-out");
                sentBeyond.removeIf(key -> key.compareTo(committed) <= 0);
                expectedResent += sentBeyond.size();
                worker.start();
            }
            await("the whole snapshot (worker log: " + worker.log() + ")").atMost(Duration.ofMillis(TIMEOUT_MS))
                    .until(() -> distinctKeys(kafka, "snap-out").size() == SNAPSHOT_ENTRIES);
            writing.set(false);
            appender.join();
            await("every appended key").atMost(Duration.ofMillis(TIMEOUT_MS))
                    .until(() -> distinctKeys(kafka, "tail-out").size() == appended.get());

            int snapshotRecords = kafka.consumeAll(TIMEOUT_MS, "snap-out").count();
            int tailRecords = kafka.consumeAll(TIMEOUT_MS, "tail-out").count();
            System.out.printf("two worker restarts: snapshot sent %,d records for %,d keys, tail %,d for %,d%n",
                    snapshotRecords, SNAPSHOT_ENTRIES, tailRecords, appended.get());
            assertTrue(snapshotRecords - SNAPSHOT_ENTRIES <= 2 * 2 * ROWS_PER_POLL,
                    "each restart re-sends at most about a poll of the snapshot, not the range: " + snapshotRecords);
            // each restart resumes right after the offset committed last, so it re-sends exactly what it had sent
            // beyond that offset (the unsettled tail), never the range; how far that is depends on the machine
            System.out.printf("tail: %,d records sent again, %,d of them sent beyond the committed offsets%n",
                    tailRecords - appended.get(), expectedResent);
            assertTrue(tailRecords - appended.get() <= expectedResent,
                    "each restart re-sends at most what lay beyond its committed offset: "
                            + (tailRecords - appended.get()) + " > " + expectedResent);

            // Issue #24, 3: after a quiet spell the heartbeats carried the settled key to the last key, so restarts
            // re-send only what came within the settle window before them: here nothing
            String lastKey = String.format("t%06d", appended.get() - 1);
            await("the tail's stored offset at its last key, carried by heartbeats").atMost(Duration.ofMillis(TIMEOUT_MS))
                    .until(() -> lastCommittedKey(kafka, "restart-it-offsets", "tail").equals(lastKey));
            int beforeQuietRestarts = kafka.consumeAll(TIMEOUT_MS, "tail-out").count();
            for (int restart = 1; restart <= 3; restart++) {
                worker.stop();
                worker.start();
            }
            tail.put("u000000", "after three restarts");
            await("the key written after the restarts").atMost(Duration.ofMillis(TIMEOUT_MS))
                    .until(() -> distinctKeys(kafka, "tail-out").contains("u000000"));
            int resentAfterQuiet = kafka.consumeAll(TIMEOUT_MS, "tail-out").count() - beforeQuietRestarts - 1;
            System.out.printf("tail: %,d records sent again by three restarts after a quiet spell%n", resentAfterQuiet);
            assertEquals(0, resentAfterQuiet, "nothing was written within the settle window before the restarts");
            assertOneStorageKeyPerPartition(kafka, "restart-it-offsets");
        } finally {
            writing.set(false);
            appender.join();
            kafka.stop();
            snapshot.dropTable();
            tail.close();
        }
    }

    /** Every source partition in the offsets topic is stored under one key: the same bytes before and after restarts. */
    private static void assertOneStorageKeyPerPartition(EmbeddedKafkaCluster kafka, String offsetsTopic) throws Exception {
        Map<String, Set<String>> storageKeysByPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(TIMEOUT_MS, offsetsTopic)) {
            String storageKey = new String(record.key(), StandardCharsets.UTF_8);
            JsonNode partition = JSON.readTree(storageKey).get(1);
            Map<String, String> fields = new TreeMap<>(); // the partition whatever the order of its fields
            partition.fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
            storageKeysByPartition.computeIfAbsent(fields.toString(), k -> new HashSet<>()).add(storageKey);
        }
        assertEquals(2, storageKeysByPartition.size(), storageKeysByPartition.toString());
        storageKeysByPartition.forEach((partition, keys) ->
                assertEquals(1, keys.size(), "offsets of " + partition + " stored under one key, not " + keys));
    }

    /**
     * The key the connector's source offset (its one partition) named last in the offsets topic: the task resumes
     * after it. "" when there is none yet (nothing settled or committed before the stop): it resumes at the start.
     */
    private static String lastCommittedKey(EmbeddedKafkaCluster kafka, String offsetsTopic, String connector)
            throws Exception {
        String key = "";
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(TIMEOUT_MS, offsetsTopic)) {
            JsonNode storageKey = JSON.readTree(record.key());
            if (connector.equals(storageKey.get(0).asText()) && record.value() != null) {
                JsonNode offsetKey = JSON.readTree(record.value()).get("key");
                key = offsetKey.isNull() ? ""
                        : new String(Base64.getDecoder().decode(offsetKey.asText()), StandardCharsets.UTF_8);
            }
        }
        return key;
    }

    private static Set<String> distinctKeys(EmbeddedKafkaCluster kafka, String topic) throws Exception {
        Set<String> keys = new HashSet<>();
        kafka.consumeAll(TIMEOUT_MS, topic).forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys;
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> result = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            result.put(keyValues[i], keyValues[i + 1]);
        }
        return result;
    }
}
