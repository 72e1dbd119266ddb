package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/** Source tasks run outside a worker, on DynamoDB Local, whose DynamoDB and Streams requests go through a fault injector. */
final class FaultySourceTasks {

    /** Each started task's offsets, where {@link #pollAndCommit} stores what the worker would commit. */
    private static final Map<DynamoDbDownSourceTask, OffsetStorageReader> OFFSETS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private FaultySourceTasks() {
    }

    /**
     * A started task reading all of database {@code hashKey} (or several, comma-separated) with {@code props} (table, topic, mode and the like),
     * the AWS settings of {@code dynamo} added, its requests through {@code http}, its offsets from {@code offsets}.
     */
    static DynamoDbDownSourceTask start(DynamoDbLocal dynamo, FaultInjectingHttpClient http, String hashKey,
            Map<String, String> props, OffsetStorageReader offsets) {
        return start(dynamo, http, hashKey, props, offsets, Clock.systemUTC());
    }

    /** The same, the task's clock set to {@code clock} (a restart some minutes later). */
    static DynamoDbDownSourceTask start(DynamoDbLocal dynamo, FaultInjectingHttpClient http, String hashKey,
            Map<String, String> props, OffsetStorageReader offsets, Clock clock) {
        return start(dynamo, http, null, hashKey, props, offsets, clock);
    }

    /** The same, its DynamoDB Streams requests to {@code streamsEndpoint} (a {@code StreamSimulator}'s; null: DynamoDB Local's). */
    static DynamoDbDownSourceTask start(DynamoDbLocal dynamo, FaultInjectingHttpClient http, URI streamsEndpoint,
            String hashKey, Map<String, String> props, OffsetStorageReader offsets, Clock clock) {
        Map<String, String> all = new HashMap<>(props);
        all.putAll(Map.of("hash.key", hashKey, "aws.endpoint", dynamo.endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        all.put(DynamoDbDownSourceTask.TASK_PARTITIONS, RangePartition.encode(Arrays.stream(hashKey.split(","))
                .map(database -> new RangePartition(database, KeyRange.all())).toList()));
        all.putIfAbsent(DynamoDbDownSourceTask.TASK_INDEX, "0");
        all.putIfAbsent(DynamoDbDownSourceTask.TASK_COUNT, "1");
        DynamoDbDownSourceTask task = new DynamoDbDownSourceTask(config -> DynamoDbClients.builder(config.clientSettings()).httpClient(http).build(),
                config -> DynamoDbClients.streamsBuilder(streamsEndpoint == null ? config.clientSettings()
                        : config.clientSettings().withEndpoint(streamsEndpoint.toString())).httpClient(http).build(),
                clock);
        task.initialize(new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return all;
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return offsets;
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return new PluginMetricsImpl(new Metrics(), Map.of());
            }
        });
        task.start(all);
        track(task, offsets);
        return task;
    }

    /**
     * Offsets as a changes-mode source of database {@code hashKey} leaves them once it follows a stream of
     * {@code table} that was turned off and on since (generation 5): its snapshot complete, in {@code partitions}
     * partitions of the topic.
     */
    static InMemoryOffsets inAStreamThatIsGone(String table, String hashKey, int partitions) {
        InMemoryOffsets offsets = new InMemoryOffsets();
        Instant since = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        String gone = "arn:aws:dynamodb:ddblocal:000000000000:table/" + table + "/stream/2026-01-01T00:00:00.000";
        offsets.store(ChangesEpoch.partition(table), new ChangesEpoch(since, 5, hashKey + "|" + KeyRange.all().boundsId(),
                gone, 0, 0).toMap());
        offsets.store(new RangePartition(hashKey, KeyRange.all()).changesPartition(table),
                new PieceOffset(null, since, 5, partitions, true).toMap());
        return offsets;
    }

    /** {@link #pollAndCommit} stores the task's committed offsets in {@code offsets} (when they are InMemoryOffsets). */
    static void track(DynamoDbDownSourceTask task, OffsetStorageReader offsets) {
        OFFSETS.put(task, offsets);
    }

    /**
     * One poll, driven as a worker drives it: every record written to Kafka (acknowledged; in the partition it
     * names, or else the one {@code partitionOf} gives its key), then the offsets committed: the last offset of each
     * source partition stored in the task's offsets, when they are {@link InMemoryOffsets}. Returns the records the
     * poll gave (possibly none).
     */
    static List<SourceRecord> pollAndCommit(DynamoDbDownSourceTask task, ToIntFunction<SourceRecord> partitionOf)
            throws InterruptedException {
        List<SourceRecord> records = task.poll();
        for (SourceRecord record : records == null ? List.<SourceRecord>of() : records) {
            int partition = record.kafkaPartition() != null ? record.kafkaPartition() : partitionOf.applyAsInt(record);
            task.commitRecord(record, new RecordMetadata(new TopicPartition(record.topic(), partition), 0, 0, 0, 0, 0));
            if (OFFSETS.get(task) instanceof InMemoryOffsets stored && record.sourceOffset() != null) {
                stored.store(record.sourcePartition(), record.sourceOffset());
            }
        }
        task.commit();
        return records == null ? List.of() : records;
    }

    /** {@link #pollAndCommit(DynamoDbDownSourceTask, ToIntFunction)} into a topic of one partition. */
    static List<SourceRecord> pollAndCommit(DynamoDbDownSourceTask task) throws InterruptedException {
        return pollAndCommit(task, record -> 0);
    }

    /** Whether a record is an entry or change of the topic (not a heartbeat, not a marker). */
    static boolean isData(SourceRecord record, String topic) {
        return record.topic().equals(topic) && !isSnapshotEnd(record);
    }

    static boolean isSnapshotEnd(SourceRecord record) {
        var change = record.headers().lastWithName(DynamoDbDownHeaders.CHANGE);
        return change != null && DynamoDbDownHeaders.SNAPSHOT_END.equals(change.value());
    }
}
