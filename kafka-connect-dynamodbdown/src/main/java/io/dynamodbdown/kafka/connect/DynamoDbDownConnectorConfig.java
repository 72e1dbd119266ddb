package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.CredentialSettings;
import io.dynamodbdown.store.settings.InvalidSettingsException;
import io.dynamodbdown.store.settings.SettingNames;
import io.dynamodbdown.store.settings.SettingProblem;
import io.dynamodbdown.store.settings.TableSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The settings both connectors share: which table and databases, how to reach DynamoDB, how to retry, how to
 * create the table. The keys map onto the store's settings ({@link ClientSettings}, {@link TableSettings}),
 * which validate them; each problem is reported on the key it concerns, by the constructor and by the worker's
 * validation endpoint alike.
 */
public class DynamoDbDownConnectorConfig extends AbstractConfig {

    /** Key {@value}: the DynamoDB table (required). */
    public static final String TABLE = "table";
    /**
     * Key {@value}: the database (DynamoDB hash key): the sink's target, which may contain {@code ${topic}}, or the
     * source's comma-separated list.
     */
    public static final String HASH_KEY = "hash.key";
    /** Key {@value}: the AWS region; absent, the default AWS region chain. */
    public static final String AWS_REGION = "aws.region";
    /** Key {@value}: an endpoint override, such as {@code http://localhost:8000} for DynamoDB Local. */
    public static final String AWS_ENDPOINT = "aws.endpoint";
    /** Key {@value}: the AWS access key id; absent, the default AWS credentials chain. */
    public static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
    /** Key {@value}: the AWS secret access key that goes with the access key id (a password, never logged). */
    public static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";
    /** Key {@value}: the session token of temporary credentials, with the key pair (a password, never logged). */
    public static final String AWS_SESSION_TOKEN = "aws.session.token";
    /** Key {@value}: a profile of the worker's AWS profile files, instead of a key pair. */
    public static final String AWS_PROFILE = "aws.profile";
    /** Key {@value}: a credentials file to read the profile from, instead of the worker's default ones. */
    public static final String AWS_PROFILE_FILE = "aws.profile.file";
    /** Key {@value}: an IAM role to assume with the credentials otherwise configured; absent, none. */
    public static final String AWS_ROLE_ARN = "aws.role.arn";
    /** Key {@value}: the external id the role's trust policy requires (a password, never logged). */
    public static final String AWS_ROLE_EXTERNAL_ID = "aws.role.external.id";
    /** Key {@value}: the role session's name, seen in CloudTrail (default {@code dynamodbdown}). */
    public static final String AWS_ROLE_SESSION_NAME = "aws.role.session.name";
    /** Key {@value}: how long each set of the role's credentials lasts, in seconds (default 3600). */
    public static final String AWS_ROLE_DURATION_SECONDS = "aws.role.duration.seconds";
    /** Key {@value}: an STS endpoint to assume the role through, instead of the region's. */
    public static final String AWS_STS_ENDPOINT = "aws.sts.endpoint";
    /** Key {@value}: how long one DynamoDB call may take, retries included; absent, no limit. */
    public static final String AWS_API_CALL_TIMEOUT_MS = "aws.api.call.timeout.ms";
    /** Key {@value}: how long one attempt of a DynamoDB call may take; absent, no limit. */
    public static final String AWS_API_CALL_ATTEMPT_TIMEOUT_MS = "aws.api.call.attempt.timeout.ms";
    /** Key {@value}: retries of one DynamoDB request and of what it left unprocessed (default 10, 0 for none). */
    public static final String MAX_RETRIES = "max.retries";
    /** Key {@value}: the longest pause before the first retry, doubling per retry (default 100). */
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    /** Key {@value}: the longest pause between retries (default 10000). */
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    /** Key {@value}: how entries are stored: auto (default), native, or a layout of the JavaScript originals. */
    public static final String TABLE_LAYOUT = "table.layout";
    /** Key {@value}: create the table when it does not exist (default true). */
    public static final String TABLE_AUTO_CREATE = "table.auto.create";
    /** Key {@value}: billing of a table the connector creates, PAY_PER_REQUEST (default) or PROVISIONED. */
    public static final String TABLE_BILLING_MODE = "table.billing.mode";
    /** Key {@value}: read capacity units of a PROVISIONED table the connector creates. */
    public static final String TABLE_READ_CAPACITY = "table.read.capacity";
    /** Key {@value}: write capacity units of a PROVISIONED table the connector creates. */
    public static final String TABLE_WRITE_CAPACITY = "table.write.capacity";
    /** Key {@value}: the change stream a table the connector creates gets, NEW_IMAGE or NEW_AND_OLD_IMAGES. */
    public static final String TABLE_STREAM_VIEW = "table.stream.view";
    /** Key {@value}: give an existing table without a change stream one (default false). */
    public static final String TABLE_STREAM_ENABLE = "table.stream.enable";
    /** Key {@value}: the largest value written or read, in bytes (at most 256 MiB). */
    public static final String VALUE_MAX_BYTES = "value.max.bytes";
    /** Config key {@value}: how many DynamoDB partition keys the database spreads over. */
    public static final String SHARDS = "shards";

