package io.dynamodbdown.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.junit.jupiter.api.Test;

class SourcePartitionsTest {

    private static Map<String, String> props(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("topic", "t", "table", "my-table"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    @Test
    void splitPointsCutEachDatabasesRangeIntoAdjacentPieces() {
        List<RangePartition> partitions = new DynamoDbDownSourceConfig(
                props("hash.key", "a,b", "key.gte", "c", "key.lte", "x", "key.range.splits", "p,h")).partitions();
        assertEquals(6, partitions.size());
        List<String> ids = new ArrayList<>();
        partitions.subList(0, 3).forEach(p -> ids.add(p.rangeId()));
        assertEquals(List.of("gte:Yw==..lt:aA==", "gte:aA==..lt:cA==", "gte:cA==..lte:eA=="), ids, "c..h, h..p, p..x");
        assertEquals("b", partitions.get(3).hashKey());
        KeyRange first = partitions.get(0).range();
        assertTrue(first.contains(Bytes.utf8("c")) && first.contains(Bytes.utf8("gz")) && !first.contains(Bytes.utf8("h")));
    }

    @Test
    void partitionsSurviveTheirTextForm() {
        List<RangePartition> partitions = new DynamoDbDownSourceConfig(
                props("hash.key", "x$y,z", "key.encoding", "hex", "key.gt", "00ff", "key.range.splits", "10")).partitions();
        List<RangePartition> decoded = RangePartition.decode(RangePartition.encode(partitions));
        assertEquals(partitions, decoded);
        assertEquals(partitions.get(0).range(), KeyRange.ofBoundsId(partitions.get(0).rangeId()));
    }

    @Test
    void taskConfigsDealPartitionsToAtMostMaxTasks() {
        DynamoDbDownSourceConnector connector = new DynamoDbDownSourceConnector();
        connector.start(props("hash.key", "a,b,c", "key.range.splits", "m"));
        List<Map<String, String>> three = connector.taskConfigs(3);
        assertEquals(3, three.size());
        assertEquals(2, RangePartition.decode(three.get(0).get(DynamoDbDownSourceTask.TASK_PARTITIONS)).size());
        assertEquals(6, connector.taskConfigs(10).size(), "no task without a partition");
        assertEquals(6, RangePartition.decode(connector.taskConfigs(1).get(0).get(DynamoDbDownSourceTask.TASK_PARTITIONS)).size());
    }

    @Test
    void exactlyOnceOnlyWhereTheOffsetIsTheLastKey() {
        DynamoDbDownSourceConnector connector = new DynamoDbDownSourceConnector();
        assertEquals(org.apache.kafka.connect.source.ExactlyOnceSupport.SUPPORTED,
                connector.exactlyOnceSupport(props("mode", "snapshot")));
        assertEquals(org.apache.kafka.connect.source.ExactlyOnceSupport.UNSUPPORTED, connector.exactlyOnceSupport(props()));
    }

    @Test
    void theSourcePartitionSerializesToTheSameBytesInEveryJvm() {
        RangePartition partition = new RangePartition("orders", KeyRange.all().gte("a"));
        String stored = InMemoryOffsets.storageKey(partition.sourcePartition("my-table"));
        assertEquals("[\"backup\",{\"range\":\"gte:YQ==..\",\"hash.key\":\"orders\",\"table\":\"my-table\"}]", stored,
                "fields in one fixed order, whatever the JVM's hash salt");
        // how the worker normalizes partitions given over REST (alter or reset offsets): a JSON round trip
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
        Object readBack = converter.toConnectData("", stored.getBytes(StandardCharsets.UTF_8)).value();
        assertEquals(stored, InMemoryOffsets.json(readBack, true), "the same bytes after the round trip: REST changes land");
        assertEquals("{\"key\":\"YQ==\"}", InMemoryOffsets.json(new RangeOffset(Bytes.utf8("a")).toMap(), false));
    }

    @Test
    void anOffsetStoredUnderAnEarlierFieldOrderIsFoundAndTheCurrentOrderWins() {
        RangePartition partition = new RangePartition("orders", KeyRange.all());
        InMemoryOffsets stored = new InMemoryOffsets();
        assertNull(partition.storedOffset(stored, "my-table").key());

        Map<String, String> earlierJvm = new LinkedHashMap<>(); // how Map.of happened to order it in another JVM
        earlierJvm.put("table", "my-table");
        earlierJvm.put("hash.key", "orders");
        earlierJvm.put("range", "..");
        stored.store(earlierJvm, Map.of("key", KeyEncoding.BASE64.encode(Bytes.utf8("k5"))));
        Map<String, String> anotherJvm = new LinkedHashMap<>();
        anotherJvm.put("hash.key", "orders");
        anotherJvm.put("table", "my-table");
        anotherJvm.put("range", "..");
        stored.store(anotherJvm, Map.of("key", KeyEncoding.BASE64.encode(Bytes.utf8("k7"))));
        assertEquals("k7", new String(partition.storedOffset(stored, "my-table").key()), "the furthest of the earlier orders");

        stored.store(partition.sourcePartition("my-table"), Map.of("key", KeyEncoding.BASE64.encode(Bytes.utf8("k2"))));
        assertEquals("k2", new String(partition.storedOffset(stored, "my-table").key()),
                "once stored in the fixed order, that offset is the truth (a reset to k2 holds)");
    }

    @Test
    void changesModePartitionsComeInTheOrderTheWorkerReadsThemBack() {
        for (Map<String, String> partition : List.of(ChangesEpoch.partition("my-table"),
                ShardOffset.partition("my-table", "shardId-1"), new RangePartition("a", KeyRange.all()).changesPartition("my-table"),
                new SnapshotPiece(null, 1, 4).partition(new DynamoDbDownSourceConfig(props("hash.key", "*", "mode", "changes"))))) {
            assertEquals(List.copyOf(new HashMap<>(partition).keySet()), List.copyOf(partition.keySet()),
                    "a JSON round trip keeps " + partition + " as it is, so the offset is found under the same bytes");
        }
    }

    @Test
    void alterOffsetsAcceptsOwnPartitionsAndNamesWhatIsWrong() {
        DynamoDbDownSourceConnector connector = new DynamoDbDownSourceConnector();
        Map<String, String> config = props("hash.key", "a");
        Map<String, String> partition = new RangePartition("a", KeyRange.all()).sourcePartition("my-table");
        assertTrue(connector.alterOffsets(config, Map.of(partition, Map.of("key", "YQ=="))));
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertTrue(connector.alterOffsets(config, reset));
        ConnectException unknown = assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(Map.of("table", "other", "hash.key", "a", "range", ".."), Map.of("key", "YQ=="))));
        assertTrue(unknown.getMessage().contains("Unknown source partition"));
        ConnectException badKey = assertThrows(ConnectException.class,
                () -> connector.alterOffsets(config, Map.of(partition, Map.of("key", "***"))));
        assertTrue(badKey.getMessage().contains("not base64"));
        Map<String, String> reordered = new LinkedHashMap<>(); // any order: the worker normalizes it
        reordered.put("table", "my-table");
        reordered.put("range", "..");
        reordered.put("hash.key", "a");
        assertTrue(connector.alterOffsets(config, Map.of(reordered, Map.of("key", "YQ=="))));
    }

