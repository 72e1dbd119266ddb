package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.PositionKeeper;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamChange;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes mode: the stream phase of one {@link ChangesEpoch} in one task, for {@link ChangesReading}. The lineages of
 * the stream's shards whose hash falls to this task (a child shard belongs to its parent's lineage, so each key's
 * changes stay in order in one task) are read in parallel by one {@link TableChangeReader} for all databases; each
 * change's offset is its shard's position right after it ({@link ShardOffset}), and heartbeats keep a shard's stored
 * position up while it has no changes to send. Before any task reads, task 0 stores every shard's lineage
 * ({@link #storeLineages}) for the tasks to agree on.
 */
final class LineagesReading implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LineagesReading.class);

    private final ChangesTaskContext task;
    private final DynamoDbDownSourceConfig config;
    private final ChangesEpoch epoch;
    private TableChangeReader reader;
    /** The shards' stored offsets in this epoch, asked by the reader's threads as it finds shards. */
    private final Map<String, ShardOffset> storedShards = new ConcurrentHashMap<>();
    private final Map<String, PositionKeeper<ShardPosition>> shardPositions = new HashMap<>();

    LineagesReading(ChangesTaskContext task, ChangesEpoch epoch) {
        this.task = task;
        this.config = task.config();
        this.epoch = epoch;
    }

    /**
     * Task 0: lists the stream once and sends every shard's lineage (a position without a sequence number) not stored
     * yet, then the record saying they are stored ({@link ChangesEpoch#lineagesStored}). Otherwise a parent the stream
     * forgot (24 hours after it closed) between two tasks' listings would give its child to a lineage in one task and
     * to another in the other: read by neither, or by both.
     *
     * @throws io.dynamodbdown.store.ChangesLostException when the stream can no longer be followed from the epoch
     */
    void storeLineages(List<SourceRecord> out) {
        StreamScope listing = new StreamScope(database -> false, lineage -> false, this::storedPosition, epoch.since(),
                epoch.stream());
        Map<String, String> lineages;
        try (TableChangeReader probe = DynamoDbDown.tableChanges(task.streams(), task.client(), config.table(), listing,
                task.options())) {
            probe.poll(1); // lists the stream
            lineages = probe.lineages();
        }
        int before = out.size();
        lineages.forEach((shard, lineage) -> {
            if (storedPosition(shard) == null) {
                out.add(records(ShardOffset.partition(config.table(), shard), config.databases()).heartbeat(
                        new ShardOffset(new ShardPosition(lineage, null, false), epoch.generation()).toMap(),
                        shard + " in lineage " + lineage));
            }
        });
        out.add(records(ChangesEpoch.lineagesStored(config.table()), config.databases()).heartbeat(
                Map.of(ChangesEpoch.GENERATION, Long.toString(epoch.generation())), lineages.size() + " shards' lineages"));
        task.metrics().heartbeatsSent.addAndGet(out.size() - before);
        LOG.info("Stored the lineages of the {} shards of the stream of {} for the tasks to share", lineages.size(),
                config.table());
    }

    /** The lineages are stored now: the shards' offsets are looked up again, not taken from before. */
    void lineagesStored() {
        storedShards.clear();
    }

    /**
     * Adds up to {@code wanted} changes of this task's lineages, and heartbeats of shards that moved.
     *
     * @throws io.dynamodbdown.store.ChangesLostException when the stream can no longer be followed from the epoch
     */
    void read(int wanted, List<SourceRecord> out) {
        if (reader == null) {
            reader = DynamoDbDown.tableChanges(task.streams(), task.client(), config.table(), new StreamScope(followed(),
                    lineage -> Math.floorMod(lineage.hashCode(), task.tasks()) == task.index(), this::storedPosition,
                    epoch.since(), epoch.stream()), task.options());
        }
        List<StreamChange> changes = reader.poll(wanted);
        Map<String, Long> newest = new HashMap<>();
        for (StreamChange change : changes) {
            Map<String, String> partition = ShardOffset.partition(config.table(), change.shard());
            out.add(records(partition, change.database()).change(
                    new ShardOffset(change.position(), epoch.generation()).toMap(), change.key(), change.value(),
                    change.at().toEpochMilli(), epoch.generation()));
            shardPosition(change.shard()).delivered(change.position());
            newest.merge(change.database(), change.at().toEpochMilli(), Math::max);
        }
        task.metrics().recordsPolled.addAndGet(changes.size());
        long now = System.currentTimeMillis();
        newest.forEach((database, at) -> task.metrics().changesRead(database, at, now));
        heartbeatsOfMovedShards(out);
    }

    /** Whether a shard has more to read now. */
    boolean more() {
        return reader != null && reader.more();
    }

    /** The databases whose changes are sent: the listed ones, or all. */
    private Predicate<String> followed() {
        if (config.allDatabases()) {
            return database -> true;
        }
        Set<String> listed = Set.copyOf(config.getList(DynamoDbDownSourceConfig.HASH_KEY));
        return listed::contains;
    }

    /** Where the epoch's stream phase stood in {@code shard}, as stored; null for nowhere yet. */
    private ShardPosition storedPosition(String shard) {
        ShardOffset stored = storedShards.computeIfAbsent(shard,
                s -> ShardOffset.of(task.offsets().offset(ShardOffset.partition(config.table(), s))));
        return stored == null || stored.generation() != epoch.generation() ? null : stored.position();
    }

    private PositionKeeper<ShardPosition> shardPosition(String shard) {
        return shardPositions.computeIfAbsent(shard, s -> new PositionKeeper<>(storedPosition(s), config.heartbeatInterval()));
    }

    /**
     * Sends a shard's position as a heartbeat when it moved and the interval passed since its last record: records of
     * other databases and closed shards move it, and a shard without changes to send would otherwise keep the
     * position of its last one until the stream no longer holds it. A shard read to its end says so at once (the
     * reader forgets it once a child is read): a restart that found it stored short of that would read it on, and its
     * children again from their start.
     */
    private void heartbeatsOfMovedShards(List<SourceRecord> out) {
        Map<String, ShardPosition> positions = reader.positions();
        shardPositions.forEach((shard, kept) -> {
            ShardPosition last = kept.kept();
            if (!positions.containsKey(shard) && last != null && !last.done()) {
                heartbeat(shard, new ShardPosition(last.lineage(), last.sequenceNumber(), true), out);
            }
        });
        positions.forEach((shard, position) -> {
            PositionKeeper<ShardPosition> keeper = shardPosition(shard);
            ShardPosition kept = keeper.kept();
            if (position.done() && (kept == null || !kept.done())) {
                heartbeat(shard, position, out);
            } else {
                ShardPosition moved = keeper.idle(position);
                if (moved != null) {
                    heartbeat(shard, moved, out);
                }
            }
        });
    }

    private void heartbeat(String shard, ShardPosition position, List<SourceRecord> out) {
        shardPosition(shard).delivered(position);
        out.add(records(ShardOffset.partition(config.table(), shard), config.databases())
                .heartbeat(new ShardOffset(position, epoch.generation()).toMap(), shard + "@" + position.sequenceNumber()));
        task.metrics().heartbeatsSent.incrementAndGet();
    }

    private SourceRecords records(Map<String, String> partition, String database) {
        return SourceRecords.of(config, partition, database);
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
