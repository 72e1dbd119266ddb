package io.dynamodbdown.store.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RetryPolicy;
import io.dynamodbdown.store.ThrottleListener;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.testing.NoAwsCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** The settings both adapters map onto: every problem on its setting, under each adapter's own names. */
class SettingsTest {

    /** Names as an adapter would give them. */
    private static final SettingNames NAMES = setting -> "opt." + setting.name().toLowerCase();

    private static Map<Setting, String> byName(List<SettingProblem> problems) {
        return problems.stream().collect(Collectors.toMap(SettingProblem::setting, p -> p.message(NAMES), (a, b) -> a + "; " + b));
    }

    @Test
    void clientProblemsAreReportedEachOnItsSettingWithTheAdaptersNames() {
        ClientSettings bad = ClientSettings.defaults().withRegion(" ").withEndpoint("localhost:8000")
                .withCredentials("AKIA", null).withMaxAttempts(0)
                .withTimeouts(Duration.ZERO, Duration.ofMillis(-1));
        Map<Setting, String> problems = byName(bad.problems());
        assertEquals(6, problems.size(), problems.toString());
        assertTrue(problems.get(Setting.REGION).contains("blank"));
        assertTrue(problems.get(Setting.ENDPOINT).contains("http://localhost:8000"));
        assertEquals("opt.access_key and opt.secret_key go together: set both, or neither to use the default AWS"
                + " credentials chain", problems.get(Setting.SECRET_KEY), "other settings are named as the adapter names them");
        assertTrue(problems.get(Setting.MAX_ATTEMPTS).contains("1 = no retry"));
        assertTrue(problems.get(Setting.API_CALL_TIMEOUT).contains("positive"));
        assertTrue(problems.containsKey(Setting.API_CALL_ATTEMPT_TIMEOUT));
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> DynamoDbClients.builder(bad));
        assertTrue(e.describe(NAMES).startsWith("opt.region: must not be blank"), e.describe(NAMES));

