package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.KeyEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
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
        Config config = DynamoDbDownConnectorConfig.validate(DynamoDbDownSourceConfig.CONFIG_DEF,
                super.validate(connectorConfigs), DynamoDbDownSourceConfig::sourceProblems);
        Map<String, ConfigValue> byKey = new HashMap<>();
        config.configValues().forEach(v -> byKey.put(v.name(), v));
        DynamoDbDownSourceConfig.keyProblems(key -> byKey.get(key).value()).forEach((key, problem) -> {
            if (byKey.get(key).errorMessages().isEmpty()) {
                byKey.get(key).addErrorMessage(problem);
            }
        });
        return config;
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
     * a stream checkpoint {@code {checkpoint}} as the connector stored one; either with the {@code generation} and
     * {@code partitions} the connector stores too, or without (the generation is then the time since).
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
            } else if (!(offset.get(RangeOffset.KEY) instanceof String) || offset.size() != 1) {
                throw new ConnectException("Offset " + offset + " for " + entry.getKey() + " must be {\""
                        + RangeOffset.KEY + "\": \"<base64 of the last key read>\"}");
            } else {
                decode(entry.getKey(), offset, RangeOffset::of);
            }
        }
        return true;
    }

    private static void checkChangesOffset(String table, Map<String, ?> partition, Map<String, ?> offset) {
        Set<String> given = new HashSet<>(offset.keySet());
        given.removeAll(Set.of(ChangesOffset.GENERATION, ChangesOffset.PARTITIONS)); // stored by the connector, optional
        if (offset.get(ChangesOffset.CHECKPOINT) instanceof String text && given.equals(Set.of(ChangesOffset.CHECKPOINT))) {
            ChangeCheckpoint decoded;
            try {
                decoded = ChangeCheckpoint.decode(text);
            } catch (IllegalArgumentException e) {
                throw new ConnectException("Offset checkpoint '" + text + "' for " + partition + " is not one this"
                        + " connector stored: " + e.getMessage(), e);
            }
            if (decoded.stream() != null && !decoded.stream().contains(":table/" + table + "/stream/")) {
                throw new ConnectException("Offset checkpoint '" + text + "' for " + partition + " is not in a stream of"
                        + " table '" + table + "': set one this connector stored for it, or a snapshot's {\""
                        + ChangesOffset.SINCE + "\": \"<epoch milliseconds>\"}");
            }
        } else if (offset.get(ChangesOffset.SINCE) instanceof String since
                && Set.of(ChangesOffset.KEY, ChangesOffset.SINCE).containsAll(given)) {
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
        } else {
            throw new ConnectException("Offset " + offset + " for " + partition + " must be a snapshot's {\""
                    + ChangesOffset.KEY + "\": \"<base64 of the last key read, optional>\", \""
                    + ChangesOffset.SINCE + "\": \"<epoch milliseconds to read changes from>\"} or {\""
                    + ChangesOffset.CHECKPOINT + "\": \"<a checkpoint the connector stored>\"}");
        }
        decode(partition, offset, ChangesOffset::of); // the key, and the fields the connector stores
    }

    /** The offset decoded, or an error naming the partition and what does not decode. */
    private static <T> T decode(Map<String, ?> partition, Map<String, ?> offset, Function<Map<String, ?>, T> decoder) {
        try {
            return decoder.apply(offset);
        } catch (IllegalArgumentException | ClassCastException e) {
            Object key = offset.get(RangeOffset.KEY);
            throw new ConnectException("Offset " + offset + " for " + partition + " does not decode: "
                    + (key != null && !isBase64(key) ? "key '" + key + "' is not base64" : e.getMessage()), e);
        }
    }

    private static boolean isBase64(Object text) {
        try {
            KeyEncoding.BASE64.decode(text.toString());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
