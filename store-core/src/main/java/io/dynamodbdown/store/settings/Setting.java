package io.dynamodbdown.store.settings;

/**
 * One setting the adapters expose, whatever each calls it: Camel's option {@code accessKey} and the
 * connectors' {@code aws.access.key.id} are both {@link #ACCESS_KEY}. Problems are reported per setting, and
 * each adapter names them with its own {@link SettingNames}.
 */
public enum Setting {
    REGION,
    ENDPOINT,
    ACCESS_KEY,
    SECRET_KEY,
    MAX_ATTEMPTS,
    RETRY_BASE_DELAY,
    RETRY_MAX_DELAY,
    API_CALL_TIMEOUT,
    API_CALL_ATTEMPT_TIMEOUT,
    CREATE_TABLE,
    BILLING_MODE,
    READ_CAPACITY,
    WRITE_CAPACITY,
    LAYOUT,
    STREAM_VIEW,
    ENABLE_STREAM,
    MAX_VALUE_SIZE,
    KEY_ENCODING,
    GT,
    GTE,
    LT,
    LTE,
    SPLITS
}