    static final String GROUP_DATABASE = "Database";
    static final String GROUP_AWS = "AWS";
    static final String GROUP_RETRIES = "Retries";
    static final String GROUP_TABLE = "Table creation";

    /** The key each store setting is called here. */
    static final SettingNames KEY_NAMES = setting -> switch (setting) {
        case REGION -> AWS_REGION;
        case ENDPOINT -> AWS_ENDPOINT;
        case ACCESS_KEY -> AWS_ACCESS_KEY_ID;
        case SECRET_KEY -> AWS_SECRET_ACCESS_KEY;
        case SESSION_TOKEN -> AWS_SESSION_TOKEN;
        case PROFILE -> AWS_PROFILE;
        case PROFILE_FILE -> AWS_PROFILE_FILE;
        case ROLE_ARN -> AWS_ROLE_ARN;
        case ROLE_EXTERNAL_ID -> AWS_ROLE_EXTERNAL_ID;
        case ROLE_SESSION_NAME -> AWS_ROLE_SESSION_NAME;
        case ROLE_DURATION -> AWS_ROLE_DURATION_SECONDS;
        case STS_ENDPOINT -> AWS_STS_ENDPOINT;
        case MAX_ATTEMPTS -> MAX_RETRIES;
        case RETRY_BASE_DELAY -> RETRY_BACKOFF_MS;
        case RETRY_MAX_DELAY -> RETRY_BACKOFF_MAX_MS;
        case API_CALL_TIMEOUT -> AWS_API_CALL_TIMEOUT_MS;
        case API_CALL_ATTEMPT_TIMEOUT -> AWS_API_CALL_ATTEMPT_TIMEOUT_MS;
        case CREATE_TABLE -> TABLE_AUTO_CREATE;
        case BILLING_MODE -> TABLE_BILLING_MODE;
        case READ_CAPACITY -> TABLE_READ_CAPACITY;
        case WRITE_CAPACITY -> TABLE_WRITE_CAPACITY;
        case LAYOUT -> TABLE_LAYOUT;
        case STREAM_VIEW -> TABLE_STREAM_VIEW;
        case ENABLE_STREAM -> TABLE_STREAM_ENABLE;
        case MAX_VALUE_SIZE -> VALUE_MAX_BYTES;
        case SHARDS -> SHARDS;
        case KEY_ENCODING -> DynamoDbDownSourceConfig.KEY_ENCODING;
        case GT -> DynamoDbDownSourceConfig.KEY_GT;
        case GTE -> DynamoDbDownSourceConfig.KEY_GTE;
        case LT -> DynamoDbDownSourceConfig.KEY_LT;
        case LTE -> DynamoDbDownSourceConfig.KEY_LTE;
        case SPLITS -> DynamoDbDownSourceConfig.KEY_RANGE_SPLITS;
    };

