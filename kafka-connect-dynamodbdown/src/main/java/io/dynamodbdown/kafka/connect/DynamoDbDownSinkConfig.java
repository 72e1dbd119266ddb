package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Location;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link DynamoDbDownSinkConnector}. */
public class DynamoDbDownSinkConfig extends DynamoDbDownConnectorConfig {

    /** Key {@value}: operations buffered before they are written (default 500); the last record per key wins. */
    public static final String BATCH_SIZE = "batch.size";
    /** Key {@value}: concurrent BatchWriteItem calls per batch (default 16, at most 64). */
    public static final String MAX_IN_FLIGHT_REQUESTS = "max.in.flight.requests";

    /**
     * Key {@value}: the header whose value names the database each record is written into (the source's
     * {@code dynamodbdown.hash.key}); empty (default): {@value #HASH_KEY} decides.
     */
    public static final String HASH_KEY_HEADER = "hash.key.header";

    /** Where the sink's hash.key puts the record's topic. */
    static final String TOPIC_PLACEHOLDER = "${topic}";

    private static final String GROUP_WRITES = "Writes";

    /** The sink's definitions: the shared ones, {@value #HASH_KEY} as a template, and the Writes group. */
    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = commonConfigDef()
                .define(HASH_KEY, Type.STRING, Location.DEFAULT_HASH_KEY, new HashKeyTemplateValidator(), Importance.HIGH,
                        "The database (DynamoDB hash key) records are written to. " + TOPIC_PLACEHOLDER
                                + " in it is replaced by the record's topic, so one connector keeps one database per topic.",
                        GROUP_DATABASE, 2, Width.MEDIUM, "Hash key")
                .define(HASH_KEY_HEADER, Type.STRING, "", Importance.MEDIUM,
                        "The header whose value names the database (hash key) each record is written into, e.g. "
                                + DynamoDbDownHeaders.HASH_KEY + ", which the source puts on every record: one topic"
                                + " of many databases restores into as many databases. Empty: " + HASH_KEY + " decides."
                                + " A record without the header (or with a hash key no database may have) is a bad"
                                + " record: dead letter queue, or the task fails naming its position. " + SHARDS
                                + " applies to every database it writes.",
                        GROUP_DATABASE, 3, Width.MEDIUM, "Hash key header");
        int order = 0;
        return def.define(BATCH_SIZE, Type.INT, 500, Range.atLeast(1), Importance.MEDIUM,
                        "Operations buffered before they are written; within a batch the last record per key wins.",
                        GROUP_WRITES, ++order, Width.SHORT, "Batch size")
                .define(MAX_IN_FLIGHT_REQUESTS, Type.INT, 16, Range.between(1, 64), Importance.LOW,
                        "Concurrent BatchWriteItem calls (25 items each) per batch.",
                        GROUP_WRITES, ++order, Width.SHORT, "Requests in flight");
    }

    /**
     * Parses and checks a sink connector's configuration.
     *
     * @param props the connector's properties
     * @throws org.apache.kafka.common.config.ConfigException naming each key with an invalid value
     */
    public DynamoDbDownSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props, DynamoDbDownConnectorConfig::commonProblems);
    }

    /** The database a record of {@code topic} goes to, when no header names it. */
    String hashKeyFor(String topic) {
        return getString(HASH_KEY).replace(TOPIC_PLACEHOLDER, topic);
    }

    /** The header naming each record's database, or null when hash.key decides. */
    String hashKeyHeader() {
        String header = getString(HASH_KEY_HEADER);
        return header.isBlank() ? null : header;
    }

    int batchSize() {
        return getInt(BATCH_SIZE);
    }

    int maxInFlightRequests() {
        return getInt(MAX_IN_FLIGHT_REQUESTS);
    }

    long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }

    /** A hash key template: non-empty, and valid once a topic name is put in. */
    static final class HashKeyTemplateValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                new Location("any-table", ((String) value).replace(TOPIC_PLACEHOLDER, "topic"));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConfigException(name, value, "not a valid hash key: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a non-empty hash key, may contain " + TOPIC_PLACEHOLDER;
        }
    }
}
