package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyEncoding;
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
     * Accepts offsets for this connector's own partitions: {@code {key: base64 of the last key read}} moves
     * a partition (reading continues after that key), a null offset resets it to the start of its range.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        DynamoDbDownSourceConfig config = new DynamoDbDownSourceConfig(connectorConfig);
        Set<Map<String, String>> known = config.partitions().stream()
                .map(p -> p.sourcePartition(config.table())).collect(Collectors.toSet());
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            if (!known.contains(entry.getKey())) {
                throw new ConnectException("Unknown source partition " + entry.getKey() + ": this connector's partitions"
                        + " are " + known);
            }
            Map<String, ?> offset = entry.getValue();
            if (offset == null) {
                continue;
            }
            Object key = offset.get(RangePartition.OFFSET_KEY_FIELD);
            if (!(key instanceof String text) || offset.size() != 1) {
                throw new ConnectException("Offset " + offset + " for " + entry.getKey() + " must be {\""
                        + RangePartition.OFFSET_KEY_FIELD + "\": \"<base64 of the last key read>\"}");
            }
            try {
                KeyEncoding.BASE64.decode(text);
            } catch (IllegalArgumentException e) {
                throw new ConnectException("Offset key '" + text + "' for " + entry.getKey() + " is not base64", e);
            }
        }
        return true;
    }
}
