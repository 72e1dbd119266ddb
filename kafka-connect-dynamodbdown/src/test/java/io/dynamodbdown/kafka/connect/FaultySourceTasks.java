package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/** Source tasks run outside a worker, on DynamoDB Local, whose DynamoDB and Streams requests go through a fault injector. */
final class FaultySourceTasks {

    private FaultySourceTasks() {
    }

    /**
     * A started task reading all of database {@code hashKey} with {@code props} (table, topic, mode and the like),
     * the AWS settings of {@code dynamo} added, its requests through {@code http}, its offsets from {@code offsets}.
     */
    static DynamoDbDownSourceTask start(DynamoDbLocal dynamo, FaultInjectingHttpClient http, String hashKey,
            Map<String, String> props, OffsetStorageReader offsets) {
        Map<String, String> all = new HashMap<>(props);
        all.putAll(Map.of("hash.key", hashKey, "aws.endpoint", dynamo.endpoint().toString(), "aws.region", "us-east-1",
                "aws.access.key.id", DynamoDbLocal.ACCESS_KEY, "aws.secret.access.key", DynamoDbLocal.SECRET_KEY));
        all.put(DynamoDbDownSourceTask.TASK_PARTITIONS, RangePartition.encode(List.of(new RangePartition(hashKey, KeyRange.all()))));
        DynamoDbDownSourceTask task = new DynamoDbDownSourceTask(config -> config.clientSettings().clientBuilder().httpClient(http).build(),
                config -> config.clientSettings().streamsClientBuilder().httpClient(http).build());
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
        return task;
    }
}
