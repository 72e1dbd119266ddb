package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RetryPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;

/** The settings both connectors share: which table and databases, how to reach DynamoDB, how to create the table. */
public class DynamoDbDownConnectorConfig extends AbstractConfig {

    public static final String TABLE = "table";
    public static final String HASH_KEY = "hash.key";
    public static final String AWS_REGION = "aws.region";
    public static final String AWS_ENDPOINT = "aws.endpoint";
    public static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
    public static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";
    public static final String TABLE_LAYOUT = "table.layout";
    public static final String TABLE_AUTO_CREATE = "table.auto.create";
    public static final String TABLE_BILLING_MODE = "table.billing.mode";
    public static final String TABLE_READ_CAPACITY = "table.read.capacity";
    public static final String TABLE_WRITE_CAPACITY = "table.write.capacity";

    static final String GROUP_DATABASE = "Database";
    static final String GROUP_AWS = "AWS";
    static final String GROUP_TABLE = "Table creation";

    /** Capacity units: optional, but at least 1 when given. */
    private static final ConfigDef.Validator CAPACITY = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value != null && (Long) value < 1) {
            throw new ConfigException(name, value, "must be at least 1");
        }
    }, () -> "at least 1");

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
                .define(AWS_ENDPOINT, Type.STRING, null, new EndpointValidator(), Importance.LOW,
                        "An endpoint override such as http://localhost:8000 for DynamoDB Local.",
                        GROUP_AWS, ++order, Width.LONG, "Endpoint override")
                .define(AWS_ACCESS_KEY_ID, Type.STRING, null, Importance.MEDIUM,
                        "The AWS access key id. Absent: the default AWS credentials chain.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Access key id")
                .define(AWS_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                        "The AWS secret access key that goes with " + AWS_ACCESS_KEY_ID + ". Never logged.",
                        GROUP_AWS, ++order, Width.MEDIUM, "Secret access key");
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
                .define(TABLE_READ_CAPACITY, Type.LONG, null, CAPACITY, Importance.LOW,
                        "Read capacity units of a PROVISIONED table the connector creates (required with PROVISIONED).",
                        GROUP_TABLE, ++order, Width.SHORT, "Read capacity")
                .define(TABLE_WRITE_CAPACITY, Type.LONG, null, CAPACITY, Importance.LOW,
                        "Write capacity units of a PROVISIONED table the connector creates (required with PROVISIONED).",
                        GROUP_TABLE, ++order, Width.SHORT, "Write capacity");
        return def;
    }

    public DynamoDbDownConnectorConfig(ConfigDef definition, Map<String, String> props) {
        super(definition, props);
        List<String> problems = new ArrayList<>();
        crossFieldProblems(props, (key, message) -> problems.add(key + ": " + message));
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid dynamodbdown connector configuration: " + String.join("; ", problems));
        }
    }

    /** Receives one cross-field problem: the key it is reported on and what is wrong. */
    interface ProblemSink {
        void report(String key, String message);
    }

    /** Rules that span several keys; shown on the worker's validation endpoint next to each key. */
    static void crossFieldProblems(Map<String, String> props, ProblemSink problems) {
        if (BillingMode.PROVISIONED.toString().equals(props.get(TABLE_BILLING_MODE))) {
            for (String key : List.of(TABLE_READ_CAPACITY, TABLE_WRITE_CAPACITY)) {
                if (props.get(key) == null || props.get(key).isBlank()) {
                    problems.report(key, "required when " + TABLE_BILLING_MODE + " is PROVISIONED");
                }
            }
        }
        boolean hasId = props.get(AWS_ACCESS_KEY_ID) != null && !props.get(AWS_ACCESS_KEY_ID).isBlank();
        boolean hasSecret = props.get(AWS_SECRET_ACCESS_KEY) != null && !props.get(AWS_SECRET_ACCESS_KEY).isBlank();
        if (hasId != hasSecret) {
            problems.report(hasId ? AWS_SECRET_ACCESS_KEY : AWS_ACCESS_KEY_ID, AWS_ACCESS_KEY_ID + " and "
                    + AWS_SECRET_ACCESS_KEY + " go together: set both, or neither to use the default credentials chain");
        }
    }

    /** Runs the ConfigDef's checks, then adds the cross-field problems to the keys they concern. */
    static Config validate(Config config, Map<String, String> props) {
        crossFieldProblems(props, (key, message) -> config.configValues().stream()
                .filter(v -> v.name().equals(key)).findFirst().ifPresent(v -> v.addErrorMessage(message)));
        return config;
    }

    String table() {
        return getString(TABLE);
    }

    /** A client as configured: the caller owns and closes it. */
    DynamoDbClient buildClient() {
        DynamoDbClientBuilder builder = DynamoDbClient.builder();
        String region = getString(AWS_REGION);
        String endpoint = getString(AWS_ENDPOINT);
        if (region != null) {
            builder.region(Region.of(region));
        } else if (endpoint != null) {
            builder.region(Region.US_EAST_1); // a local endpoint ignores the region, the SDK still wants one
        }
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        Password secret = getPassword(AWS_SECRET_ACCESS_KEY);
        String accessKeyId = getString(AWS_ACCESS_KEY_ID);
        builder.credentialsProvider(accessKeyId != null && secret != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret.value()))
                : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    OpenOptions openOptions(RetryPolicy retryPolicy, int concurrency) {
        OpenOptions options = OpenOptions.defaults()
                .withCreateIfMissing(getBoolean(TABLE_AUTO_CREATE))
                .withRetryPolicy(retryPolicy)
                .withWriteConcurrency(concurrency)
                .withLayout(Layout.parse(getString(TABLE_LAYOUT)));
        return BillingMode.PROVISIONED.toString().equals(getString(TABLE_BILLING_MODE))
                ? options.withProvisionedBilling(getLong(TABLE_READ_CAPACITY), getLong(TABLE_WRITE_CAPACITY))
                : options.withOnDemandBilling();
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

    static final class EndpointValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            try {
                URI uri = URI.create((String) value);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("needs a scheme and a host");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "not an endpoint URL such as http://localhost:8000 (" + e.getMessage() + ")");
            }
        }

        @Override
        public String toString() {
            return "an URL such as http://localhost:8000";
        }
    }
}
