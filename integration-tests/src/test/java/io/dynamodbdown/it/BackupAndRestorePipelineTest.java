package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Pipeline 2: a database shaped by overwrites and deletes (a change-log topic with tombstones through the
 * sink, then direct deletes and overwrites) is backed up to a topic by the source and restored into a fresh
 * table by the sink: the restored state equals the original. Replaying the change log into another fresh
 * table gives the state the change log describes (tombstones honoured).
 */
class BackupAndRestorePipelineTest extends PipelineTestSupport {

    @Test
    void restoredDatabaseEqualsTheOriginalAndTheReplayedChangeLogHonoursTombstones() throws Exception {
        String original = dynamo.newTable("p2-original");
        String replayed = dynamo.newTable("p2-replayed");
        String restored = dynamo.newTable("p2-restored");
        String changeLog = "p2-changelog";
        kafka.createTopic(changeLog, 3);

        // 6,000 changes over 1,500 keys: overwrites, and a tombstone every 5th change.
        Map<String, String> afterChangeLog = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 6_000; i++) {
                String key = String.format("order-%05d", (i * 7919) % 1_500);
                String value = i % 5 == 4 ? null : "{\"order\":\"" + key + "\",\"revision\":" + i + "}";
                producer.send(new ProducerRecord<>(changeLog, bytes(key), value == null ? null : bytes(value)));
                if (value == null) {
                    afterChangeLog.remove(key);
                } else {
                    afterChangeLog.put(key, value);
                }
            }
        }
        Map<String, String> sinkConfig = sink(changeLog, original, "orders");
        sinkConfig.put("tasks.max", "3");
        connect.putConnector("p2-original", sinkConfig);
        connect.putConnector("p2-replay", sink(changeLog, replayed, "orders"));
        awaitUntil(() -> text(dynamo.entries(original + "$orders")).equals(afterChangeLog), "the change log in the original");
        awaitUntil(() -> text(dynamo.entries(replayed + "$orders")).equals(afterChangeLog), "the change log replayed");
        connect.deleteConnector("p2-original");
        connect.deleteConnector("p2-replay");
        assertTrue(afterChangeLog.size() < 1_500, "some keys ended deleted: " + afterChangeLog.size());

        // Changes made directly, after the change log.
        try (Database db = DynamoDbDown.open(dynamo.client(), original + "$orders")) {
            List<BatchOperation> direct = new ArrayList<>();
            afterChangeLog.keySet().stream().limit(100).forEach(key -> direct.add(BatchOperation.del(key)));
            direct.add(BatchOperation.put("order-99999", ""));
            direct.add(BatchOperation.put(new byte[] {0, (byte) 0xff}, new byte[] {1, 2, 3}));
            db.batch(direct);
        }
        List<Entry> originalState = dynamo.entries(original + "$orders");

        Map<String, String> backup = source(original, "orders", "p2-backup");
        backup.put("mode", "snapshot");
        connect.putConnector("p2-backup", backup);
        assertEquals(originalState.size(), kafka.consume("p2-backup", originalState.size(), TIMEOUT).size(), "records in the backup topic");
        connect.putConnector("p2-restore", sink("p2-backup", restored, "orders"));
        awaitUntil(() -> dynamo.count(restored + "$orders") >= originalState.size(), "the restore");
        assertSameEntries(originalState, dynamo.entries(restored + "$orders"), "the restored database");
        connect.deleteConnector("p2-backup");
        connect.deleteConnector("p2-restore");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> text(List<Entry> entries) {
        Map<String, String> map = new TreeMap<>();
        entries.forEach(e -> map.put(new String(e.getKey(), StandardCharsets.UTF_8), new String(e.getValue(), StandardCharsets.UTF_8)));
        return map;
    }
}
