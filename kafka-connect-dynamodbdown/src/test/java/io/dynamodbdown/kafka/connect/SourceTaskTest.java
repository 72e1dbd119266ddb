package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The source task driven directly while its Query requests fail, past the client's retries, in the middle of a
 * multi-page poll and right where a poll ends on a page boundary: every key is sent, and the offset of every
 * record, were it the last one committed, never passes a key not sent by then.
 */
class SourceTaskTest {

    private static final int ENTRIES = 60;
    /** 100 KB values: DynamoDB's 1 MB pages hold 10 of them, so a poll of 25 spans three pages. */
    private static final int VALUE_BYTES = 100 * 1024;

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final String table = DynamoDbLocal.uniqueTableName("source-task");
    private final FaultInjectingHttpClient http = new FaultInjectingHttpClient();
    private final List<String> keys = new ArrayList<>();
    private DynamoDbDownSourceTask task;

    @BeforeEach
    void fill() {
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$log")) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < ENTRIES; i++) {
                String key = String.format("k%03d", i);
                keys.add(key);
                puts.add(BatchOperation.put(Bytes.utf8(key), new byte[VALUE_BYTES]));
            }
            db.batch(puts);
        }
    }

    @AfterEach
    void stop() {
        if (task != null) {
            task.stop();
        }
        http.close();
        dynamo.client().deleteTable(b -> b.tableName(table));
    }

    private void start(String mode) {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", "out",
                "mode", mode, "batch.max.rows", "25", "poll.interval.ms", "10", "tail.settle.ms", "0",
                "max.retries", "1", "retry.backoff.ms", "1", "retry.backoff.max.ms", "5"));
        task = FaultySourceTasks.start(dynamo, http, "log", props, new InMemoryOffsets());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tail", "snapshot"})
    void queriesFailingMidPollAndOnAPageBoundaryLoseNoKeyAndNoOffsetPassesAnUnsentOne(String mode) throws Exception {
        start(mode);
        List<SourceRecord> sent = new ArrayList<>();
        int failedPolls = 0;
        // each Query gets two attempts (max.retries=1); the faults outlast them
        List<Runnable> faults = List.of(
                () -> http.fail("Query", Fault.SERVER_ERROR, 1, 2),   // after the poll's first page
                () -> http.fail("Query", Fault.SERVER_ERROR, 0, 2),   // before anything is read
                () -> http.fail("Query", Fault.SERVER_ERROR, 2, 2),   // a third page: a poll of 25 ends inside it
                () -> http.fail("Query", Fault.CONNECTION_REFUSED, 1, 2));
        for (int poll = 0; poll < 40 && distinctKeys(sent).size() < ENTRIES; poll++) {
            if (poll < faults.size()) {
                faults.get(poll).run();
            } else {
                http.heal();
            }
            try {
                List<SourceRecord> records = task.poll();
                if (records != null) {
                    sent.addAll(records);
                }
            } catch (RetriableException e) {
                failedPolls++;
            }
            assertNoOffsetPassesAnUnsentKey(sent);
        }
        assertEquals(new TreeSet<>(keys), distinctKeys(sent), "every key sent at least once");
        assertTrue(failedPolls >= 1 && http.injected() >= 8, "the faults happened: " + http.injected() + " requests failed");
        if (mode.equals("snapshot")) {
            assertEquals(ENTRIES, sent.size(), "a snapshot sends each key once, whatever failed");
        }
    }

    /**
     * Issue #24, 3: in tail mode every record's offset is the settled key, which trails the newest key sent (keys of
     * the same writes may still appear behind it). Before, the stored offset stayed where the last record left it: a
     * restart after a quiet spell re-sent everything those records had not settled (32,000 of 20,000 records over three
     * restarts). Now, once nothing new comes and the keys settle, a heartbeat carries the settled key.
     */
    @Test
    void afterAQuietSpellTheStoredTailPositionIsTheLastKeySoARestartSendsNothingAgain() throws Exception {
        Map<String, String> props = new HashMap<>(Map.of("table", table, "topic", "out", "mode", "tail",
                "batch.max.rows", "25", "poll.interval.ms", "10", "tail.settle.ms", "200", "heartbeat.interval.ms", "50"));
        task = FaultySourceTasks.start(dynamo, http, "log", props, new InMemoryOffsets());
        List<SourceRecord> sent = new ArrayList<>();
        await("every key, then a heartbeat at the last key").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO)
                .until(() -> {
                    sent.addAll(FaultySourceTasks.pollAndCommit(task));
                    SourceRecord last = sent.isEmpty() ? null : sent.get(sent.size() - 1);
                    return last != null && last.topic().equals("dynamodbdown-heartbeats")
                            && "k059".equals(keyOf(last.sourceOffset()));
                });
        List<SourceRecord> entries = sent.stream().filter(r -> r.topic().equals("out")).toList();
        assertEquals(new TreeSet<>(keys), distinctKeys(entries));
        String lastRecordsOffset = keyOf(entries.get(entries.size() - 1).sourceOffset());
        assertTrue(lastRecordsOffset == null || lastRecordsOffset.compareTo("k059") < 0,
                "the last entry's own offset had not settled it: " + lastRecordsOffset);
        SourceRecord heartbeat = sent.get(sent.size() - 1);
        assertEquals("log", new String((byte[]) heartbeat.key()));

        InMemoryOffsets stored = new InMemoryOffsets();
        stored.store(heartbeat.sourcePartition(), heartbeat.sourceOffset());
        task.stop();
        task = FaultySourceTasks.start(dynamo, http, "log", props, stored);
        List<SourceRecord> again = new ArrayList<>();
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$log")) {
            for (int poll = 0; poll < 5; poll++) {
                again.addAll(FaultySourceTasks.pollAndCommit(task));
            }
            db.put("k060", "new");
            await("the new key").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                again.addAll(FaultySourceTasks.pollAndCommit(task));
                return distinctKeys(again.stream().filter(r -> r.topic().equals("out")).toList()).contains("k060");
            });
        }
        assertEquals(List.of("k060"), again.stream().filter(r -> r.topic().equals("out"))
                .map(r -> new String((byte[]) r.key())).toList(), "nothing sent again, only what came after");
    }

    private static String keyOf(Map<String, ?> offset) {
        byte[] key = RangeOffset.of(offset).key();
        return key == null ? null : new String(key);
    }

    /** Were any record the last committed one, a restart from its offset would still send every key not sent by then. */
    private void assertNoOffsetPassesAnUnsentKey(List<SourceRecord> sent) {
        TreeSet<String> sentSoFar = new TreeSet<>();
        for (SourceRecord record : sent) {
            sentSoFar.add(new String((byte[]) record.key()));
            byte[] offset = RangeOffset.of(record.sourceOffset()).key();
            if (offset == null) {
                continue;
            }
            String resumeAfter = new String(offset);
            for (String key : keys.subList(0, keys.indexOf(resumeAfter) + 1)) {
                assertTrue(sentSoFar.contains(key), "the offset " + resumeAfter + " of record " + record.key()
                        + " passes " + key + ", not sent by then");
            }
        }
    }

    private static TreeSet<String> distinctKeys(List<SourceRecord> records) {
        TreeSet<String> distinct = new TreeSet<>();
        records.forEach(r -> distinct.add(new String((byte[]) r.key())));
        return distinct;
    }
}
