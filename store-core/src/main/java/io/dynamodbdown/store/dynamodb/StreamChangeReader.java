package io.dynamodbdown.store.dynamodb;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.settings.ClientSettings;
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
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads one database's changes from its table's DynamoDB stream. It walks the stream's shard tree: a shard is
 * read only once its parent is read to its end (so each key's changes come in order), new shards are found by
 * listing the stream again, and a shard is read from its first record, so records trimmed before they were read
 * are noticed instead of skipped. A shard iterator that expired (after 15 minutes) is asked for again from the
 * checkpoint. Records of other hash keys, keys outside the range and changes recorded before the checkpoint's
 * {@code since} are passed over; they still move the checkpoint. A record's time is rounded down (to the second by
 * DynamoDB, to the minute by DynamoDB Local), so only records stamped before the minute of {@code since} are passed
 * over: a change made just after it is never lost, some made in the minute before it come too. The checkpoint
 * keeps only the frontier: a shard is forgotten once a descendant of it has been read (that implies it was read to
 * its end).
 */
final class StreamChangeReader implements ChangeReader {

    private static final Logger LOG = LoggerFactory.getLogger(StreamChangeReader.class);
    /** DynamoDB's limit for one GetRecords call. */
    private static final int MAX_RECORDS_PER_CALL = 1000;
    /** How often the list of shards is read again to find new ones, when no shard finished meanwhile. */
    private static final Duration LIST_SHARDS_EVERY = Duration.ofSeconds(10);

    private final DynamoDbStreamsClient streams;
    private final DynamoDbDatabase db;
    private final KeyRange range;
    private final String streamArn;
    /** The stream's shards, in the order to read them: parents before their children. */
    private List<Shard> shards = List.of();
    /** The listed shards by id, and the ids of each listed shard's listed children. */
    private Map<String, Shard> listed = Map.of();
    private Map<String, List<String>> children = Map.of();
    private long listedAt = Long.MIN_VALUE;
    /** Where the next poll starts in {@link #shards}: it moves on every poll, so no shard waits behind a busy one. */
    private int firstShard;
    /** A shard read that failed after others had returned changes: the next poll reports it first. */
    private RuntimeException deferredFailure;
    private final Map<String, String> iterators = new HashMap<>();
    /** GetRecords calls per shard, at the pace DynamoDB Streams accepts them (it throttles past a few a second). */
    private final Pacer getRecordsPace;
    private ChangeCheckpoint checkpoint;

    StreamChangeReader(DynamoDbStreamsClient streams, DynamoDbDatabase db, KeyRange range, ChangeCheckpoint from) {
        this.streams = streams;
        this.db = db;
        this.range = range.limit(KeyRange.NO_LIMIT);
        Location location = db.location();
        this.getRecordsPace = new Pacer("GetRecords calls on the change stream of " + location + ", shard", "calls",
                db.options().retryPolicy().maxDelay(), Pacer.SYSTEM);
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
        if (from.since() != null && from.shards().isEmpty() && from.since().isBefore(Instant.now().minus(STREAM_RETENTION))) {
            throw lost("changes since " + from.since() + " were asked for, older than the stream keeps", null);
        }
        this.checkpoint = from.inStream(streamArn);
    }

