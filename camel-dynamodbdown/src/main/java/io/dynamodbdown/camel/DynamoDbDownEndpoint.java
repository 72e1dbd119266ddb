package io.dynamodbdown.camel;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.InvalidSettingsException;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Reads and writes a LevelDB-style ordered key-value database kept in one hash key of a DynamoDB table,
 * and polls a key range in key order.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "dynamodbdown", title = "DynamoDbDown",
        syntax = "dynamodbdown:tableName$hashKey", category = {Category.DATABASE, Category.CLOUD},
        headersClass = DynamoDbDownConstants.class)
public class DynamoDbDownEndpoint extends ScheduledPollEndpoint {

    /** Hash keys with this prefix are the component's own (consumer positions), never user data. */
    static final String RESERVED_HASH_KEY_PREFIX = "__dynamodbdown.";

    /** The DynamoDB table (3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.'). */
    @UriPath
    @Metadata(required = true)
    private String tableName;

    /** The database inside the table: the DynamoDB hash key all its entries share. */
    @UriPath(defaultValue = Location.DEFAULT_HASH_KEY)
    private String hashKey = Location.DEFAULT_HASH_KEY;

    @UriParam
    private DynamoDbDownConfiguration configuration;

    /** At most this many entries per poll. */
    @UriParam(label = "consumer", defaultValue = "500")
    private int maxMessagesPerPoll = 500;

    /** Delete each entry once its exchange completed successfully: queue-like consumption. */
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean deleteAfterRead;

    /**
     * Keep the consumer's last key in the table itself (under a reserved hash key) so that a restarted
     * route continues after it instead of from the start of the range.
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
     * so late keys are delivered too; the stored position trails by as much.
     */
    @UriParam(label = "consumer", defaultValue = "10000")
    private long settleTime = 10_000;

    private DynamoDbClient client;
    private boolean ownsClient;
    private Database database;

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
        configuration.problems().forEach(p -> problems.add(p.describe(DynamoDbDownConfiguration.OPTION_NAMES)));
        if (settleTime < 0) {
            problems.add("settleTime: must be 0 or more milliseconds, got " + settleTime);
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

    OpenOptions openOptions() {
        return configuration.tableSettings().applyTo(
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
            try {
                client = configuration.clientSettings().buildClient();
            } catch (InvalidSettingsException e) {
                throw new IllegalArgumentException("Cannot start " + this + ": invalid option "
                        + e.describe(DynamoDbDownConfiguration.OPTION_NAMES), e);
            }
        }
        database = DynamoDbDown.open(client, location(), openOptions());
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

    public DynamoDbDownConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(DynamoDbDownConfiguration configuration) {
        this.configuration = configuration;
    }

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public String getHashKey() {
        return hashKey;
    }

    public void setHashKey(String hashKey) {
        this.hashKey = hashKey;
    }

    public int getMaxMessagesPerPoll() {
        return maxMessagesPerPoll;
    }

    public void setMaxMessagesPerPoll(int maxMessagesPerPoll) {
        this.maxMessagesPerPoll = maxMessagesPerPoll;
    }

    public boolean isDeleteAfterRead() {
        return deleteAfterRead;
    }

    public void setDeleteAfterRead(boolean deleteAfterRead) {
        this.deleteAfterRead = deleteAfterRead;
    }

    public long getSettleTime() {
        return settleTime;
    }

    public void setSettleTime(long settleTime) {
        this.settleTime = settleTime;
    }

    public String getConsumerId() {
        return consumerId;
    }

    public void setConsumerId(String consumerId) {
        this.consumerId = consumerId;
    }

    public boolean isResumeFromStore() {
        return resumeFromStore;
    }

    public void setResumeFromStore(boolean resumeFromStore) {
        this.resumeFromStore = resumeFromStore;
    }
}
