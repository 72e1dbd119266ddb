package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Reads its key-range partitions in key order and emits one record per entry. In snapshot mode each
 * record's source offset is its key, so a restart continues strictly after the last committed key. In tail
 * mode a {@link TailReader} follows each range, so keys that become visible behind ones already sent are
 * sent too; the offset is the reader's settled key, so a restart re-sends the unsettled tail, never skips.
 */
public class DynamoDbDownSourceTask extends SourceTask {

    /** The task's share of the partitions, set by the connector. */
    static final String TASK_PARTITIONS = "task.partitions";

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownSourceTask.class);

    /** Where one partition's reading stands. */
    private static final class Cursor {
        final RangePartition partition;
        final Map<String, String> sourcePartition;
        final Database db;
        byte[] lastKey;
        boolean finished;
        TailReader tail;
        /** Snapshot mode: the range being read, kept open across polls so its pages are fetched ahead. */
        RangeIterator<Entry> snapshot;

        Cursor(RangePartition partition, Map<String, String> sourcePartition, Database db) {
            this.partition = partition;
            this.sourcePartition = sourcePartition;
            this.db = db;
        }

        /** The part of the range after the last key sent. */
        KeyRange remaining() {
            return lastKey == null ? partition.range() : partition.range().after(lastKey);
        }
    }

    private final Function<DynamoDbDownSourceConfig, DynamoDbClient> clients;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final List<Cursor> cursors = new ArrayList<>();
    private DynamoDbDownSourceConfig config;
    private DynamoDbClient client;
    private int next;
    /** The last poll found less than a full batch (or failed): the next one waits poll.interval.ms first. */
    private boolean caughtUp;

    public DynamoDbDownSourceTask() {
        this(DynamoDbDownConnectorConfig::buildClient);
    }

    /** For tests: a task whose client comes from elsewhere (one that injects faults). */
    DynamoDbDownSourceTask(Function<DynamoDbDownSourceConfig, DynamoDbClient> clients) {
        this.clients = clients;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DynamoDbDownSourceConfig(props);
        client = clients.apply(config);
        OpenOptions options = config.openOptions(1);
        Map<String, Database> databases = new HashMap<>();
        for (RangePartition partition : RangePartition.decode(props.get(TASK_PARTITIONS))) {
            Database db = databases.computeIfAbsent(partition.hashKey(),
                    h -> DynamoDbDown.open(client, new Location(config.table(), h), options));
            cursors.add(new Cursor(partition, partition.sourcePartition(config.table()), db));
        }
        for (Cursor cursor : cursors) {
            cursor.lastKey = cursor.partition.storedOffset(context.offsetStorageReader(), config.table());
            if (cursor.lastKey != null) {
                LOG.info("Resuming {} {} after key {}", cursor.partition.hashKey(), cursor.partition.rangeId(),
                        Bytes.describe(cursor.lastKey));
            }
            if (!config.snapshot()) {
                cursor.tail = new TailReader(cursor.db, cursor.partition.range(), cursor.lastKey, config.tailSettle());
            }
        }
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
        List<SourceRecord> records = new ArrayList<>();
        try {
            // Start each poll at the next partition, so no partition waits behind a busy one.
            for (int visited = 0; visited < cursors.size() && records.size() < config.batchMaxRows(); visited++) {
                Cursor cursor = cursors.get(next);
                next = (next + 1) % cursors.size();
                if (!cursor.finished) {
                    read(cursor, config.batchMaxRows() - records.size(), records);
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
        return records.isEmpty() ? null : records;
    }

    private void read(Cursor cursor, int wanted, List<SourceRecord> records) {
        if (cursor.tail != null) {
            List<Entry> fresh = cursor.tail.poll(wanted);
            Map<String, String> offset = RangePartition.offset(cursor.tail.settledKey());
            for (Entry entry : fresh) {
                records.add(record(cursor, offset, entry));
            }
            return;
        }
        if (cursor.snapshot == null) {
            cursor.snapshot = cursor.db.iterator(cursor.remaining());
        }
        int read = 0;
        try {
            while (read < wanted && cursor.snapshot.hasNext()) {
                Entry entry = cursor.snapshot.next();
                records.add(record(cursor, RangePartition.offset(entry.key()), entry));
                cursor.lastKey = entry.key();
                read++;
            }
        } catch (RuntimeException e) {
            closeSnapshot(cursor); // the next poll reads on after the last key it sent
            throw e;
        }
        if (read < wanted) {
            closeSnapshot(cursor);
            cursor.finished = true;
            LOG.info("Snapshot of {} {} is complete", cursor.partition.hashKey(), cursor.partition.rangeId());
        }
    }

    private static void closeSnapshot(Cursor cursor) {
        if (cursor.snapshot != null) {
            cursor.snapshot.close();
            cursor.snapshot = null;
        }
    }

    private SourceRecord record(Cursor cursor, Map<String, String> offset, Entry entry) {
        return new SourceRecord(cursor.sourcePartition, offset, config.topic(), null,
                Schema.OPTIONAL_BYTES_SCHEMA, entry.key(), Schema.OPTIONAL_BYTES_SCHEMA, entry.value());
    }

    @Override
    public void stop() {
        stopping.countDown();
        for (Cursor cursor : cursors) {
            cursor.db.close(); // its open iterators fail as closed in a poll still running, which then ends
        }
        if (client != null) {
            client.close();
        }
    }
}
