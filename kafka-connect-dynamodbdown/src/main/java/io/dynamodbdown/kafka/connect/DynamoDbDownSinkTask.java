package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.WriteOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Writes records as entries, in batches: buffered per database until {@code batch.size} operations, then
 * written through the store's batch (BatchWriteItem calls in parallel, at the pace each partition key accepts).
 * Offsets become committable only once DynamoDB accepted their records.
 */
public class DynamoDbDownSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownSinkTask.class);

    private final Function<DynamoDbDownSinkConfig, DynamoDbClient> clients;
    private final SinkMetrics metrics = new SinkMetrics();
    private final Map<String, Database> databases = new HashMap<>();
    private final SinkBuffer buffer = new SinkBuffer();
    private final Map<TopicPartition, OffsetAndMetadata> written = new HashMap<>();
    private final SnapshotEnds snapshotEnds = new SnapshotEnds(this::database, this::ownDatabase, this::olderGenerations);
    private DynamoDbDownSinkConfig config;
    private DynamoDbClient client;
    private OpenOptions openOptions;
    private RecordConverter converter;
    private ErrantRecordReporter reporter;

    /** A task that builds its DynamoDB client from its configuration; Kafka Connect creates it. */
    public DynamoDbDownSinkTask() {
        this(DynamoDbDownConnectorConfig::buildClient);
    }

    /** For tests: a task whose client comes from elsewhere (one that injects faults). */
    DynamoDbDownSinkTask(Function<DynamoDbDownSinkConfig, DynamoDbClient> clients) {
        this.clients = clients;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DynamoDbDownSinkConfig(props);
        client = clients.apply(config);
        openOptions = config.openOptions(config.maxInFlightRequests())
                .withThrottleListener(requests -> metrics.requestsThrottled.addAndGet(requests));
        converter = new RecordConverter();
        reporter = errantRecordReporter();
        try {
            metrics.register(context.pluginMetrics());
        } catch (UnsupportedOperationException | LinkageError e) {
            // a worker older than Kafka 4.1 has no pluginMetrics(): NoSuchMethodError, AbstractMethodError or,
            // without the PluginMetrics class at all, NoClassDefFoundError
            LOG.info("This worker offers no plugin metrics (Kafka 4.1 and later do); the sink's metrics are not published");
        }
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null; // a worker older than Kafka 2.6
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
            if (SinkHeaders.isTableSnapshotEnd(record)) {
                reachSnapshotEnd(record, null);
                buffer.advance(partition, record.kafkaOffset());
                continue;
            }
            String hashKey;
            try {
                hashKey = databaseOf(record);
            } catch (DataException e) {
                reportBadRecord(record, e);
                buffer.advance(partition, record.kafkaOffset());
                continue;
            }
            if (SinkHeaders.isSnapshotEnd(record)) {
                reachSnapshotEnd(record, hashKey);
                buffer.advance(partition, record.kafkaOffset());
                continue;
            }
            BatchOperation operation;
            Generation generation;
            try {
                operation = converter.toOperation(record);
                generation = SinkHeaders.generation(record, hashKey);
                database(hashKey).check(operation);
            } catch (DataException | IllegalArgumentException e) { // an InvalidEntryException too: a key or value refused
                reportBadRecord(record, e);
                buffer.advance(partition, record.kafkaOffset());
                continue;
            }
            buffer.add(hashKey, generation, partition, record.kafkaOffset(), operation);
            if (buffer.size() >= config.batchSize()) {
                writeBuffered();
            }
        }
    }

    /** The database a record is written into: the one its header names ({@code hash.key.header}), or hash.key's. */
    private String databaseOf(SinkRecord record) {
        String header = config.hashKeyHeader();
        if (header == null) {
            return config.hashKeyFor(record.topic());
        }
        String hashKey = SinkHeaders.text(record, header);
        if (hashKey == null) {
            throw new DataException("Record " + RecordConverter.where(record) + " has no header " + header
                    + " naming the database to write it into (hash.key.header=" + header + ")");
        }
        Location location;
        try {
            location = new Location(config.table(), hashKey);
        } catch (IllegalArgumentException e) {
            throw new DataException("Record " + RecordConverter.where(record) + " names no database a table can hold in its"
                    + " header " + header + ": " + e.getMessage(), e);
        }
        if (location.isReserved()) {
            throw new DataException("Record " + RecordConverter.where(record) + " names '" + hashKey + "' in its header "
                    + header + ": hash keys starting with " + Location.RESERVED_PREFIX + " hold the store's own items");
        }
        return hashKey;
    }

    /**
     * A snapshot-end marker: once every record before it is written (this task's buffer, written now), its partition
     * counts as reached; the copy is cleared of what the snapshot did not write when every partition is. A whole
     * table's marker ({@code hashKey} null) clears every database of the target table of that source table's older
     * entries.
     */
    private void reachSnapshotEnd(SinkRecord marker, String hashKey) {
        writeBuffered();
        try {
            String range = SinkHeaders.text(marker, DynamoDbDownHeaders.RANGE);
            int partitions = Integer.parseInt(SinkHeaders.text(marker, DynamoDbDownHeaders.PARTITIONS));
            if (hashKey == null) {
                snapshotEnds.reachedTable(range, SinkHeaders.generation(marker, DynamoDbDownHeaders.ALL_DATABASES),
                        marker.topic() + "-" + marker.kafkaPartition(), partitions);
            } else {
                snapshotEnds.reached(hashKey, range, SinkHeaders.generation(marker, hashKey), marker.kafkaPartition(),
                        partitions);
            }
        } catch (DynamoDbDownException e) {
            throw translate(e, "Completing the snapshot in " + (hashKey == null ? "table '" + config.table() + "'"
                    : new Location(config.table(), hashKey)));
        } catch (ConnectException e) {
            throw e; // opening a database failed (retryable or not, translated already): not a bad marker
        } catch (RuntimeException e) {
            reportBadRecord(marker, new DataException("A snapshot-end marker without a readable "
                    + DynamoDbDownHeaders.RANGE + ", " + DynamoDbDownHeaders.GENERATION + ", "
                    + DynamoDbDownHeaders.PARTITIONS + " or " + DynamoDbDownHeaders.TABLE + " header: " + e.getMessage(), e));
        }
    }

    private void reportBadRecord(SinkRecord record, RuntimeException problem) {
        if (reporter == null) {
            throw new ConnectException("Bad record " + RecordConverter.where(record) + ": " + problem.getMessage()
                    + ". Configure errors.tolerance=all and errors.deadletterqueue.topic.name to send bad records"
                    + " to a dead letter queue instead of stopping", problem);
        }
        metrics.recordsFailed.incrementAndGet();
        reporter.report(record, problem);
    }

    /** Writes everything buffered; offsets become committable only when all of it was accepted. */
    private void writeBuffered() {
        for (SinkBuffer.Batch batch : buffer.batches()) {
            long start = System.nanoTime();
            try {
                database(batch.hashKey()).batch(batch.operations(), WriteOptions.DEFAULT.withGeneration(batch.generation()));
            } catch (DynamoDbDownException e) {
                RuntimeException translated = translate(e, "Writing " + batch.operations().size() + " operations to "
                        + new Location(config.table(), batch.hashKey()));
                if (translated instanceof RetriableException) {
                    metrics.recordsRetried.addAndGet(batch.operations().size());
                }
                throw translated;
            }
            metrics.batchWritten((System.nanoTime() - start) / 1_000_000);
            for (BatchOperation operation : batch.operations()) {
                (operation instanceof BatchOperation.Put ? metrics.recordsWritten : metrics.recordsDeleted).incrementAndGet();
            }
        }
        written.putAll(buffer.offsets());
        buffer.clear();
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        writeBuffered();
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            writeBuffered();
        } catch (RetriableException e) {
            LOG.warn("Could not write buffered records before committing offsets; committing only what was written: {}",
                    e.getMessage());
        }
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        written.forEach((partition, offset) -> {
            if (currentOffsets.containsKey(partition)) {
                committable.put(partition, offset);
            }
        });
        return committable;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        buffer.drop(partitions);
        partitions.forEach(written::remove);
    }

    @Override
    public void stop() {
        databases.values().forEach(Database::close);
        databases.clear();
        if (client != null) {
            client.close();
        }
    }

    /** The database of a hash key, opened on first use; store failures come out as Connect's exceptions. */
    private Database database(String hashKey) {
        return open(hashKey, openOptions);
    }

    /** A database of the sink's own records in the target table: its own shard count, not the copies'. */
    private Database ownDatabase(String hashKey) {
        return open(hashKey, openOptions.withShards(0));
    }

    /** The databases of the target table holding entries of origins starting with {@code originPrefix} below {@code below}. */
    private Map<String, Set<String>> olderGenerations(String originPrefix, long below) {
        return DynamoDbDown.olderGenerations(client, config.table(), originPrefix, below, openOptions);
    }

    private Database open(String hashKey, OpenOptions options) {
        Location location = new Location(config.table(), hashKey);
        try {
            return databases.computeIfAbsent(hashKey, h -> DynamoDbDown.open(client, location, options));
        } catch (DynamoDbDownException e) {
            throw translate(e, "Opening " + location);
        }
    }

    /**
     * What a store failure means to the framework: retryable ones (throttling, DynamoDB unreachable,
     * items left unprocessed) ask it to wait and redeliver, the rest fail the task with the cause.
     */
    private RuntimeException translate(DynamoDbDownException e, String what) {
        if (!e.isRetryable()) {
            return new ConnectException(what + " failed and retrying will not help: " + e.getMessage(), e);
        }
        context.timeout(config.retryBackoffMs());
        return new RetriableException(what + " did not complete (" + e.getMessage()
                + "); the records are kept and written again", e);
    }

    /** The counters of this task, for tests. */
    SinkMetrics metrics() {
        return metrics;
    }
}
