package io.dynamodbdown.camel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.StsStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Endpoint;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The credential options of the client an endpoint builds: a key pair with its session token, a profile, and a role
 * assumed through STS. Which credentials were used shows in where the data lands: DynamoDB Local keeps one store per
 * access key id, and the STS stand-in gives the role's sessions a key of its own.
 */
class CredentialOptionsTest {

    private static final String ROLE = "arn:aws:iam::333333333333:role/camel-writer";
    private static final String SECRET = "s3cr3tValue42";
    private static StsStandIn sts;

    private final DynamoDbLocal local = DynamoDbLocalExtension.get();
    private final String table = DynamoDbLocal.uniqueTableName("camel-credentials");

    @BeforeAll
    static void startSts() {
        sts = StsStandIn.start().roleInAccount(ROLE, "CAMELROLE", "camel-ext-id");
    }

    @AfterAll
    static void stopSts() {
        sts.close();
    }

    private String uri(String hashKey, String options) {
        return "dynamodbdown:" + table + "$" + hashKey + "?uriEndpointOverride=" + local.endpoint() + "&" + options;
    }

    private String valueIn(String accessKeyId, String hashKey, String key) {
        try (DynamoDbClient store = local.newClientAs(accessKeyId);
                Database db = DynamoDbDown.open(store, table + "$" + hashKey)) {
            return db.getString(key);
        }
    }

    @Test
    void eachFormOfCredentialsSignsTheClientsAnEndpointBuilds(@TempDir Path dir) throws Exception {
        Path profiles = Files.writeString(dir.resolve("credentials"), "[camel]\naws_access_key_id = CAMELPROFILE\n"
                + "aws_secret_access_key = profilesecret\n");
        String base = "accessKey=" + DynamoDbLocal.ACCESS_KEY + "&secretKey=RAW(" + DynamoDbLocal.SECRET_KEY + ")";
        String role = base + "&roleArn=" + ROLE + "&roleExternalIdSecret=RAW(camel-ext-id)&stsEndpoint=" + sts.endpoint();
        List<String> changes = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) { // nothing to autowire: the endpoints build their clients
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri("role", role + "&mode=changes&delay=50")).process(e -> changes.add(e.getIn().getBody(String.class)));
                }
            });
            camel.start();
            var template = camel.createProducerTemplate();
            template.sendBodyAndHeader(uri("session", "accessKey=ASIACAMELSESSION&secretKey=RAW(" + SECRET
                    + ")&sessionToken=RAW(camelsessiontoken)&useSessionCredentials=true"), "with a session", DynamoDbDownConstants.KEY, "k");
            template.sendBodyAndHeader(uri("profile", "useProfileCredentialsProvider=true&profileCredentialsName=camel"
                    + "&profileCredentialsFile=" + profiles), "with a profile", DynamoDbDownConstants.KEY, "k");
            template.sendBodyAndHeader(uri("role", role), "with a role", DynamoDbDownConstants.KEY, "k");
            // the consumer's DynamoDB Streams client assumes the role too: it reads the role's table's stream
            await("the change, read from the role's stream").atMost(Duration.ofSeconds(60)).until(() -> changes.contains("with a role"));
        }
        assertEquals("with a session", valueIn("ASIACAMELSESSION", "session", "k"));
        assertEquals("with a profile", valueIn("CAMELPROFILE", "profile", "k"));
        assertEquals("with a role", valueIn("CAMELROLE", "role", "k"));
        assertFalse(local.client().listTables().tableNames().contains(table), "nothing written with the base keys");
        List<StsStandIn.Call> calls = sts.calls().stream().filter(c -> c.roleArn().equals(ROLE)).toList();
        assertTrue(calls.size() >= 3, "one AssumeRole per client: producer, consumer, consumer's streams client " + calls);
        assertTrue(calls.stream().allMatch(c -> c.externalId().equals("camel-ext-id") && c.signedWith().equals(DynamoDbLocal.ACCESS_KEY)),
                calls.toString());
    }

    @Test
    void credentialMistakesFailTheEndpointNamingTheOptionNeverTheSecret(@TempDir Path dir) throws IOException {
        Path profiles = Files.writeString(dir.resolve("credentials"), "[camel]\naws_access_key_id = K\naws_secret_access_key = S\n");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertFails(camel, uri("x", "useSessionCredentials=true&accessKey=A&secretKey=RAW(" + SECRET + ")"),
                    "Invalid option sessionToken: is required with useSessionCredentials=true");
            assertFails(camel, uri("x", "sessionToken=RAW(" + SECRET + ")"),
                    "Invalid option sessionToken: goes with accessKey and secretKey");
            assertFails(camel, uri("x", "profileCredentialsName=nightly&profileCredentialsFile=" + profiles),
                    "Invalid option profileCredentialsName: there is no profile 'nightly'");
            assertFails(camel, uri("x", "profileCredentialsName=camel&profileCredentialsFile=" + profiles + "&accessKey=A&secretKey=B"),
                    "profileCredentialsName: and accessKey are two sources of credentials");
            assertFails(camel, uri("x", "roleExternalIdSecret=RAW(" + SECRET + ")&roleSessionName=s1"),
                    "Invalid option roleExternalIdSecret: is used only to assume a role: set roleArn too");
            assertFails(camel, uri("x", "roleArn=arn:aws:iam::1:role/r&roleDurationSeconds=60&roleExternalIdSecret=RAW(" + SECRET + "!)"),
                    "Invalid option roleArn: 'arn:aws:iam::1:role/r' is not the ARN of an IAM role");
            assertFails(camel, uri("x", "roleArn=" + ROLE + "&roleDurationSeconds=60"), "roleDurationSeconds: must be between 900 and 43200");
            // a role the STS stand-in refuses (wrong external id): when the endpoint starts, naming roleArn
            String guarded = "arn:aws:iam::333333333333:role/guarded";
            sts.roleInAccount(guarded, "CAMELGUARDED", "the-right-one");
            Exception refused = assertThrows(Exception.class, () -> camel.getEndpoint(uri("x", "accessKey=A&secretKey=B&roleArn="
                    + guarded + "&roleExternalIdSecret=RAW(" + SECRET + ")&stsEndpoint=" + sts.endpoint())).start());
            assertTrue(refused.getMessage().contains("invalid option roleArn: the role could not be assumed (Sts answered 403"
                    + " AccessDenied"), refused.getMessage());
            assertFalse(refused.getMessage().contains(SECRET), refused.getMessage());
        }
    }

    @Test
    void theSessionTokenAndTheExternalIdAreMaskedInTheEndpointUri() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Endpoint endpoint = camel.getEndpoint(uri("masked", "accessKey=A&secretKey=RAW(" + SECRET + ")&sessionToken=RAW(t0k3n42)"
                    + "&roleArn=" + ROLE + "&roleExternalIdSecret=RAW(3xt3rnal42)"));
            for (String secret : List.of(SECRET, "t0k3n42", "3xt3rnal42")) { // what Camel logs
                assertFalse(endpoint.toString().contains(secret), endpoint.toString());
            }
        }
    }

    private static void assertFails(DefaultCamelContext camel, String uri, String expected) {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class, () -> camel.getEndpoint(uri));
        String message = e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause().getMessage());
        assertTrue(message.contains(expected), message);
        assertFalse(message.contains(SECRET), message);
    }
}
