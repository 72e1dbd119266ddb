package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.ChangeCheckpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.util.ConnectorUtils;

/**
 * Streams LevelDB-style databases on DynamoDB into a topic in key order: each database's key range (cut
 * at {@code key.range.splits}) is a source partition, spread over the tasks.
 */
public class DynamoDbDownSourceConnector extends SourceConnector {

    private Map<String, String> props;
    private List<RangePartition> partitions;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.partitions = new DynamoDbDownSourceConfig(props).partitions();
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DynamoDbDownSourceTask.class;
    }

    /** Deals the partitions to at most {@code maxTasks} tasks in even, contiguous shares; no task without a partition. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        // changes mode: one task, whose stream readers serve all the databases (each reads the table's stream)
        int tasks = DynamoDbDownSourceConfig.MODE_CHANGES.equals(props.get(DynamoDbDownSourceConfig.MODE)) ? 1
                : Math.min(maxTasks, partitions.size());
        for (List<RangePartition> share : ConnectorUtils.groupPartitions(partitions, tasks)) {
            Map<String, String> config = new HashMap<>(props);
            config.put(DynamoDbDownSourceTask.TASK_PARTITIONS, RangePartition.encode(share));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return DynamoDbDownSourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return DynamoDbDownConnectorConfig.validate(DynamoDbDownSourceConfig.CONFIG_DEF, super.validate(connectorConfigs),
                DynamoDbDownSourceConfig::sourceProblems);
    }

    /**
     * Snapshot mode: each record's offset is its key and a restart reads strictly after it, so the
     * framework's transactional offsets give exactly-once delivery. Changes mode: the same during the snapshot,
     * then each change's offset is the stream checkpoint right after it, so a restart reads on exactly there.
     * (The stream phase starts a minute before the snapshot did, so a change both saw comes twice by design: the
     * replay still ends in the table's state.) Tail mode: the offset trails by the settle time and a restart
     * re-sends that tail, so it is at-least-once only.
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        String mode = connectorConfig.get(DynamoDbDownSourceConfig.MODE);
        return DynamoDbDownSourceConfig.MODE_TAIL.equalsIgnoreCase(mode == null ? DynamoDbDownSourceConfig.MODE_TAIL : mode)
                ? ExactlyOnceSupport.UNSUPPORTED : ExactlyOnceSupport.SUPPORTED;
    }

    /**
     * Accepts offsets for this connector's own partitions, a null offset resetting one (to the start of its range;
     * in changes mode, to a new snapshot). Snapshot and tail mode: {@code {key: base64 of the last key read}}, and
     * reading continues after that key. Changes mode: a snapshot's {@code {key, since}} (key optional: the snapshot
     * goes on after it; since: epoch milliseconds, where the stream is read from once the snapshot is complete) or
     * a stream checkpoint {@code {checkpoint}} as the connector stored one.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        DynamoDbDownSourceConfig config = new DynamoDbDownSourceConfig(connectorConfig);
        Set<Map<String, String>> known = config.partitions().stream()
                .map(p -> config.changes() ? new RangePartition(p.hashKey(), config.range()).changesPartition(config.table())
                        : p.sourcePartition(config.table()))
                .collect(Collectors.toSet());
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            Map<String, ?> offset = entry.getValue();
            if (offset == null) {
                continue; // a reset names every partition ever stored, those of an earlier mode or range too
            }
            if (!known.contains(entry.getKey())) {
                throw new ConnectException("Unknown source partition " + entry.getKey() + ": this connector's partitions"
                        + " are " + known);
            }
            if (config.changes()) {
                checkChangesOffset(config.table(), entry.getKey(), offset);
            } else if (!(offset.get(RangePartition.OFFSET_KEY_FIELD) instanceof String) || offset.size() != 1) {
                throw new ConnectException("Offset " + offset + " for " + entry.getKey() + " must be {\""
                        + RangePartition.OFFSET_KEY_FIELD + "\": \"<base64 of the last key read>\"}");
            } else {
                checkKey(entry.getKey(), offset);
            }
        }
        return true;
    }

    private static void checkChangesOffset(String table, Map<String, ?> partition, Map<String, ?> offset) {
        Object checkpoint = offset.get(RangePartition.OFFSET_CHECKPOINT_FIELD);
        if (checkpoint instanceof String text && offset.size() == 1) {
            ChangeCheckpoint decoded;
            try {
                decoded = RangePartition.checkpointOf(offset);
            } catch (IllegalArgumentException e) {
                throw new ConnectException("Offset checkpoint '" + text + "' for " + partition + " is not one this"
                        + " connector stored: " + e.getMessage(), e);
            }
            if (decoded.stream() == null || !decoded.stream().contains(":table/" + table + "/stream/")) {
                throw new ConnectException("Offset checkpoint '" + text + "' for " + partition + " is not in a stream of"
                        + " table '" + table + "': set one this connector stored for it, or a snapshot's {\""
                        + RangePartition.OFFSET_SINCE_FIELD + "\": \"<epoch milliseconds>\"}");
            }
            return;
        }
        Set<String> snapshotFields = Set.of(RangePartition.OFFSET_KEY_FIELD, RangePartition.OFFSET_SINCE_FIELD);
        if (!(offset.get(RangePartition.OFFSET_SINCE_FIELD) instanceof String since) || !snapshotFields.containsAll(offset.keySet())) {
            throw new ConnectException("Offset " + offset + " for " + partition + " must be a snapshot's {\""
                    + RangePartition.OFFSET_KEY_FIELD + "\": \"<base64 of the last key read, optional>\", \""
                    + RangePartition.OFFSET_SINCE_FIELD + "\": \"<epoch milliseconds to read changes from>\"} or {\""
                    + RangePartition.OFFSET_CHECKPOINT_FIELD + "\": \"<a checkpoint the connector stored>\"}");
        }
        Instant at;
        try {
            at = Instant.ofEpochMilli(Long.parseLong(since));
        } catch (NumberFormatException e) {
            throw new ConnectException("Offset since '" + since + "' for " + partition + " is not epoch milliseconds", e);
        }
        Instant now = Instant.now();
        if (at.isBefore(now.minus(STREAM_RETENTION)) || at.isAfter(now.plus(STREAM_RETENTION))) {
            throw new ConnectException("Offset since " + since + " (" + at + ") for " + partition + " is more than "
                    + STREAM_RETENTION.toHours() + " hours from now: the stream keeps changes that long (and a since in"
                    + " the future skips every change until then); give epoch milliseconds within that window");
        }
        checkKey(partition, offset);
    }

    /** The offset's key, where it has one, is base64. */
    private static void checkKey(Map<String, ?> partition, Map<String, ?> offset) {
        try {
            RangePartition.keyOf(offset);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ConnectException("Offset key '" + offset.get(RangePartition.OFFSET_KEY_FIELD) + "' for " + partition
                    + " is not base64", e);
        }
    }
}
