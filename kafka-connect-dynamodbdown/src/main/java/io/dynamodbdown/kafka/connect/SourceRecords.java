package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The records one database's reading sends: entries and changes to the topic, heartbeats (a position that moved
 * while nothing was sent) to the heartbeat topic, snapshot-end markers to a partition of the topic. Every record
 * names its database ({@link DynamoDbDownHeaders#HASH_KEY}); keys and values are bytes.
 */
final class SourceRecords {

    /** A marker's key: empty, which no entry's key is (keys are 1 to 1024 bytes), and not null (compacted topics). */
    private static final byte[] MARKER_KEY = new byte[0];

    private final Map<String, String> sourcePartition;
    private final String table;
    private final String hashKey;
    private final String topic;
    private final String heartbeatTopic;

    SourceRecords(Map<String, String> sourcePartition, String table, String hashKey, String topic, String heartbeatTopic) {
        this.sourcePartition = sourcePartition;
        this.table = table;
        this.hashKey = hashKey;
        this.topic = topic;
        this.heartbeatTopic = heartbeatTopic;
    }

    /** The records of {@code database} under {@code partition}, to the topic and heartbeat topic {@code config} names. */
    static SourceRecords of(DynamoDbDownSourceConfig config, Map<String, String> partition, String database) {
        return new SourceRecords(partition, config.table(), database, config.topicFor(database), config.heartbeatTopic());
    }

    String topic() {
        return topic;
    }

    Map<String, String> sourcePartition() {
        return sourcePartition;
    }

    /** An entry, in snapshot or tail mode. */
    SourceRecord entry(Map<String, ?> offset, byte[] key, byte[] value) {
        return new SourceRecord(sourcePartition, offset, topic, null, Schema.OPTIONAL_BYTES_SCHEMA, key,
                Schema.OPTIONAL_BYTES_SCHEMA, value, null, headers());
    }

    /**
     * A change in changes mode: a put (an entry a snapshot read has no {@code timestamp}: Kafka stamps it) or a delete
     * (a tombstone, {@code value} null), in {@code generation}.
     */
    SourceRecord change(Map<String, ?> offset, byte[] key, byte[] value, Long timestamp, long generation) {
        ConnectHeaders headers = headers();
        headers.addString(DynamoDbDownHeaders.CHANGE, value == null ? DynamoDbDownHeaders.DELETE : DynamoDbDownHeaders.PUT);
        headers.addString(DynamoDbDownHeaders.GENERATION, Long.toString(generation));
        return new SourceRecord(sourcePartition, offset, topic, null, Schema.OPTIONAL_BYTES_SCHEMA, key,
                Schema.OPTIONAL_BYTES_SCHEMA, value, timestamp, headers);
    }

    /** A position kept while nothing was sent: key the hash key, value the position as text. */
    SourceRecord heartbeat(Map<String, ?> offset, String position) {
        return new SourceRecord(sourcePartition, offset, heartbeatTopic, null, Schema.BYTES_SCHEMA, Bytes.utf8(hashKey),
                Schema.BYTES_SCHEMA, Bytes.utf8(position), null, headers());
    }

    /** The end of a snapshot of {@code rangeId} in {@code generation}, to one partition of the {@code partitions} it goes to. */
    SourceRecord snapshotEnd(Map<String, ?> offset, String rangeId, long generation, int partition, int partitions) {
        ConnectHeaders headers = headers();
        headers.addString(DynamoDbDownHeaders.CHANGE, DynamoDbDownHeaders.SNAPSHOT_END);
        headers.addString(DynamoDbDownHeaders.GENERATION, Long.toString(generation));
        headers.addString(DynamoDbDownHeaders.RANGE, rangeId);
        headers.addString(DynamoDbDownHeaders.PARTITIONS, Integer.toString(partitions));
        return new SourceRecord(sourcePartition, offset, topic, partition, Schema.OPTIONAL_BYTES_SCHEMA, MARKER_KEY,
                Schema.OPTIONAL_BYTES_SCHEMA, null, null, headers);
    }

    private ConnectHeaders headers() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(DynamoDbDownHeaders.TABLE, table);
        headers.addString(DynamoDbDownHeaders.HASH_KEY, hashKey);
        return headers;
    }
}
