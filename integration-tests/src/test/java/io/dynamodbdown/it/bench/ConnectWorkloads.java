package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Bench.awaitAll;
import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.kafka.connect.DynamoDbDownSinkConnector;
import io.dynamodbdown.kafka.connect.DynamoDbDownSourceConnector;
import io.dynamodbdown.testing.DynamoDbLocal;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The embedded Kafka broker and Connect worker, and what the connector rows run on them: the sink and the source
 * timed at their steady rate, and the same jobs done with raw Kafka clients and the raw SDK (the ceilings with
 * Kafka in the loop).
 */
final class ConnectWorkloads implements AutoCloseable {

    /** The producer settings of the source rows, connector and raw client alike. */
    static final Map<String, String> SOURCE_PRODUCER = Map.of("batch.size", "262144", "linger.ms", "10");

    private final Bench bench;
    private final EmbeddedConnectCluster connect;

    ConnectWorkloads(Bench bench) {
        this.bench = bench;
        connect = (EmbeddedConnectCluster) new EmbeddedConnectCluster.Builder().name("bench").numWorkers(1).numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "100"))).build();
        connect.start();
        connect.kafka().createTopic("dynamodbdown-heartbeats", 1); // the sources' heartbeat topic, as a user creates it
    }

    EmbeddedConnectCluster cluster() {
        return connect;
    }

    /** A connector's settings for {@code table} on the long-lived server, bytes in and out. */
    Map<String, String> connector(String table) {
        Map<String, String> props = new HashMap<>();
        props.put("table", table);
        props.put("aws.endpoint", bench.dynamo().endpoint().toString());
        props.put("aws.region", "us-east-1");
        props.put("aws.access.key.id", DynamoDbLocal.ACCESS_KEY);
        props.put("aws.secret.access.key", DynamoDbLocal.SECRET_KEY);
        props.put("key.converter", ByteArrayConverter.class.getName());
        props.put("value.converter", ByteArrayConverter.class.getName());
        return props;
    }

    /**
     * A topic holding n records in two partitions, filled before any sink run: producing while the sink runs
     * would measure the producer too (its CPU, and its buffered records on the heap).
     */
    String filledTopic(int n) throws Exception {
        String topic = "bench-in-" + bench.nextNumber();
        connect.kafka().createTopic(topic, 2);
        // Not idempotent: the embedded broker has answered an idempotent producer here with an endless
        // OutOfOrderSequenceException, leaving the topic short and the sink waiting for records never sent.
        List<Future<?>> sends = new ArrayList<>(n);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(
                Map.of("linger.ms", "5", "enable.idempotence", "false", "acks", "all"))) {
            for (int i = 0; i < n; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, key(i), VALUE)));
            }
        }
        awaitAll(sends); // a record that did not make it fails the benchmark here, not as a 10-minute wait
        return topic;
    }

    /**
     * A new sink connector (a new consumer group, so it reads the topic from the start) writes it into a new table.
     * Timed from its first offset commit to the one covering every record: the steady rate, task start-up left out.
     */
    Sample sink(String topic, int n) throws Exception {
        return sink(topic, n, bench.dynamo().endpoint(), 0, false);
    }

    /**
     * The sink through {@code endpoint} into a database of {@code shards} (0: one, unrecorded). With
     * {@code mustRunSmoothly}, the run fails unless every task is still RUNNING at the end and none asked Connect to
     * deliver records again (records-retried-total, read over JMX); what the tasks counted is printed.
     */
    Sample sink(String topic, int n, URI endpoint, int shards, boolean mustRunSmoothly) throws Exception {
        String table = bench.scratchTable();
        String name = table + "-sink";
        Map<String, String> props = connector(table);
        props.put("aws.endpoint", endpoint.toString());
        props.put("shards", String.valueOf(shards));
        props.put("connector.class", DynamoDbDownSinkConnector.class.getName());
        props.put("topics", topic);
        props.put("tasks.max", "2");
        props.put("hash.key", "bench");
        props.put("consumer.override.max.poll.records", "2000");
        connect.configureConnector(name, props);
        try (Admin admin = connect.kafka().createAdminClient()) {
            Sample sample = steadyRate(name, n, () -> committed(admin, "connect-" + name));
            if (mustRunSmoothly) {
                checkRanSmoothly(name, n);
            }
            return sample;
        } finally {
            connect.deleteConnector(name);
        }
    }

    /** Fails unless the sink's tasks are RUNNING and redelivered nothing; prints and keeps what they counted. */
    private void checkRanSmoothly(String connector, int n) throws Exception {
        List<String> states = connect.connectorStatus(connector).tasks().stream().map(task -> task.id() + " " + task.state()).toList();
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        double retried = 0;
        double throttled = 0;
        for (ObjectName task : jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*"), null)) {
            retried += ((Number) jmx.getAttribute(task, "records-retried-total")).doubleValue();
            throttled += ((Number) jmx.getAttribute(task, "requests-throttled-total")).doubleValue();
        }
        String line = String.format(Locale.ROOT, "sink under partition limits, %,d records: tasks %s, %.0f records redelivered,"
                + " %.0f requests DynamoDB turned away", n, states, retried, throttled);
        System.out.println("    " + line);
        bench.report().addCost(line, String.format(Locale.ROOT, "  {\"workload\": %s, \"records\": %d, \"tasks\": %s,"
                + " \"recordsRedelivered\": %.0f, \"requestsThrottled\": %.0f}", Report.quoted("sink under partition limits"), n,
                Report.quoted(String.join(", ", states)), retried, throttled));
        if (retried > 0 || states.stream().anyMatch(state -> !state.endsWith(" RUNNING"))) {
            throw new IllegalStateException("the sink did not run smoothly under the partition limits: " + line);
        }
    }

    /**
     * The sink's job done with raw clients, for the sink's ceiling with Kafka in the loop: one consumer reads the
     * topic from its start while {@code threads} threads write what it read, BatchWriteItem of 25 (at most four
     * chunks per thread waiting, so the heap stays bounded). No conversion, no checks, no offsets committed. Timed
     * from the first record read, as the sink is from its first commit.
     */
    Sample rawSink(DynamoDbClient via, String topic, int n, int threads) throws Exception {
        String table = bench.scratchTable();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore waiting = new Semaphore(4 * threads);
        List<Future<?>> chunks = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long start = 0;
            int read = 0;
            List<WriteRequest> chunk = new ArrayList<>(25);
            while (read < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw consumer read " + read + " of " + n + " records of " + topic + " in 10 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    start = start == 0 ? System.nanoTime() : start;
                    chunk.add(RawSdk.putRequest(record.key(), record.value()));
                    read++;
                    if (chunk.size() == 25 || read == n) {
                        List<WriteRequest> full = chunk;
                        chunk = new ArrayList<>(25);
                        waiting.acquire();
                        chunks.add(pool.submit(() -> {
                            try {
                                RawSdk.writeAll(via, table, full);
                            } finally {
                                waiting.release();
                            }
                            return null;
                        }));
                    }
                }
            }
            awaitAll(chunks);
            return new Sample(n, System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The source's job done with raw clients, for the source's ceiling with Kafka in the loop: the Query paging loop
     * hands every item to a producer (default settings, acks=all) into a new one-partition topic. Timed from the
     * first record sent until the producer has every record acknowledged, as the source is from its first records.
     */
    Sample rawSource(String table, int n, int pageSize) {
        String topic = "bench-raw-out-" + bench.nextNumber();
        connect.kafka().createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(new HashMap<>(SOURCE_PRODUCER))) {
            long[] startAndSent = {0, 0};
            RawSdk.queryAll(bench.client(), table, pageSize, item -> {
                startAndSent[0] = startAndSent[0] == 0 ? System.nanoTime() : startAndSent[0];
                producer.send(new ProducerRecord<>(topic, item.get("key").b().asByteArrayUnsafe(), item.get("value").b().asByteArrayUnsafe()));
                startAndSent[1]++;
            });
            producer.flush();
            if (startAndSent[1] != n) {
                throw new IllegalStateException("raw source sent " + startAndSent[1] + " of " + n);
            }
            return new Sample(n, System.nanoTime() - startAndSent[0]);
        }
    }

    /** The source in {@code mode} over {@code table} of the long-lived server (see the next). */
    Sample source(String table, int n, String mode) throws Exception {
        return source(bench.dynamo().endpoint(), table, n, mode, null);
    }

    /**
     * The source in {@code mode} into a new topic, timed from the first records in the topic to the last: a snapshot
     * of a filled table, or (changes) a table whose database is empty and whose stream holds n changes. The source
     * reads the server at {@code endpoint}. {@code since}: when not null, the connector is created stopped, given
     * that changes epoch (the stream is read from then on), then started.
     */
    Sample source(URI endpoint, String table, int n, String mode, Instant since) throws Exception {
        return source(endpoint, table, n, mode, since, Map.of());
    }

    /** The same with settings of the connector's added or replaced ({@code tasks.max}, {@code hash.key}). */
    Sample source(URI endpoint, String table, int n, String mode, Instant since, Map<String, String> settings) throws Exception {
        String topic = "bench-" + mode + "-" + bench.nextNumber();
        String name = topic + "-source";
        connect.kafka().createTopic(topic, 1);
        Map<String, String> props = connector(table);
        props.put("aws.endpoint", endpoint.toString());
        props.put("connector.class", DynamoDbDownSourceConnector.class.getName());
        props.put("topic", topic);
        props.put("hash.key", "bench");
        props.put("mode", mode);
        props.put("batch.max.rows", "5000");
        props.put("poll.interval.ms", "100");
        // The worker's producer has one request in flight per broker (Connect keeps records in order so): bigger
        // batches, as the README recommends for throughput.
        SOURCE_PRODUCER.forEach((key, value) -> props.put("producer.override." + key, value));
        props.putAll(settings);
        if (since == null) {
            connect.configureConnector(name, props);
        } else {
            connect.configureConnector(new CreateConnectorRequest(name, props, CreateConnectorRequest.InitialState.STOPPED));
            // The changes-mode epoch every task follows, set as the connector's documentation says: the snapshot,
            // then the stream from that moment on.
            connect.alterSourceConnectorOffset(name, Map.of("stream", table, "epoch", "changes"),
                    Map.of("since", Long.toString(since.toEpochMilli())));
            connect.resumeConnector(name);
        }
        // In changes mode the snapshot of each database (empty here) ends with a marker in the topic, seconds before
        // the first change: the rate is timed from the first change, not from it.
        int markers = "changes".equals(mode) ? props.get("hash.key").split(",").length : 0;
        try {
            return sourceSteadyRate(name, topic, n, markers);
        } finally {
            connect.deleteConnector(name);
        }
    }

    /** How far a connector has got: records committed or records in its topic. */
    @FunctionalInterface
    private interface Progress {
        long done() throws Exception;
    }

    /** {@link #steadyRate} of a source connector: its progress is the records in its one-partition topic. */
    Sample sourceSteadyRate(String connector, String topic, int n) throws Exception {
        return sourceSteadyRate(connector, topic, n, 0);
    }

    /** The same, the first {@code before} records of the topic (markers) not counted. */
    private Sample sourceSteadyRate(String connector, String topic, int n, int before) throws Exception {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = connect.kafka().createAdminClient()) {
            return steadyRate(connector, n, () -> Math.max(0, admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                    .partitionResult(partition).get().offset() - before));
        }
    }

    /**
     * Polls a just-configured connector's progress until n, timed from the first progress seen to the end: the
     * steady rate, without the seconds a connector takes to start.
     */
    private Sample steadyRate(String connector, int n, Progress progress) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        long first = 0;
        long done;
        while ((done = progress.done()) < n) {
            if (first == 0 && done > 0) {
                start = System.nanoTime();
                first = done;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(connector + " got to " + done + " of " + n + " records in 10 minutes: "
                        + connect.connectorStatus(connector));
            }
            Thread.sleep(20);
        }
        return new Sample(n - first, System.nanoTime() - start);
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }

    @Override
    public void close() {
        connect.stop();
    }
}
