package io.dynamodbdown.it.infra;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * One DynamoDB the tests run against: a client for the tests' own reads and writes, the same address as
 * connector settings, and test table names (on a remote DynamoDB the tables are dropped when the service
 * stops, so the account keeps nothing behind; emulators just go away).
 */
public final class DynamoDbService implements AutoCloseable {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private final String description;
    private final URI endpoint;
    private final Region region;
    private final AwsBasicCredentials credentials;
    private final AutoCloseable backing;
    private final boolean dropTablesAtStop;
    private final DynamoDbClient client;
    private final Set<String> tables = ConcurrentHashMap.newKeySet();

    DynamoDbService(String description, URI endpoint, Region region, AwsBasicCredentials credentials, AutoCloseable backing,
            boolean dropTablesAtStop) {
        this.description = description;
        this.dropTablesAtStop = dropTablesAtStop;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.backing = backing;
        AwsCredentialsProvider provider = credentials == null
                ? DefaultCredentialsProvider.builder().build() : StaticCredentialsProvider.create(credentials);
        var builder = DynamoDbClient.builder().region(region).credentialsProvider(provider);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        this.client = builder.build();
    }

    /** The JVM's in-process DynamoDB Local (shared with anything else that uses DynamoDbLocalExtension). */
    public static DynamoDbService embedded() {
        DynamoDbLocal local = DynamoDbLocalExtension.get();
        return local(local.endpoint(), "DynamoDB Local (in-process)", null);
    }

    /** A DynamoDB Local-compatible server at {@code endpoint}, with the dummy credentials. */
    public static DynamoDbService local(URI endpoint, String description, AutoCloseable backing) {
        return new DynamoDbService(description + " at " + endpoint, endpoint, DynamoDbLocal.REGION,
                AwsBasicCredentials.create(DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY), backing, false);
    }

    /** Real AWS or a user's LocalStack, from the environment; aborts the tests if no region is given. */
    static DynamoDbService remote() {
        String region = firstNonBlank(System.getenv("DYNAMODBDOWN_IT_REGION"), System.getenv("AWS_REGION"));
        Assumptions.assumeTrue(region != null,
                "-Dit.infra=remote needs DYNAMODBDOWN_IT_REGION (or AWS_REGION), optionally DYNAMODBDOWN_IT_ENDPOINT,"
                        + " and credentials from the default AWS chain");
        return remote(region, System.getenv("DYNAMODBDOWN_IT_ENDPOINT"), true);
    }

    /** DynamoDB in {@code region} (at {@code endpoint} if not blank) with the default credentials chain. */
    public static DynamoDbService remote(String region, String endpoint) {
        return remote(region, endpoint, false);
    }

    private static DynamoDbService remote(String region, String endpoint, boolean dropTablesAtStop) {
        URI uri = endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint.trim());
        return new DynamoDbService("DynamoDB in " + region + (uri == null ? "" : " at " + uri), uri, Region.of(region), null, null, dropTablesAtStop);
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    public DynamoDbClient client() {
        return client;
    }

    /** The endpoint override, or null for the region's AWS endpoint. */
    public URI endpoint() {
        return endpoint;
    }

    /** Whether this is an emulator reached over plain HTTP (a test proxy can stand in front of it). */
    public boolean isPlainHttp() {
        return endpoint != null && "http".equals(endpoint.getScheme());
    }

    /** Every entry of the database at {@code location} ("table$hashKey"), in key order. */
    public List<Entry> entries(String location) {
        try (Database db = DynamoDbDown.open(client, location)) {
            return db.stream(KeyRange.all()).collect(Collectors.toList());
        }
    }

    /** How many entries the database at {@code location} holds (read through keys only). */
    public long count(String location) {
        try (Database db = DynamoDbDown.open(client, location); RangeIterator<byte[]> keys = db.keys(KeyRange.all())) {
            long n = 0;
            while (keys.hasNext()) {
                keys.next();
                n++;
            }
            return n;
        }
    }

    /** A new table name for a test; on a remote DynamoDB the table is dropped when this service stops. */
    public String newTable(String prefix) {
        String name = "it-" + prefix + "-" + ProcessHandle.current().pid() + "-" + TABLES.incrementAndGet();
        tables.add(name);
        return name;
    }

    /** The {@code aws.*} settings that make a connector use this DynamoDB. */
    public Map<String, String> connectorSettings() {
        return connectorSettings(endpoint);
    }

    /** The same settings with another endpoint (e.g. a fault-injecting proxy in front of this one). */
    public Map<String, String> connectorSettings(URI endpointOverride) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("aws.region", region.id());
        if (endpointOverride != null) {
            settings.put("aws.endpoint", endpointOverride.toString());
        }
        if (credentials != null) {
            settings.put("aws.access.key.id", credentials.accessKeyId());
            settings.put("aws.secret.access.key", credentials.secretAccessKey());
        }
        return settings;
    }

    @Override
    public void close() throws Exception {
        for (String table : dropTablesAtStop ? tables : Set.<String>of()) {
            try {
                client.deleteTable(b -> b.tableName(table));
            } catch (ResourceNotFoundException alreadyGone) {
                // a test dropped it itself
            }
        }
        client.close();
        if (backing != null) {
            backing.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
