package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.JsTables.Variant;
import io.dynamodbdown.testing.JsTables;
import io.dynamodbdown.testing.NoAwsCredentials;
import io.dynamodbdown.testing.StsStandIn;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Both connectors on a real embedded KRaft broker and Connect worker, against DynamoDB Local. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectorsIntegrationTest {

    private static final long TIMEOUT_MS = TimeUnit.SECONDS.toMillis(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SOURCE_ROLE = "arn:aws:iam::111111111111:role/dynamodbdown-source";
    private static final String BACKUP_ROLE = "arn:aws:iam::222222222222:role/dynamodbdown-backup";

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final StsStandIn sts = StsStandIn.start();
    private EmbeddedConnectCluster connect;

    @BeforeAll
    void startCluster() {
        connect = (EmbeddedConnectCluster) new EmbeddedConnectCluster.Builder()
                .name("dynamodbdown-connect").numWorkers(1).numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "1000")))
                .build();
        connect.start();
        connect.kafka().createTopic("dynamodbdown-heartbeats", 1); // the source's heartbeat topic, as a user creates it
    }

    @AfterAll
    void stopCluster() {
        connect.stop();
        sts.close();
    }

    private Map<String, String> common(String table) {
        Map<String, String> props = new HashMap<>();
        props.put("table", table);
        props.put("aws.endpoint", dynamo.endpoint().toString());
        props.put("aws.region", DynamoDbLocal.REGION.id());
        props.put("aws.access.key.id", DynamoDbLocal.ACCESS_KEY);
        props.put("aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
        return props;
    }

    private Map<String, String> sink(String table, String topic) {
        Map<String, String> props = common(table);
        props.put("connector.class", DynamoDbDownSinkConnector.class.getName());
        props.put("topics", topic);
        props.put("tasks.max", "2");
        props.put("hash.key", "${topic}");
        props.put("key.converter", StringConverter.class.getName());
        props.put("value.converter", StringConverter.class.getName());
        return props;
    }

    private Map<String, String> source(String table, String topic, String hashKeys) {
        connect.kafka().createTopic(topic, 1);
        Map<String, String> props = common(table);
        props.put("connector.class", DynamoDbDownSourceConnector.class.getName());
        props.put("topic", topic);
        props.put("hash.key", hashKeys);
        props.put("poll.interval.ms", "200");
        props.put("key.converter", ByteArrayConverter.class.getName());
        props.put("value.converter", ByteArrayConverter.class.getName());
        return props;
    }

    @Test
    void sinkOfTenThousandRecordsWithTombstonesAndRepeatedKeysEndsInTheExpectedState() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-sink");
        String topic = "sink-input";
        connect.kafka().createTopic(topic, 3);
        Map<String, String> expected = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            for (int i = 0; i < 10_000; i++) {
                String key = "key-" + (i % 2_500);
                String value = i % 7 == 0 ? null : "value-" + i;
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
                if (value == null) {
                    expected.remove(key);
                } else {
                    expected.put(key, value);
                }
            }
        }
        connect.configureConnector("sink", sink(table, topic));
        connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning("sink", 1, "sink did not start");
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$" + topic)) {
            awaitUntil(() -> asText(db).equals(expected), "the table to hold exactly the expected 10,000-record state");
        }
        connect.deleteConnector("sink");
    }

    @Test
    void aSinkWithoutCredentialsFailsNamingTheMissingSettingInsteadOfRedeliveringForever() {
        try (NoAwsCredentials none = NoAwsCredentials.inThisJvm()) { // the worker runs in this JVM
            Map<String, String> props = sink(DynamoDbLocal.uniqueTableName("it-no-credentials"), "no-credentials-input");
            props.remove("aws.access.key.id");
            props.remove("aws.secret.access.key");
            connect.configureConnector("no-credentials", props);
            // the worker has no status for the connector until it started it: asked for too early, it answers 404
            await("the task to fail").atMost(Duration.ofMillis(TIMEOUT_MS)).ignoreExceptionsInstanceOf(ConnectRestException.class)
                    .until(() -> {
                var status = connect.connectorStatus("no-credentials");
                return !status.tasks().isEmpty() && status.tasks().get(0).state().equals("FAILED");
            });
            String trace = connect.connectorStatus("no-credentials").tasks().get(0).trace();
            assertTrue(trace.contains("no AWS credentials were found: set aws.access.key.id and aws.secret.access.key"), trace);
            connect.deleteConnector("no-credentials");
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterQueueWithTheReasonAndTheRestArrives() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-dlq");
        String topic = "dlq-input";
        connect.kafka().createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of("max.request.size", "2000000"))) {
            producer.send(new ProducerRecord<>(topic, "good-1".getBytes(), "v".getBytes()));
            producer.send(new ProducerRecord<>(topic, null, "no key".getBytes()));
            producer.send(new ProducerRecord<>(topic, "too-big".getBytes(), new byte[501 * 1024]));
            producer.send(new ProducerRecord<>(topic, "good-2".getBytes(), "v".getBytes()));
            producer.send(new ProducerRecord<>(topic, "large".getBytes(), new byte[450 * 1024])); // past one item: in chunks
        }
        Map<String, String> props = sink(table, topic);
        props.put("value.max.bytes", Integer.toString(500 * 1024));
        props.put("value.converter", ByteArrayConverter.class.getName());
        props.put("errors.tolerance", "all");
        props.put("errors.deadletterqueue.topic.name", "dlq");
        props.put("errors.deadletterqueue.topic.replication.factor", "1");
        props.put("errors.deadletterqueue.context.headers.enable", "true");
        connect.configureConnector("dlq-sink", props);
        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        connect.kafka().consume(2, TIMEOUT_MS, "dlq").forEach(dead::add);
        assertEquals(2, dead.size());
        List<String> reasons = dead.stream().map(r -> header(r, "__connect.errors.exception.message")).collect(Collectors.toList());
        assertTrue(reasons.get(0).contains("null key"), reasons.toString());
        assertTrue(reasons.get(1).contains("\"too-big\"") && reasons.get(1).contains("maxValueSize of 512000"), reasons.toString());
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$" + topic)) {
            awaitUntil(() -> asText(db).keySet().equals(java.util.Set.of("good-1", "good-2", "large")), "the good records");
            assertEquals(450 * 1024, db.get("large").length);
        }
        connect.deleteConnector("dlq-sink");
    }

    @Test
    void sourceSnapshotReadsTheRangeOnceInKeyOrder() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-snapshot");
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$events")) {
            db.batch(puts("e", 0, 1_000));
            db.put(new byte[] {0x00}, new byte[0]); // below the range
        }
        Map<String, String> props = source(table, "snapshot-out", "events");
        props.put("mode", "snapshot");
        props.put("key.gte", "e");
        props.put("batch.max.rows", "300");
        connect.configureConnector("snapshot", props);
        List<String> keys = keysOf(connect.kafka().consume(1_000, TIMEOUT_MS, "snapshot-out"));
        assertEquals(1_000, keys.size());
        assertEquals(keys.stream().sorted().collect(Collectors.toList()), keys, "key order");
        // five poll intervals and more: still the same 1,000
        await("read once, then idle").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
                .until(() -> connect.kafka().consumeAll(TIMEOUT_MS, "snapshot-out").count() == 1_000);
        connect.deleteConnector("snapshot");
    }

    @Test
    void sourceOffsetsAlteredAndResetOverRestAreTheOnesTheTaskResumesFrom() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-alter");
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$events")) {
            db.batch(puts("e", 0, 100));
        }
        Map<String, String> props = source(table, "alter-1", "events");
        props.put("mode", "snapshot");
        connect.configureConnector("alter", props);
        connect.kafka().consume(100, TIMEOUT_MS, "alter-1");
        connect.stopConnector("alter");
        connect.assertions().assertConnectorIsStopped("alter", "alter did not stop");

        var offsets = connect.connectorOffsets("alter").offsets();
        assertEquals(1, offsets.size(), "one partition: " + offsets);
        Map<String, ?> partition = offsets.get(0).partition(); // as the worker lists it
        connect.alterSourceConnectorOffset("alter", partition, Map.of("key", KeyEncoding.BASE64.encode(Bytes.utf8("e00049"))));
        props.put("topic", "alter-2");
        connect.kafka().createTopic("alter-2", 1);
        connect.configureConnector("alter", props);
        connect.resumeConnector("alter");
        List<String> resumed = keysOf(connect.kafka().consume(50, TIMEOUT_MS, "alter-2"));
        assertEquals("e00050", resumed.get(0), "the altered offset is the one the task read");
        awaitStable(() -> (long) connect.kafka().consumeAll(TIMEOUT_MS, "alter-2").count(), "the snapshot to finish");
        assertEquals(50, connect.kafka().consumeAll(TIMEOUT_MS, "alter-2").count());

        connect.stopConnector("alter");
        connect.assertions().assertConnectorIsStopped("alter", "alter did not stop");
        connect.resetConnectorOffsets("alter");
        props.put("topic", "alter-3");
        connect.kafka().createTopic("alter-3", 1);
        connect.configureConnector("alter", props);
        connect.resumeConnector("alter");
        assertEquals(100, connect.kafka().consume(100, TIMEOUT_MS, "alter-3").count(), "reset: the whole range again");
        connect.deleteConnector("alter");
    }

    @Test
    void changesSourceTakesTheSinceOfAnOffsetSetOverRest() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-since");
        try (Database db = withStream(table, "events")) {
            db.batch(puts("a", 0, 10));
            db.batch(dels("a", 0, 10));
            db.batch(puts("b", 0, 10));
            db.batch(dels("b", 0, 5));
            // Every change above is older than this moment, even counted in the stream's whole minutes (DynamoDB
            // Local rounds its times down to the minute): only the snapshot comes. Without the offset, the task
            // would read the stream from a minute before its snapshot and send all 35 changes as well.
            Instant since = Instant.now().plus(Duration.ofMinutes(2));
            Map<String, String> props = source(table, "since-out", "events");
            props.put("mode", "changes");
            connect.configureConnector(new CreateConnectorRequest("since", props, CreateConnectorRequest.InitialState.STOPPED));
            // the fields in another order than the task's own: the worker keeps offsets by their serialized bytes
            Map<String, String> partition = ChangesEpoch.partition(table);
            Map<String, String> reordered = new LinkedHashMap<>();
            List<String> fields = new ArrayList<>(partition.keySet());
            Collections.reverse(fields);
            fields.forEach(field -> reordered.put(field, partition.get(field)));
            connect.alterSourceConnectorOffset("since", reordered, Map.of("since", Long.toString(since.toEpochMilli())));
            connect.resumeConnector("since");
            connect.kafka().consume(5, TIMEOUT_MS, "since-out");
            db.put("b00000", "after the snapshot, but before since");
            awaitStable(() -> (long) connect.kafka().consumeAll(TIMEOUT_MS, "since-out").count(), "the task to send what it will");
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        connect.kafka().consumeAll(TIMEOUT_MS, "since-out").forEach(records::add);
        assertEquals(List.of("b00005", "b00006", "b00007", "b00008", "b00009"), keysOf(records),
                "the snapshot, then no change recorded before since");
        connect.deleteConnector("since");
    }

    @Test
    void sourceTailPicksUpKeysAppendedByConcurrentBatchesAndResumesAfterARestartWithoutGap() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-tail");
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$log")) {
            db.batch(puts("t", 0, 500));
            Map<String, String> props = source(table, "tail-out", "log");
            props.put("tail.settle.ms", "1000");
            connect.configureConnector("tail", props);
            connect.kafka().consume(500, TIMEOUT_MS, "tail-out");
            // appended while the task tails: the batch's chunks become visible in any order
            for (int from = 500; from < 600; from += 25) {
                db.batch(puts("t", from, 25));
            }
            connect.kafka().consume(600, TIMEOUT_MS, "tail-out");

            connect.stopConnector("tail");
            connect.assertions().assertConnectorIsStopped("tail", "tail did not stop");
            // what the task had sent beyond the offset it committed last: the unsettled tail it will send again
            var offsets = connect.connectorOffsets("tail").offsets();
            assertEquals(1, offsets.size(), "one partition: " + offsets);
            Object committed = offsets.get(0).offset().get("key");
            String settled = committed == null ? "" : new String(KeyEncoding.BASE64.decode((String) committed), StandardCharsets.UTF_8);
            long sentBeyond = keysOf(connect.kafka().consumeAll(TIMEOUT_MS, "tail-out")).stream()
                    .filter(key -> key.compareTo(settled) > 0).count();
            db.batch(puts("t", 600, 300));
            connect.resumeConnector("tail");
            connect.kafka().consume(900, TIMEOUT_MS, "tail-out");
            awaitStable(() -> (long) connect.kafka().consumeAll(TIMEOUT_MS, "tail-out").count(), "the re-sent tail to end");
            List<String> keys = keysOf(connect.kafka().consumeAll(TIMEOUT_MS, "tail-out"));
            List<String> expected = keysOf(List.of());
            puts("t", 0, 900).forEach(p -> expected.add(new String(p.key(), StandardCharsets.UTF_8)));
            assertEquals(expected, keys.stream().distinct().sorted().collect(Collectors.toList()), "no gap");
            assertTrue(keys.size() - 900 <= sentBeyond, "the task resumed after its committed offset " + settled
                    + ": it sent " + (keys.size() - 900) + " again, " + sentBeyond + " lay beyond that offset");
        }
        connect.deleteConnector("tail");
    }

    @Test
    void sourceStreamsATableWrittenByTheJavaScriptOriginal() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-js");
        JsTables.create(dynamo.client(), table, Variant.DYNAMODBDOWN);
        for (int i = 0; i < 50; i++) {
            JsTables.put(dynamo.client(), table, Variant.DYNAMODBDOWN,
                    "!", String.format("doc-%03d", i), AttributeValue.fromS("body " + i));
        }
        Map<String, String> props = source(table, "js-out", "!");
        props.put("mode", "snapshot");
        connect.configureConnector("js-source", props);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        connect.kafka().consume(50, TIMEOUT_MS, "js-out").forEach(records::add);
        assertEquals("doc-000", new String(records.get(0).key(), StandardCharsets.UTF_8));
        assertEquals("body 0", new String(records.get(0).value(), StandardCharsets.UTF_8));
        assertEquals("doc-049", new String(records.get(49).key(), StandardCharsets.UTF_8));
        connect.deleteConnector("js-source");
    }

    /** The README's way to more shards: a snapshot of the database through the sink into one of four shards. */
    @Test
    void aDatabaseMovesToMoreShardsThroughTheSourceAndTheSinkAndReadsBackInKeyOrder() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-reshard");
        Map<String, String> expected;
        try (Database one = DynamoDbDown.open(dynamo.client(), table + "$orders")) {
            one.batch(puts("o", 0, 1_000));
            expected = asText(one);
        }
        Map<String, String> source = source(table, "reshard-out", "orders");
        source.put("mode", "snapshot");
        connect.configureConnector("reshard-source", source);
        Map<String, String> sink = sink(table, "reshard-out");
        sink.put("hash.key", "orders-4");
        sink.put("shards", "4");
        sink.put("key.converter", ByteArrayConverter.class.getName());
        sink.put("value.converter", ByteArrayConverter.class.getName());
        connect.configureConnector("reshard-sink", sink);
        await("the copy in four shards").atMost(Duration.ofMillis(TIMEOUT_MS)).pollInterval(Duration.ofMillis(500)).until(() -> {
            // opened with its count: were this the first opener, a database takes the count of its first opener
            try (Database four = DynamoDbDown.open(dynamo.client(), table + "$orders-4", OpenOptions.defaults().withShards(4))) {
                return asText(four).equals(expected);
            }
        });
        connect.deleteConnector("reshard-source");
        connect.deleteConnector("reshard-sink");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> DynamoDbDown.open(
                dynamo.client(), table + "$orders-4", OpenOptions.defaults().withShards(1)));
        assertTrue(other.getMessage().contains("created with 4 shards"), other.getMessage());

        Map<String, String> back = source(table, "reshard-back", "orders-4"); // shards unset: the recorded four
        back.put("mode", "snapshot");
        connect.configureConnector("reshard-back", back);
        List<String> keys = keysOf(connect.kafka().consume(1_000, TIMEOUT_MS, "reshard-back"));
        assertEquals(new ArrayList<>(expected.keySet()), keys, "the four shards read merged in key order");
        connect.deleteConnector("reshard-back");
    }

    @Test
    void severalTasksReadSeveralDatabasesAndSplitRanges() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-tasks");
        for (String hashKey : List.of("a", "b")) {
            try (Database db = DynamoDbDown.open(dynamo.client(), table + "$" + hashKey)) {
                db.batch(puts(hashKey, 0, 600));
            }
        }
        Map<String, String> props = source(table, "tasks-out", "a,b");
        props.put("mode", "snapshot");
        props.put("tasks.max", "3");
        props.put("key.range.splits", "a00200,a00400,b00300");
        connect.configureConnector("tasks", props);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("tasks", 3, "three tasks");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        connect.kafka().consume(1_200, TIMEOUT_MS, "tasks-out").forEach(records::add);
        assertEquals(1_200, records.size());
        assertEquals(1_200, keysOf(records).stream().distinct().count());
        assertEquals(3, connect.taskConfigs("tasks").size());
        connect.deleteConnector("tasks");
    }

    /**
     * A backup into another account: the source reads account A's table with A's role, the sink writes account B's
     * with B's role, each assumed through STS with its external id on top of the worker's key pair. DynamoDB Local keeps
     * one store per access key id, and the STS stand-in gives each role's sessions its account's key: the copy, every
     * change included, lands in B's store, and nothing is written with the base key pair.
     */
    @Test
    void aCrossAccountBackupReadsWithOneRoleAndWritesWithAnother() throws Exception {
        sts.roleInAccount(SOURCE_ROLE, "ACCOUNTA", "source-ext").roleInAccount(BACKUP_ROLE, "ACCOUNTB", "backup-ext");
        String table = DynamoDbLocal.uniqueTableName("it-cross");
        try (DynamoDbClient accountA = dynamo.newClientAs("ACCOUNTA"); DynamoDbClient accountB = dynamo.newClientAs("ACCOUNTB");
                Database origin = withStream(accountA, table, "orders")) {
            origin.batch(puts("o", 0, 200));
            Map<String, String> source = source(table, "cross-account", "orders");
            source.putAll(Map.of("mode", "changes", "aws.role.arn", SOURCE_ROLE, "aws.role.external.id", "source-ext",
                    "aws.role.session.name", "backup-source", "aws.sts.endpoint", sts.endpoint().toString()));
            Map<String, String> sink = sink(table, "cross-account");
            sink.putAll(Map.of("hash.key", "orders", "aws.role.arn", BACKUP_ROLE, "aws.role.external.id", "backup-ext",
                    "aws.sts.endpoint", sts.endpoint().toString(), "value.converter", ByteArrayConverter.class.getName()));
            connect.configureConnector("cross-source", source);
            connect.configureConnector("cross-sink", sink);
            awaitUntil(() -> accountB.listTables().tableNames().contains(table), "the sink to create the table in account B");
            try (Database copy = DynamoDbDown.open(accountB, table + "$orders")) {
                awaitUntil(() -> asText(copy).equals(asText(origin)), "the snapshot to reach account B");
                origin.batch(puts("c", 0, 10));
                origin.batch(dels("o", 0, 5));
                awaitUntil(() -> asText(copy).equals(asText(origin)), "the changes to reach account B");
                assertEquals(205, asText(copy).size());
            }
            connect.deleteConnector("cross-source");
            connect.deleteConnector("cross-sink");
        }
        assertFalse(dynamo.client().listTables().tableNames().contains(table), "nothing written with the worker's own keys");
        List<StsStandIn.Call> calls = sts.calls();
        assertTrue(calls.stream().anyMatch(c -> c.roleArn().equals(BACKUP_ROLE)), calls.toString());
        for (StsStandIn.Call call : calls.stream().filter(c -> c.roleArn().equals(SOURCE_ROLE) || c.roleArn().equals(BACKUP_ROLE)).toList()) {
            assertEquals(DynamoDbLocal.ACCESS_KEY, call.signedWith(), call.toString());
            assertEquals(call.roleArn().equals(SOURCE_ROLE) ? "source-ext" : "backup-ext", call.externalId(), call.toString());
            assertEquals(call.roleArn().equals(SOURCE_ROLE) ? "backup-source" : "dynamodbdown", call.sessionName(), call.toString());
        }
    }

    /** Temporary credentials (a key pair with its session token) and a profile, each in a sink of its own. */
    @Test
    void sinksWriteWithSessionCredentialsAndWithAProfile(@TempDir Path dir) throws Exception {
        Path profiles = Files.writeString(dir.resolve("credentials"), "[backup]\naws_access_key_id = PROFILEKEY\n"
                + "aws_secret_access_key = profilesecret\n");
        String table = DynamoDbLocal.uniqueTableName("it-credentials");
        String topic = "credentials-input";
        connect.kafka().createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), ("v" + i).getBytes()));
            }
        }
        Map<String, String> session = sink(table, topic);
        session.putAll(Map.of("hash.key", "session", "aws.access.key.id", "ASIASESSIONKEY", "aws.session.token", "sessiontoken"));
        Map<String, String> profile = sink(table, topic);
        profile.remove("aws.access.key.id");
        profile.remove("aws.secret.access.key");
        profile.putAll(Map.of("hash.key", "profile", "aws.profile", "backup", "aws.profile.file", profiles.toString()));
        connect.configureConnector("session-sink", session);
        connect.configureConnector("profile-sink", profile);
        for (String[] keyAndDatabase : new String[][] {{"ASIASESSIONKEY", "session"}, {"PROFILEKEY", "profile"}}) {
            try (DynamoDbClient store = dynamo.newClientAs(keyAndDatabase[0])) {
                awaitUntil(() -> store.listTables().tableNames().contains(table), "the table in " + keyAndDatabase[0] + "'s store");
                try (Database db = DynamoDbDown.open(store, table + "$" + keyAndDatabase[1])) {
                    awaitUntil(() -> asText(db).size() == 20, "the records written with " + keyAndDatabase[0]);
                }
            }
        }
        assertFalse(dynamo.client().listTables().tableNames().contains(table), "nothing written with the base keys");
        connect.deleteConnector("session-sink");
        connect.deleteConnector("profile-sink");
    }

    /** Every connector JSON of the README, pointed at DynamoDB Local, through the worker's own validation endpoint. */
    @Test
    void everyConnectorConfigTheReadmeShowsPassesTheWorkersValidation() throws Exception {
        List<String> blocks = Readme.jsonBlocks(Readme.kafkaConnectSection());
        assertFalse(blocks.isEmpty(), "README.md's Kafka Connect section shows no ```json connector config");
        HttpClient http = HttpClient.newHttpClient();
        List<String> validated = new ArrayList<>();
        for (String block : blocks) {
            JsonNode example = JSON.readTree(block);
            JsonNode config = example.path("config");
            assertTrue(example.path("name").isTextual() && config.path("connector.class").isTextual(),
                    "a README JSON block that is not a connector ({\"name\", \"config\": {\"connector.class\", ...}}):\n" + block);
            Map<String, String> props = new LinkedHashMap<>();
            config.fields().forEachRemaining(field -> props.put(field.getKey(), field.getValue().asText()));
            props.put("name", example.get("name").asText());
            props.put("table", DynamoDbLocal.uniqueTableName("it-readme"));
            props.put("aws.endpoint", dynamo.endpoint().toString());
            props.put("aws.region", DynamoDbLocal.REGION.id());
            String profile = props.get("aws.profile");
            if (profile == null) { // the example's key pair, or its base credentials, become DynamoDB Local's
                props.put("aws.access.key.id", DynamoDbLocal.ACCESS_KEY);
                props.put("aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
            }
            String connectorClass = props.get("connector.class");
            HttpResponse<String> response;
            // a profile the example names is in the worker's ~/.aws/credentials (the worker runs in this JVM)
            try (NoAwsCredentials workerProfiles = NoAwsCredentials.withProfiles(profile == null ? "" : "[" + profile
                    + "]\naws_access_key_id = " + DynamoDbLocal.ACCESS_KEY + "\naws_secret_access_key = " + DynamoDbLocal.SECRET_KEY)) {
                response = http.send(HttpRequest.newBuilder(
                        URI.create(connect.endpointForResource("connector-plugins/" + connectorClass + "/config/validate")))
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(props)))
                        .build(), HttpResponse.BodyHandlers.ofString());
            }
            assertEquals(200, response.statusCode(), props.get("name") + ": " + response.body());
            JsonNode result = JSON.readTree(response.body());
            List<String> errors = new ArrayList<>();
            result.path("configs").forEach(c -> c.path("value").path("errors").forEach(
                    e -> errors.add(c.path("value").path("name").asText() + ": " + e.asText())));
            assertEquals(connectorClass, result.path("name").asText(), response.body());
            assertEquals(0, result.path("error_count").asInt(-1), "README example " + props.get("name") + ": " + errors);
            assertTrue(errors.isEmpty(), errors.toString());
            validated.add(props.get("name"));
        }
        assertEquals(blocks.size(), validated.size());
    }

    @Test
    void sinkMetricsAreVisibleOverJmxOnTheWorker() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-jmx-sink");
        String topic = "jmx-sink-input";
        connect.kafka().createTopic(topic, 1);
        try (TcpProxy proxy = TcpProxy.to(dynamo.endpoint());
                KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, String.format("p%03d", i).getBytes(), "v".getBytes()));
            }
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, String.format("d%03d", i).getBytes(), null)); // tombstones
            }
            producer.send(new ProducerRecord<>(topic, null, "no key".getBytes())); // a bad record: to the DLQ
            producer.flush();
            Map<String, String> props = sink(table, topic);
            props.put("tasks.max", "1");
            props.put("aws.endpoint", proxy.endpoint());
            props.put("max.retries", "0");
            props.put("aws.api.call.attempt.timeout.ms", "5000");
            props.put("errors.tolerance", "all");
            props.put("errors.deadletterqueue.topic.name", "jmx-dlq");
            props.put("errors.deadletterqueue.topic.replication.factor", "1");
            connect.configureConnector("jmx-sink", props);
            ObjectName task = awaitPluginMBean("jmx-sink");
            awaitUntil(() -> metric(task, "records-written-total") == 100 && metric(task, "records-deleted-total") == 20
                    && metric(task, "records-failed-total") == 1, "100 written, 20 deleted, 1 failed (over JMX)");
            assertEquals(0, metric(task, "records-retried-total"));
            assertEquals(0, metric(task, "requests-throttled-total"), "DynamoDB Local never throttles");
            assertTrue(metric(task, "batches-written-total") >= 1);
            assertTrue(metric(task, "write-latency-max") >= 0, "a write latency was recorded");

            proxy.down(); // DynamoDB unreachable: the writes of these fail and are tried again
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, String.format("q%03d", i).getBytes(), "v".getBytes()));
            }
            producer.flush();
            awaitUntil(() -> metric(task, "records-retried-total") >= 50, "the failed writes counted as retried");
            assertEquals(100, metric(task, "records-written-total"), "nothing written while DynamoDB is unreachable");
            proxy.up();
            awaitUntil(() -> metric(task, "records-written-total") == 150, "the retried records written once DynamoDB is back");
        }
        try (Database db = DynamoDbDown.open(dynamo.client(), table + "$" + topic)) {
            assertEquals(150, asText(db).size(), "the table holds what the metric counted");
        }
        connect.deleteConnector("jmx-sink");
    }

    @Test
    void sourceMetricsAreVisibleOverJmxOnTheWorker() throws Exception {
        String table = DynamoDbLocal.uniqueTableName("it-jmx-source");
        try (Database db = withStream(table, "orders")) {
            db.batch(puts("o", 0, 50));
            Map<String, String> props = source(table, "jmx-source-out", "orders");
            props.put("mode", "changes");
            connect.configureConnector("jmx-source", props);
            ObjectName task = awaitPluginMBean("jmx-source");
            connect.kafka().consume(50, TIMEOUT_MS, "jmx-source-out");
            db.batch(puts("c", 0, 10)); // changes after the snapshot: from the stream
            awaitUntil(() -> keysOf(connect.kafka().consumeAll(TIMEOUT_MS, "jmx-source-out")).contains("c00009"),
                    "the changes made after the snapshot");
            awaitUntil(() -> metric(task, "records-polled-total")
                            == keysOf(connect.kafka().consumeAll(TIMEOUT_MS, "jmx-source-out")).size(),
                    "records-polled-total to count every entry and change on the topic");
            double lag = metric(task, "change-lag-ms");
            assertTrue(lag >= 0 && lag < 60_000, "change-lag-ms: the age of the newest change read, here just written: " + lag);
            List<String> heartbeats = new ArrayList<>();
            connect.kafka().consumeAll(TIMEOUT_MS, "dynamodbdown-heartbeats").forEach(record -> {
                if (table.equals(new String(record.headers().lastHeader(DynamoDbDownHeaders.TABLE).value()))) {
                    heartbeats.add(new String(record.value()));
                }
            });
            assertEquals(heartbeats.size(), metric(task, "heartbeats-sent-total"), "every heartbeat counted: " + heartbeats);
            assertTrue(heartbeats.stream().noneMatch(value -> value.matches(".*@\\d+")), "the start's and the shards'"
                    + " lineages, no position kept while idle: the database had changes of its own: " + heartbeats);
            assertEquals(0, metric(task, "requests-throttled-total"), "DynamoDB Local never throttles");
        }
        connect.deleteConnector("jmx-source");
    }

    /** Waits until the worker registered task 0's plugin metrics of {@code connector}; its MBean name. */
    private static ObjectName awaitPluginMBean(String connector) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=0");
        try {
            awaitUntil(() -> server.isRegistered(name), "the MBean " + name);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no MBean " + name + "; plugin MBeans: "
                    + server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null), e);
        }
        return name;
    }

    private static double metric(ObjectName mbean, String attribute) throws Exception {
        return ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(mbean, attribute)).doubleValue();
    }

    private static List<BatchOperation> puts(String prefix, int from, int count) {
        List<BatchOperation> operations = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            operations.add(BatchOperation.put(String.format("%s%05d", prefix, i), "value " + i));
        }
        return operations;
    }

    /** A database in a table with a NEW_IMAGE stream, for changes mode. */
    private Database withStream(String table, String hashKey) {
        return withStream(dynamo.client(), table, hashKey);
    }

    private static Database withStream(DynamoDbClient client, String table, String hashKey) {
        return DynamoDbDown.open(client, new Location(table, hashKey), OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false));
    }

    private static List<BatchOperation> dels(String prefix, int from, int count) {
        List<BatchOperation> operations = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            operations.add(BatchOperation.del(String.format("%s%05d", prefix, i)));
        }
        return operations;
    }

    /** The keys of the entries and tombstones among {@code records} (not of a changes source's snapshot-end markers). */
    private static List<String> keysOf(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        List<String> keys = new ArrayList<>();
        records.forEach(r -> {
            Header change = r.headers().lastHeader(DynamoDbDownHeaders.CHANGE);
            if (change == null || !DynamoDbDownHeaders.SNAPSHOT_END.equals(new String(change.value(), StandardCharsets.UTF_8))) {
                keys.add(new String(r.key(), StandardCharsets.UTF_8));
            }
        });
        return keys;
    }

    private static Map<String, String> asText(Database db) {
        Map<String, String> entries = new LinkedHashMap<>();
        try (var stream = db.stream(KeyRange.all())) {
            stream.forEach((Entry e) -> entries.put(Bytes.describe(e.key()).replace("\"", ""), new String(e.value(), StandardCharsets.UTF_8)));
        }
        return entries;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void awaitUntil(Callable<Boolean> condition, String what) {
        await(what).atMost(Duration.ofMillis(TIMEOUT_MS)).pollInterval(Duration.ofMillis(200)).until(condition);
    }

    /** Waits until {@code count} has stopped changing for two seconds. */
    private static void awaitStable(Callable<Long> count, String what) {
        AtomicLong last = new AtomicLong(-1);
        await(what).atMost(Duration.ofMillis(TIMEOUT_MS)).pollInterval(Duration.ofMillis(250)).during(Duration.ofSeconds(2))
                .until(() -> last.getAndSet(count.call()) == last.get());
    }
}
