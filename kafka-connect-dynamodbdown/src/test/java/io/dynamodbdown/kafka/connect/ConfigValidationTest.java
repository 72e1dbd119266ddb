package io.dynamodbdown.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the worker's validation endpoint shows: every mistake at once, on the key it concerns. */
class ConfigValidationTest {

    private static Map<String, String> sink(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("connector.class", DynamoDbDownSinkConnector.class.getName(),
                "name", "sink", "topics", "t", "table", "my-table"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static Map<String, String> source(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("connector.class", DynamoDbDownSourceConnector.class.getName(),
                "name", "source", "topic", "t", "table", "my-table"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static List<String> errors(Config config, String key) {
        return config.configValues().stream().filter(v -> v.name().equals(key)).findFirst()
                .map(ConfigValue::errorMessages).orElseThrow(() -> new AssertionError("no config value " + key));
    }

    private static long errorCount(Config config) {
        return config.configValues().stream().mapToLong(v -> v.errorMessages().size()).sum();
    }

    @Test
    void aValidSinkConfigHasNoErrors() {
        assertEquals(0, errorCount(new DynamoDbDownSinkConnector().validate(sink())));
    }

    @Test
    void everySinkMistakeIsShownAtOnceOnItsKey() {
        Config config = new DynamoDbDownSinkConnector().validate(sink(
                "table", "x", "table.billing.mode", "PROVISIONED", "aws.access.key.id", "AKIA",
                "batch.size", "0", "aws.endpoint", "not a url", "table.layout", "leveldb"));
        assertTrue(errors(config, "table.layout").get(0).contains("dynamodb-leveldown"), errors(config, "table.layout").toString());
        assertTrue(errors(config, "table").get(0).contains("3 to 255"), errors(config, "table").toString());
        assertTrue(errors(config, "table.read.capacity").get(0).contains("required when table.billing.mode is PROVISIONED"));
        assertTrue(errors(config, "table.write.capacity").get(0).contains("PROVISIONED"));
        assertTrue(errors(config, "aws.secret.access.key").get(0).contains("go together"));
        assertFalse(errors(config, "batch.size").isEmpty());
        assertFalse(errors(config, "aws.endpoint").isEmpty());
    }

    @Test
    void theSinkHashKeyMayHoldTheTopic() {
        DynamoDbDownSinkConfig config = new DynamoDbDownSinkConfig(sink("hash.key", "backup-${topic}"));
        assertEquals("backup-orders", config.hashKeyFor("orders"));
        assertFalse(errors(new DynamoDbDownSinkConnector().validate(sink("hash.key", "")), "hash.key").isEmpty());
    }

    @Test
    void theSecretIsAPasswordAndNeverPrinted() {
        DynamoDbDownSinkConfig config = new DynamoDbDownSinkConfig(sink("aws.access.key.id", "AKIA", "aws.secret.access.key", "s3cr3t"));
        assertFalse(config.toString().contains("s3cr3t"));
        assertFalse(config.values().toString().contains("s3cr3t"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new DynamoDbDownSinkConfig(sink("aws.secret.access.key", "s3cr3t")));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void credentialMistakesAreShownOnTheirKeysWithoutTheSecrets(@TempDir Path dir) throws IOException {
        Config tokenAlone = new DynamoDbDownSinkConnector().validate(sink("aws.session.token", "t0k3n",
                "aws.role.external.id", "3xt3rnal", "aws.sts.endpoint", "sts"));
        assertTrue(errors(tokenAlone, "aws.session.token").get(0).startsWith("goes with aws.access.key.id and"
                + " aws.secret.access.key"), errors(tokenAlone, "aws.session.token").toString());
        assertTrue(errors(tokenAlone, "aws.role.external.id").get(0).contains("set aws.role.arn too"));
        assertTrue(errors(tokenAlone, "aws.sts.endpoint").get(0).contains("set aws.role.arn too"));

        Path file = Files.writeString(dir.resolve("credentials"), "[backup]\naws_access_key_id = K\naws_secret_access_key = S\n");
        Config missingProfile = new DynamoDbDownSourceConnector().validate(source("aws.profile", "nightly",
                "aws.profile.file", file.toString(), "aws.role.arn", "arn:aws:iam::123456789012:user/me",
                "aws.role.session.name", "x", "aws.role.duration.seconds", "60"));
        assertTrue(errors(missingProfile, "aws.profile").get(0).contains("there is no profile 'nightly'"),
                errors(missingProfile, "aws.profile").toString());
        assertTrue(errors(missingProfile, "aws.role.arn").get(0).contains("not the ARN of an IAM role"));
        assertTrue(errors(missingProfile, "aws.role.session.name").get(0).contains("2 to 64 characters"));
        assertTrue(errors(missingProfile, "aws.role.duration.seconds").get(0).contains("at least 900"),
                errors(missingProfile, "aws.role.duration.seconds").toString());
        assertEquals(0, errorCount(new DynamoDbDownSourceConnector().validate(source("aws.profile", "backup",
                "aws.profile.file", file.toString(), "aws.role.arn", "arn:aws:iam::123456789012:role/backup-reader",
                "aws.role.external.id", "3xt3rnal", "aws.role.session.name", "nightly-backup"))));

        ConfigException e = assertThrows(ConfigException.class, () -> new DynamoDbDownSinkConfig(sink(
                "aws.session.token", "t0k3n", "aws.role.external.id", "!"))); // also an invalid external id
        assertFalse(e.getMessage().contains("t0k3n") || e.getMessage().contains("!"), e.getMessage());
        DynamoDbDownSinkConfig config = new DynamoDbDownSinkConfig(sink("aws.access.key.id", "ASIA", "aws.secret.access.key",
                "s3cr3t", "aws.session.token", "t0k3n", "aws.role.arn", "arn:aws:iam::123456789012:role/r",
                "aws.role.external.id", "3xt3rnal"));
        for (String secret : List.of("s3cr3t", "t0k3n", "3xt3rnal")) {
            assertFalse(config.toString().contains(secret) || config.values().toString().contains(secret)
                    || config.clientSettings().toString().contains(secret), secret);
        }
    }

    @Test
    void sourceRangeMistakesAreShownOnTheirKeys() {
        Config badHex = new DynamoDbDownSourceConnector().validate(source("key.encoding", "hex", "key.gte", "zz"));
        assertTrue(errors(badHex, "key.gte").get(0).contains("not valid hex"), errors(badHex, "key.gte").toString());
        assertTrue(errors(badHex, "key.gt").isEmpty(), "not blamed on key.gt");
        Config outside = new DynamoDbDownSourceConnector().validate(source("key.gte", "b", "key.lt", "d", "key.range.splits", "c,x"));
        assertTrue(errors(outside, "key.range.splits").get(0).contains("strictly inside"));
        Config badMode = new DynamoDbDownSourceConnector().validate(source("mode", "forever", "key.encoding", "rot13"));
        assertFalse(errors(badMode, "mode").isEmpty());
        assertFalse(errors(badMode, "key.encoding").isEmpty());
        assertEquals(0, errorCount(new DynamoDbDownSourceConnector().validate(source("hash.key", "a,b", "key.range.splits", "m"))));
    }

    @Test
    void changesModeMistakesAreShownOnTheirKeysAndItRunsOneExactlyOnceTask() {
        Config splits = new DynamoDbDownSourceConnector().validate(source("mode", "changes", "key.range.splits", "m"));
        assertTrue(errors(splits, "key.range.splits").get(0).contains("one task reads each database whole"),
                errors(splits, "key.range.splits").toString());
        Config keysOnly = new DynamoDbDownSourceConnector().validate(source("mode", "changes", "table.stream.view", "KEYS_ONLY"));
        assertTrue(errors(keysOnly, "table.stream.view").get(0).contains("NEW_IMAGE or NEW_AND_OLD_IMAGES"));
        Config noView = new DynamoDbDownSourceConnector().validate(source("mode", "snapshot", "table.stream.enable", "true"));
        assertTrue(errors(noView, "table.stream.enable").get(0).contains("table.stream.view"),
                errors(noView, "table.stream.enable").toString());
        assertEquals(0, errorCount(new DynamoDbDownSourceConnector().validate(source("mode", "changes", "table.stream.enable", "true"))),
                "changes mode: a NEW_IMAGE stream unless another view is set");

        DynamoDbDownSourceConnector connector = new DynamoDbDownSourceConnector();
        Map<String, String> changes = source("mode", "changes", "hash.key", "a,b,c", "tasks.max", "3");
        connector.start(changes);
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertEquals(List.of("0/3", "1/3", "2/3"), tasks.stream().map(t -> t.get(DynamoDbDownSourceTask.TASK_INDEX) + "/"
                + t.get(DynamoDbDownSourceTask.TASK_COUNT)).toList(), "tasks.max tasks share the snapshot and the stream out");
        assertEquals(ExactlyOnceSupport.SUPPORTED, connector.exactlyOnceSupport(changes));
        assertEquals(ExactlyOnceSupport.UNSUPPORTED, connector.exactlyOnceSupport(source("mode", "tail")));
    }

    @Test
    void versionIsTheArtifactVersion() {
        assertEquals("0.1.0-SNAPSHOT", new DynamoDbDownSinkConnector().version());
        assertEquals(new DynamoDbDownSinkConnector().version(), new DynamoDbDownSourceConnector().version());
        assertEquals(new DynamoDbDownSinkConnector().version(), new DynamoDbDownSourceTask().version());
    }
}