        Map<Setting, String> delays = byName(ClientSettings.defaults()
                .withRetryDelays(Duration.ofMillis(100), Duration.ofMillis(10)).problems());
        assertEquals("must be at least opt.retry_base_delay (100 ms), got 10 ms", delays.get(Setting.RETRY_MAX_DELAY));
        assertEquals(List.of(), ClientSettings.defaults().problems());
    }

    @Test
    void credentialProblemsAreReportedOnTheSettingTheyConcernAndNeverQuoteASecret(@TempDir Path dir) throws IOException {
        Map<Setting, String> tokenAlone = byName(ClientSettings.defaults().withSessionToken("t0k3n").problems());
        assertEquals(Map.of(Setting.SESSION_TOKEN, "goes with opt.access_key and opt.secret_key: temporary credentials are"
                + " all three; set the key pair they were issued with, or leave the token out"), tokenAlone);

        Path file = Files.writeString(dir.resolve("credentials"), "[backup]\naws_access_key_id = K\naws_secret_access_key = S\n");
        Map<Setting, String> twoSources = byName(ClientSettings.defaults().withCredentials("AKIA", "s").withProfile("backup", file).problems());
        assertTrue(twoSources.get(Setting.PROFILE).startsWith("and opt.access_key are two sources of credentials"), twoSources.toString());
        Map<Setting, String> missing = byName(ClientSettings.defaults().withProfile("nightly", file).problems());
        assertEquals("there is no profile 'nightly' in '" + file + "'; profiles there: [backup]", missing.get(Setting.PROFILE));
        Map<Setting, String> noDefault = byName(ClientSettings.defaults().withProfile(null, file).problems());
        assertTrue(noDefault.get(Setting.PROFILE_FILE).startsWith("there is no profile 'default'"), noDefault.toString());
        Map<Setting, String> unreadable = byName(ClientSettings.defaults().withProfile("backup", dir.resolve("absent")).problems());
        assertTrue(unreadable.get(Setting.PROFILE_FILE).contains("cannot read"), unreadable.toString());
        assertEquals(List.of(), ClientSettings.defaults().withProfile("backup", file).problems());
        try (NoAwsCredentials none = NoAwsCredentials.inThisJvm()) {
            assertTrue(byName(ClientSettings.defaults().withProfile("backup", null).problems()).get(Setting.PROFILE)
                    .contains("in the AWS profile files (~/.aws/credentials"));
        }

        Map<Setting, String> badRole = byName(ClientSettings.defaults().withRole("arn:aws:iam::12:user/me", "x", "a b",
                Duration.ofMinutes(10)).withStsEndpoint("sts").problems());
        assertEquals(5, badRole.size(), badRole.toString());
        assertTrue(badRole.get(Setting.ROLE_ARN).contains("is not the ARN of an IAM role"), badRole.toString());
        assertEquals("must be 2 to 1224 characters of letters, digits and _+=,.@:/- (as STS accepts it)",
                badRole.get(Setting.ROLE_EXTERNAL_ID), "the external id is a secret: never quoted");
        assertTrue(badRole.get(Setting.ROLE_SESSION_NAME).startsWith("'a b' must be 2 to 64"), badRole.toString());
        assertTrue(badRole.get(Setting.ROLE_DURATION).contains("between 900 and 43200 seconds"), badRole.toString());
        assertTrue(badRole.get(Setting.STS_ENDPOINT).contains("not an endpoint URL"), badRole.toString());

        Map<Setting, String> noRole = byName(ClientSettings.defaults().withRole(null, "ext", "name", null)
                .withStsEndpoint("http://localhost:1").problems());
        assertEquals(Set.of(Setting.ROLE_EXTERNAL_ID, Setting.ROLE_SESSION_NAME, Setting.STS_ENDPOINT), noRole.keySet());
        assertEquals("is used only to assume a role: set opt.role_arn too, or leave this out", noRole.get(Setting.STS_ENDPOINT));
        assertEquals(List.of(), ClientSettings.defaults().withRole("arn:aws-cn:iam::123456789012:role/path/to/role", null, null,
                Duration.ofHours(12)).problems());
    }

    @Test
    void aZeroBaseDelayMeansRetryAtOnce() {
        ClientSettings immediate = ClientSettings.defaults().withRetryDelays(Duration.ZERO, Duration.ZERO);
        assertEquals(List.of(), immediate.problems());
        assertEquals(Duration.ZERO, immediate.retryPolicy().delayBeforeRetry(3));
    }

    @Test
    void theSecretNeverShows() {
        ClientSettings settings = ClientSettings.defaults().withCredentials("AKIA", "s3cr3t");
        assertFalse(settings.toString().contains("s3cr3t"), settings.toString());
        assertTrue(settings.toString().contains("AKIA"));
    }

    @Test
    void theRetryPolicyOfTheStoresOwnLoopIsTheClientsBudget() {
        ClientSettings settings = ClientSettings.defaults().withMaxAttempts(4).withRetryDelays(Duration.ofMillis(5), Duration.ofSeconds(1));
        assertEquals(4, settings.retryPolicy().maxAttempts());
        assertEquals(Duration.ofMillis(5), settings.retryPolicy().baseDelay());
    }

    @Test
    void missingCredentialsOrRegionFailWhenTheClientIsBuiltNamingTheSetting() {
        try (NoAwsCredentials none = NoAwsCredentials.inThisJvm()) {
            InvalidSettingsException noCredentials = assertThrows(InvalidSettingsException.class,
                    () -> DynamoDbClients.build(ClientSettings.defaults().withEndpoint("http://127.0.0.1:1")));
            assertEquals(Setting.ACCESS_KEY, noCredentials.problems().get(0).setting());
            assertTrue(noCredentials.describe(NAMES).contains("set opt.access_key and opt.secret_key"), noCredentials.describe(NAMES));

            InvalidSettingsException noRegion = assertThrows(InvalidSettingsException.class,
                    () -> DynamoDbClients.build(ClientSettings.defaults().withCredentials("AKIA", "secret")));
            assertEquals(Setting.REGION, noRegion.problems().get(0).setting());
        }
    }

    /** Table settings as an adapter gives them, creating a missing table and reading consistently. */
    private static TableSettings table(BillingMode billing, Long read, Long write, Layout layout, StreamViewType view,
            boolean enableStream, long maxValueSize, int shards) {
        return new TableSettings(true, billing, read, write, layout, true, view, enableStream, maxValueSize, shards);
    }

    private static TableSettings table(BillingMode billing, Long read, Long write, int shards) {
        return table(billing, read, write, Layout.AUTO, null, false, OpenOptions.DEFAULT_MAX_VALUE_SIZE, shards);
    }

    @Test
    void tableProblemsAndTheOpenOptionsTheyMapOnto() {
        Map<Setting, String> provisioned = byName(table(BillingMode.PROVISIONED, null, 0L, 0).problems());
        assertEquals("required when opt.billing_mode is PROVISIONED", provisioned.get(Setting.READ_CAPACITY));
        assertTrue(provisioned.get(Setting.WRITE_CAPACITY).contains("at least 1"));
        assertTrue(byName(table(BillingMode.UNKNOWN_TO_SDK_VERSION, null, null, 0).problems())
                .containsKey(Setting.BILLING_MODE));
        assertTrue(byName(table(BillingMode.PAY_PER_REQUEST, null, null, null, null, false, OpenOptions.DEFAULT_MAX_VALUE_SIZE, 0)
                .problems()).containsKey(Setting.LAYOUT));
        assertTrue(byName(table(BillingMode.PAY_PER_REQUEST, null, null, 257).problems()).get(Setting.SHARDS)
                .contains("between 1 and 256"));
        assertTrue(byName(table(BillingMode.PAY_PER_REQUEST, null, null, -1).problems()).containsKey(Setting.SHARDS));
        assertEquals(16, table(BillingMode.PAY_PER_REQUEST, null, null, 16).applyTo(OpenOptions.defaults()).shards());

        OpenOptions options = new TableSettings(false, BillingMode.PROVISIONED, 3L, 4L, Layout.DYNAMODBDOWN, false, null, false,
                OpenOptions.DEFAULT_MAX_VALUE_SIZE, 0).applyTo(OpenOptions.defaults().withPageSize(7));
        assertEquals(OpenOptions.defaults().withPageSize(7).withCreateIfMissing(false).withProvisionedBilling(3, 4)
                .withLayout(Layout.DYNAMODBDOWN).withConsistentRead(false), options, "applied onto the base");
        assertThrows(InvalidSettingsException.class,
                () -> table(BillingMode.PROVISIONED, null, null, 0).applyTo(OpenOptions.defaults()));
    }

    /** One set of rules: the adapters' settings are refused with the same limit and words as OpenOptions. */
    @Test
    void tableSettingsKeepTheRulesOfOpenOptionsInTheSameWords() {
        IllegalArgumentException options = assertThrows(IllegalArgumentException.class,
                () -> OpenOptions.defaults().withMaxValueSize(OpenOptions.MAX_VALUE_SIZE_LIMIT + 1));
        String setting = byName(table(BillingMode.PAY_PER_REQUEST, null, null, Layout.AUTO, null, false,
                OpenOptions.MAX_VALUE_SIZE_LIMIT + 1, 0).problems()).get(Setting.MAX_VALUE_SIZE);
        assertEquals(options.getMessage(), "maxValueSize " + setting);
        assertTrue(setting.contains("between 0 and " + OpenOptions.MAX_VALUE_SIZE_LIMIT + " bytes"), setting);

        IllegalArgumentException noView = assertThrows(IllegalArgumentException.class,
                () -> OpenOptions.defaults().withStream(null, true));
        assertEquals("enableStream needs streamView: NEW_IMAGE or NEW_AND_OLD_IMAGES", noView.getMessage());
        assertEquals("needs opt.stream_view: NEW_IMAGE or NEW_AND_OLD_IMAGES",
                byName(table(BillingMode.PAY_PER_REQUEST, null, null, Layout.AUTO, null, true, OpenOptions.DEFAULT_MAX_VALUE_SIZE, 0)
                        .problems()).get(Setting.ENABLE_STREAM),
                "another setting is named as the adapter names it");

        IllegalArgumentException several = assertThrows(IllegalArgumentException.class,
                () -> new OpenOptions(true, false, BillingMode.PROVISIONED, 0, 1, Duration.ofSeconds(60), true, 0, 1,
                        RetryPolicy.DEFAULT, Layout.AUTO, null, false, 0, -1, ThrottleListener.NONE));
        assertTrue(several.getMessage().contains("readCapacity must be at least 1 capacity unit (PROVISIONED billing), got 0"),
                several.getMessage());
        assertTrue(several.getMessage().contains("shards must be between 1 and 256"), "every broken rule at once: "
                + several.getMessage());
    }

    @Test
    void rangeProblemsAreReportedOnTheBoundOrSplitTheyConcern() {
        Map<Setting, String> badHex = byName(RangeSettings.all().withKeyEncoding(KeyEncoding.HEX)
                .withBounds(null, "zz", "0g", null).problems());
        assertEquals(2, badHex.size(), badHex.toString());
        assertTrue(badHex.get(Setting.GTE).contains("not valid hex"));
        assertTrue(badHex.containsKey(Setting.LT));

        Map<Setting, String> outside = byName(RangeSettings.all().withBounds(null, "b", "d", null)
                .withSplits(List.of("c", "b", "x")).problems());
        assertTrue(outside.get(Setting.SPLITS).contains("'b'") && outside.get(Setting.SPLITS).contains("'x'")
                && !outside.get(Setting.SPLITS).contains("'c'"), outside.toString());
    }

    @Test
    void splitPointsCutTheRangeIntoAdjacentPiecesInKeyOrder() {
        List<KeyRange> pieces = RangeSettings.all().withBounds(null, "c", null, "x").withSplits(List.of("p", "h", "h")).pieces();
        assertEquals(List.of(KeyRange.all().gte("c").lt("h"), KeyRange.all().gte("h").lt("p"), KeyRange.all().gte("p").lte("x")),
                pieces);
        assertEquals(List.of(KeyRange.all().gt(Bytes.utf8("a"))), RangeSettings.all().withBounds("a", null, null, null).pieces());
        assertEquals(KeyRange.all(), RangeSettings.all().range());
    }
}
