package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.settings.RangeSettings;
import io.dynamodbdown.store.settings.Setting;
import io.dynamodbdown.store.settings.SettingProblem;
import io.dynamodbdown.store.settings.TableSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Configuration of {@link DynamoDbDownSourceConnector}. */
public class DynamoDbDownSourceConfig extends DynamoDbDownConnectorConfig {

    /** Key {@value}: the topic the entries are written to (required). */
    public static final String TOPIC = "topic";
    /** Key {@value}: the range's exclusive lower bound, read with {@value #KEY_ENCODING}. */
    public static final String KEY_GT = "key.gt";
    /** Key {@value}: the range's inclusive lower bound; wins over {@value #KEY_GT}. */
    public static final String KEY_GTE = "key.gte";
    /** Key {@value}: the range's exclusive upper bound, read with {@value #KEY_ENCODING}. */
    public static final String KEY_LT = "key.lt";
    /** Key {@value}: the range's inclusive upper bound; wins over {@value #KEY_LT}. */
    public static final String KEY_LTE = "key.lte";
    /** Key {@value}: how bounds and split points are turned into bytes: utf8 (default), hex or base64. */
    public static final String KEY_ENCODING = "key.encoding";
    /**
     * Key {@value}: split points dividing each database's range into partitions, so several tasks read one keyspace.
     */
    public static final String KEY_RANGE_SPLITS = "key.range.splits";
    /** Key {@value}: the pause before reading again once a poll caught up or failed (default 1000). */
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    /** Key {@value}: entries returned by one poll at most (default 1000). */
    public static final String BATCH_MAX_ROWS = "batch.max.rows";
    /** Key {@value}: {@value #MODE_TAIL} (default), {@value #MODE_SNAPSHOT} or {@value #MODE_CHANGES}. */
    public static final String MODE = "mode";
    /**
     * Key {@value}: in tail mode, how long keys may still appear below a newer one; re-read until then (default 10000).
     */
    public static final String TAIL_SETTLE_MS = "tail.settle.ms";

    /**
     * Key {@value}: in changes mode, when the stream no longer holds what follows the stored position: fail (default)
     * or resnapshot.
     */
    public static final String CHANGES_ON_TRIMMED = "changes.on.trimmed";
    /**
     * Key {@value}: how often a partition whose position moved while it sent nothing sends a heartbeat, so its stored
     * position keeps up (tail: keys that settled; changes: the stream position); 0: never.
     */
    public static final String HEARTBEAT_INTERVAL_MS = "heartbeat.interval.ms";
    /** Key {@value}: the topic of the heartbeat records (default {@code dynamodbdown-heartbeats}). */
    public static final String HEARTBEAT_TOPIC = "heartbeat.topic";

    /** {@value #HASH_KEY} for every database the table holds. */
    public static final String ALL_DATABASES = DynamoDbDownHeaders.ALL_DATABASES;
    /** Where {@value #TOPIC} puts each record's database. */
    static final String HASH_KEY_PLACEHOLDER = "${hash.key}";

    /** Mode: read the range in key order, then keep polling for keys beyond the last one (an append-only keyspace). */
    public static final String MODE_TAIL = "tail";
    /** Mode: read the range once, then idle. */
    public static final String MODE_SNAPSHOT = "snapshot";
    /**
     * Mode: a snapshot, then every put, overwrite and delete from the table's change stream (deletes as tombstones).
     */
    public static final String MODE_CHANGES = "changes";

    private static final String GROUP_RANGE = "Key range";
    private static final String GROUP_READS = "Reads";

