package io.dynamodbdown.kafka.connect;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Max;

/**
 * The sink task's counters, published through the worker's plugin metrics (JMX and reporters) when the
 * worker offers them (Kafka 4.1 and later), and readable directly by tests.
 */
final class SinkMetrics {

    final AtomicLong recordsWritten = new AtomicLong();
    final AtomicLong recordsDeleted = new AtomicLong();
    final AtomicLong recordsRetried = new AtomicLong();
    final AtomicLong recordsFailed = new AtomicLong();
    final AtomicLong batchesWritten = new AtomicLong();
    final AtomicLong requestsThrottled = new AtomicLong();
    private Sensor writeLatency;

    void register(PluginMetrics metrics) {
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        gauge(metrics, tags, "records-written-total", "Put operations written to DynamoDB", recordsWritten);
        gauge(metrics, tags, "records-deleted-total", "Delete operations (tombstones) written to DynamoDB", recordsDeleted);
        gauge(metrics, tags, "records-retried-total", "Operations in writes that had to be redelivered", recordsRetried);
        gauge(metrics, tags, "records-failed-total", "Bad records reported to the DLQ", recordsFailed);
        gauge(metrics, tags, "batches-written-total", "Batches written to DynamoDB", batchesWritten);
        gauge(metrics, tags, "requests-throttled-total", "Requests DynamoDB turned away for throughput, whole or in part"
                + " (throttled attempts, items handed back): the task slows to what DynamoDB accepts", requestsThrottled);
        writeLatency = metrics.addSensor("write-latency");
        writeLatency.add(metrics.metricName("write-latency-avg", "Average time to write one batch (ms)", tags), new Avg());
        writeLatency.add(metrics.metricName("write-latency-max", "Longest time to write one batch (ms)", tags), new Max());
    }

    private static void gauge(PluginMetrics metrics, LinkedHashMap<String, String> tags, String name, String description,
            AtomicLong value) {
        metrics.addMetric(metrics.metricName(name, description, tags), (Measurable) (config, now) -> value.get());
    }

    void batchWritten(long millis) {
        batchesWritten.incrementAndGet();
        if (writeLatency != null) {
            writeLatency.record(millis);
        }
    }
}
