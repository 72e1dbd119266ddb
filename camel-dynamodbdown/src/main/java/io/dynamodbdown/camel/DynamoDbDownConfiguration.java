package io.dynamodbdown.camel;

import io.dynamodbdown.store.KeyEncoding;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The options of a dynamodbdown endpoint; the component holds defaults that every endpoint copies. */
@UriParams
public class DynamoDbDownConfiguration implements Cloneable {

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

    /** Create the table when it does not exist. */
    @UriParam(label = "common", defaultValue = "true")
    private boolean createTable = true;

    /** Billing of a table the component creates: PAY_PER_REQUEST or PROVISIONED. */
    @UriParam(label = "common", defaultValue = "PAY_PER_REQUEST", enums = "PAY_PER_REQUEST,PROVISIONED")
    private String billingMode = "PAY_PER_REQUEST";

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
    private String layout = "auto";

    /** Strongly consistent reads. */
    @UriParam(label = "common", defaultValue = "true")
    private boolean consistentRead = true;

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
    private String keyEncoding = "utf8";

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

    KeyEncoding keyEncodingValue() {
        return KeyEncoding.parse(keyEncoding);
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

    public String getBillingMode() {
        return billingMode;
    }

    public void setBillingMode(String billingMode) {
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

    public String getLayout() {
        return layout;
    }

    public void setLayout(String layout) {
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

    public String getKeyEncoding() {
        return keyEncoding;
    }

    public void setKeyEncoding(String keyEncoding) {
        this.keyEncoding = keyEncoding;
    }

    public boolean isStreamResult() {
        return streamResult;
    }

    public void setStreamResult(boolean streamResult) {
        this.streamResult = streamResult;
    }
}
