package io.dynamodbdown.store.settings;

/**
 * One setting the adapters expose, whatever each calls it: Camel's option {@code accessKey} and the
 * connectors' {@code aws.access.key.id} are both {@link #ACCESS_KEY}. Problems are reported per setting, and
 * each adapter names them with its own {@link SettingNames}.
 */
public enum Setting {
    /** The AWS region: {@link ClientSettings#region()}. */
    REGION,
    /** An endpoint to use instead of AWS's: {@link ClientSettings#endpoint()}. */
    ENDPOINT,
    /** The AWS access key id: {@link CredentialSettings#accessKey()}. */
    ACCESS_KEY,
    /** The AWS secret access key: {@link CredentialSettings#secretKey()}. */
    SECRET_KEY,
    /** The session token of temporary credentials: {@link CredentialSettings#sessionToken()}. */
    SESSION_TOKEN,
    /** A profile of the AWS profile files: {@link CredentialSettings#profile()}. */
    PROFILE,
    /** A credentials file to read the profile from: {@link CredentialSettings#profileFile()}. */
    PROFILE_FILE,
    /** An IAM role to assume: {@link CredentialSettings#roleArn()}. */
    ROLE_ARN,
    /** The external id the role's trust policy asks for: {@link CredentialSettings#roleExternalId()}. */
    ROLE_EXTERNAL_ID,
    /** The name of the role session: {@link CredentialSettings#roleSessionName()}. */
    ROLE_SESSION_NAME,
    /** How long the role's credentials last: {@link CredentialSettings#roleDuration()}. */
    ROLE_DURATION,
    /** An STS endpoint to assume the role through: {@link CredentialSettings#stsEndpoint()}. */
    STS_ENDPOINT,
    /** Attempts per request in all, retries included: {@link ClientSettings#maxAttempts()}. */
    MAX_ATTEMPTS,
    /** The longest pause before the first retry: {@link ClientSettings#retryBaseDelay()}. */
    RETRY_BASE_DELAY,
    /** The longest pause before any retry: {@link ClientSettings#retryMaxDelay()}. */
    RETRY_MAX_DELAY,
    /** How long one call may take, all attempts included: {@link ClientSettings#apiCallTimeout()}. */
    API_CALL_TIMEOUT,
    /** How long one attempt may take: {@link ClientSettings#apiCallAttemptTimeout()}. */
    API_CALL_ATTEMPT_TIMEOUT,
    /** Whether a missing table is created: {@link TableSettings#createTable()}. */
    CREATE_TABLE,
    /** PAY_PER_REQUEST or PROVISIONED, for a table that is created: {@link TableSettings#billingMode()}. */
    BILLING_MODE,
    /** Read capacity units of a PROVISIONED table: {@link TableSettings#readCapacity()}. */
    READ_CAPACITY,
    /** Write capacity units of a PROVISIONED table: {@link TableSettings#writeCapacity()}. */
    WRITE_CAPACITY,
    /** How entries are stored: {@link TableSettings#layout()}. */
    LAYOUT,
    /** The change stream a created table gets: {@link TableSettings#streamView()}. */
    STREAM_VIEW,
    /** Whether an existing table without a stream gets one: {@link TableSettings#enableStream()}. */
    ENABLE_STREAM,
    /** The largest value a put accepts, in bytes: {@link TableSettings#maxValueSize()}. */
    MAX_VALUE_SIZE,
    /** How many partition keys a database spreads over: {@link TableSettings#shards()}. */
    SHARDS,
    /** How range bounds and split points given as text become bytes: {@link RangeSettings#keyEncoding()}. */
    KEY_ENCODING,
    /** Exclusive lower bound of a key range: {@link RangeSettings#gt()}. */
    GT,
    /** Inclusive lower bound of a key range: {@link RangeSettings#gte()}. */
    GTE,
    /** Exclusive upper bound of a key range: {@link RangeSettings#lt()}. */
    LT,
    /** Inclusive upper bound of a key range: {@link RangeSettings#lte()}. */
    LTE,
    /** Points that cut a key range into pieces, one per reader: {@link RangeSettings#splits()}. */
    SPLITS
}
