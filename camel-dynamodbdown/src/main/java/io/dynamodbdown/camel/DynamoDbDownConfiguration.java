package io.dynamodbdown.camel;

import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.RangeSettings;
import io.dynamodbdown.store.settings.SettingNames;
import io.dynamodbdown.store.settings.SettingProblem;
import io.dynamodbdown.store.settings.TableSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The options of a dynamodbdown endpoint; the component holds defaults that every endpoint copies. They map
 * onto the store's settings ({@link ClientSettings}, {@link TableSettings}, {@link RangeSettings}), which
 * validate them and report each problem under the option's name.
 */
@UriParams
public class DynamoDbDownConfiguration implements Cloneable {

    /** The option each store setting is called here. */
    static final SettingNames OPTION_NAMES = setting -> switch (setting) {
        case REGION -> "region";
        case ENDPOINT -> "uriEndpointOverride";
        case ACCESS_KEY -> "accessKey";
        case SECRET_KEY -> "secretKey";
        case MAX_ATTEMPTS -> "maxAttempts";
        case API_CALL_TIMEOUT -> "apiCallTimeout";
        case API_CALL_ATTEMPT_TIMEOUT -> "apiCallAttemptTimeout";
        case CREATE_TABLE -> "createTable";
        case BILLING_MODE -> "billingMode";
        case READ_CAPACITY -> "readCapacity";
        case WRITE_CAPACITY -> "writeCapacity";
        case LAYOUT -> "layout";
        case STREAM_VIEW -> "streamView";
        case ENABLE_STREAM -> "enableStream";
        case MAX_VALUE_SIZE -> "maxValueSize";
        case KEY_ENCODING -> "keyEncoding";
        case GT -> "gt";
        case GTE -> "gte";
        case LT -> "lt";
        case LTE -> "lte";
        default -> setting.name(); // settings this component does not offer as options
    };

    /**
     * The DynamoDB client to use. Autowired when exactly one DynamoDbClient is in the registry; the
     * component never closes a client it did not build.
     */
    @UriParam(label = "common")
    @Metadata(autowired = true)
    private DynamoDbClient dynamoDbClient;

    /** The AWS region of the client the component builds (when no dynamoDbClient is given). */
    @UriParam(label = "common")
    private String region;

    /** An endpoint to use instead of AWS's, e.g. http://localhost:8000 for DynamoDB Local. */
    @UriParam(label = "common")
    private String uriEndpointOverride;

    /** The AWS access key of the client the component builds; without it the default credentials chain is used. */
    @UriParam(label = "security", secret = true)
    private String accessKey;

    /** The AWS secret key that goes with accessKey. */
    @UriParam(label = "security", secret = true)
    private String secretKey;

    /**
     * Attempts per DynamoDB request in all, 1 for no retry: throttling, server errors and connection errors are
     * retried with exponential backoff (25 ms doubling up to 2 s, full jitter), as are unprocessed batch items.
     * Only for the client the component builds; a dynamoDbClient of your own keeps its own retry strategy.
     */
    @UriParam(label = "common", defaultValue = "10")
    private int maxAttempts = ClientSettings.DEFAULT_MAX_ATTEMPTS;

    /** How long (ms) one DynamoDB call may take, retries included; 0 for no limit. Only for a client the component builds. */
    @UriParam(label = "advanced", defaultValue = "0")
    private long apiCallTimeout;

    /** How long (ms) one attempt of a DynamoDB call may take; 0 for no limit. Only for a client the component builds. */
    @UriParam(label = "advanced", defaultValue = "0")
    private long apiCallAttemptTimeout;

    /** Create the table when it does not exist. */
    @UriParam(label = "common", defaultValue = "true")
    private boolean createTable = true;

    /** Billing of a table the component creates: PAY_PER_REQUEST or PROVISIONED. */
    @UriParam(label = "common", defaultValue = "PAY_PER_REQUEST", enums = "PAY_PER_REQUEST,PROVISIONED")
    private BillingMode billingMode = BillingMode.PAY_PER_REQUEST;

    /** Read capacity units of a PROVISIONED table the component creates. */
    @UriParam(label = "common", defaultValue = "5")
    private long readCapacity = 5;

    /** Write capacity units of a PROVISIONED table the component creates. */
    @UriParam(label = "common", defaultValue = "5")
    private long writeCapacity = 5;

