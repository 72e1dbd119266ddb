package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.TailReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads its key-range partitions and emits one record per entry. In snapshot mode each record's source offset is
 * its key, so a restart continues strictly after the last committed key. In tail mode a {@link TailReader}
 * follows each range, so keys that become visible behind ones already sent are sent too; the offset is the
 * reader's settled key, so a restart re-sends the unsettled tail, never skips. In changes mode each database is
 * first read as a snapshot, then followed through its table's change stream (puts as records, deletes as
 * tombstones), from a little before the snapshot began, so no change made while it ran is missed.
 */
public class DynamoDbDownSourceTask extends SourceTask {

    /** The task's share of the partitions, set by the connector. */
    static final String TASK_PARTITIONS = "task.partitions";
    /** The header that names what a record is in changes mode: {@value #PUT} or {@value #DELETE}. */
    public static final String CHANGE_HEADER = "dynamodbdown.change";
    /** {@value #CHANGE_HEADER} value of a record carrying an entry's value: a put, or an entry the snapshot read. */
    public static final String PUT = "put";
    /** {@value #CHANGE_HEADER} value of a record for a delete: a tombstone (null value). */
    public static final String DELETE = "delete";

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownSourceTask.class);

    /** Something a poll reads records from. */
    private interface Reading {
        /** Adds up to {@code wanted} records. */
        void read(int wanted, List<SourceRecord> records);

        /** Nothing more to read (a finished snapshot). */
        boolean finished();
    }

    private final Function<DynamoDbDownSourceConfig, DynamoDbClient> clients;
    private final Function<DynamoDbDownSourceConfig, DynamoDbStreamsClient> streamsClients;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final List<Reading> readings = new ArrayList<>();
    private final List<Database> databases = new ArrayList<>();
    private final SourceMetrics metrics = new SourceMetrics();
    private DynamoDbDownSourceConfig config;
    private DynamoDbClient client;
    private DynamoDbStreamsClient streams;
    private int next;
    /** The last poll found less than a full batch (or failed): the next one waits poll.interval.ms first. */
    private boolean caughtUp;
    /** Heartbeat records added to the records of the poll under way (not counted as records polled). */
    private int heartbeats;

    /**
     * A task that builds its DynamoDB and DynamoDB Streams clients from its configuration; Kafka Connect creates it.
     */
    public DynamoDbDownSourceTask() {
        this(DynamoDbDownConnectorConfig::buildClient, config -> config.clientSettings().buildStreamsClient());
    }

    /** For tests: a task whose clients come from elsewhere (ones that inject faults). */
    DynamoDbDownSourceTask(Function<DynamoDbDownSourceConfig, DynamoDbClient> clients,
            Function<DynamoDbDownSourceConfig, DynamoDbStreamsClient> streamsClients) {
        this.clients = clients;
        this.streamsClients = streamsClients;
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
        Map<String, List<RangePartition>> byDatabase = new LinkedHashMap<>();
        for (RangePartition partition : RangePartition.decode(props.get(TASK_PARTITIONS))) {
            byDatabase.computeIfAbsent(partition.hashKey(), h -> new ArrayList<>()).add(partition);
        }
        if (config.changes()) {
            streams = streamsClients.apply(config);
        }
        byDatabase.forEach((hashKey, partitions) -> {
            Database db = DynamoDbDown.open(client, new Location(config.table(), hashKey), options);
            databases.add(db);
            if (config.changes()) {
                readings.add(new Feed(new RangePartition(hashKey, config.range()), db));
                return;
            }
            for (RangePartition partition : partitions) {
                byte[] stored = partition.storedOffset(context.offsetStorageReader(), config.table());
                readings.add(new Cursor(partition, partition.sourcePartition(config.table()), db, stored));
            }
        });
    }

    /**
     * A batch of records, at most batch.max.rows. After a poll that found less (the task has caught up) or
     * failed, this one first waits poll.interval.ms, so a caught-up task reads about once an interval instead
     * of as fast as Connect calls it.
     */
    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (caughtUp && stopping.await(config.pollIntervalMs(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        caughtUp = true;
        heartbeats = 0;
        List<SourceRecord> records = new ArrayList<>();
        try {
            // Start each poll at the next partition, so no partition waits behind a busy one.
            for (int visited = 0; visited < readings.size() && records.size() < config.batchMaxRows(); visited++) {
                Reading reading = readings.get(next);
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
        caughtUp = records.size() < config.batchMaxRows();
        metrics.recordsPolled.addAndGet(records.size() - heartbeats);
        metrics.heartbeatsSent.addAndGet(heartbeats);
        return records.isEmpty() ? null : records;
    }

    private SourceRecord record(Map<String, String> sourcePartition, Map<String, String> offset, byte[] key, byte[] value,
            Long timestamp, String change) {
        ConnectHeaders headers = new ConnectHeaders();
        if (change != null) {
            headers.addString(CHANGE_HEADER, change);
        }
        return new SourceRecord(sourcePartition, offset, config.topic(), null, Schema.OPTIONAL_BYTES_SCHEMA, key,
                Schema.OPTIONAL_BYTES_SCHEMA, value, timestamp, headers);
    }

    /** Where one key-range partition's reading stands: tailed, or read once as a snapshot. */
    private final class Cursor implements Reading {
        final RangePartition partition;
        final Map<String, String> sourcePartition;
        final Database db;
        byte[] lastKey;
        boolean finished;
        TailReader tail;
        /** Snapshot mode: the range being read, kept open across polls so its pages are fetched ahead. */
        RangeIterator<Entry> snapshot;
        /** Changes mode: when the snapshot began, kept in its offsets (its change reader starts there). */
        Instant since;

        Cursor(RangePartition partition, Map<String, String> sourcePartition, Database db, byte[] lastKey) {
            this.partition = partition;
            this.sourcePartition = sourcePartition;
            this.db = db;
            this.lastKey = lastKey;
            if (lastKey != null) {
                LOG.info("Resuming {} {} after key {}", partition.hashKey(), partition.rangeId(), Bytes.describe(lastKey));
            }
            if (config.tail()) {
                tail = new TailReader(db, partition.range(), lastKey, config.tailSettle());
            }
        }

        @Override
        public boolean finished() {
            return finished;
        }

        @Override
        public void read(int wanted, List<SourceRecord> records) {
            if (tail != null) {
                Map<String, String> offset = RangePartition.offset(tail.settledKey());
                for (Entry entry : tail.poll(wanted)) {
                    records.add(record(sourcePartition, offset, entry.key(), entry.value(), null, null));
                }
                return;
            }
            if (snapshot == null) {
                snapshot = db.iterator(lastKey == null ? partition.range() : partition.range().after(lastKey));
            }
            int read = 0;
            try {
                while (read < wanted && snapshot.hasNext()) {
                    Entry entry = snapshot.next();
                    Map<String, String> offset = since == null ? RangePartition.offset(entry.key())
                            : RangePartition.offset(entry.key(), since);
                    records.add(record(sourcePartition, offset, entry.key(), entry.value(), null, since == null ? null : PUT));
                    lastKey = entry.key();
                    read++;
                }
            } catch (RuntimeException e) {
                closeSnapshot(); // the next poll reads on after the last key it sent
                throw e;
            }
            if (read < wanted) {
                closeSnapshot();
                finished = true;
                LOG.info("Snapshot of {} {} is complete", partition.hashKey(), partition.rangeId());
            }
        }

        private void closeSnapshot() {
            if (snapshot != null) {
                snapshot.close();
                snapshot = null;
            }
        }
    }

    /**
     * Changes mode, one database: a snapshot of its range, then its change stream from a little before the
     * snapshot began. Both phases write the offsets of one source partition: the snapshot's last key and start,
     * then the change reader's checkpoint; a restart goes on from whichever it finds.
     */
    private final class Feed implements Reading {
        final RangePartition partition;
        final Map<String, String> sourcePartition;
        final Database db;
        /** The snapshot being read, or null once it is complete. */
        Cursor snapshot;
        /** Where the change reader starts, once the snapshot is complete. */
        ChangeCheckpoint from;
        ChangeReader reader;
        /** The position the partition's last record (change or heartbeat) carried, and when it was sent. */
        ChangeCheckpoint lastSent;
        long lastSentAt = System.nanoTime();

        Feed(RangePartition partition, Database db) {
            this.partition = partition;
            this.sourcePartition = partition.changesPartition(config.table());
            this.db = db;
            Map<String, Object> stored = partition.storedChangesOffset(context.offsetStorageReader(), config.table());
            from = RangePartition.checkpointOf(stored);
            lastSent = from;
            if (from != null) {
                LOG.info("Resuming the changes of {} from its checkpoint", partition.hashKey());
            } else {
                Instant since = RangePartition.sinceOf(stored);
                startSnapshot(RangePartition.keyOf(stored), since != null ? since : ChangeCheckpoint.fromNow().since());
            }
        }

        /**
         * Sends the reader's position as a heartbeat record when it moved and the interval passed since this
         * partition's last record: a Connect source commits offsets only with records, and the position of a
         * database without changes of its own would otherwise stay where its last change was, until the stream no
         * longer holds it. Records of a partition are committed in order, so it never passes one not yet sent.
         */
        private void heartbeatIfDue(boolean sentChanges, List<SourceRecord> records) {
            long now = System.nanoTime();
            ChangeCheckpoint position = reader.checkpoint();
            if (sentChanges) {
                lastSentAt = now;
                lastSent = position;
                return;
            }
            long interval = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs());
            if (interval == 0 || position.equals(lastSent) || now - lastSentAt < interval) {
                return;
            }
            records.add(new SourceRecord(sourcePartition, RangePartition.streamOffset(position), config.heartbeatTopic(), null,
                    Schema.BYTES_SCHEMA, Bytes.utf8(partition.hashKey()), Schema.BYTES_SCHEMA, Bytes.utf8(position.encode())));
            lastSentAt = now;
            lastSent = position;
            heartbeats++;
        }

        private void startSnapshot(byte[] lastKey, Instant since) {
            metrics.lagUnknown(partition.hashKey());
            snapshot = new Cursor(partition, sourcePartition, db, lastKey);
            snapshot.since = since;
        }

        @Override
        public boolean finished() {
            return false;
        }

        @Override
        public void read(int wanted, List<SourceRecord> records) {
            if (snapshot != null) {
                snapshot.read(wanted, records);
                if (snapshot.finished) {
                    LOG.info("Snapshot of {} is complete; following its changes since {}", partition.hashKey(), snapshot.since);
                    from = ChangeCheckpoint.since(snapshot.since);
                    snapshot = null;
                }
                return;
            }
            try {
                if (reader == null) {
                    reader = DynamoDbDown.changes(streams, db, partition.range(), from);
                }
                List<Change> changes = reader.poll(wanted);
                long newest = Long.MIN_VALUE;
                for (Change change : changes) {
                    records.add(record(sourcePartition, RangePartition.streamOffset(change.checkpoint()), change.key(),
                            change.value(), change.at().toEpochMilli(), change.isDelete() ? DELETE : PUT));
                    newest = Math.max(newest, change.at().toEpochMilli());
                }
                if (!changes.isEmpty()) {
                    metrics.changesRead(partition.hashKey(), newest, System.currentTimeMillis());
                }
                heartbeatIfDue(!changes.isEmpty(), records);
            } catch (ChangesLostException e) {
                if (!config.resnapshotOnTrimmed()) {
                    throw new ConnectException(e.getMessage() + ". Set " + DynamoDbDownSourceConfig.CHANGES_ON_TRIMMED
                            + "=resnapshot to take a new snapshot instead", e);
                }
                LOG.warn("{}; taking a new snapshot of {} (keys deleted meanwhile are not sent as tombstones)",
                        e.getMessage(), partition.hashKey());
                if (reader != null) {
                    reader.close();
                    reader = null;
                }
                startSnapshot(null, ChangeCheckpoint.fromNow().since());
            }
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
        if (streams != null) {
            streams.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
