package io.dynamodbdown.kafka.connect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The source task's counters, published through the worker's plugin metrics (JMX and reporters) when the
 * worker offers them (Kafka 4.1 and later), and readable directly by tests.
 *
 * <p>The lag is only what the task can honestly know: in changes mode every change carries the time DynamoDB
 * recorded it (to the second), so the age of the newest change a read returned says how far behind the table
 * the task was at that read. Keys carry no time, so snapshot and tail modes (and a database still in its
 * snapshot) report no lag: NaN, as Kafka's own metrics do for a value they do not have.
 */
final class SourceMetrics {

    final AtomicLong recordsPolled = new AtomicLong();
    final AtomicLong heartbeatsSent = new AtomicLong();
    final AtomicLong requestsThrottled = new AtomicLong();
    /** Per database following its change stream: the age of the newest change its last read with changes returned. */
    private final Map<String, Long> changeLagMs = new ConcurrentHashMap<>();

    void register(PluginMetrics metrics) {
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        metrics.addMetric(metrics.metricName("records-polled-total",
                "Records (entries, changes and tombstones) the task handed to the worker; heartbeats not included", tags),
                (Measurable) (config, now) -> recordsPolled.get());
        metrics.addMetric(metrics.metricName("heartbeats-sent-total",
                "Heartbeat records of changes mode (the stream position of a database without changes of its own)", tags),
                (Measurable) (config, now) -> heartbeatsSent.get());
        metrics.addMetric(metrics.metricName("requests-throttled-total", "Requests DynamoDB or DynamoDB Streams turned away"
                + " for throughput (throttled attempts, keys handed back): the task slows to what they accept", tags),
                (Measurable) (config, now) -> requestsThrottled.get());
        metrics.addMetric(metrics.metricName("change-lag-ms",
                "Changes mode: how long before the task read it DynamoDB recorded the newest change of that read (ms, to"
                        + " the second), for the database furthest behind; NaN while no database follows its stream"
                        + " (snapshot and tail modes, a snapshot in progress)", tags),
                (Measurable) (config, now) -> changeLagMs());
    }

    /** A read of {@code hashKey}'s change stream at {@code readAtMs} returned changes, the newest recorded at {@code newestMs}. */
    void changesRead(String hashKey, long newestMs, long readAtMs) {
        changeLagMs.put(hashKey, Math.max(0, readAtMs - newestMs));
    }

    /** {@code hashKey} is (again) in a snapshot: its lag is not known. */
    void lagUnknown(String hashKey) {
        changeLagMs.remove(hashKey);
    }

    /** The largest lag of the databases that have one, or NaN. */
    double changeLagMs() {
        OptionalLong max = changeLagMs.values().stream().mapToLong(Long::longValue).max();
        return max.isPresent() ? max.getAsLong() : Double.NaN;
    }
}