    /**
     * How entries are stored: auto (detect an existing table's layout, native for a new one), native,
     * dynamodbdown, dynamodb-leveldown or dynamodb-leveldown-legacy (tables of the JavaScript originals).
     */
    @UriParam(label = "common", defaultValue = "auto",
            enums = "auto,native,dynamodbdown,dynamodb-leveldown,dynamodb-leveldown-legacy")
    private Layout layout = Layout.AUTO;

    /** Strongly consistent reads. */
    @UriParam(label = "common", defaultValue = "true")
    private boolean consistentRead = true;

    /**
     * The change stream a table the component creates gets: NEW_IMAGE (what a consumer in mode=changes needs,
     * and its default there) or NEW_AND_OLD_IMAGES. Without it (and outside mode=changes) tables get none.
     */
    @UriParam(label = "common", enums = "NEW_IMAGE,NEW_AND_OLD_IMAGES")
    private StreamViewType streamView;

    /**
     * Give an existing table without a change stream one (of streamView, NEW_IMAGE by default in
     * mode=changes). Off by default: an existing table is only changed when asked.
     */
    @UriParam(label = "common", defaultValue = "false")
    private boolean enableStream;

    /**
     * The largest value a put accepts, in bytes (at most 268435456, 256 MiB). Values whose item would pass
     * DynamoDB's 400 KB limit are kept as chunks in the same table, and read back whole.
     */
    @UriParam(label = "common", defaultValue = "16777216")
    private long maxValueSize = OpenOptions.DEFAULT_MAX_VALUE_SIZE;

    /**
     * The DynamoDB Streams client a consumer in mode=changes reads with. Autowired when exactly one is in the
     * registry; otherwise the component builds one from the same options as the DynamoDB client.
     */
    @UriParam(label = "consumer")
    @Metadata(autowired = true)
    private DynamoDbStreamsClient dynamoDbStreamsClient;

    /** The operation; the header CamelDynamoDbDownOperation overrides it per message. */
    @UriParam(label = "producer", defaultValue = "put")
    private DynamoDbDownOperations op = DynamoDbDownOperations.put;

    /** The key (its UTF-8 bytes) when a message has no CamelDynamoDbDownKey header. */
    @UriParam(label = "producer")
    private String key;

    /** Write batches all-or-nothing (at most 100 distinct keys); the header CamelDynamoDbDownAtomic overrides it. */
    @UriParam(label = "producer", defaultValue = "false")
    private boolean atomic;

    /** Range lower bound, exclusive. */
    @UriParam(label = "common")
    private String gt;

    /** Range lower bound, inclusive; wins over gt. */
    @UriParam(label = "common")
    private String gte;

    /** Range upper bound, exclusive. */
    @UriParam(label = "common")
    private String lt;

    /** Range upper bound, inclusive; wins over lt. */
    @UriParam(label = "common")
    private String lte;

    /** Read the range backwards. */
    @UriParam(label = "common", defaultValue = "false")
    private boolean reverse;

    /** At most this many entries for range and clear; negative for no limit. */
    @UriParam(label = "producer", defaultValue = "-1")
    private int limit = -1;

    /** How range bounds given as text are turned into bytes: utf8, hex or base64. */
    @UriParam(label = "common", defaultValue = "utf8", enums = "utf8,hex,base64")
    private KeyEncoding keyEncoding = KeyEncoding.UTF8;

    /** For range: return an Iterator of entries instead of a List, so a Splitter can stream any range size in flat memory. */
    @UriParam(label = "producer", defaultValue = "false")
    private boolean streamResult;

