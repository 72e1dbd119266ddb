package io.dynamodbdown.store.dynamodb;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamChange;
import io.dynamodbdown.store.StreamScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One database's changes within a key range: a {@link TableStreamReader} of its table's whole stream, scoped to
 * the database (its shards included), whose positions are kept as one {@link ChangeCheckpoint}. The checkpoint
 * keeps only the frontier: a shard is left out once a child of it was read (that implies it was read to its end).
 * Each change carries the checkpoint right after it; records of other databases, keys outside the range and
 * changes recorded before the checkpoint's {@code since} (counted in whole minutes) are passed over and move the
 * checkpoint on.
 */
final class StreamChangeReader implements ChangeReader {

    private final TableContext table;
    private final KeyRange range;
    private final TableStreamReader reader;
    private ChangeCheckpoint checkpoint;

    /** A reader of the changes of the database {@code table} is the context of, its large values read by {@code entries}. */
    StreamChangeReader(DynamoDbStreamsClient streams, TableContext table, EntryReader entries, KeyRange range,
            ChangeCheckpoint from) {
        this.table = table;
        this.range = range.limit(KeyRange.NO_LIMIT);
        TableDescription description = new TableManager(table.client()).describeTable(table.location().table());
        if (description == null) {
            throw new DynamoDbDownException("Table '" + table.location().table() + "' does not exist: it has no change stream");
        }
        if (from.since() != null && from.shards().isEmpty() && from.wantsOlderThanKept()) {
            throw new ChangesLostException("Changes of " + table.location() + " were lost to this reader: changes since "
                    + from.since() + " were asked for, older than the stream keeps (" + STREAM_RETENTION.toHours()
                    + " hours); take a new snapshot to catch up", null);
        }
        String hashKey = table.location().hashKey();
        StreamScope scope = new StreamScope(hashKey::equals, lineage -> true, shard -> stored(from, shard), from.since(),
                from.stream());
        this.reader = new TableStreamReader(streams, description, table.layout(), scope,
                (database, image) -> entries.valueOf(image), table.options(), from.shards().keySet(), () -> { });
        this.checkpoint = from.inStream(reader.streamArn());
    }

    private static ShardPosition stored(ChangeCheckpoint from, String shard) {
        String position = from.shards().get(shard);
        if (position == null) {
            return null;
        }
        boolean done = ChangeCheckpoint.SHARD_DONE.equals(position);
        return new ShardPosition(shard, done ? null : position, done);
    }

    @Override
    public List<Change> poll(int max) {
        table.ensureOpen();
        List<StreamChange> read = reader.poll(max);
        List<Change> changes = new ArrayList<>(read.size());
        ChangeCheckpoint after = checkpoint;
        for (StreamChange change : read) {
            after = after.at(change.shard(), change.sequenceNumber());
            if (range.contains(change.key())) {
                changes.add(new Change(change.key(), change.value(), change.at(), after));
            }
        }
        ChangeCheckpoint frontier = ChangeCheckpoint.since(checkpoint.since()).inStream(reader.streamArn());
        for (Map.Entry<String, ShardPosition> shard : reader.positions().entrySet()) {
            ShardPosition position = shard.getValue();
            frontier = frontier.at(shard.getKey(), position.done() ? ChangeCheckpoint.SHARD_DONE : position.sequenceNumber());
        }
        checkpoint = frontier;
        return changes;
    }

    @Override
    public ChangeCheckpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public void close() {
        reader.close();
    }
}
