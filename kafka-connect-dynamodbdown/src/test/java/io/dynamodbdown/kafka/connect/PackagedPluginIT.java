package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;

/** A real worker, in its own JVM, loads both connectors only from the plugin archive that {@code mvn package} built. */
class PackagedPluginIT {

    @Test
    void aWorkerLoadsBothConnectorsFromThePackagedArchive() throws Exception {
        Path plugin = WorkerProcess.archiveDirectory();
        try (Stream<Path> lib = Files.list(plugin.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("kafka-connect-dynamodbdown")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("store-core")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("dynamodb-")), jars.toString());
            assertTrue(jars.stream().noneMatch(j -> j.startsWith("kafka-clients") || j.startsWith("connect-api")),
                    "Kafka's own jars stay out: " + jars);
        }
        for (ConfigDocs.Connector connector : ConfigDocs.Connector.values()) {
            Path doc = plugin.resolve("doc").resolve(connector.fileName());
            assertTrue(Files.isRegularFile(doc), "the archive holds its configuration reference " + doc);
            assertEquals(connector.document(), Files.readString(doc), "the archive's " + doc.getFileName() + " is generated from the ConfigDef");
        }

        DynamoDbLocal dynamo = DynamoDbLocalExtension.get();
        String table = DynamoDbLocal.uniqueTableName("plugin-it");
        try (Database origin = DynamoDbDown.open(dynamo.client(), table + "$origin")) {
            List<BatchOperation> puts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                puts.add(BatchOperation.put(String.format("o%04d", i), "v" + i));
            }
            origin.batch(puts);
        }

        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        Path work = Files.createTempDirectory("plugin-it");
        Map<String, String> aws = Map.of("table", table, "aws.endpoint", dynamo.endpoint().toString(),
                "aws.region", "us-east-1", "aws.access.key.id", DynamoDbLocal.ACCESS_KEY,
                "aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
        Path source = WorkerProcess.write(work.resolve("source.properties"), with(aws, "name", "plugin-source",
                "connector.class", DynamoDbDownSourceConnector.class.getName(), "topic", "plugin-out",
                "hash.key", "origin", "mode", "snapshot"));
        Path sink = WorkerProcess.write(work.resolve("sink.properties"), with(aws, "name", "plugin-sink",
                "connector.class", DynamoDbDownSinkConnector.class.getName(), "topics", "plugin-in",
                "hash.key", "copy"));
        try (WorkerProcess worker = WorkerProcess.standalone(work, Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename", work.resolve("offsets").toString(),
                "offset.flush.interval.ms", "1000"), source, sink)) {
            kafka.createTopic("plugin-in", 1);
            kafka.createTopic("plugin-out", 1);
            kafka.createTopic("dynamodbdown-heartbeats", 1); // the sources' heartbeat topic, as a user creates it
            try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(Map.of())) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("plugin-in", ("in" + i).getBytes(), ("v" + i).getBytes()));
                }
            }
            worker.start();
            File log = worker.log();
            assertEquals(200, kafka.consume(200, TimeUnit.SECONDS.toMillis(120), "plugin-out").count(),
                    "the source connector from the archive streamed the table (worker log: " + log + ")");
            try (Database copy = DynamoDbDown.open(dynamo.client(), table + "$copy")) {
                await("the sink connector from the archive to write the topic").atMost(Duration.ofSeconds(60))
                        .until(() -> copy.stream(KeyRange.all()).count(), count -> count == 50);
            }
            String output = Files.readString(log.toPath());
            assertTrue(output.contains("Registered loader: PluginClassLoader{pluginLocation=file:" + plugin.getParent().toAbsolutePath()),
                    "the worker loaded the plugin from its archive");
            assertTrue(!output.contains(DynamoDbLocal.SECRET_KEY) && output.contains("aws.secret.access.key = [hidden]"),
                    "the secret never appears in the worker's log");
        } finally {
            kafka.stop();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> result = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            result.put(keyValues[i], keyValues[i + 1]);
        }
        return result;
    }
}