    public DynamoDbDownConfiguration copy() {
        try {
            return (DynamoDbDownConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    ClientSettings clientSettings() {
        return ClientSettings.defaults()
                .withRegion(region)
                .withEndpoint(uriEndpointOverride)
                .withCredentials(accessKey, secretKey)
                .withMaxAttempts(maxAttempts)
                .withTimeouts(noLimitIfZero(apiCallTimeout), noLimitIfZero(apiCallAttemptTimeout));
    }

    private static Duration noLimitIfZero(long millis) {
        return millis == 0 ? null : Duration.ofMillis(millis);
    }

    /** The table settings; {@code defaultStreamView} is the stream view when the streamView option is not set. */
    TableSettings tableSettings(StreamViewType defaultStreamView) {
        StreamViewType view = streamView != null ? streamView : defaultStreamView;
        return TableSettings.defaults()
                .withCreateTable(createTable)
                .withBilling(billingMode, readCapacity, writeCapacity)
                .withLayout(layout)
                .withConsistentRead(consistentRead)
                .withStream(view, enableStream)
                .withMaxValueSize(maxValueSize);
    }

    RangeSettings rangeSettings() {
        return RangeSettings.all().withKeyEncoding(keyEncoding).withBounds(gt, gte, lt, lte);
    }

    /** Every problem of the options that map onto store settings. */
    List<SettingProblem> problems(StreamViewType defaultStreamView) {
        List<SettingProblem> problems = new ArrayList<>(clientSettings().problems());
        problems.addAll(tableSettings(defaultStreamView).problems());
        problems.addAll(rangeSettings().problems());
        return problems;
    }

    public DynamoDbClient getDynamoDbClient() {
        return dynamoDbClient;
    }

    public void setDynamoDbClient(DynamoDbClient dynamoDbClient) {
        this.dynamoDbClient = dynamoDbClient;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getUriEndpointOverride() {
        return uriEndpointOverride;
    }

    public void setUriEndpointOverride(String uriEndpointOverride) {
        this.uriEndpointOverride = uriEndpointOverride;
    }

    public String getAccessKey() {
        return accessKey;
    }

    public void setAccessKey(String accessKey) {
        this.accessKey = accessKey;
    }

    public String getSecretKey() {
        return secretKey;
    }

    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    public boolean isCreateTable() {
        return createTable;
    }

    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public long getApiCallTimeout() {
        return apiCallTimeout;
    }

    public void setApiCallTimeout(long apiCallTimeout) {
        this.apiCallTimeout = apiCallTimeout;
    }

    public long getApiCallAttemptTimeout() {
        return apiCallAttemptTimeout;
    }

    public void setApiCallAttemptTimeout(long apiCallAttemptTimeout) {
        this.apiCallAttemptTimeout = apiCallAttemptTimeout;
    }

    public BillingMode getBillingMode() {
        return billingMode;
    }

    public void setBillingMode(BillingMode billingMode) {
        this.billingMode = billingMode;
    }

    public long getReadCapacity() {
        return readCapacity;
    }

    public void setReadCapacity(long readCapacity) {
        this.readCapacity = readCapacity;
    }

    public long getWriteCapacity() {
        return writeCapacity;
    }

    public void setWriteCapacity(long writeCapacity) {
        this.writeCapacity = writeCapacity;
    }

    public Layout getLayout() {
        return layout;
    }

    public void setLayout(Layout layout) {
        this.layout = layout;
    }

    public boolean isConsistentRead() {
        return consistentRead;
    }

    public void setConsistentRead(boolean consistentRead) {
        this.consistentRead = consistentRead;
    }

    public DynamoDbDownOperations getOp() {
        return op;
    }

    public void setOp(DynamoDbDownOperations op) {
        this.op = op;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public boolean isAtomic() {
        return atomic;
    }

    public void setAtomic(boolean atomic) {
        this.atomic = atomic;
    }

    public String getGt() {
        return gt;
    }

    public void setGt(String gt) {
        this.gt = gt;
    }

    public String getGte() {
        return gte;
    }

    public void setGte(String gte) {
        this.gte = gte;
    }

    public String getLt() {
        return lt;
    }

    public void setLt(String lt) {
        this.lt = lt;
    }

    public String getLte() {
        return lte;
    }

    public void setLte(String lte) {
        this.lte = lte;
    }

    public boolean isReverse() {
        return reverse;
    }

    public void setReverse(boolean reverse) {
        this.reverse = reverse;
    }

    public int getLimit() {
        return limit;
    }

    public void setLimit(int limit) {
        this.limit = limit;
    }

    public KeyEncoding getKeyEncoding() {
        return keyEncoding;
    }

    public void setKeyEncoding(KeyEncoding keyEncoding) {
        this.keyEncoding = keyEncoding;
    }

    public StreamViewType getStreamView() {
        return streamView;
    }

    public void setStreamView(StreamViewType streamView) {
        this.streamView = streamView;
    }

    public boolean isEnableStream() {
        return enableStream;
    }

    public void setEnableStream(boolean enableStream) {
        this.enableStream = enableStream;
    }

    public long getMaxValueSize() {
        return maxValueSize;
    }

    public void setMaxValueSize(long maxValueSize) {
        this.maxValueSize = maxValueSize;
    }

    public DynamoDbStreamsClient getDynamoDbStreamsClient() {
        return dynamoDbStreamsClient;
    }

    public void setDynamoDbStreamsClient(DynamoDbStreamsClient dynamoDbStreamsClient) {
        this.dynamoDbStreamsClient = dynamoDbStreamsClient;
    }

    public boolean isStreamResult() {
        return streamResult;
    }

    public void setStreamResult(boolean streamResult) {
        this.streamResult = streamResult;
    }
}
