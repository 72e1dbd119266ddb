package io.dynamodbdown.camel;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.InvalidSettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.ScheduledPollEndpoint;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads and writes a LevelDB-style ordered key-value database kept in one hash key of a DynamoDB table; polls
 * a key range in key order, or follows every change of it through the table's change stream.
 */
@UriEndpoint(firstVersion = "4.22.0", scheme = "dynamodbdown", title = "DynamoDbDown",
        syntax = "dynamodbdown:tableName$hashKey", category = {Category.DATABASE, Category.CLOUD},
        headersClass = DynamoDbDownConstants.class)
public class DynamoDbDownEndpoint extends ScheduledPollEndpoint {

    /** Hash keys with the store's reserved prefix hold the component's own records (consumer positions) too. */
    static final String RESERVED_HASH_KEY_PREFIX = Location.RESERVED_PREFIX;

    /** The DynamoDB table (3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.'). */
    @UriPath
    @Metadata(required = true)
    private String tableName;

    /** The database inside the table: the DynamoDB hash key all its entries share. */
    @UriPath(defaultValue = Location.DEFAULT_HASH_KEY)
    private String hashKey = Location.DEFAULT_HASH_KEY;

    @UriParam
    private DynamoDbDownConfiguration configuration;

    /**
     * What the consumer follows: tail (the range in key order, and keys appended beyond it) or changes (every
     * put, overwrite and delete from the table's change stream, one exchange each, from when the consumer first
     * started; with resumeFromStore a restarted route goes on exactly where it stopped).
     */
    @UriParam(label = "consumer", defaultValue = "tail", enums = "tail,changes")
    private DynamoDbDownConsumerMode mode = DynamoDbDownConsumerMode.tail;

    /** At most this many entries per poll. */
    @UriParam(label = "consumer", defaultValue = "500")
    private int maxMessagesPerPoll = 500;

    /** Delete each entry once its exchange completed successfully: queue-like consumption (mode=tail). */
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean deleteAfterRead;

    /**
     * Keep the consumer's position in the table itself (under a reserved hash key) so that a restarted route
     * continues after it: its last key (mode=tail) or its change stream checkpoint (mode=changes), instead of
     * from the start of the range or from the time it started.
     */
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean resumeFromStore;

    /**
     * A name for this consumer's stored position (resumeFromStore): two routes with the same name share it, a
     * renamed one starts over. Without it the position belongs to the hash key and the full range bounds.
     */
    @UriParam(label = "consumer")
    private String consumerId;

    /**
     * How long (ms) after a key appears, keys written with it may still appear below it (the items of a
     * non-atomic batch become visible in any order). The consumer re-reads that window behind its newest key
     * so late keys are delivered too; the stored position trails by as much. (mode=tail)
     */
    @UriParam(label = "consumer", defaultValue = "10000")
    private long settleTime = 10_000;

    private DynamoDbClient client;
    private boolean ownsClient;
    private DynamoDbStreamsClient streamsClient;
    private boolean ownsStreamsClient;
    private Database database;