    @Test
    void alterOffsetsInChangesModeResetsAllOrSetsTheEpochsSince() {
        DynamoDbDownSourceConnector connector = new DynamoDbDownSourceConnector();
        Map<String, String> config = props("hash.key", "a", "mode", "changes");
        Map<String, String> epoch = ChangesEpoch.partition("my-table");
        String anHourAgo = Long.toString(Instant.now().minus(Duration.ofHours(1)).toEpochMilli());
        assertTrue(connector.alterOffsets(config, Map.of(epoch, Map.of("since", anHourAgo))),
                "a new snapshot, whose changes are read from a past moment");
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(epoch, null);
        reset.put(new RangePartition("a", KeyRange.all()).changesPartition("my-table"), null);
        reset.put(ShardOffset.partition("my-table", "shardId-1"), null);
        reset.put(new RangePartition("a", KeyRange.all()).sourcePartition("my-table"), null);
        assertTrue(connector.alterOffsets(config, reset), "a reset may name any partition, of an earlier mode too");

        Map<String, String> piece = new RangePartition("a", KeyRange.all()).changesPartition("my-table");
        assertTrue(assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(piece, Map.of("since", anHourAgo)))).getMessage().contains("the tasks keep their own offsets"));
        assertTrue(assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(epoch, Map.of("key", "YQ==")))).getMessage().contains("must be {\"since\""));
        assertTrue(assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(epoch, Map.of("since", "yesterday")))).getMessage().contains("not epoch milliseconds"));
        String microseconds = Long.toString(Instant.now().toEpochMilli() * 1000);
        assertTrue(assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(epoch, Map.of("since", microseconds)))).getMessage().contains("more than 24 hours from now"));
        String twoDaysAgo = Long.toString(Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
        assertTrue(assertThrows(ConnectException.class, () -> connector.alterOffsets(config,
                Map.of(epoch, Map.of("since", twoDaysAgo)))).getMessage().contains("more than 24 hours from now"));
    }
}