    /** The definitions both connectors share; each connector adds its own group after these. */
    static ConfigDef commonConfigDef() {
        int order = 0;
        ConfigDef def = new ConfigDef()
                .define(TABLE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new TableNameValidator(), Importance.HIGH,
                        "The DynamoDB table: 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.'.",
                        GROUP_DATABASE, ++order, Width.MEDIUM, "Table");
        order = 0;
        def.define(AWS_REGION, Type.STRING, null, Importance.MEDIUM,
                        "The AWS region. Absent: the default AWS region chain (AWS_REGION, profile, instance metadata).",
                        GROUP_AWS, ++order, Width.SHORT, "Region")
                .define(AWS_ENDPOINT, Type.STRING, null, Importance.LOW,
                        "An endpoint override such as http://localhost:8000 for DynamoDB Local.",
                        GROUP_AWS, ++order, Width.LONG, "Endpoint override")
                .define(AWS_ACCESS_KEY_ID, Type.STRING, null, Importance.MEDIUM,
                        "The AWS access key id. Absent: " + AWS_PROFILE + ", or the default AWS credentials chain (the"
                                + " worker's environment, profile files, container or instance role).",
                        GROUP_AWS, ++order, Width.MEDIUM, "Access key id")
                .define(AWS_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                        "The AWS secret access key that goes with " + AWS_ACCESS_KEY_ID + ". Never logged.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Secret access key")
                .define(AWS_SESSION_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                        "The session token of temporary credentials, which go with " + AWS_ACCESS_KEY_ID + " and "
                                + AWS_SECRET_ACCESS_KEY + " (all three as STS or an SSO login issued them). Used as"
                                + " given, never renewed: for a connector that runs longer than they last, assume a role ("
                                + AWS_ROLE_ARN + ") instead. Never logged.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Session token")
                .define(AWS_PROFILE, Type.STRING, null, Importance.MEDIUM,
                        "A profile of the worker's AWS profile files (~/.aws/credentials and ~/.aws/config, or where"
                                + " AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE point), instead of a key pair: keys,"
                                + " credential_process, SSO, or a role of its own (role_arn with source_profile)."
                                + " Checked at validation: the profile must exist.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Profile")
                .define(AWS_PROFILE_FILE, Type.STRING, null, Importance.LOW,
                        "A credentials file (the format of ~/.aws/credentials) to read " + AWS_PROFILE + " from, its"
                                + " profile 'default' when " + AWS_PROFILE + " is absent. Absent: the worker's default"
                                + " profile files.",
                        GROUP_AWS, ++order, Width.LONG, "Profile file")
                .define(AWS_ROLE_ARN, Type.STRING, null, Importance.MEDIUM,
                        "An IAM role to assume, e.g. in the backup account, with the credentials otherwise configured ("
                                + AWS_ACCESS_KEY_ID + " and " + AWS_SECRET_ACCESS_KEY + ", " + AWS_PROFILE + ", or the"
                                + " default chain). Its temporary credentials are renewed through STS before they expire."
                                + " Absent: no role.",
                        GROUP_AWS, ++order, Width.LONG, "Role ARN")
                .define(AWS_ROLE_EXTERNAL_ID, Type.PASSWORD, null, Importance.MEDIUM,
                        "The external id the role's trust policy requires (sts:ExternalId). Never logged.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Role external id")
                .define(AWS_ROLE_SESSION_NAME, Type.STRING, null, Importance.LOW,
                        "The role session's name, which CloudTrail shows with each call: 2 to 64 characters of letters,"
                                + " digits and _+=,.@-. Absent: " + CredentialSettings.DEFAULT_ROLE_SESSION_NAME + ".",
                        GROUP_AWS, ++order, Width.MEDIUM, "Role session name")
                .define(AWS_ROLE_DURATION_SECONDS, Type.INT, (int) CredentialSettings.DEFAULT_ROLE_DURATION.toSeconds(),
                        Range.between((int) CredentialSettings.MIN_ROLE_DURATION.toSeconds(),
                                (int) CredentialSettings.MAX_ROLE_DURATION.toSeconds()), Importance.LOW,
                        "How long each set of the role's credentials lasts, at most the role's maximum session duration;"
                                + " they are renewed about 5 minutes before they end.",
                        GROUP_AWS, ++order, Width.SHORT, "Role duration (s)")
                .define(AWS_STS_ENDPOINT, Type.STRING, null, Importance.LOW,
                        "An STS endpoint to assume the role through, such as a VPC endpoint. Absent: the region's.",
                        GROUP_AWS, ++order, Width.LONG, "STS endpoint override")
                .define(AWS_API_CALL_TIMEOUT_MS, Type.LONG, null, Importance.LOW,
                        "How long one DynamoDB call may take, retries included. Absent: no limit.",
                        GROUP_AWS, ++order, Width.SHORT, "Call timeout (ms)")
                .define(AWS_API_CALL_ATTEMPT_TIMEOUT_MS, Type.LONG, null, Importance.LOW,
                        "How long one attempt of a DynamoDB call may take; an attempt that times out is retried."
                                + " Absent: no limit.",
                        GROUP_AWS, ++order, Width.SHORT, "Attempt timeout (ms)");
        order = 0;
        def.define(MAX_RETRIES, Type.INT, 10, Range.atLeast(0), Importance.LOW,
                        "Retries of one DynamoDB request (throttling, server errors, DynamoDB unreachable), and how"
                                + " often in a row the items or keys requests left unprocessed are sent again with none of"
                                + " them accepted, 0 for none. While DynamoDB accepts part of each request the task slows"
                                + " to the pace it accepts and goes on. After that the sink asks the framework"
                                + " to redeliver the records after " + RETRY_BACKOFF_MS + ", and the source reads again"
                                + " on its next poll. Errors that retrying cannot fix (no credentials, access denied,"
                                + " a wrong table) fail the task at once.",
                        GROUP_RETRIES, ++order, Width.SHORT, "Max retries")
                .define(RETRY_BACKOFF_MS, Type.LONG, 100L, Range.atLeast(0), Importance.LOW,
                        "Longest pause before the first retry; it doubles for each further retry up to "
                                + RETRY_BACKOFF_MAX_MS + " (each pause is random below that bound). Also the sink's pause"
                                + " before the framework redelivers.",
                        GROUP_RETRIES, ++order, Width.SHORT, "Retry backoff (ms)")
                .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                        "Longest pause between retries.",
                        GROUP_RETRIES, ++order, Width.SHORT, "Max retry backoff (ms)");
        def.define(TABLE_LAYOUT, Type.STRING, Layout.AUTO.id(), ConfigDef.LambdaValidator.with((name, value) -> {
                    try {
                        Layout.parse((String) value);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(name, value, e.getMessage());
                    }
                }, () -> "auto, native, dynamodbdown, dynamodb-leveldown, dynamodb-leveldown-legacy"), Importance.MEDIUM,
                "How entries are stored: auto (detect an existing table's layout, native for a new one), native, or the"
                        + " layout of the JavaScript originals: dynamodbdown (hkey/rkey/value), dynamodb-leveldown"
                        + " (hash/range/data), dynamodb-leveldown-legacy (---hash/---range/---data).",
                GROUP_DATABASE, 9, Width.MEDIUM, "Layout");
        order = 0;
        def.define(TABLE_AUTO_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Create the table when it does not exist.",
                        GROUP_TABLE, ++order, Width.SHORT, "Create table")
                .define(TABLE_BILLING_MODE, Type.STRING, BillingMode.PAY_PER_REQUEST.toString(),
                        ConfigDef.ValidString.in(BillingMode.PAY_PER_REQUEST.toString(), BillingMode.PROVISIONED.toString()),
                        Importance.LOW, "Billing of a table the connector creates: PAY_PER_REQUEST or PROVISIONED.",
                        GROUP_TABLE, ++order, Width.SHORT, "Billing mode")
                .define(TABLE_READ_CAPACITY, Type.LONG, null, Importance.LOW,
                        "Read capacity units of a PROVISIONED table the connector creates (required with PROVISIONED).",
                        GROUP_TABLE, ++order, Width.SHORT, "Read capacity")
                .define(TABLE_WRITE_CAPACITY, Type.LONG, null, Importance.LOW,
                        "Write capacity units of a PROVISIONED table the connector creates (required with PROVISIONED).",
                        GROUP_TABLE, ++order, Width.SHORT, "Write capacity")
                .define(TABLE_STREAM_VIEW, Type.STRING, null,
                        ConfigDef.LambdaValidator.with((name, value) -> {
                            if (value != null && !List.of("NEW_IMAGE", "NEW_AND_OLD_IMAGES").contains(value)) {
                                throw new ConfigException(name, value, "must be NEW_IMAGE or NEW_AND_OLD_IMAGES");
                            }
                        }, () -> "NEW_IMAGE, NEW_AND_OLD_IMAGES"), Importance.LOW,
                        "The change stream a table the connector creates gets: NEW_IMAGE (what the source's changes mode"
                                + " needs, and its default there) or NEW_AND_OLD_IMAGES. Absent: none (changes mode: NEW_IMAGE).",
                        GROUP_TABLE, ++order, Width.SHORT, "Stream view")
                .define(TABLE_STREAM_ENABLE, Type.BOOLEAN, false, Importance.LOW,
                        "Give an existing table without a change stream one (of " + TABLE_STREAM_VIEW + "); otherwise an"
                                + " existing table is never changed, and changes mode says what is missing.",
                        GROUP_TABLE, ++order, Width.SHORT, "Enable stream")
                .define(VALUE_MAX_BYTES, Type.LONG, OpenOptions.DEFAULT_MAX_VALUE_SIZE,
                        Range.between(0, OpenOptions.MAX_VALUE_SIZE_LIMIT), Importance.LOW,
                        "The largest value written or read, in bytes (at most 256 MiB). Values past DynamoDB's 400 KB"
                                + " item limit are kept as chunks in the same table; Kafka's own limits (the worker's"
                                + " producer.max.request.size, the broker's message.max.bytes, the consumer's"
                                + " max.partition.fetch.bytes) must let such records through too.",
                        GROUP_TABLE, ++order, Width.SHORT, "Largest value (bytes)")
                .define(SHARDS, Type.INT, 0, Range.between(0, OpenOptions.MAX_SHARDS), Importance.MEDIUM,
                        "How many DynamoDB partition keys the database spreads over (1 to 256). One partition key"
                                + " serves about 1,000 writes and 3,000 reads a second whatever the table's capacity;"
                                + " n shards serve n times that, and the source reads them merged in key order."
                                + " 0: the count recorded with the database (1 for a new one). A database keeps the"
                                + " count it was created with; another count fails the task.",
                        GROUP_DATABASE, ++order, Width.SHORT, "Shards");
        return def;
    }

    /** The parsed value of a key (what {@link AbstractConfig#get} gives). */
    @FunctionalInterface
    interface Values {
        Object get(String key);
    }

    /** Which store settings a connector's keys map onto, and their problems. */
    @FunctionalInterface
    interface SettingChecks {
        List<SettingProblem> problems(Values values);
    }

    /** Parses {@code props}; every problem of the settings they map onto fails it, named on its key. */
    DynamoDbDownConnectorConfig(ConfigDef definition, Map<String, String> props, SettingChecks checks) {
        super(definition, props);
        List<SettingProblem> problems = checks.problems(this::get);
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid dynamodbdown connector configuration: "
                    + problems.stream().map(p -> p.describe(KEY_NAMES)).collect(Collectors.joining("; ")));
        }
    }

    /** The problems of the client and table settings both connectors have. */
    static List<SettingProblem> commonProblems(Values values) {
        return commonProblems(values, null);
    }

    /** The same, for a connector that asks for a change stream of {@code defaultView} unless one is set. */
    static List<SettingProblem> commonProblems(Values values, StreamViewType defaultView) {
        List<SettingProblem> problems = new ArrayList<>(clientSettings(values).problems());
        problems.addAll(tableSettings(values, defaultView).problems());
        return problems;
    }

    /**
     * What the worker's validation endpoint shows: the ConfigDef's checks (already in {@code config}), then the
     * store settings' problems on the keys they concern. A key that failed its own check counts with its default
     * for the settings, so that every other mistake still shows at once and none is reported twice.
     */
    static Config validate(ConfigDef definition, Config config, SettingChecks checks) {
        Map<String, ConfigValue> byKey = new HashMap<>();
        config.configValues().forEach(v -> byKey.put(v.name(), v));
        Values values = key -> {
            ConfigValue value = byKey.get(key);
            return value.errorMessages().isEmpty() ? value.value() : definition.configKeys().get(key).defaultValue;
        };
        for (SettingProblem problem : checks.problems(values)) {
            ConfigValue value = byKey.get(KEY_NAMES.nameOf(problem.setting()));
            if (value.errorMessages().isEmpty()) {
                value.addErrorMessage(problem.message(KEY_NAMES));
            }
        }
        return config;
    }

    String table() {
        return getString(TABLE);
    }

    ClientSettings clientSettings() {
        return clientSettings(this::get);
    }

    private static ClientSettings clientSettings(Values values) {
        long backoff = (Long) values.get(RETRY_BACKOFF_MS);
        long maxBackoff = (Long) values.get(RETRY_BACKOFF_MAX_MS);
        String profileFile = (String) values.get(AWS_PROFILE_FILE);
        return ClientSettings.defaults()
                .withRegion((String) values.get(AWS_REGION))
                .withEndpoint((String) values.get(AWS_ENDPOINT))
                .withCredentials((String) values.get(AWS_ACCESS_KEY_ID), password(values.get(AWS_SECRET_ACCESS_KEY)))
                .withSessionToken(password(values.get(AWS_SESSION_TOKEN)))
                .withProfile((String) values.get(AWS_PROFILE), profileFile == null ? null : Path.of(profileFile))
                .withRole((String) values.get(AWS_ROLE_ARN), password(values.get(AWS_ROLE_EXTERNAL_ID)),
                        (String) values.get(AWS_ROLE_SESSION_NAME),
                        Duration.ofSeconds((Integer) values.get(AWS_ROLE_DURATION_SECONDS)))
                .withStsEndpoint((String) values.get(AWS_STS_ENDPOINT))
                .withMaxAttempts(Math.min((Integer) values.get(MAX_RETRIES), Integer.MAX_VALUE - 1) + 1)
                // a maximum below the first backoff has always meant "no growth", not an error
                .withRetryDelays(Duration.ofMillis(backoff), Duration.ofMillis(Math.max(backoff, maxBackoff)))
                .withTimeouts(millis(values.get(AWS_API_CALL_TIMEOUT_MS)), millis(values.get(AWS_API_CALL_ATTEMPT_TIMEOUT_MS)));
    }

    private static String password(Object value) {
        return value == null ? null : ((Password) value).value();
    }

    private static Duration millis(Object value) {
        return value == null ? null : Duration.ofMillis((Long) value);
    }

    TableSettings tableSettings() {
        return tableSettings(this::get, null);
    }

    static TableSettings tableSettings(Values values, StreamViewType defaultView) {
        String view = (String) values.get(TABLE_STREAM_VIEW);
        return new TableSettings((Boolean) values.get(TABLE_AUTO_CREATE),
                BillingMode.fromValue((String) values.get(TABLE_BILLING_MODE)),
                (Long) values.get(TABLE_READ_CAPACITY), (Long) values.get(TABLE_WRITE_CAPACITY),
                Layout.parse((String) values.get(TABLE_LAYOUT)),
                OpenOptions.defaults().consistentRead(), // no key: the connectors always read consistently
                view == null ? defaultView : StreamViewType.fromValue(view), (Boolean) values.get(TABLE_STREAM_ENABLE),
                (Long) values.get(VALUE_MAX_BYTES), (Integer) values.get(SHARDS));
    }

    /** A client as configured, the caller's to close; a missing region or credentials fail here, named on their key. */
    DynamoDbClient buildClient() {
        try {
            return DynamoDbClients.build(clientSettings());
        } catch (InvalidSettingsException e) {
            throw new ConfigException(e.describe(KEY_NAMES));
        }
    }

    OpenOptions openOptions(int concurrency) {
        return tableSettings().applyTo(OpenOptions.defaults()
                .withRetryPolicy(clientSettings().retryPolicy())
                .withWriteConcurrency(concurrency));
    }

    /** Checks a table name with the store's own rule. */
    static final class TableNameValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                throw new ConfigException(name, null, "a table name is required");
            }
            try {
                new Location((String) value, Location.DEFAULT_HASH_KEY);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "3 to 255 characters of A-Z, a-z, 0-9, '_', '-', '.'";
        }
    }
}