    /**
     * Creates an endpoint; {@link DynamoDbDownComponent} does this for each {@code dynamodbdown:} URI.
     *
     * @param uri the endpoint URI
     * @param component the component creating it
     * @param configuration the endpoint's own options (a copy of the component's defaults)
     */
    public DynamoDbDownEndpoint(String uri, DynamoDbDownComponent component, DynamoDbDownConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    /** Fails endpoint creation for options that cannot work, naming every such option. */
    void validate() {
        location();
        if (hashKey.startsWith(RESERVED_HASH_KEY_PREFIX)) {
            throw new IllegalArgumentException("Invalid hashKey '" + hashKey + "': hash keys starting with '"
                    + RESERVED_HASH_KEY_PREFIX + "' are reserved for the component's own records");
        }
        List<String> problems = new ArrayList<>();
        configuration.problems(defaultStreamView()).forEach(p -> problems.add(p.describe(DynamoDbDownConfiguration.OPTION_NAMES)));
        if (settleTime < 0) {
            problems.add("settleTime: must be 0 or more milliseconds, got " + settleTime);
        }
        if (mode == DynamoDbDownConsumerMode.changes && deleteAfterRead) {
            problems.add("deleteAfterRead: is for mode=tail; a consumer of changes would see its own deletes");
        }
        if (maxMessagesPerPoll < 1) {
            problems.add("maxMessagesPerPoll: must be at least 1, got " + maxMessagesPerPoll);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid option " + String.join("; invalid option ", problems));
        }
    }

    Location location() {
        return new Location(tableName, hashKey);
    }

    /** A consumer of changes needs a stream with new values: the table it creates gets one unless told otherwise. */
    private StreamViewType defaultStreamView() {
        return mode == DynamoDbDownConsumerMode.changes ? StreamViewType.NEW_IMAGE : null;
    }

    OpenOptions openOptions() {
        return configuration.tableSettings(defaultStreamView()).applyTo(
                OpenOptions.defaults().withRetryPolicy(configuration.clientSettings().retryPolicy()));
    }

    /** The range the endpoint options describe (headers may override it per message in the producer). */
    KeyRange configuredRange() {
        return configuration.rangeSettings().range().reverse(configuration.isReverse()).limit(configuration.getLimit());
    }

    @Override
    public Producer createProducer() {
        return new DynamoDbDownProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        DynamoDbDownConsumer consumer = new DynamoDbDownConsumer(this, processor);
        consumer.setMaxMessagesPerPoll(maxMessagesPerPoll);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        client = configuration.getDynamoDbClient();
        ownsClient = client == null;
        if (ownsClient) {
            client = build(DynamoDbClients::build);
        }
        database = DynamoDbDown.open(client, location(), openOptions());
    }

    private <C> C build(Function<ClientSettings, C> builder) {
        try {
            return builder.apply(configuration.clientSettings());
        } catch (InvalidSettingsException e) {
            throw new IllegalArgumentException("Cannot start " + this + ": invalid option "
                    + e.describe(DynamoDbDownConfiguration.OPTION_NAMES), e);
        }
    }

    /** The DynamoDB Streams client (the configured one, or one built on first use and closed with the endpoint). */
    synchronized DynamoDbStreamsClient streamsClient() {
        if (streamsClient == null) {
            streamsClient = configuration.getDynamoDbStreamsClient();
            ownsStreamsClient = streamsClient == null;
            if (ownsStreamsClient) {
                streamsClient = build(DynamoDbClients::buildStreams);
            }
        }
        return streamsClient;
    }

    @Override
    protected void doStop() throws Exception {
        if (database != null) {
            database.close();
            database = null;
        }
        if (ownsClient && client != null) {
            client.close();
        }
        client = null;
        synchronized (this) {
            if (ownsStreamsClient && streamsClient != null) {
                streamsClient.close();
            }
            streamsClient = null;
        }
        super.doStop();
    }

    /** The database of this endpoint, open while the endpoint is started. */
    Database database() {
        if (database == null) {
            throw new IllegalStateException("Endpoint " + this + " is not started");
        }
        return database;
    }

    DynamoDbClient client() {
        return client;
    }

    @Override
    public DynamoDbDownComponent getComponent() {
        return (DynamoDbDownComponent) super.getComponent();
    }

    /** {@return this endpoint's options} */
    public DynamoDbDownConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Sets this endpoint's options.
     *
     * @param configuration the options, not shared with other endpoints
     */
    public void setConfiguration(DynamoDbDownConfiguration configuration) {
        this.configuration = configuration;
    }

    /** {@return the DynamoDB table} */
    public String getTableName() {
        return tableName;
    }

    /**
     * Sets the DynamoDB table.
     *
     * @param tableName 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.'
     */
    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    /** {@return the hash key all entries of this endpoint's database share (default {@code !})} */
    public String getHashKey() {
        return hashKey;
    }

    /**
     * Sets the database inside the table: the hash key all its entries share.
     *
     * @param hashKey the hash key; it must not start with {@code __dynamodbdown.}, which is reserved
     */
    public void setHashKey(String hashKey) {
        this.hashKey = hashKey;
    }

    /** {@return what the consumer follows (default tail)} */
    public DynamoDbDownConsumerMode getMode() {
        return mode;
    }

    /**
     * Sets what the consumer follows: the key range as it grows (tail) or every change from the table's change
     * stream (changes).
     *
     * @param mode the consumer mode
     */
    public void setMode(DynamoDbDownConsumerMode mode) {
        this.mode = mode;
    }

    /** {@return at most this many entries per poll (default 500)} */
    public int getMaxMessagesPerPoll() {
        return maxMessagesPerPoll;
    }

    /**
     * Sets how many entries the consumer takes at most per poll.
     *
     * @param maxMessagesPerPoll at least 1
     */
    public void setMaxMessagesPerPoll(int maxMessagesPerPoll) {
        this.maxMessagesPerPoll = maxMessagesPerPoll;
    }

    /** {@return whether the consumer deletes each entry once its exchange completed successfully (default false)} */
    public boolean isDeleteAfterRead() {
        return deleteAfterRead;
    }

    /**
     * Sets whether the consumer deletes each entry once its exchange completed successfully (queue-like
     * consumption, mode=tail only). An entry is deleted only if its value is still the one delivered.
     *
     * @param deleteAfterRead true to delete consumed entries
     */
    public void setDeleteAfterRead(boolean deleteAfterRead) {
        this.deleteAfterRead = deleteAfterRead;
    }

    /**
     * {@return how long (ms) the tail consumer re-reads behind its newest key for keys that become visible late (default 10000)}
     */
    public long getSettleTime() {
        return settleTime;
    }

    /**
     * Sets how long after a key appears keys written with it may still appear below it; the consumer re-reads
     * that window behind its newest key, and its stored position trails by as much (mode=tail).
     *
     * @param settleTime milliseconds, 0 or more
     */
    public void setSettleTime(long settleTime) {
        this.settleTime = settleTime;
    }

    /** {@return the name of this consumer's stored position, or null for one derived from the hash key and range} */
    public String getConsumerId() {
        return consumerId;
    }

    /**
     * Sets a name for this consumer's stored position (resumeFromStore): routes with the same name share it,
     * a renamed one starts over.
     *
     * @param consumerId the name, or null to key the position by the hash key and the range's bounds
     */
    public void setConsumerId(String consumerId) {
        this.consumerId = consumerId;
    }

    /** {@return whether the consumer keeps its position in the table so that a restarted route continues after it} */
    public boolean isResumeFromStore() {
        return resumeFromStore;
    }

    /**
     * Sets whether the consumer keeps its position (its last key, or its change stream checkpoint) in the table,
     * under a reserved hash key, so that a restarted route continues where it stopped.
     *
     * @param resumeFromStore true to store the position
     */
    public void setResumeFromStore(boolean resumeFromStore) {
        this.resumeFromStore = resumeFromStore;
    }
}
