package io.dynamodbdown.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.dynamodbdown.store.settings.ClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A real DynamoDB (DynamoDB Local, in this JVM) on a free loopback port, with a shared client. Tests get
 * it from {@link DynamoDbLocalExtension}; everything runs against its HTTP endpoint, as against AWS.
 */
public final class DynamoDbLocal implements AutoCloseable {

    /** Dummy credentials (DynamoDB Local 2.x accepts letters and digits only). */
    public static final String ACCESS_KEY = "dynamodbdowntest";
    public static final String SECRET_KEY = "dynamodbdowntestsecret";
    public static final Region REGION = Region.US_EAST_1;

    private static final AtomicInteger TABLES = new AtomicInteger();

    private final DynamoDBProxyServer server;
    private final URI endpoint;
    private final DynamoDbClient client;

    private DynamoDbLocal(DynamoDBProxyServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
        this.client = newClient();
    }

    /** Starts an in-memory DynamoDB Local on a free loopback port. */
    public static DynamoDbLocal start() {
        useNativeLibrariesFromBuild();
        int port = freePort();
        try {
            // No telemetry: nothing sent from tests, and no dynamodb-local-metadata.json written into the working directory.
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(port), "-disableTelemetry"});
            server.start();
            return new DynamoDbLocal(server, URI.create("http://127.0.0.1:" + port));
        } catch (Exception e) {
            throw new IllegalStateException("Could not start DynamoDB Local on port " + port
                    + " (sqlite4java.library.path=" + System.getProperty("sqlite4java.library.path") + ")", e);
        }
    }

    /** The HTTP endpoint, for {@code endpointOverride}, Camel's uriEndpointOverride or aws.endpoint. */
    public URI endpoint() {
        return endpoint;
    }

    /** A client shared by the tests of the run; do not close it. */
    public DynamoDbClient client() {
        return client;
    }

    /** A new client of one's own, for code that closes its client. */
    public DynamoDbClient newClient() {
        return clientFor(endpoint);
    }

    /**
     * A new client that signs with another access key id, the caller's to close. DynamoDB Local (without
     * {@code -sharedDb}) keeps one store per access key id and region: this client sees the tables and data of
     * that key's store only, so where data landed tells which credentials wrote it.
     *
     * @param accessKeyId letters and digits (all DynamoDB Local accepts)
     */
    public DynamoDbClient newClientAs(String accessKeyId) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, SECRET_KEY)))
                .build();
    }

    /** A client for a DynamoDB Local at {@code endpoint}, with the dummy credentials. */
    public static DynamoDbClient clientFor(URI endpoint) {
        return clientBuilderFor(endpoint).build();
    }

    /** Settings that reach this server, as an adapter would give them; add retries or timeouts to taste. */
    public ClientSettings settings() {
        return ClientSettings.defaults().withEndpoint(endpoint.toString()).withRegion(REGION.id())
                .withCredentials(ACCESS_KEY, SECRET_KEY);
    }

    /** A client builder already pointed at a DynamoDB Local, for a test that configures more (e.g. interceptors). */
    public static DynamoDbClientBuilder clientBuilderFor(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    /** A new client of this server's change streams (DynamoDB Streams), the caller's to close. */
    public DynamoDbStreamsClient newStreamsClient() {
        return streamsClientFor(endpoint);
    }

    /** A client of the change streams of a DynamoDB Local at {@code endpoint}, the caller's to close. */
    public static DynamoDbStreamsClient streamsClientFor(URI endpoint) {
        return DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** A table name no other test of this run uses. */
    public static String uniqueTableName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + TABLES.incrementAndGet();
    }

    @Override
    public void close() {
        client.close();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
        }
    }

    /** Surefire sets sqlite4java.library.path; an IDE run finds the natives the build copied. */
    static void useNativeLibrariesFromBuild() {
        if (System.getProperty("sqlite4java.library.path") == null) {
            Path natives = Path.of("target", "native-libs");
            if (Files.isDirectory(natives)) {
                System.setProperty("sqlite4java.library.path", natives.toAbsolutePath().toString());
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port for DynamoDB Local", e);
        }
    }
}