    @Override
    public List<Change> poll(int max) {
        db.ensureOpen();
        if (deferredFailure != null) {
            RuntimeException failure = deferredFailure;
            deferredFailure = null;
            throw failure;
        }
        listShardsIfDue();
        List<Change> changes = new ArrayList<>();
        int count = shards.size();
        for (int i = 0; i < count && changes.size() < max; i++) {
            Shard shard = shards.get((firstShard + i) % count);
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
                // The checkpoint stands right after the changes read: hand them over, and report this next poll.
                deferredFailure = e;
                break;
            }
        }
        firstShard = count == 0 ? 0 : (firstShard + 1) % count;
        return changes;
    }

    /** Read to its end: marked so, or a descendant of it was read (a child is read only after its parent). */
    private boolean done(String shardId) {
        if (ChangeCheckpoint.SHARD_DONE.equals(checkpoint.shards().get(shardId))) {
            return true;
        }
        for (String child : children.getOrDefault(shardId, List.of())) {
            if (checkpoint.shards().containsKey(child) || done(child)) {
                return true;
            }
        }
        return false;
    }

    /** Not finished, and its parent (if the stream still lists it) is. */
    private boolean readable(Shard shard) {
        if (done(shard.shardId())) {
            return false;
        }
        String parent = shard.parentShardId();
        return parent == null || !listed.containsKey(parent) || done(parent);
    }

    /**
     * Reads one batch of the shard into {@code changes}; true when the shard turned out closed and read to its
     * end. A batch is taken whole or not at all: if a record of it cannot be read, nothing of it is handed over
     * and the next read starts again right after the checkpoint.
     */
    private boolean readShard(Shard shard, int max, List<Change> changes) {
        String shardId = shard.shardId();
        String iterator = iterators.get(shardId);
        if (iterator == null) {
            iterator = newIterator(shard);
        }
        GetRecordsResponse response;
        try {
            response = getRecords(shardId, iterator, max);
        } catch (ChangesLostException trimmed) {
            if (checkpoint.shards().containsKey(shardId)) {
                throw trimmed; // trimmed after the checkpoint's position: lost
            }
            response = getRecords(shardId, atOldestKept(shard, trimmed), max); // trimmed between asking for the iterator and reading
        }
        if (response == null) {
            LOG.debug("Shard iterator of {} expired; asking for one again from the checkpoint", shardId);
            response = getRecords(shardId, newIterator(shard), max);
            if (response == null) {
                throw new DynamoDbDownException("A new shard iterator of " + shardId + " expired at once; the"
                        + " stream's clock and this one's differ by more than 15 minutes?", null, true);
            }
        }
        ChangeCheckpoint after = checkpoint;
        List<Change> read = new ArrayList<>();
        try {
            for (Record record : response.records()) {
                after = advance(after, shard, record.dynamodb().sequenceNumber());
                Change change = change(record, after);
                if (change != null) {
                    read.add(change);
                }
            }
        } catch (RuntimeException e) {
            iterators.remove(shardId);
            throw e;
        }
        checkpoint = after;
        changes.addAll(read);
        if (response.nextShardIterator() == null) {
            checkpoint = advance(checkpoint, shard, ChangeCheckpoint.SHARD_DONE);
            iterators.remove(shardId);
            return true;
        }
        iterators.put(shardId, response.nextShardIterator());
        return false;
    }

    /**
     * The checkpoint with the shard read up to {@code position}. A shard's first position drops its ancestors
     * from the checkpoint: reading it implies they were read to their end, so the checkpoint stays the frontier.
     */
    private ChangeCheckpoint advance(ChangeCheckpoint from, Shard shard, String position) {
        boolean first = !from.shards().containsKey(shard.shardId());
        ChangeCheckpoint after = from.at(shard.shardId(), position);
        for (String ancestor = shard.parentShardId(); first && ancestor != null && after.shards().containsKey(ancestor); ) {
            after = after.without(ancestor);
            Shard listedAncestor = listed.get(ancestor);
            ancestor = listedAncestor == null ? null : listedAncestor.parentShardId();
        }
        return after;
    }

    /**
     * The next records of a shard, at the pace the stream accepts its calls; null when the iterator expired (they
     * live 15 minutes).
     */
    private GetRecordsResponse getRecords(String shardId, String iterator, int max) {
        Pacer.Ticket ticket = getRecordsPace.await(shardId, 1);
        Attempts attempts = new Attempts();
        try {
            GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(iterator)
                    .limit(Math.min(max, MAX_RECORDS_PER_CALL)).overrideConfiguration(attempts.override()));
            getRecordsPace.answered(ticket, 1, attempts.throttled());
            reportThrottled(attempts.throttled());
            return response;
        } catch (SdkException e) {
            // a call that ended on the stream's LimitExceededException: its last attempt was throttled too
            int throttled = attempts.throttled() + (ClientSettings.isStreamsLimitExceeded(e) ? 1 : 0);
            getRecordsPace.failed(List.of(ticket), throttled);
            reportThrottled(throttled);
            String code = errorCode(e);
            if ("ExpiredIteratorException".equals(code)) {
                return null;
            }
            if ("TrimmedDataAccessException".equals(code) || "ResourceNotFoundException".equals(code)) {
                throw lost("the records after the checkpoint are no longer in the stream", e);
            }
            throw Failures.wrap("reading the change stream of " + db.location(), e);
        }
    }

    private void reportThrottled(int requests) {
        if (requests > 0) {
            db.options().throttleListener().throttled(requests);
        }
    }

    /**
     * An iterator right after the checkpoint's last record of the shard or, for a shard not read yet, at the
     * oldest record kept. A shard that continues where the reader stands (it read the shard's parent to its end)
     * is read from its first record instead: if that was trimmed before the reader got to it, changes were lost,
     * unless they are older than the checkpoint's {@code since} anyway.
     */
    private String newIterator(Shard shard) {
        String shardId = shard.shardId();
        String after = checkpoint.shards().get(shardId);
        if (after != null) {
            return iterator(shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, after);
        }
        String first = shard.sequenceNumberRange() == null ? null : shard.sequenceNumberRange().startingSequenceNumber();
        if (first != null && mustBeReadWhole(shard)) {
            try {
                return iterator(shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, first);
            } catch (ChangesLostException trimmed) {
                throw lost("the first records of shard " + shardId + " were trimmed before they were read", trimmed);
            }
        }
        return iterator(shardId, ShardIteratorType.TRIM_HORIZON, null);
    }

    /** The shard's first records were trimmed between asking for an iterator and reading: lost, or the oldest kept. */
    private String atOldestKept(Shard shard, ChangesLostException trimmed) {
        if (mustBeReadWhole(shard)) {
            throw lost("the first records of shard " + shard.shardId() + " were trimmed before they were read", trimmed);
        }
        return iterator(shard.shardId(), ShardIteratorType.TRIM_HORIZON, null);
    }

    /**
     * The reader read this shard's parent to its end, so the shard continues where it stands, and the stream may
     * have trimmed changes younger than the checkpoint's {@code since}: every record of the shard is needed.
     */
    private boolean mustBeReadWhole(Shard shard) {
        String parent = shard.parentShardId();
        boolean followsParent = parent != null
                && (checkpoint.shards().containsKey(parent) || (listed.containsKey(parent) && done(parent)));
        boolean trimmedOnlyUnwanted = checkpoint.since() != null && checkpoint.since().isAfter(Instant.now().minus(STREAM_RETENTION));
        return followsParent && !trimmedOnlyUnwanted;
    }

    private String iterator(String shardId, ShardIteratorType type, String sequenceNumber) {
        try {
            return streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shardId).shardIteratorType(type)
                    .sequenceNumber(sequenceNumber)).shardIterator();
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

    /**
     * The stream's shards again, parents first. A shard the checkpoint was still reading must still be listed, and
     * so must something of the lineage it was following; a stream turned off ends once its shards are read.
     */
    private void listShardsIfDue() {
        long now = System.nanoTime();
        if (listedAt != Long.MIN_VALUE && now - listedAt < LIST_SHARDS_EVERY.toNanos()) {
            return;
        }
        Map<String, Shard> found = new LinkedHashMap<>();
        StreamStatus status = null;
        String start = null;
        do {
            String from = start;
            StreamDescription description = describeStream(from);
            status = description.streamStatus();
            description.shards().forEach(shard -> found.put(shard.shardId(), shard));
            start = description.lastEvaluatedShardId();
        } while (start != null);
        Map<String, List<String>> childrenOf = new HashMap<>();
        for (Shard shard : found.values()) {
            if (shard.parentShardId() != null && found.containsKey(shard.parentShardId())) {
                childrenOf.computeIfAbsent(shard.parentShardId(), p -> new ArrayList<>()).add(shard.shardId());
            }
        }
        if (!checkpoint.shards().isEmpty() && checkpoint.shards().keySet().stream().noneMatch(found::containsKey)
                && found.values().stream().noneMatch(shard -> shard.parentShardId() != null
                        && checkpoint.shards().containsKey(shard.parentShardId()))) {
            // Neither a shard it read nor a child of one is left: whole shards may have come and gone since.
            throw lost("none of the shards it read (" + String.join(", ", checkpoint.shards().keySet())
                    + "), nor any child of them, is still in the stream", null);
        }
        for (Map.Entry<String, String> known : checkpoint.shards().entrySet()) {
            if (!found.containsKey(known.getKey()) && !ChangeCheckpoint.SHARD_DONE.equals(known.getValue())) {
                throw lost("shard " + known.getKey() + " was still being read but the stream dropped it", null);
            }
        }
        listed = found;
        children = childrenOf;
        shards = parentsFirst(found);
        listedAt = now;
        forgetWhatIsImplied();
        if (status != StreamStatus.ENABLED && status != StreamStatus.ENABLING
                && shards.stream().allMatch(shard -> done(shard.shardId()))) {
            throw lost("the table's change stream " + streamArn + " was turned off (" + status + "); changes made"
                    + " after that, or in a stream turned on since, are not in it", null);
        }
    }

    private StreamDescription describeStream(String exclusiveStartShardId) {
        try {
            return streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(exclusiveStartShardId))
                    .streamDescription();
        } catch (SdkException e) {
            if ("ResourceNotFoundException".equals(errorCode(e))) {
                throw lost("the table's change stream " + streamArn + " is gone", e);
            }
            throw Failures.wrap("listing the shards of the change stream of " + db.location(), e);
        }
    }

    /**
     * Drops from the checkpoint what the rest of it implies, so it stays as small as the frontier: a shard with a
     * descendant in the checkpoint (read to its end, or the descendant would not have been read), and a finished
     * shard the stream no longer lists once no listed child of it is left unread.
     */
    private void forgetWhatIsImplied() {
        ChangeCheckpoint kept = checkpoint;
        for (String shardId : checkpoint.shards().keySet()) {
            boolean descendantRead = children.getOrDefault(shardId, List.of()).stream().anyMatch(this::readOrAfter);
            boolean goneAndFinished = !listed.containsKey(shardId)
                    && ChangeCheckpoint.SHARD_DONE.equals(checkpoint.shards().get(shardId))
                    && listed.values().stream().noneMatch(shard -> shardId.equals(shard.parentShardId()));
            if (descendantRead || goneAndFinished) {
                kept = kept.without(shardId);
            }
        }
        checkpoint = kept;
    }

    /** The shard or one of its descendants is in the checkpoint. */
    private boolean readOrAfter(String shardId) {
        return checkpoint.shards().containsKey(shardId)
                || children.getOrDefault(shardId, List.of()).stream().anyMatch(this::readOrAfter);
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

    /**
     * The record as a change of this database, with the reader's checkpoint right after it; null when it is
     * another database's, outside the range or older than the checkpoint's {@code since}.
     */
    private Change change(Record record, ChangeCheckpoint after) {
        TableLayout layout = db.layout();
        Map<String, AttributeValue> keys = record.dynamodb().keys();
        AttributeValue hash = keys.get(layout.hashAttribute());
        if (hash == null || !db.shards().contains(hash.s())) {
            return null;
        }
        byte[] key = layout.keyOf(keys);
        Instant at = record.dynamodb().approximateCreationDateTime();
        if (!range.contains(key) || after.skips(at)) {
            return null;
        }
        if (record.eventName() == OperationType.REMOVE) {
            return new Change(key, null, at, after);
        }
        byte[] value = db.valueOf(record.dynamodb().newImage());
        // null: a large value whose chunks are gone, replaced since; the change that replaced it comes later
        return value == null ? null : new Change(key, value, at, after);
    }

    private ChangesLostException lost(String what, Exception cause) {
        return new ChangesLostException("Changes of " + db.location() + " were lost to this reader: " + what
                + " (a stream keeps records " + STREAM_RETENTION.toHours() + " hours); take a new snapshot to catch up", cause);
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
