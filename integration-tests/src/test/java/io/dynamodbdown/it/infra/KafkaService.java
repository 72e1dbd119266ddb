package io.dynamodbdown.it.infra;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.awaitility.core.ConditionTimeoutException;

/** One Kafka broker (embedded or elsewhere) and the few client operations the tests need, by bootstrap address only. */
public final class KafkaService implements AutoCloseable {

    /** The source connector's default heartbeat.topic. */
    public static final String HEARTBEAT_TOPIC = "dynamodbdown-heartbeats";

    private final String description;
    private final String bootstrapServers;
    private final AutoCloseable backing;

    KafkaService(String description, String bootstrapServers, AutoCloseable backing) {
        this.description = description;
        this.bootstrapServers = bootstrapServers;
        this.backing = backing;
    }

    /** A KRaft broker in this JVM. */
    public static KafkaService embedded() {
        Properties broker = new Properties();
        broker.put("auto.create.topics.enable", "false");
        broker.put("message.max.bytes", "2000000");
        // one broker: transactions (exactly-once source connectors) need their state log on it alone
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(1, broker);
        cluster.start();
        KafkaService kafka = new KafkaService("embedded Kafka at " + cluster.bootstrapServers(), cluster.bootstrapServers(),
                cluster::stop);
        kafka.createHeartbeatTopic();
        return kafka;
    }

    /** DYNAMODBDOWN_IT_KAFKA's brokers if set, else an embedded one. */
    static KafkaService remoteOrEmbedded() {
        String servers = System.getenv("DYNAMODBDOWN_IT_KAFKA");
        if (servers == null || servers.isBlank()) {
            return embedded();
        }
        KafkaService kafka = new KafkaService("Kafka at " + servers, servers.trim(), null);
        kafka.createHeartbeatTopic();
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("Could not create topic " + topic + " on " + bootstrapServers, e);
        }
    }

    /** Creates the source connector's heartbeat topic (compacted, as a user would) unless it exists already. */
    public void createHeartbeatTopic() {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(HEARTBEAT_TOPIC, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + HEARTBEAT_TOPIC + " on " + bootstrapServers, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating " + HEARTBEAT_TOPIC, e);
        }
    }

    /** A producer of raw bytes that allows records up to 2 MB (for oversized-value tests); the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Reads {@code topic} from its beginning until at least {@code count} records arrived, then returns all
     * read so far (in partition order; one partition keeps the producer's order).
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count, Duration timeout) {
        return consumeUntil(topic, records -> records.size() >= count, count + " records", timeout);
    }

    /** Reads {@code topic} from its beginning until the records read so far satisfy {@code done}. */
    public List<ConsumerRecord<byte[], byte[]>> consumeUntil(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            String what, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> partitions = fromTheBeginning(consumer, topic, deadline);
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("No " + what + " on " + topic + " within " + timeout + " (" + records.size() + " records read)");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Assigns every partition of {@code topic} to {@code consumer}, each at its beginning; returns them. */
    private List<TopicPartition> fromTheBeginning(KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline) {
        List<TopicPartition> partitions = partitions(consumer, topic, deadline);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    /**
     * Every record on {@code topic} now: reads up to the end offsets seen at the call (by position, not by count:
     * a transactional producer's commit markers take offsets too).
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> partitions = fromTheBeginning(consumer, topic, deadline);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The sum of the topic's end offsets: its records, and the markers of transactions that wrote them. */
    public long endOffsets(String topic, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic, System.nanoTime() + timeout.toNanos());
            return consumer.endOffsets(partitions, timeout).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The topic's partitions, waiting for a topic someone else creates (e.g. a dead letter queue). */
    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline) {
        try {
            return await("topic " + topic + " to appear").atMost(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList()), p -> !p.isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Topic " + topic + " did not appear", e);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4_000_000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() throws Exception {
        if (backing != null) {
            backing.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
