package io.dynamodbdown.kafka.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** A task context for driving a sink task directly: records timeouts and reported bad records. */
final class StubSinkTaskContext implements SinkTaskContext {

    final List<SinkRecord> reported = new ArrayList<>();
    final List<Throwable> reasons = new ArrayList<>();
    long lastTimeoutMs = -1;
    private final boolean withReporter;
    private final Metrics metrics = new Metrics();

    StubSinkTaskContext(boolean withReporter) {
        this.withReporter = withReporter;
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!withReporter) {
            return null;
        }
        return (record, error) -> {
            reported.add(record);
            reasons.add(error);
            Future<Void> done = CompletableFuture.completedFuture(null);
            return done;
        };
    }

    /** Set: pluginMetrics() fails as on a worker older than Kafka 4.1, whose context has no such method. */
    boolean olderWorker;

    @Override
    public PluginMetrics pluginMetrics() {
        if (olderWorker) {
            throw new NoSuchMethodError("'org.apache.kafka.common.metrics.PluginMetrics"
                    + " org.apache.kafka.connect.sink.SinkTaskContext.pluginMetrics()'");
        }
        return new PluginMetricsImpl(metrics, Map.of("connector", "test"));
    }

    @Override
    public void timeout(long timeoutMs) {
        lastTimeoutMs = timeoutMs;
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }
}
