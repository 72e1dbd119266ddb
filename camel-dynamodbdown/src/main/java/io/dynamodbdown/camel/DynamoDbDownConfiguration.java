package io.dynamodbdown.camel;

import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.CredentialSettings;
import io.dynamodbdown.store.settings.RangeSettings;
import io.dynamodbdown.store.settings.Setting;
import io.dynamodbdown.store.settings.SettingNames;
import io.dynamodbdown.store.settings.SettingProblem;
import io.dynamodbdown.store.settings.TableSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import software.amazon.awssdk.profiles.ProfileFileSystemSetting;
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
        case SESSION_TOKEN -> "sessionToken";
        case PROFILE -> "profileCredentialsName";
        case PROFILE_FILE -> "profileCredentialsFile";
        case ROLE_ARN -> "roleArn";
        case ROLE_EXTERNAL_ID -> "roleExternalIdSecret";
        case ROLE_SESSION_NAME -> "roleSessionName";
        case ROLE_DURATION -> "roleDurationSeconds";
        case STS_ENDPOINT -> "stsEndpoint";
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
        case SHARDS -> "shards";
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

    /**
     * The AWS access key of the client the component builds; without it, a profile (useProfileCredentialsProvider) or
     * the default credentials chain is used.
     */
    @UriParam(label = "security", secret = true)
    private String accessKey;

    /** The AWS secret key that goes with accessKey. */
    @UriParam(label = "security", secret = true)
    private String secretKey;

    /**
     * The session token of temporary credentials, which go with accessKey and secretKey (all three as STS or an SSO
     * login issued them). Used as given, never renewed: for a route that runs longer than they last, assume a role
     * (roleArn) instead.
     */
    @UriParam(label = "security", secret = true)
    private String sessionToken;

    /** Sign with temporary credentials: accessKey, secretKey and sessionToken, all three required. */
    @UriParam(label = "security", defaultValue = "false")
    private boolean useSessionCredentials;

    /**
     * Take the credentials from a profile of the AWS profile files (~/.aws/credentials and ~/.aws/config, or where
     * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE point), instead of a key pair: profileCredentialsName, or the
     * default profile (AWS_PROFILE, else "default").
     */
    @UriParam(label = "security", defaultValue = "false")
    private boolean useProfileCredentialsProvider;

    /** The profile to take the credentials from; setting it is enough to use it. */
    @UriParam(label = "security")
    private String profileCredentialsName;

    /** A credentials file (the format of ~/.aws/credentials) to read the profile from, instead of the default files. */
    @UriParam(label = "security")
    private String profileCredentialsFile;

    /**
     * An IAM role to assume with the credentials otherwise configured (the key pair, the profile, or the default
     * chain), e.g. one of another account; its temporary credentials are renewed through STS before they expire.
     */
    @UriParam(label = "security")
    private String roleArn;

    /**
     * The external id the role's trust policy requires (sts:ExternalId). Named with "Secret" so that Camel masks it in
     * the endpoint URIs it logs, as it masks accessKey and secretKey (Camel masks by name only).
     */
    @UriParam(label = "security", secret = true)
    private String roleExternalIdSecret;

    /** The role session's name, which CloudTrail shows with each call; without it, dynamodbdown. */
    @UriParam(label = "security")
    private String roleSessionName;

    /** How long each set of the role's credentials lasts, in seconds (900 to 43200, at most the role's maximum). */
    @UriParam(label = "security", defaultValue = "3600")
    private int roleDurationSeconds = (int) CredentialSettings.DEFAULT_ROLE_DURATION.toSeconds();

    /** An STS endpoint to assume the role through, such as a VPC endpoint; without it, the region's. */
    @UriParam(label = "security")
    private String stsEndpoint;

    /**
     * Attempts per DynamoDB request in all, 1 for no retry: throttling, server errors and connection errors are
     * retried with exponential backoff (25 ms doubling up to 2 s, full jitter). Unprocessed batch items are sent
     * again at the pace DynamoDB accepts them, and only this many attempts in a row that it accepted none of end
     * a batch. Only for the client the component builds; a dynamoDbClient of your own keeps its own retry strategy.
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
     * How many DynamoDB partition keys the database spreads over (1 to 256). One partition key serves about
     * 1,000 writes and 3,000 reads a second; n shards serve n times that, and reads merge them in key order.
     * 0 (default): the count recorded with the database, 1 for a new one. A database keeps the count it was
     * created with; an endpoint giving another fails to start.
     */
    @UriParam(label = "common", defaultValue = "0")
    private int shards;

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

    /**
     * {@return a shallow copy of these options, which an endpoint can change without touching the component's defaults}
     */
    public DynamoDbDownConfiguration copy() {
        try {
            return (DynamoDbDownConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    ClientSettings clientSettings() {
        String profile = profileCredentialsName != null || !useProfileCredentialsProvider ? profileCredentialsName
                : ProfileFileSystemSetting.AWS_PROFILE.getStringValueOrThrow();
        return ClientSettings.defaults()
                .withRegion(region)
                .withEndpoint(uriEndpointOverride)
                .withCredentials(accessKey, secretKey)
                .withSessionToken(sessionToken)
                .withProfile(profile, profileCredentialsFile == null ? null : Path.of(profileCredentialsFile))
                .withRole(roleArn, roleExternalIdSecret, roleSessionName, Duration.ofSeconds(roleDurationSeconds))
                .withStsEndpoint(stsEndpoint)
                .withMaxAttempts(maxAttempts)
                .withTimeouts(noLimitIfZero(apiCallTimeout), noLimitIfZero(apiCallAttemptTimeout));
    }

    private static Duration noLimitIfZero(long millis) {
        return millis == 0 ? null : Duration.ofMillis(millis);
    }

    /** The table settings; {@code defaultStreamView} is the stream view when the streamView option is not set. */
    TableSettings tableSettings(StreamViewType defaultStreamView) {
        return new TableSettings(createTable, billingMode, readCapacity, writeCapacity, layout, consistentRead,
                streamView != null ? streamView : defaultStreamView, enableStream, maxValueSize, shards);
    }

    RangeSettings rangeSettings() {
        return RangeSettings.all().withKeyEncoding(keyEncoding).withBounds(gt, gte, lt, lte);
    }

    /** Every problem of the options that map onto store settings. */
    List<SettingProblem> problems(StreamViewType defaultStreamView) {
        List<SettingProblem> problems = new ArrayList<>(clientSettings().problems());
        if (useSessionCredentials && (sessionToken == null || sessionToken.isBlank())) {
            problems.add(new SettingProblem(Setting.SESSION_TOKEN, "is required with useSessionCredentials=true: temporary"
                    + " credentials are accessKey, secretKey and sessionToken"));
        }
        problems.addAll(tableSettings(defaultStreamView).problems());
        problems.addAll(rangeSettings().problems());
        return problems;
    }

    /**
     * {@return the DynamoDB client to use, or null to have the endpoint build (and close) one from the client options}
     */
    public DynamoDbClient getDynamoDbClient() {
        return dynamoDbClient;
    }

    /**
     * Sets the DynamoDB client to use. The component never closes a client it did not build.
     *
     * @param dynamoDbClient a client of your own, or null to have the endpoint build one
     */
    public void setDynamoDbClient(DynamoDbClient dynamoDbClient) {
        this.dynamoDbClient = dynamoDbClient;
    }

    /** {@return the AWS region of the client the endpoint builds, or null for the default region chain} */
    public String getRegion() {
        return region;
    }

    /**
     * Sets the AWS region of the client the endpoint builds; ignored when a dynamoDbClient is given.
     *
     * @param region e.g. {@code eu-west-1}; null for the default region chain (us-east-1 with uriEndpointOverride)
     */
    public void setRegion(String region) {
        this.region = region;
    }

    /** {@return the endpoint used instead of AWS's, or null for AWS's} */
    public String getUriEndpointOverride() {
        return uriEndpointOverride;
    }

    /**
     * Sets an endpoint to use instead of AWS's, such as DynamoDB Local.
     *
     * @param uriEndpointOverride e.g. {@code http://localhost:8000}; null for AWS's endpoint
     */
    public void setUriEndpointOverride(String uriEndpointOverride) {
        this.uriEndpointOverride = uriEndpointOverride;
    }

    /** {@return the AWS access key of the client the endpoint builds, or null for the default credentials chain} */
    public String getAccessKey() {
        return accessKey;
    }

    /**
     * Sets the AWS access key of the client the endpoint builds (a secret option, masked in logs).
     *
     * @param accessKey the access key, given together with secretKey; null for the default credentials chain
     */
    public void setAccessKey(String accessKey) {
        this.accessKey = accessKey;
    }

    /** {@return the AWS secret key that goes with the access key} */
    public String getSecretKey() {
        return secretKey;
    }

    /**
     * Sets the AWS secret key that goes with accessKey (a secret option, masked in logs).
     *
     * @param secretKey the secret key; null for the default credentials chain
     */
    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    /** {@return the session token of temporary credentials, or null} */
    public String getSessionToken() {
        return sessionToken;
    }

    /**
     * Sets the session token of temporary credentials, which go with accessKey and secretKey (a secret option, masked
     * in logs).
     *
     * @param sessionToken the token; null for long-term keys
     */
    public void setSessionToken(String sessionToken) {
        this.sessionToken = sessionToken;
    }

    /** {@return whether the client signs with temporary credentials (default false)} */
    public boolean isUseSessionCredentials() {
        return useSessionCredentials;
    }

    /**
     * Sets whether the client signs with temporary credentials: accessKey, secretKey and sessionToken are then all
     * required.
     *
     * @param useSessionCredentials true for temporary credentials
     */
    public void setUseSessionCredentials(boolean useSessionCredentials) {
        this.useSessionCredentials = useSessionCredentials;
    }

    /** {@return whether the credentials come from a profile (default false)} */
    public boolean isUseProfileCredentialsProvider() {
        return useProfileCredentialsProvider;
    }

    /**
     * Sets whether the credentials come from a profile: profileCredentialsName, or the default profile.
     *
     * @param useProfileCredentialsProvider true for a profile
     */
    public void setUseProfileCredentialsProvider(boolean useProfileCredentialsProvider) {
        this.useProfileCredentialsProvider = useProfileCredentialsProvider;
    }

    /** {@return the profile the credentials come from, or null} */
    public String getProfileCredentialsName() {
        return profileCredentialsName;
    }

    /**
     * Sets the profile the credentials come from; it must exist when the endpoint is created.
     *
     * @param profileCredentialsName a profile of the AWS profile files (or of profileCredentialsFile); null for none
     */
    public void setProfileCredentialsName(String profileCredentialsName) {
        this.profileCredentialsName = profileCredentialsName;
    }

    /** {@return the credentials file the profile is read from, or null for the default files} */
    public String getProfileCredentialsFile() {
        return profileCredentialsFile;
    }

    /**
     * Sets a credentials file to read the profile from instead of the default AWS profile files.
     *
     * @param profileCredentialsFile a path to a file in the format of ~/.aws/credentials; null for the default files
     */
    public void setProfileCredentialsFile(String profileCredentialsFile) {
        this.profileCredentialsFile = profileCredentialsFile;
    }

    /** {@return the IAM role the client assumes, or null} */
    public String getRoleArn() {
        return roleArn;
    }

    /**
     * Sets an IAM role to assume with the credentials otherwise configured.
     *
     * @param roleArn e.g. {@code arn:aws:iam::123456789012:role/dynamodbdown-backup}; null for none
     */
    public void setRoleArn(String roleArn) {
        this.roleArn = roleArn;
    }

    /** {@return the external id sent when assuming the role, or null} */
    public String getRoleExternalIdSecret() {
        return roleExternalIdSecret;
    }

    /**
     * Sets the external id the role's trust policy requires (a secret option, masked in logs).
     *
     * @param roleExternalIdSecret the external id; null for none
     */
    public void setRoleExternalIdSecret(String roleExternalIdSecret) {
        this.roleExternalIdSecret = roleExternalIdSecret;
    }

    /** {@return the role session's name, or null for dynamodbdown} */
    public String getRoleSessionName() {
        return roleSessionName;
    }

    /**
     * Sets the role session's name, which CloudTrail shows with each call.
     *
     * @param roleSessionName 2 to 64 characters of letters, digits and _+=,.@-; null for dynamodbdown
     */
    public void setRoleSessionName(String roleSessionName) {
        this.roleSessionName = roleSessionName;
    }

    /** {@return how long each set of the role's credentials lasts, in seconds (default 3600)} */
    public int getRoleDurationSeconds() {
        return roleDurationSeconds;
    }

    /**
     * Sets how long each set of the role's credentials lasts.
     *
     * @param roleDurationSeconds 900 to 43200, at most the role's maximum session duration
     */
    public void setRoleDurationSeconds(int roleDurationSeconds) {
        this.roleDurationSeconds = roleDurationSeconds;
    }

    /** {@return the STS endpoint the role is assumed through, or null for the region's} */
    public String getStsEndpoint() {
        return stsEndpoint;
    }

    /**
     * Sets an STS endpoint to assume the role through instead of the region's.
     *
     * @param stsEndpoint an http or https URL; null for the region's
     */
    public void setStsEndpoint(String stsEndpoint) {
        this.stsEndpoint = stsEndpoint;
    }

    /** {@return whether the table is created when it does not exist (default true)} */
    public boolean isCreateTable() {
        return createTable;
    }

    /**
     * Sets whether the table is created when it does not exist.
     *
     * @param createTable false to fail on a missing table instead
     */
    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    /** {@return the attempts per DynamoDB request in all (default 10; 1 means no retry)} */
    public int getMaxAttempts() {
        return maxAttempts;
    }

    /**
     * Sets the attempts per DynamoDB request in all, retries with exponential backoff included. Applies only to the
     * client the endpoint builds.
     *
     * @param maxAttempts at least 1; 1 for no retry
     */
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /** {@return how long (ms) one DynamoDB call may take, retries included; 0 for no limit} */
    public long getApiCallTimeout() {
        return apiCallTimeout;
    }

    /**
     * Sets how long one DynamoDB call may take, retries included. Applies only to the client the endpoint builds.
     *
     * @param apiCallTimeout milliseconds; 0 for no limit
     */
    public void setApiCallTimeout(long apiCallTimeout) {
        this.apiCallTimeout = apiCallTimeout;
    }

    /** {@return how long (ms) one attempt of a DynamoDB call may take; 0 for no limit} */
    public long getApiCallAttemptTimeout() {
        return apiCallAttemptTimeout;
    }

    /**
     * Sets how long one attempt of a DynamoDB call may take. Applies only to the client the endpoint builds.
     *
     * @param apiCallAttemptTimeout milliseconds; 0 for no limit
     */
    public void setApiCallAttemptTimeout(long apiCallAttemptTimeout) {
        this.apiCallAttemptTimeout = apiCallAttemptTimeout;
    }

    /** {@return the billing mode of a table the endpoint creates (default PAY_PER_REQUEST)} */
    public BillingMode getBillingMode() {
        return billingMode;
    }

    /**
     * Sets the billing mode of a table the endpoint creates; an existing table keeps its own.
     *
     * @param billingMode PAY_PER_REQUEST, or PROVISIONED with readCapacity and writeCapacity
     */
    public void setBillingMode(BillingMode billingMode) {
        this.billingMode = billingMode;
    }

    /** {@return the read capacity units of a PROVISIONED table the endpoint creates (default 5)} */
    public long getReadCapacity() {
        return readCapacity;
    }

    /**
     * Sets the read capacity units of a PROVISIONED table the endpoint creates.
     *
     * @param readCapacity read capacity units, at least 1
     */
    public void setReadCapacity(long readCapacity) {
        this.readCapacity = readCapacity;
    }

    /** {@return the write capacity units of a PROVISIONED table the endpoint creates (default 5)} */
    public long getWriteCapacity() {
        return writeCapacity;
    }

    /**
     * Sets the write capacity units of a PROVISIONED table the endpoint creates.
     *
     * @param writeCapacity write capacity units, at least 1
     */
    public void setWriteCapacity(long writeCapacity) {
        this.writeCapacity = writeCapacity;
    }

    /** {@return how entries are stored in the table (default auto: detect an existing table's layout)} */
    public Layout getLayout() {
        return layout;
    }

    /**
     * Sets how entries are stored: auto detects an existing table's layout (native for a new one); the
     * dynamodb-leveldown layouts read and write tables of the JavaScript originals.
     *
     * @param layout the layout
     */
    public void setLayout(Layout layout) {
        this.layout = layout;
    }

    /** {@return whether reads are strongly consistent (default true)} */
    public boolean isConsistentRead() {
        return consistentRead;
    }

    /**
     * Sets whether reads are strongly consistent.
     *
     * @param consistentRead false for eventually consistent reads, which cost half as much
     */
    public void setConsistentRead(boolean consistentRead) {
        this.consistentRead = consistentRead;
    }

    /** {@return the producer's operation when a message has no CamelDynamoDbDownOperation header (default put)} */
    public DynamoDbDownOperations getOp() {
        return op;
    }

    /**
     * Sets the producer's operation; the header CamelDynamoDbDownOperation overrides it per message.
     *
     * @param op the operation
     */
    public void setOp(DynamoDbDownOperations op) {
        this.op = op;
    }

    /** {@return the key used when a message has no CamelDynamoDbDownKey header, or null} */
    public String getKey() {
        return key;
    }

    /**
     * Sets the key (its UTF-8 bytes) used when a message has no CamelDynamoDbDownKey header.
     *
     * @param key the key, or null to require the header
     */
    public void setKey(String key) {
        this.key = key;
    }

    /** {@return whether batches are written all-or-nothing (default false)} */
    public boolean isAtomic() {
        return atomic;
    }

    /**
     * Sets whether batches are written all-or-nothing, which allows at most 100 distinct keys; the header
     * CamelDynamoDbDownAtomic overrides it per message.
     *
     * @param atomic true for all-or-nothing batches
     */
    public void setAtomic(boolean atomic) {
        this.atomic = atomic;
    }

    /** {@return the exclusive lower bound of the range, as text read with keyEncoding, or null} */
    public String getGt() {
        return gt;
    }

    /**
     * Sets the exclusive lower bound of the range; gte wins over it.
     *
     * @param gt the bound as text, read with keyEncoding; null for none
     */
    public void setGt(String gt) {
        this.gt = gt;
    }

    /** {@return the inclusive lower bound of the range, as text read with keyEncoding, or null} */
    public String getGte() {
        return gte;
    }

    /**
     * Sets the inclusive lower bound of the range; it wins over gt.
     *
     * @param gte the bound as text, read with keyEncoding; null for none
     */
    public void setGte(String gte) {
        this.gte = gte;
    }

    /** {@return the exclusive upper bound of the range, as text read with keyEncoding, or null} */
    public String getLt() {
        return lt;
    }

    /**
     * Sets the exclusive upper bound of the range; lte wins over it.
     *
     * @param lt the bound as text, read with keyEncoding; null for none
     */
    public void setLt(String lt) {
        this.lt = lt;
    }

    /** {@return the inclusive upper bound of the range, as text read with keyEncoding, or null} */
    public String getLte() {
        return lte;
    }

    /**
     * Sets the inclusive upper bound of the range; it wins over lt.
     *
     * @param lte the bound as text, read with keyEncoding; null for none
     */
    public void setLte(String lte) {
        this.lte = lte;
    }

    /** {@return whether the range is read backwards, from its upper bound down (default false)} */
    public boolean isReverse() {
        return reverse;
    }

    /**
     * Sets whether the range is read backwards; the header CamelDynamoDbDownReverse overrides it per message.
     *
     * @param reverse true to read from the upper bound down
     */
    public void setReverse(boolean reverse) {
        this.reverse = reverse;
    }

    /** {@return at most this many entries for range and clear; negative for no limit (default -1)} */
    public int getLimit() {
        return limit;
    }

    /**
     * Sets how many entries range and clear handle at most; the header CamelDynamoDbDownLimit overrides it per message.
     *
     * @param limit the most entries; negative for no limit
     */
    public void setLimit(int limit) {
        this.limit = limit;
    }

    /** {@return how range bounds given as text are turned into bytes (default utf8)} */
    public KeyEncoding getKeyEncoding() {
        return keyEncoding;
    }

    /**
     * Sets how range bounds given as text (options, or String headers) are turned into bytes.
     *
     * @param keyEncoding utf8, hex or base64
     */
    public void setKeyEncoding(KeyEncoding keyEncoding) {
        this.keyEncoding = keyEncoding;
    }

    /** {@return the change stream a table the endpoint creates gets, or null for the mode's default} */
    public StreamViewType getStreamView() {
        return streamView;
    }

    /**
     * Sets the change stream a table the endpoint creates gets (and an existing one gets with enableStream).
     * Without it a consumer in mode=changes uses NEW_IMAGE and other endpoints create tables without a stream.
     *
     * @param streamView NEW_IMAGE or NEW_AND_OLD_IMAGES; null for the default
     */
    public void setStreamView(StreamViewType streamView) {
        this.streamView = streamView;
    }

    /** {@return whether an existing table without a change stream is given one (default false)} */
    public boolean isEnableStream() {
        return enableStream;
    }

    /**
     * Sets whether an existing table without a change stream is given one (of streamView, NEW_IMAGE by default in
     * mode=changes). An existing table is changed only when this is set.
     *
     * @param enableStream true to enable the stream on an existing table
     */
    public void setEnableStream(boolean enableStream) {
        this.enableStream = enableStream;
    }

    /** {@return how many partition keys the database spreads over; 0 (default) for the recorded count} */
    public int getShards() {
        return shards;
    }

    /**
     * Sets how many DynamoDB partition keys the database spreads over.
     *
     * @param shards 1 to 256, or 0 for the count recorded with the database (1 for a new one)
     */
    public void setShards(int shards) {
        this.shards = shards;
    }

    /** {@return the largest value a put accepts, in bytes (default 16777216, 16 MiB)} */
    public long getMaxValueSize() {
        return maxValueSize;
    }

    /**
     * Sets the largest value a put accepts. Values whose item would pass DynamoDB's 400 KB limit are kept as
     * chunks in the same table and read back whole.
     *
     * @param maxValueSize bytes, at most 268435456 (256 MiB)
     */
    public void setMaxValueSize(long maxValueSize) {
        this.maxValueSize = maxValueSize;
    }

    /** {@return the DynamoDB Streams client a consumer in mode=changes reads with, or null to build one} */
    public DynamoDbStreamsClient getDynamoDbStreamsClient() {
        return dynamoDbStreamsClient;
    }

    /**
     * Sets the DynamoDB Streams client a consumer in mode=changes reads with. Without one the endpoint builds one
     * from the same options as the DynamoDB client, and closes it when it stops.
     *
     * @param dynamoDbStreamsClient a client of your own, or null to have the endpoint build one
     */
    public void setDynamoDbStreamsClient(DynamoDbStreamsClient dynamoDbStreamsClient) {
        this.dynamoDbStreamsClient = dynamoDbStreamsClient;
    }

    /** {@return whether range returns an Iterator of entries instead of a List (default false)} */
    public boolean isStreamResult() {
        return streamResult;
    }

    /**
     * Sets whether range returns an Iterator of entries instead of a List, so that a streaming Splitter handles a
     * range of any size in flat memory.
     *
     * @param streamResult true for an Iterator
     */
    public void setStreamResult(boolean streamResult) {
        this.streamResult = streamResult;
    }
}
