package io.dynamodbdown.store.settings;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.NoAwsCredentials;
import io.dynamodbdown.testing.StsStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Which credentials a client built from the settings signs with, proven by where the data lands: DynamoDB Local
 * keeps one store per access key id, and an STS stand-in hands out numbered keys for each role.
 */
class CredentialsTest {

    private static final String ROLE = "arn:aws:iam::111111111111:role/dynamodbdown-writer";
    private static final StsStandIn STS = StsStandIn.start();

    private final DynamoDbLocal local = DynamoDbLocalExtension.get();

    @AfterAll
    static void stopSts() {
        STS.close();
    }

    /** Creates the table and database in the store of {@code accessKeyId}, as it exists in the account. */
    private void provision(String accessKeyId, String table) {
        try (DynamoDbClient client = local.newClientAs(accessKeyId);
                Database db = DynamoDbDown.open(client, table + "$db")) {
            db.put("provisioned", "yes");
        }
    }

    /** {@return the value of {@code key} in the store of {@code accessKeyId}, or null} */
    private String valueIn(String accessKeyId, String table, String key) {
        try (DynamoDbClient client = local.newClientAs(accessKeyId);
                Database db = DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withCreateIfMissing(false))) {
            return db.getString(key);
        }
    }

    private boolean tableIn(String accessKeyId, String table) {
        try (DynamoDbClient client = local.newClientAs(accessKeyId)) {
            return client.listTables().tableNames().contains(table);
        }
    }

    @Test
    void anAssumedRolesWritesLandInTheRolesStoreBeforeAndAfterTheSdkRenewsItsCredentials() {
        String table = DynamoDbLocal.uniqueTableName("role");
        // the first credentials last 8 s, renewed 4 s ahead (the SDK's 5 minutes ahead come with up to 3 minutes of
        // random spread, too long for a test): the first request after 4 s renews them
        STS.role(ROLE, "ASIAWRITER", "backup-ext-id", Duration.ofSeconds(8), Duration.ofHours(1));
        provision(STS.accessKeyId(ROLE, 1), table);
        provision(STS.accessKeyId(ROLE, 2), table);
        ClientSettings settings = local.settings().withRole(ROLE, "backup-ext-id", "credentials-test", Duration.ofMinutes(20))
                .withStsEndpoint(STS.endpoint().toString());
        AtomicInteger writes = new AtomicInteger();
        try (DynamoDbClient client = settings.configure(DynamoDbClient.builder(), AwsRetryStrategy.standardRetryStrategy(),
                Duration.ofSeconds(4)).build();
                Database db = DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withCreateIfMissing(false))) {
            assertEquals(1, STS.issued(ROLE));
            db.put("before", "1");
            await("the SDK to renew the role's credentials").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        db.put("meanwhile-" + writes.incrementAndGet(), "x"); // renewal happens on a request
                        return STS.issued(ROLE) == 2;
                    });
            db.put("after", "2");
        }
        assertEquals("1", valueIn(STS.accessKeyId(ROLE, 1), table, "before"));
        assertNull(valueIn(STS.accessKeyId(ROLE, 1), table, "after"));
        assertEquals("2", valueIn(STS.accessKeyId(ROLE, 2), table, "after"), "written with the renewed credentials");
        assertNull(valueIn(STS.accessKeyId(ROLE, 2), table, "before"));
        assertFalse(tableIn(DynamoDbLocal.ACCESS_KEY, table), "nothing was written with the base credentials");
        for (StsStandIn.Call call : STS.calls().stream().filter(c -> c.roleArn().equals(ROLE)).toList()) {
            assertEquals(new StsStandIn.Call(ROLE, "backup-ext-id", "credentials-test", 1200, DynamoDbLocal.ACCESS_KEY, null), call,
                    "assumed with the base key pair, the external id, the session name and the duration");
        }
    }

    @Test
    void sessionCredentialsSignWithTheirTokenAndLandInTheirKeysStore() {
        String table = DynamoDbLocal.uniqueTableName("session");
        ClientSettings settings = local.settings().withCredentials("ASIASESSION1", "sessionsecret").withSessionToken("sessiontoken1");
        try (DynamoDbClient client = DynamoDbClients.build(settings);
                Database db = DynamoDbDown.open(client, table + "$db")) {
            AwsSessionCredentials signing = assertInstanceOf(AwsSessionCredentials.class,
                    client.serviceClientConfiguration().credentialsProvider().resolveIdentity().join());
            assertEquals("sessiontoken1", signing.sessionToken());
            db.put("k", "v");
        }
        assertEquals("v", valueIn("ASIASESSION1", table, "k"));
        assertFalse(tableIn(DynamoDbLocal.ACCESS_KEY, table));

        // temporary credentials as the base of a role: STS gets the token too
        String role = "arn:aws:iam::111111111111:role/from-session";
        STS.role(role, "ASIAFROMSESSION", null, Duration.ofHours(1));
        try (DynamoDbClient client = DynamoDbClients.build(settings.withRole(role, null, null, null)
                .withStsEndpoint(STS.endpoint().toString()))) {
            StsStandIn.Call call = STS.calls().stream().filter(c -> c.roleArn().equals(role)).findFirst().orElseThrow();
            assertEquals("ASIASESSION1", call.signedWith());
            assertEquals("sessiontoken1", call.sessionToken());
            assertEquals(CredentialSettings.DEFAULT_ROLE_SESSION_NAME, call.sessionName());
            assertEquals(3600, call.durationSeconds());
        }
    }

    @Test
    void aProfileOfTheGivenFileGivesTheCredentialsAlsoAsARolesBase(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("credentials"), """
                [default]
                aws_access_key_id = DEFAULTKEY
                aws_secret_access_key = defaultsecret

                [backup]
                aws_access_key_id = PROFILEKEY
                aws_secret_access_key = profilesecret
                """);
        String table = DynamoDbLocal.uniqueTableName("profile");
        ClientSettings settings = local.settings().withCredentials(null, null).withProfile("backup", file);
        try (DynamoDbClient client = DynamoDbClients.build(settings); Database db = DynamoDbDown.open(client, table + "$db")) {
            db.put("k", "from the profile");
        }
        assertEquals("from the profile", valueIn("PROFILEKEY", table, "k"));
        try (DynamoDbClient client = DynamoDbClients.build(settings.withProfile(null, file));
                Database db = DynamoDbDown.open(client, table + "$db")) {
            db.put("k", "from the file's default profile");
        }
        assertEquals("from the file's default profile", valueIn("DEFAULTKEY", table, "k"));

        String role = "arn:aws:iam::111111111111:role/from-profile";
        STS.role(role, "ASIAFROMPROFILE", null, Duration.ofHours(1));
        try (DynamoDbClient client = DynamoDbClients.build(settings.withRole(role, null, null, null).withStsEndpoint(STS.endpoint().toString()));
                Database db = DynamoDbDown.open(client, table + "$db")) {
            db.put("k", "through the role");
        }
        assertEquals("PROFILEKEY", STS.calls().stream().filter(c -> c.roleArn().equals(role)).findFirst().orElseThrow().signedWith());
        assertEquals("through the role", valueIn(STS.accessKeyId(role, 1), table, "k"));
    }

    @Test
    void aRoleThatCannotBeAssumedFailsWhenTheClientIsBuiltNamingTheRoleAndNoSecret() {
        String role = "arn:aws:iam::111111111111:role/guarded";
        STS.role(role, "ASIAGUARDED", "the-right-one", Duration.ofHours(1));
        ClientSettings wrongId = local.settings().withRole(role, "sesame-wrong", null, null).withStsEndpoint(STS.endpoint().toString());
        InvalidSettingsException refused = assertThrows(InvalidSettingsException.class, () -> DynamoDbClients.build(wrongId));
        assertEquals(Setting.ROLE_ARN, refused.problems().get(0).setting());
        String message = refused.describe(setting -> setting.name().toLowerCase());
        assertTrue(message.contains("role_arn: the role could not be assumed (Sts answered 403 AccessDenied:")
                && message.contains("with this role_external_id"), message);
        assertFalse(message.contains("sesame-wrong") || refused.getMessage().contains("sesame-wrong")
                || refused.getMessage().contains(DynamoDbLocal.SECRET_KEY), message);

        try (NoAwsCredentials none = NoAwsCredentials.inThisJvm()) {
            InvalidSettingsException noBase = assertThrows(InvalidSettingsException.class, () -> DynamoDbClients.build(ClientSettings.defaults()
                    .withEndpoint(local.endpoint().toString()).withRole(role, null, null, null)
                    .withStsEndpoint(STS.endpoint().toString())));
            assertEquals(Setting.ROLE_ARN, noBase.problems().get(0).setting());
            assertTrue(noBase.getMessage().contains("check that the base credentials"), noBase.getMessage());
        }
    }

    @Test
    void closingAClientClosesItsRolesStsClientAndEachClientAssumesTheRoleForItself() {
        String role = "arn:aws:iam::111111111111:role/closed";
        STS.role(role, "ASIACLOSED", null, Duration.ofHours(1));
        ClientSettings settings = local.settings().withRole(role, null, null, null).withStsEndpoint(STS.endpoint().toString());
        DynamoDbClient client = DynamoDbClients.build(settings);
        DynamoDbStreamsClient streams = DynamoDbClients.buildStreams(settings);
        CredentialSettings.AssumedRole clientRole = assertInstanceOf(CredentialSettings.AssumedRole.class,
                client.serviceClientConfiguration().credentialsProvider());
        CredentialSettings.AssumedRole streamsRole = assertInstanceOf(CredentialSettings.AssumedRole.class,
                streams.serviceClientConfiguration().credentialsProvider());
        streams.listStreams();
        assertEquals(2, STS.issued(role));
        client.close();
        streams.close();
        assertTrue(clientRole.isClosed() && streamsRole.isClosed());
        assertEquals("AssumedRole{" + role + "}", clientRole.toString());
    }

    @Test
    void secretsNeverShowInTheSettings() {
        ClientSettings settings = ClientSettings.defaults().withCredentials("ASIAKEY", "s3cr3t").withSessionToken("t0k3n")
                .withRole(ROLE, "3xt3rnal", "name", null);
        for (String secret : List.of("s3cr3t", "t0k3n", "3xt3rnal")) {
            assertFalse(settings.toString().contains(secret), settings.toString());
        }
        assertTrue(settings.toString().contains("ASIAKEY") && settings.toString().contains(ROLE), settings.toString());
        assertArrayEquals(new Object[0], settings.problems().toArray());
    }
}
