package io.dynamodbdown.kafka.connect;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.KeyEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

    /**
     * Deals the partitions to at most {@code maxTasks} tasks in even, contiguous shares; no task without a partition.
     * In changes mode, and for a whole table ({@code hash.key=*}), {@code maxTasks} tasks that share the work out by
     * their index: the snapshot's pieces, and the change stream's shard lineages.
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        DynamoDbDownSourceConfig config = new DynamoDbDownSourceConfig(props);
        if (config.changes() || config.allDatabases()) {
            for (int index = 0; index < maxTasks; index++) {
                Map<String, String> task = new HashMap<>(props);
                task.put(DynamoDbDownSourceTask.TASK_INDEX, Integer.toString(index));
                task.put(DynamoDbDownSourceTask.TASK_COUNT, Integer.toString(maxTasks));
                configs.add(task);
            }
            return configs;
        }
        for (List<RangePartition> share : ConnectorUtils.groupPartitions(partitions, Math.min(maxTasks, partitions.size()))) {
            Map<String, String> task = new HashMap<>(props);
            task.put(DynamoDbDownSourceTask.TASK_PARTITIONS, RangePartition.encode(share));
            configs.add(task);
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
     * Accepts offsets for this connector's own partitions, a null offset resetting one. Snapshot and tail mode:
     * {@code {key: base64 of the last key read}}, and reading continues after that key (a reset: from the start of
     * the range; with {@code hash.key=*}, of the segment). Changes mode: the tasks keep their own offsets (the
     * epoch, the snapshot's pieces, each stream shard's position); a reset of them all takes a new snapshot, and
     * the epoch may be set to {@code {since: epoch milliseconds}}: a new snapshot whose changes are read from then.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        DynamoDbDownSourceConfig config = new DynamoDbDownSourceConfig(connectorConfig);
        Set<Map<String, String>> known = config.partitions().stream().map(p -> p.sourcePartition(config.table()))
                .collect(Collectors.toSet());
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            Map<String, ?> offset = entry.getValue();
            if (offset == null) {
                continue; // a reset names every partition ever stored, those of an earlier mode or range too
            }
            if (config.changes()) {
                checkEpoch(config.table(), entry.getKey(), offset);
            } else if (config.allDatabases()) {
                throw new ConnectException("Offset " + offset + " for " + entry.getKey() + ": the positions of a whole"
                        + " table's scan are the tasks' own; reset them (a null offset) to scan it again");
            } else if (!known.contains(entry.getKey())) {
                throw new ConnectException("Unknown source partition " + entry.getKey() + ": this connector's partitions"
                        + " are " + known);
            } else if (!(offset.get(RangeOffset.KEY) instanceof String) || offset.size() != 1) {
                throw new ConnectException("Offset " + offset + " for " + entry.getKey() + " must be {\""
                        + RangeOffset.KEY + "\": \"<base64 of the last key read>\"}");
            } else {
                decode(entry.getKey(), offset, RangeOffset::of);
            }
        }
        return true;
    }

    /** Changes mode: only the epoch may be set, to {@code {since}} within the stream's retention. */
    private static void checkEpoch(String table, Map<String, ?> partition, Map<String, ?> offset) {
        if (!ChangesEpoch.partition(table).equals(partition)) {
            throw new ConnectException("Offset " + offset + " for " + partition + ": in changes mode the tasks keep"
                    + " their own offsets; reset them all (a null offset for each) to take a new snapshot, or set "
                    + ChangesEpoch.partition(table) + " to {\"" + ChangesEpoch.SINCE + "\": \"<epoch milliseconds>\"}"
                    + " to take one whose changes are read from then");
        }
        if (!(offset.get(ChangesEpoch.SINCE) instanceof String since) || !Set.of(ChangesEpoch.SINCE, ChangesEpoch.GENERATION,
                ChangesEpoch.SCOPE, ChangesEpoch.STREAM).containsAll(offset.keySet())) {
            throw new ConnectException("Offset " + offset + " for " + partition + " must be {\"" + ChangesEpoch.SINCE
                    + "\": \"<epoch milliseconds to read changes from>\"}");
        }
        Instant at;
        try {
            at = Instant.ofEpochMilli(Long.parseLong(since));
        } catch (NumberFormatException e) {
            throw new ConnectException("Offset since '" + since + "' for " + partition + " is not epoch milliseconds", e);
        }
        if (ChangeCheckpoint.since(at).wantsOlderThanKept() || at.isAfter(Instant.now().plus(STREAM_RETENTION))) {
            throw new ConnectException("Offset since " + since + " (" + at + ") for " + partition + " is more than "
                    + STREAM_RETENTION.toHours() + " hours from now: the stream keeps changes that long (and a since in"
                    + " the future skips every change until then); give epoch milliseconds within that window");
        }
        decode(partition, offset, ChangesEpoch::of);
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
