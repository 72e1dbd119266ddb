package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads one database's changes from its table's DynamoDB stream. It walks the stream's shard tree: a shard is
 * read only once its parent is read to its end (so each key's changes come in order), new shards are found by
 * listing the stream again, closed shards are finished and then forgotten once the stream drops them. A shard
 * iterator that expired (after 15 minutes) is asked for again from the checkpoint. Records of other hash keys,
 * keys outside the range and changes recorded before the checkpoint's {@code since} are passed over; they still
 * move the checkpoint.
 */
final class StreamChangeReader implements ChangeReader {

    private static final Logger LOG = LoggerFactory.getLogger(StreamChangeReader.class);
    /** DynamoDB's limit for one GetRecords call. */
    private static final int MAX_RECORDS_PER_CALL = 1000;
    /** How often the list of shards is read again to find new ones, when no shard finished meanwhile. */
    private static final Duration LIST_SHARDS_EVERY = Duration.ofSeconds(10);
    /** How long DynamoDB keeps stream records. */
    private static final Duration RETENTION = Duration.ofHours(24);

    private final DynamoDbStreamsClient streams;
    private final DynamoDbDatabase db;
    private final KeyRange range;
    private final String streamArn;
    /** The stream's shards, in the order to read them: parents before their children. */
    private List<Shard> shards = List.of();
    private long listedAt = Long.MIN_VALUE;
    private final Map<String, String> iterators = new HashMap<>();
    private ChangeCheckpoint checkpoint;

    StreamChangeReader(DynamoDbStreamsClient streams, DynamoDbDatabase db, KeyRange range, ChangeCheckpoint from) {
        this.streams = streams;
        this.db = db;
        this.range = range.limit(KeyRange.NO_LIMIT);
        Location location = db.location();
        TableDescription table = db.describeTable();
        if (table == null || !TableManager.hasStream(table)) {
            throw new DynamoDbDownException("Table '" + location.table() + "' has no change stream: open it with"
                    + " OpenOptions.withStream(NEW_IMAGE, true) to give it one (the Camel option enableStream, the"
                    + " connectors' table.stream.enable), or enable a NEW_IMAGE stream on it yourself");
        }
        StreamViewType view = table.streamSpecification().streamViewType();
        if (view != StreamViewType.NEW_IMAGE && view != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new DynamoDbDownException("The change stream of table '" + location.table() + "' keeps " + view
                    + ": reading changes needs the new values, NEW_IMAGE or NEW_AND_OLD_IMAGES");
        }
        this.streamArn = table.latestStreamArn();
        if (from.stream() != null && !from.stream().equals(streamArn)) {
            throw lost("the checkpoint is in stream " + from.stream() + ", but table '" + location.table()
                    + "' now has stream " + streamArn + " (its stream was turned off and on again)", null);
        }
        if (from.since() != null && from.shards().isEmpty() && from.since().isBefore(Instant.now().minus(RETENTION))) {
            throw lost("changes since " + from.since() + " were asked for, older than the stream keeps", null);
        }
        this.checkpoint = from.inStream(streamArn);
    }

    @Override
    public List<Change> poll(int max) {
        db.ensureOpen();
        List<Change> changes = new ArrayList<>();
        listShardsIfDue();
        for (Shard shard : shards) {
            if (changes.size() >= max) {
                break;
            }
            if (!readable(shard)) {
                continue;
            }
            try {
                if (readShard(shard, max - changes.size(), changes)) {
                    listedAt = Long.MIN_VALUE; // a closed shard was read to its end: list again to find its children
                }
            } catch (RuntimeException e) {
                if (changes.isEmpty()) {
                    throw e;
                }
                // The checkpoint already stands after the changes read: hand them over, and fail on the next poll.
                LOG.debug("Reading shard {} failed; returning the {} changes read before", shard.shardId(), changes.size(), e);
                break;
            }
        }
        return changes;
    }

    /** Not finished, and its parent (if the stream still lists it) is. */
    private boolean readable(Shard shard) {
        if (ChangeCheckpoint.SHARD_DONE.equals(checkpoint.shards().get(shard.shardId()))) {
            return false;
        }
        String parent = shard.parentShardId();
        return parent == null || shards.stream().noneMatch(s -> s.shardId().equals(parent))
                || ChangeCheckpoint.SHARD_DONE.equals(checkpoint.shards().get(parent));
    }

    /** Reads one batch of the shard into {@code changes}; true when the shard turned out closed and read to its end. */
    private boolean readShard(Shard shard, int max, List<Change> changes) {
        String iterator = iterators.get(shard.shardId());
        if (iterator == null) {
            iterator = newIterator(shard.shardId());
        }
        GetRecordsResponse response = getRecords(iterator, max);
        if (response == null) {
            LOG.debug("Shard iterator of {} expired; asking for one again from the checkpoint", shard.shardId());
            response = getRecords(newIterator(shard.shardId()), max);
            if (response == null) {
                throw new DynamoDbDownException("A new shard iterator of " + shard.shardId() + " expired at once; the"
                        + " stream's clock and this one's differ by more than 15 minutes?", null, true);
            }
        }
        for (Record record : response.records()) {
            checkpoint = checkpoint.at(shard.shardId(), record.dynamodb().sequenceNumber());
            Change change = change(record);
            if (change != null) {
                changes.add(change);
            }
        }
        if (response.nextShardIterator() == null) {
            checkpoint = checkpoint.at(shard.shardId(), ChangeCheckpoint.SHARD_DONE);
            iterators.remove(shard.shardId());
            return true;
        }
        iterators.put(shard.shardId(), response.nextShardIterator());
        return false;
    }

    /** The next records of a shard; null when the iterator expired (they live 15 minutes). */
    private GetRecordsResponse getRecords(String iterator, int max) {
        try {
            return streams.getRecords(b -> b.shardIterator(iterator).limit(Math.min(max, MAX_RECORDS_PER_CALL)));
        } catch (SdkException e) {
            String code = errorCode(e);
            if ("ExpiredIteratorException".equals(code)) {
                return null;
            }
            if ("TrimmedDataAccessException".equals(code)) {
                throw lost("the records after the checkpoint were trimmed from the stream", e);
            }
            throw Failures.wrap("reading the change stream of " + db.location(), e);
        }
    }

    /** An iterator after the checkpoint's last record of the shard, or from the shard's oldest record. */
    private String newIterator(String shardId) {
        String after = checkpoint.shards().get(shardId);
        try {
            return streams.getShardIterator(b -> {
                b.streamArn(streamArn).shardId(shardId);
                if (after == null) {
                    b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                } else {
                    b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(after);
                }
            }).shardIterator();
        } catch (SdkException e) {
            String code = errorCode(e);
            if ("TrimmedDataAccessException".equals(code) || "ResourceNotFoundException".equals(code)) {
                throw lost("shard " + shardId + " no longer holds the records after the checkpoint", e);
            }
            throw Failures.wrap("reading the change stream of " + db.location(), e);
        }
    }

    /**
     * The service's error code. By code, not by exception class: DynamoDB Local's in-process client reports
     * these as plain DynamoDbExceptions that only carry the code.
     */
    private static String errorCode(SdkException e) {
        return e instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorCode() : null;
    }

    /** The stream's shards again, parents first; a shard the checkpoint was still reading must still be there. */
    private void listShardsIfDue() {
        long now = System.nanoTime();
        if (listedAt != Long.MIN_VALUE && now - listedAt < LIST_SHARDS_EVERY.toNanos()) {
            return;
        }
        Map<String, Shard> listed = new LinkedHashMap<>();
        String start = null;
        do {
            String from = start;
            var description = Failures.call("listing the shards of the change stream of " + db.location(),
                    () -> streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(from)))
                    .streamDescription();
            description.shards().forEach(shard -> listed.put(shard.shardId(), shard));
            start = description.lastEvaluatedShardId();
        } while (start != null);
        if (!checkpoint.shards().isEmpty() && checkpoint.shards().keySet().stream().noneMatch(listed::containsKey)
                && listed.values().stream().noneMatch(shard -> shard.parentShardId() != null
                        && checkpoint.shards().containsKey(shard.parentShardId()))) {
            // Neither a shard it read nor a child of one is left: whole shards may have come and gone since.
            throw lost("none of the shards it read (" + String.join(", ", checkpoint.shards().keySet())
                    + "), nor any child of them, is still in the stream", null);
        }
        for (Map.Entry<String, String> known : checkpoint.shards().entrySet()) {
            if (!listed.containsKey(known.getKey())) {
                if (!ChangeCheckpoint.SHARD_DONE.equals(known.getValue())) {
                    throw lost("shard " + known.getKey() + " was still being read but the stream dropped it", null);
                }
                checkpoint = checkpoint.without(known.getKey()); // read to its end, and now gone: forget it
            }
        }
        shards = parentsFirst(listed);
        listedAt = now;
    }

    private static List<Shard> parentsFirst(Map<String, Shard> listed) {
        List<Shard> ordered = new ArrayList<>();
        Map<String, Boolean> placed = new HashMap<>();
        for (Shard shard : listed.values()) {
            place(shard, listed, placed, ordered);
        }
        return ordered;
    }

    private static void place(Shard shard, Map<String, Shard> listed, Map<String, Boolean> placed, List<Shard> ordered) {
        if (placed.putIfAbsent(shard.shardId(), true) != null) {
            return;
        }
        Shard parent = shard.parentShardId() == null ? null : listed.get(shard.parentShardId());
        if (parent != null) {
            place(parent, listed, placed, ordered);
        }
        ordered.add(shard);
    }

    /** The record as a change of this database, or null when it is another database's, outside the range or too old. */
    private Change change(Record record) {
        TableLayout layout = db.layout();
        Map<String, AttributeValue> keys = record.dynamodb().keys();
        AttributeValue hash = keys.get(layout.hashAttribute());
        if (hash == null || !db.location().hashKey().equals(hash.s())) {
            return null;
        }
        byte[] key = layout.keyOf(keys);
        Instant at = record.dynamodb().approximateCreationDateTime();
        if (!range.contains(key) || (checkpoint.since() != null && at.isBefore(checkpoint.since()))) {
            return null;
        }
        byte[] value = record.eventName() == OperationType.REMOVE ? null : layout.valueOf(record.dynamodb().newImage());
        return new Change(key, value, at, checkpoint);
    }

    private ChangesLostException lost(String what, Exception cause) {
        return new ChangesLostException("Changes of " + db.location() + " were lost to this reader: " + what
                + " (a stream keeps records " + RETENTION.toHours() + " hours); take a new snapshot to catch up", cause);
    }

    @Override
    public ChangeCheckpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public void close() {
        iterators.clear();
    }
}
