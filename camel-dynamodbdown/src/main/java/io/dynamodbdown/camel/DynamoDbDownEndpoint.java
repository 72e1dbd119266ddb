package io.dynamodbdown.camel;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DynamoDbDown;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.net.URI;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.ScheduledPollEndpoint;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

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

    /** Fails endpoint creation for options that cannot work, naming the option. */
    void validate() {
        location();
        if (hashKey.startsWith(RESERVED_HASH_KEY_PREFIX)) {
            throw new IllegalArgumentException("Invalid hashKey '" + hashKey + "': hash keys starting with '"
                    + RESERVED_HASH_KEY_PREFIX + "' are reserved for the component's own records");
        }
        KeyEncoding encoding;
        try {
            encoding = configuration.keyEncodingValue();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid option keyEncoding: " + e.getMessage(), e);
        }
        for (String[] bound : new String[][] {{"gt", configuration.getGt()}, {"gte", configuration.getGte()},
                {"lt", configuration.getLt()}, {"lte", configuration.getLte()}}) {
            if (bound[1] != null) {
                try {
                    encoding.decode(bound[1]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Invalid option " + bound[0] + ": " + e.getMessage(), e);
                }
            }
        }
        try {
            Layout.parse(configuration.getLayout());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid option layout: " + e.getMessage(), e);
        }
        try {
            openOptions();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid options billingMode/readCapacity/writeCapacity: " + e.getMessage(), e);
        }
        if ((configuration.getAccessKey() == null) != (configuration.getSecretKey() == null)) {
            throw new IllegalArgumentException("Options accessKey and secretKey go together: set both or neither"
                    + " (neither uses the default AWS credentials chain)");
        }
        if (settleTime < 0) {
            throw new IllegalArgumentException("Invalid option settleTime: must be 0 or more milliseconds, got " + settleTime);
        }
        if (maxMessagesPerPoll < 1) {
            throw new IllegalArgumentException("Invalid option maxMessagesPerPoll: must be at least 1, got " + maxMessagesPerPoll);
        }
    }

    Location location() {
        return new Location(tableName, hashKey);
    }

    OpenOptions openOptions() {
        OpenOptions options = OpenOptions.defaults()
                .withCreateIfMissing(configuration.isCreateTable())
                .withConsistentRead(configuration.isConsistentRead())
                .withLayout(Layout.parse(configuration.getLayout()));
        return switch (configuration.getBillingMode()) {
            case "PAY_PER_REQUEST" -> options.withOnDemandBilling();
            case "PROVISIONED" -> options.withProvisionedBilling(configuration.getReadCapacity(), configuration.getWriteCapacity());
            default -> throw new IllegalArgumentException("billingMode must be PAY_PER_REQUEST or PROVISIONED, got '"
                    + configuration.getBillingMode() + "'");
        };
    }

    /** The range the endpoint options describe (headers may override it per message in the producer). */
    KeyRange configuredRange() {
        KeyEncoding encoding = configuration.keyEncodingValue();
        KeyRange range = KeyRange.all().reverse(configuration.isReverse()).limit(configuration.getLimit());
        if (configuration.getGt() != null) {
            range = range.gt(encoding.decode(configuration.getGt()));
        }
        if (configuration.getGte() != null) {
            range = range.gte(encoding.decode(configuration.getGte()));
        }
        if (configuration.getLt() != null) {
            range = range.lt(encoding.decode(configuration.getLt()));
        }
        if (configuration.getLte() != null) {
            range = range.lte(encoding.decode(configuration.getLte()));
        }
        return range;
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
            client = buildClient();
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

    private DynamoDbClient buildClient() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder();
        if (configuration.getRegion() != null) {
            builder.region(Region.of(configuration.getRegion()));
        } else if (configuration.getUriEndpointOverride() != null) {
            builder.region(Region.US_EAST_1); // a local endpoint ignores the region, the SDK still wants one
        }
        if (configuration.getUriEndpointOverride() != null) {
            builder.endpointOverride(URI.create(configuration.getUriEndpointOverride()));
        }
        builder.credentialsProvider(configuration.getAccessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(configuration.getAccessKey(), configuration.getSecretKey()))
                : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    /** The database of this endpoint, open while the endpoint is started. */
    Database database() {
        if (database == null) {
            throw new IllegalStateException("Endpoint " + getEndpointUri() + " is not started");
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

    public boolean isResumeFromStore() {
        return resumeFromStore;
    }

    public void setResumeFromStore(boolean resumeFromStore) {
        this.resumeFromStore = resumeFromStore;
    }
}
