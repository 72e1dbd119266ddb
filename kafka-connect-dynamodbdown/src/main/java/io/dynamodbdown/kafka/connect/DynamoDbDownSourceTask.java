package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads its share of the source partitions as the mode says: one {@link SnapshotReading} (a range once, in key
 * order) or {@link TailReading} (a range followed as it grows) each; with {@code hash.key=*}, a {@link SegmentReading}
 * (a segment of the whole table, once); in changes mode, one {@link ChangesReading} of the task's share of the
 * snapshot and of the table's change stream. This class is the glue to
 * Kafka Connect: it opens the databases, polls the readings in turn and tells them what the worker wrote and
 * committed.
 */
public class DynamoDbDownSourceTask extends SourceTask {

    /** The task's share of the partitions, set by the connector. */
    static final String TASK_PARTITIONS = "task.partitions";
    /** Changes mode and {@code hash.key=*}: which task this is, from 0, of how many. */
    static final String TASK_INDEX = "task.index";
    static final String TASK_COUNT = "task.count";

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownSourceTask.class);

    private final Function<DynamoDbDownSourceConfig, DynamoDbClient> clients;
    private final Function<DynamoDbDownSourceConfig, DynamoDbStreamsClient> streamsClients;
    private final Clock clock;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final List<SourceReading> readings = new ArrayList<>();
    /** The readings by their source partition, for the worker's acknowledgements. */
    private final Map<Map<String, ?>, SourceReading> bySourcePartition = new ConcurrentHashMap<>();
    private final List<Database> databases = new ArrayList<>();
    private final SourceMetrics metrics = new SourceMetrics();
    private DynamoDbDownSourceConfig config;
    private DynamoDbClient client;
    private DynamoDbStreamsClient streams;
    /** Changes mode: the one reading of all the task's source partitions. */
    private SourceReading wholeTask;
    private int next;
    /** The last poll found less than a full batch (or failed): the next one waits poll.interval.ms first. */
    private boolean caughtUp;

    /**
     * A task that builds its DynamoDB and DynamoDB Streams clients from its configuration; Kafka Connect creates it.
     */
    public DynamoDbDownSourceTask() {
        this(DynamoDbDownConnectorConfig::buildClient, config -> DynamoDbClients.buildStreams(config.clientSettings()),
                Clock.systemUTC());
    }

    /** For tests: a task whose clients come from elsewhere (ones that inject faults), and whose clock may be ahead. */
    DynamoDbDownSourceTask(Function<DynamoDbDownSourceConfig, DynamoDbClient> clients,
            Function<DynamoDbDownSourceConfig, DynamoDbStreamsClient> streamsClients, Clock clock) {
        this.clients = clients;
        this.streamsClients = streamsClients;
        this.clock = clock;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DynamoDbDownSourceConfig(props);
        try {
            metrics.register(context.pluginMetrics());
        } catch (UnsupportedOperationException | LinkageError e) {
            // a worker older than Kafka 4.1 has no pluginMetrics(): NoSuchMethodError, AbstractMethodError or,
            // without the PluginMetrics class at all, NoClassDefFoundError
            LOG.info("This worker offers no plugin metrics (Kafka 4.1 and later do); the source's metrics are not published");
        }
        client = clients.apply(config);
        OpenOptions options = config.openOptions(1)
                .withThrottleListener(requests -> metrics.requestsThrottled.addAndGet(requests));
        if (config.changes()) {
            streams = streamsClients.apply(config);
            // opening creates the table, or gives it its stream, as the settings say, before anything reads it
            Map<String, Database> opened = new HashMap<>();
            for (String hashKey : config.allDatabases() ? List.of(Location.DEFAULT_HASH_KEY) : config.getList(DynamoDbDownSourceConfig.HASH_KEY)) {
                opened.put(hashKey, open(hashKey, options));
            }
            // every record of every source partition of the task goes through the one reading
            wholeTask = new ChangesReading(new ChangesTaskContext(config, Integer.parseInt(props.get(TASK_INDEX)),
                    Integer.parseInt(props.get(TASK_COUNT)), client, streams, options, opened::get,
                    context.offsetStorageReader(), metrics), clock);
            readings.add(wholeTask);
            return;
        }
        if (config.allDatabases()) {
            int index = Integer.parseInt(props.get(TASK_INDEX));
            int count = Integer.parseInt(props.get(TASK_COUNT));
            SnapshotPiece piece = SnapshotPiece.of(config, count).get(index);
            SegmentReading reading = new SegmentReading(piece, config, client, options,
                    context.offsetStorageReader().offset(piece.partition(config)), metrics);
            readings.add(reading);
            bySourcePartition.put(reading.sourcePartition(), reading);
            return;
        }
        Map<String, List<RangePartition>> byDatabase = new LinkedHashMap<>();
        for (RangePartition partition : RangePartition.decode(props.get(TASK_PARTITIONS))) {
            byDatabase.computeIfAbsent(partition.hashKey(), h -> new ArrayList<>()).add(partition);
        }
        byDatabase.forEach((hashKey, partitions) -> {
            Database db = open(hashKey, options);
            partitions.forEach(partition -> add(partition, db));
        });
    }

    private Database open(String hashKey, OpenOptions options) {
        Database db = DynamoDbDown.open(client, new Location(config.table(), hashKey), options);
        databases.add(db);
        return db;
    }

    private void add(RangePartition partition, Database db) {
        Map<String, String> sourcePartition = partition.sourcePartition(config.table());
        SourceRecords records = SourceRecords.of(config, sourcePartition, partition.hashKey());
        RangeOffset stored = partition.storedOffset(context.offsetStorageReader(), config.table());
        SourceReading reading = config.tail()
                ? new TailReading(partition, db, stored, config.tailSettle(), config.heartbeatInterval(), records, metrics)
                : new SnapshotReading(partition, db, stored, records, metrics);
        readings.add(reading);
        bySourcePartition.put(sourcePartition, reading);
    }

    /**
     * A batch of records, at most batch.max.rows (with heartbeats and markers on top). After a poll that found less
     * (the task has caught up) or failed, this one first waits poll.interval.ms, so a caught-up task reads about once
     * an interval instead of as fast as Connect calls it.
     */
    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (caughtUp && stopping.await(config.pollIntervalMs(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        caughtUp = true;
        List<SourceRecord> records = new ArrayList<>();
        try {
            // Start each poll at the next reading, so none waits behind a busy one.
            for (int visited = 0; visited < readings.size() && records.size() < config.batchMaxRows(); visited++) {
                SourceReading reading = readings.get(next);
                next = (next + 1) % readings.size();
                if (!reading.finished()) {
                    reading.read(config.batchMaxRows() - records.size(), records);
                }
            }
        } catch (DatabaseClosedException e) {
            if (stopping.getCount() == 0) {
                return null;
            }
            throw e;
        } catch (DynamoDbDownException e) {
            if (!e.isRetryable()) {
                throw new ConnectException("Reading " + config.table() + " failed: " + e.getMessage(), e);
            }
            LOG.warn("Reading {} failed for now, trying again next poll: {}", config.table(), e.getMessage());
            if (records.isEmpty()) {
                throw new RetriableException(e);
            }
        }
        caughtUp = records.size() < config.batchMaxRows() && readings.stream().noneMatch(SourceReading::more);
        return records.isEmpty() ? null : records;
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        SourceReading reading = wholeTask != null ? wholeTask : bySourcePartition.get(record.sourcePartition());
        if (reading != null) {
            reading.acked(record, metadata);
        }
    }

    /** The counters of this task, for tests. */
    SourceMetrics metrics() {
        return metrics;
    }

    @Override
    public void stop() {
        stopping.countDown();
        for (Database db : databases) {
            db.close(); // its open iterators fail as closed in a poll still running, which then ends
        }
        readings.forEach(SourceReading::close);
        if (streams != null) {
            streams.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
