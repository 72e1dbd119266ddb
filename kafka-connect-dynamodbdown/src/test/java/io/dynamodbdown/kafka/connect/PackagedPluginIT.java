package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.StsStandIn;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A real worker, in its own JVM, loads both connectors only from the plugin archive that {@code mvn package} built: a
 * worker of this build's Kafka, and one of Kafka 3.7, the oldest line users run (Amazon MSK Connect). The source reads
 * through an assumed role, the sink writes with temporary credentials, and no secret shows in the worker's log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedPluginIT {

    private static final String ROLE = "arn:aws:iam::444444444444:role/plugin-source";

    private final DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
    private final StsStandIn sts = StsStandIn.start().roleInAccount(ROLE, "PLUGINSOURCE", "plugin-ext-id");
    private EmbeddedKafkaCluster kafka;

    @BeforeAll
    void startKafka() {
        kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
    }

    @AfterAll
    void stopKafka() {
        kafka.stop();
        sts.close();
    }

    @Test
    void theArchiveHoldsTheConnectorsTheirDependenciesAndTheirDocsButNoKafka() throws Exception {
        Path plugin = WorkerProcess.archiveDirectory();
        try (Stream<Path> lib = Files.list(plugin.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("kafka-connect-dynamodbdown")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("store-core")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("dynamodb-")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("sts-")), "assumed roles: " + jars);
            assertTrue(jars.stream().noneMatch(j -> j.startsWith("kafka-clients") || j.startsWith("connect-api")),
                    "Kafka's own jars stay out: " + jars);
            String connectorJar = jars.stream().filter(j -> j.startsWith("kafka-connect-dynamodbdown")).findFirst().orElseThrow();
            try (JarFile jar = new JarFile(plugin.resolve("lib").resolve(connectorJar).toFile())) {
                assertNull(jar.getEntry(ConfigDocs.class.getName().replace('.', '/') + ".class"),
                        "the build's docs generator stays out of the plugin");
            }
        }
        for (ConfigDocs.Connector connector : ConfigDocs.Connector.values()) {
            Path doc = plugin.resolve("doc").resolve(connector.fileName());
            assertTrue(Files.isRegularFile(doc), "the archive holds its configuration reference " + doc);
            assertEquals(connector.document(), Files.readString(doc), "the archive's " + doc.getFileName() + " is generated from the ConfigDef");
        }
    }

    @ParameterizedTest(name = "Kafka {0}")
    @ValueSource(strings = {"of this build", "3.7"})
    void aWorkerLoadsBothConnectorsFromThePackagedArchive(String version) throws Exception {
        Path plugin = WorkerProcess.archiveDirectory();
        Path work = Files.createTempDirectory("plugin-it");
        WorkerProcess.Kafka worker = version.equals("3.7") ? kafka37(work) : WorkerProcess.Kafka.ofThisBuild();
        String table = DynamoDbLocal.uniqueTableName("plugin-it");
        String in = "plugin-in-" + table;
        String out = "plugin-out-" + table;
        try (DynamoDbClient account = dynamo.newClientAs("PLUGINSOURCE");
                Database origin = DynamoDbDown.open(account, table + "$origin")) { // what the role may read
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                puts.add(BatchOperation.put(String.format("o%04d", i), "v" + i));
            }
            origin.batch(puts);
        }

        Map<String, String> aws = Map.of("table", table, "aws.endpoint", dynamo.endpoint().toString(),
                "aws.region", "us-east-1", "aws.access.key.id", DynamoDbLocal.ACCESS_KEY,
                "aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
        Path source = WorkerProcess.write(work.resolve("source.properties"), with(aws, "name", "plugin-source",
                "connector.class", DynamoDbDownSourceConnector.class.getName(), "topic", out,
                "hash.key", "origin", "mode", "snapshot", "aws.role.arn", ROLE, "aws.role.external.id", "plugin-ext-id",
                "aws.sts.endpoint", sts.endpoint().toString()));
        Path sink = WorkerProcess.write(work.resolve("sink.properties"), with(aws, "name", "plugin-sink",
                "connector.class", DynamoDbDownSinkConnector.class.getName(), "topics", in,
                "hash.key", "copy", "aws.session.token", "pluginsessiontoken"));
        try (WorkerProcess process = WorkerProcess.standalone(worker, work, Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename", work.resolve("offsets").toString(),
                "offset.flush.interval.ms", "1000"), source, sink)) {
            kafka.createTopic(in, 1);
            kafka.createTopic(out, 1);
            try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(Map.of())) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(in, ("in" + i).getBytes(), ("v" + i).getBytes()));
                }
            }
            process.start();
            File log = process.log();
            assertEquals(200, kafka.consume(200, TimeUnit.SECONDS.toMillis(120), out).count(),
                    "the source connector from the archive streamed the role's table (worker log: " + log + ")");
            try (Database copy = DynamoDbDown.open(dynamo.client(), table + "$copy")) {
                await("the sink connector from the archive to write the topic").atMost(Duration.ofSeconds(60))
                        .until(() -> copy.stream(KeyRange.all()).count(), count -> count == 50);
            }
            String output = Files.readString(log.toPath());
            assertTrue(output.contains("Registered loader: PluginClassLoader{pluginLocation=file:" + plugin.getParent().toAbsolutePath()),
                    "the worker loaded the plugin from its archive");
            assertTrue(output.contains("aws.secret.access.key = [hidden]") && output.contains("aws.session.token = [hidden]")
                    && output.contains("aws.role.external.id = [hidden]"), "the secrets are logged hidden");
            for (String secret : List.of(DynamoDbLocal.SECRET_KEY, "pluginsessiontoken", "plugin-ext-id")) {
                assertFalse(output.contains(secret), "a secret in the worker's log: " + secret);
            }
        }
        assertTrue(sts.calls().stream().anyMatch(c -> c.roleArn().equals(ROLE) && c.externalId().equals("plugin-ext-id")),
                "the source assumed its role through STS: " + sts.calls());
    }

    /** A Kafka 3.7 worker, on the jars the kafka-3.7-worker module gathered. */
    private static WorkerProcess.Kafka kafka37(Path work) throws Exception {
        String lib = System.getProperty("kafka37.worker.lib");
        Assumptions.assumeTrue(lib != null, "no Kafka 3.7 worker here: mvn verify sets kafka37.worker.lib");
        WorkerProcess.Kafka kafka = WorkerProcess.Kafka.ofJars(Path.of(lib), work);
        assertTrue(kafka.version().startsWith("3.7."), kafka.version());
        return kafka;
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> result = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            result.put(keyValues[i], keyValues[i + 1]);
        }
        return result;
    }
}