    /**
     * The source's definitions: the shared ones, {@value #HASH_KEY} as a list, {@value #TOPIC}, the key range and the
     * reads.
     */
    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef.Validator encodingValidator = ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                KeyEncoding.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }, () -> "utf8, hex or base64");
        ConfigDef def = commonConfigDef()
                .define(HASH_KEY, Type.LIST, Location.DEFAULT_HASH_KEY, ConfigDef.LambdaValidator.with((name, value) -> {
                            @SuppressWarnings("unchecked")
                            List<String> hashKeys = (List<String>) value;
                            if (hashKeys.isEmpty()) {
                                throw new ConfigException(name, value, "name at least one database");
                            }
                            if (hashKeys.contains(ALL_DATABASES) && hashKeys.size() > 1) {
                                throw new ConfigException(name, value, ALL_DATABASES + " already names every database of"
                                        + " the table: give it alone, or a list of databases");
                            }
                            if (new HashSet<>(hashKeys).size() < hashKeys.size()) {
                                throw new ConfigException(name, value, "names a database twice: each database is read"
                                        + " once, and two readers of one database would each send it whole");
                            }
                            for (String hashKey : hashKeys) {
                                if (hashKey.equals(ALL_DATABASES)) {
                                    continue;
                                }
                                Location location;
                                try {
                                    location = new Location("any-table", hashKey);
                                } catch (IllegalArgumentException e) {
                                    throw new ConfigException(name, value, e.getMessage());
                                }
                                if (location.isReserved()) {
                                    throw new ConfigException(name, value, "hash keys starting with "
                                            + Location.RESERVED_PREFIX + " hold the store's own items, not a database");
                                }
                            }
                        }, () -> "comma-separated distinct non-empty hash keys, or " + ALL_DATABASES), Importance.HIGH,
                        "The databases (DynamoDB hash keys) to read, comma-separated, or " + ALL_DATABASES + ": every"
                                + " database the table holds (snapshot and changes mode: the table is read with a parallel"
                                + " Scan, and in changes mode a database that appears later comes from the stream).",
                        GROUP_DATABASE, 2, Width.LONG, "Hash keys")
                .define(TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "The topic the entries are written to. " + HASH_KEY_PLACEHOLDER + " in it is replaced by each"
                                + " record's database (e.g. backup." + HASH_KEY_PLACEHOLDER + ": a topic per database);"
                                + " every record also names its database in the header " + DynamoDbDownHeaders.HASH_KEY + ".",
                        GROUP_DATABASE, 3, Width.MEDIUM, "Topic");
        int order = 0;
        def.define(KEY_GT, Type.STRING, null, Importance.MEDIUM, "Range lower bound, exclusive (read with key.encoding).",
                        GROUP_RANGE, ++order, Width.MEDIUM, "Greater than")
                .define(KEY_GTE, Type.STRING, null, Importance.MEDIUM, "Range lower bound, inclusive; wins over key.gt.",
                        GROUP_RANGE, ++order, Width.MEDIUM, "Greater or equal")
                .define(KEY_LT, Type.STRING, null, Importance.MEDIUM, "Range upper bound, exclusive.",
                        GROUP_RANGE, ++order, Width.MEDIUM, "Less than")
                .define(KEY_LTE, Type.STRING, null, Importance.MEDIUM, "Range upper bound, inclusive; wins over key.lt.",
                        GROUP_RANGE, ++order, Width.MEDIUM, "Less or equal")
                .define(KEY_ENCODING, Type.STRING, "utf8", encodingValidator, Importance.MEDIUM,
                        "How the bounds and split points above are turned into bytes: utf8, hex or base64.",
                        GROUP_RANGE, ++order, Width.SHORT, "Key encoding")
                .define(KEY_RANGE_SPLITS, Type.LIST, "", Importance.LOW,
                        "Split points (comma-separated, read with key.encoding) dividing each database's range into"
                                + " partitions [lower, s1), [s1, s2), ..., [sN, upper], so several tasks read one keyspace.",
                        GROUP_RANGE, ++order, Width.LONG, "Range splits");
        order = 0;
        return def.define(MODE, Type.STRING, MODE_TAIL, ConfigDef.ValidString.in(MODE_TAIL, MODE_SNAPSHOT, MODE_CHANGES),
                        Importance.HIGH,
                        "tail: after the end of the range keep polling for keys beyond the last one (streams an"
                                + " append-only keyspace); snapshot: read the range once, then idle; changes: a snapshot,"
                                + " then every put, overwrite and delete from the table's change stream (deletes as"
                                + " tombstones), with no change lost in between: what a continuous backup needs. The table"
                                + " needs a stream (created with one, or " + TABLE_STREAM_ENABLE + "=true); tasks.max tasks"
                                + " share the snapshot and the stream's shards out (each key's changes stay in one task).",
                        GROUP_READS, ++order, Width.SHORT, "Mode")
                .define(CHANGES_ON_TRIMMED, Type.STRING, "fail", ConfigDef.ValidString.in("fail", "resnapshot"),
                        Importance.MEDIUM,
                        "In changes mode, when the change stream no longer holds what follows the stored position (it"
                                + " keeps 24 hours): fail the task, or take a new snapshot and follow the stream from there.",
                        GROUP_READS, ++order, Width.SHORT, "On a trimmed stream")
                .define(HEARTBEAT_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.MEDIUM,
                        "How often a partition whose position moved while it sent no record sends a heartbeat record to "
                                + HEARTBEAT_TOPIC + ", whose offset keeps its stored position up with it. Tail mode: once"
                                + " no new key arrives, the keys behind the last one settle, and a restart then re-sends"
                                + " only the last " + TAIL_SETTLE_MS + " of them, not all the last record had not settled."
                                + " Changes mode: other databases' changes and shard rollovers move a database's stream"
                                + " position, which the stream keeps 24 hours. 0: never (a restart then re-sends more, and"
                                + " a database quiet for a day in changes mode needs " + CHANGES_ON_TRIMMED + ").",
                        GROUP_READS, ++order, Width.SHORT, "Heartbeat interval (ms)")
                .define(HEARTBEAT_TOPIC, Type.STRING, "dynamodbdown-heartbeats", new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "The topic of the heartbeat records (key: the hash key, value: the position as text). It must"
                                + " exist or be creatable (broker auto-creation or topic.creation settings); compaction"
                                + " keeps it small.",
                        GROUP_READS, ++order, Width.MEDIUM, "Heartbeat topic")
                .define(TAIL_SETTLE_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                        "In tail mode: how long after a key appears keys of the same writes may still appear below it"
                                + " (a non-atomic batch becomes visible in any order). The source keeps re-reading that"
                                + " region until then, so late keys are not missed; the committed offset trails by as"
                                + " much, and a restart re-sends that tail (at-least-once).",
                        GROUP_READS, ++order, Width.SHORT, "Tail settle time (ms)")
                .define(POLL_INTERVAL_MS, Type.LONG, 1000L, Range.atLeast(1), Importance.MEDIUM,
                        "The pause before reading again once a poll found less than " + BATCH_MAX_ROWS + " (the task has"
                                + " caught up) or failed, so a caught-up task reads about once an interval.",
                        GROUP_READS, ++order, Width.SHORT, "Poll interval (ms)")
                .define(BATCH_MAX_ROWS, Type.INT, 1000, Range.atLeast(1), Importance.MEDIUM,
                        "Entries returned by one poll at most.", GROUP_READS, ++order, Width.SHORT, "Rows per poll");
    }

    /**
     * Parses and checks a source connector's configuration.
     *
     * @param props the connector's (or a task's) properties
     * @throws org.apache.kafka.common.config.ConfigException naming each key with an invalid value
     */
    public DynamoDbDownSourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props, DynamoDbDownSourceConfig::sourceProblems);
        Map<String, String> problems = keyProblems(this::get);
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid dynamodbdown source configuration: " + problems.entrySet().stream()
                    .map(p -> p.getKey() + ": " + p.getValue()).collect(Collectors.joining("; ")));
        }
    }

    /**
     * What only the source's own keys can get wrong together, by key: every database of a table in tail mode (which
     * follows key ranges of databases it knows), split points with it, and topics {@value #HASH_KEY_PLACEHOLDER} makes
     * that Kafka would refuse.
     */
    static Map<String, String> keyProblems(Values values) {
        Map<String, String> problems = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<String> hashKeys = (List<String>) values.get(HASH_KEY);
        boolean all = hashKeys != null && hashKeys.equals(List.of(ALL_DATABASES));
        if (all && MODE_TAIL.equals(values.get(MODE))) {
            problems.put(HASH_KEY, ALL_DATABASES + " (every database of the table) is read in snapshot and changes mode;"
                    + " tail mode follows the key ranges of the databases it is given: list them");
        }
        List<?> splits = (List<?>) values.get(KEY_RANGE_SPLITS);
        if (all && splits != null && !splits.isEmpty()) {
            problems.put(KEY_RANGE_SPLITS, "cuts the range of listed databases; with " + HASH_KEY + "=" + ALL_DATABASES
                    + " the table is read in Scan segments instead: remove it");
        }
        String topic = (String) values.get(TOPIC);
        if (topic != null && hashKeys != null && !all) {
            for (String hashKey : hashKeys) {
                String problem = topicProblem(topic.replace(HASH_KEY_PLACEHOLDER, hashKey));
                if (problem != null) {
                    problems.put(TOPIC, "for database '" + hashKey + "' it is '" + topic.replace(HASH_KEY_PLACEHOLDER, hashKey)
                            + "', which Kafka refuses: " + problem);
                    break;
                }
            }
        }
        return problems;
    }

    /** Why Kafka refuses a topic name, or null: 1 to 249 characters of A-Z, a-z, 0-9, '.', '_' and '-'. */
    static String topicProblem(String topic) {
        if (topic.isEmpty() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+") || topic.equals(".")
                || topic.equals("..")) {
            return "a topic name is 1 to 249 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
        }
        return null;
    }

    @Override
    TableSettings tableSettings() {
        return tableSettings(this::get, defaultStreamView(this::get));
    }

    /** The common problems, and bounds that do not decode or split points outside the range. */
    static List<SettingProblem> sourceProblems(Values values) {
        List<SettingProblem> problems = commonProblems(values, defaultStreamView(values));
        problems.addAll(rangeSettings(values).problems());
        List<?> splits = (List<?>) values.get(KEY_RANGE_SPLITS);
        if (MODE_CHANGES.equals(values.get(MODE)) && splits != null && !splits.isEmpty()) {
            problems.add(new SettingProblem(Setting.SPLITS, "is for the snapshot and tail modes: in changes mode one task"
                    + " reads each database whole, so its snapshot and its change stream stay in one ordered offset."
                    + " Remove {SPLITS}"));
        }
        return problems;
    }

    /** In changes mode a table the source creates gets a NEW_IMAGE stream unless another view is set. */
    static StreamViewType defaultStreamView(Values values) {
        return MODE_CHANGES.equals(values.get(MODE)) ? StreamViewType.NEW_IMAGE : null;
    }

    private static RangeSettings rangeSettings(Values values) {
        @SuppressWarnings("unchecked")
        List<String> splits = (List<String>) values.get(KEY_RANGE_SPLITS);
        return RangeSettings.all()
                .withKeyEncoding(KeyEncoding.parse((String) values.get(KEY_ENCODING)))
                .withBounds((String) values.get(KEY_GT), (String) values.get(KEY_GTE),
                        (String) values.get(KEY_LT), (String) values.get(KEY_LTE))
                .withSplits(splits);
    }

    /** The topic of {@code hashKey}'s records. */
    String topicFor(String hashKey) {
        return getString(TOPIC).replace(HASH_KEY_PLACEHOLDER, hashKey);
    }

    /** {@value #HASH_KEY} as configured: the databases, comma-separated, or {@value #ALL_DATABASES}. */
    String databases() {
        return String.join(",", getList(HASH_KEY));
    }

    /**
     * What a changes-mode snapshot covers: the databases (sorted) and the range. A stored snapshot of another scope
     * is taken again.
     */
    String changesScope() {
        return String.join(",", new TreeSet<>(getList(HASH_KEY))) + "|" + range().boundsId();
    }

    /** Whether {@value #HASH_KEY} is {@value #ALL_DATABASES}: every database of the table. */
    boolean allDatabases() {
        return getList(HASH_KEY).equals(List.of(ALL_DATABASES));
    }

    boolean snapshot() {
        return MODE_SNAPSHOT.equals(getString(MODE).toLowerCase(Locale.ROOT));
    }

    boolean tail() {
        return MODE_TAIL.equals(getString(MODE).toLowerCase(Locale.ROOT));
    }

    boolean changes() {
        return MODE_CHANGES.equals(getString(MODE).toLowerCase(Locale.ROOT));
    }

    Duration heartbeatInterval() {
        return Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS));
    }

    String heartbeatTopic() {
        return getString(HEARTBEAT_TOPIC);
    }

    boolean resnapshotOnTrimmed() {
        return "resnapshot".equals(getString(CHANGES_ON_TRIMMED));
    }

    long pollIntervalMs() {
        return getLong(POLL_INTERVAL_MS);
    }

    Duration tailSettle() {
        return Duration.ofMillis(getLong(TAIL_SETTLE_MS));
    }

    int batchMaxRows() {
        return getInt(BATCH_MAX_ROWS);
    }

    /** The configured range of every database, without splits. */
    KeyRange range() {
        return rangeSettings(this::get).range();
    }

    /** Every source partition: each database's range, cut at the split points. */
    List<RangePartition> partitions() {
        List<KeyRange> pieces = rangeSettings(this::get).pieces();
        List<RangePartition> partitions = new ArrayList<>();
        for (String hashKey : getList(HASH_KEY)) {
            for (KeyRange piece : pieces) {
                partitions.add(new RangePartition(hashKey, piece));
            }
        }
        return partitions;
    }
}
