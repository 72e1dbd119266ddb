package io.dynamodbdown.store.dynamodb;

import static io.dynamodbdown.store.ChangeCheckpoint.STREAM_RETENTION;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamChange;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a table's change stream for every database in scope at once ({@link TableChangeReader}). The shards of the
 * lineages in scope are read in parallel on a pool, each a page ahead of what was handed out, a call at most every
 * {@link #CALL_GAP} from the previous call's start (DynamoDB Streams serves 5 GetRecords calls a second per shard)
 * and, after a page that held nothing, once every {@link #IDLE_GAP}. A poll with nothing to hand out waits for a read
 * under way, or for a shard whose last page was full to be due, up to {@link #POLL_WAIT} each: a caller that polls
 * again at once while {@link #more()} does not spin. A shard is read only once its parent is read to its end, and each
 * from where its stored position stands. New shards are found by listing the stream again every
 * {@link #LIST_SHARDS_EVERY}, and at once after a shard was read to its end.
 *
 * <p>A shard's lineage is what the stored position of it or of its parent says, else its parent's, else its own
 * id: every reader of the stream, knowing the same, finds the same lineage, so several readers with disjoint
 * lineages in scope never read a shard twice. Nothing wanted is skipped silently: a shard read from its oldest
 * record kept while changes are wanted from further back than the stream keeps, a shard that still had records to
 * read and is no longer listed, a shard whose first records were trimmed though the parent was read, a stream
 * that is not the one the positions are in, and a stream turned off: each is a {@link ChangesLostException}.
 */
final class TableStreamReader implements TableChangeReader, StreamShard.Context {

    private static final Logger LOG = LoggerFactory.getLogger(TableStreamReader.class);
    static final Duration LIST_SHARDS_EVERY = Duration.ofSeconds(10);
    /** A little over a fifth of a second: calls that reach the stream a little unevenly stay within 5 a second. */
    static final Duration CALL_GAP = Duration.ofMillis(210);
    static final Duration IDLE_GAP = Duration.ofSeconds(1);
    /** How long a poll with nothing to hand out waits for a read to be due, and then for a read under way. */
    private static final Duration POLL_WAIT = Duration.ofMillis(200);
    /** Shards read at once. */
    private static final int PARALLEL_READS = 16;

    private final DynamoDbStreamsClient streams;
    private final String table;
    private final TableLayout layout;
    private final StreamScope scope;
    /** The value a database's image holds, large values read from their chunks: {@link StreamShard.Context#valueOf}. */
    private final BiFunction<String, Map<String, AttributeValue>, byte[]> values;
    private final OpenOptions options;
    private final String streamArn;
    /** Which changes are wanted: those since the scope's {@code since}, by the stream's rules. */
    private final ChangeCheckpoint wanted;
    private final Pacer pace;
    private final ExecutorService pool;
    private final BlockingQueue<StreamShard> readsEnded = new LinkedBlockingQueue<>();
    /** Shards by id, parents before children. */
    private Map<String, StreamShard> shards = new LinkedHashMap<>();
    /** Shards a reader before this one had read, to be found in the first listing. */
    private final Collection<String> storedShards;
    /** Closes what the reader holds besides its pool: the databases opened to read large values. */
    private final Runnable onClose;
    private long listedAt = Long.MIN_VALUE;
    private int firstShard;
    private RuntimeException deferredFailure;
    private volatile boolean closed;

    TableStreamReader(DynamoDbStreamsClient streams, TableDescription description, TableLayout layout, StreamScope scope,
            BiFunction<String, Map<String, AttributeValue>, byte[]> values, OpenOptions options, Collection<String> storedShards,
            Runnable onClose) {
        this.streams = streams;
        this.table = description.tableName();
        this.layout = layout;
        this.scope = scope;
        this.values = values;
        this.options = options;
        this.storedShards = storedShards;
        this.onClose = onClose;
        this.wanted = ChangeCheckpoint.since(scope.since());
        if (!TableManager.hasStream(description)) {
            throw new DynamoDbDownException("Table '" + table + "' has no change stream: open it with"
                    + " OpenOptions.withStream(NEW_IMAGE, true) to give it one (the Camel option enableStream, the"
                    + " connectors' table.stream.enable), or enable a NEW_IMAGE stream on it yourself");
        }
        StreamViewType view = description.streamSpecification().streamViewType();
        if (view != StreamViewType.NEW_IMAGE && view != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new DynamoDbDownException("The change stream of table '" + table + "' keeps " + view
                    + ": reading changes needs the new values, NEW_IMAGE or NEW_AND_OLD_IMAGES");
        }
        this.streamArn = description.latestStreamArn();
        if (scope.stream() != null && !scope.stream().equals(streamArn)) {
            throw lost("the positions are in stream " + scope.stream() + ", but the table now has stream " + streamArn
                    + " (its stream was turned off and on again)", null);
        }
        this.pace = new Pacer("GetRecords calls on the change stream of table '" + table + "', shard", "calls",
                options.retryPolicy().maxDelay(), Pacer.SYSTEM);
        this.pool = Executors.newFixedThreadPool(PARALLEL_READS, Parallel.daemonThreads(table + "-stream"));
    }

    @Override
    public List<StreamChange> poll(int max) {
        ensureOpen();
        if (deferredFailure != null) {
            RuntimeException failure = deferredFailure;
            deferredFailure = null;
            throw failure;
        }
        listShardsIfDue();
        List<StreamChange> out = new ArrayList<>();
        takeReadsEnded(0, out);
        startReads();
        handOut(max, out);
        if (out.isEmpty() && shards.values().stream().noneMatch(shard -> shard.reading) && awaitReadDue()) {
            startReads();
        }
        if (out.isEmpty() && shards.values().stream().anyMatch(shard -> shard.reading)) {
            takeReadsEnded(POLL_WAIT.toNanos(), out);
            startReads();
            handOut(max, out);
        }
        firstShard++;
        return out;
    }

    /**
     * Takes over the reads that ended, waiting up to {@code waitNanos} for one; a failure is thrown now when nothing
     * was handed out yet, else it is reported by the next poll. Changes lost are thrown at once.
     */
    private void takeReadsEnded(long waitNanos, List<StreamChange> out) {
        try {
            StreamShard ended = waitNanos > 0 ? readsEnded.poll(waitNanos, TimeUnit.NANOSECONDS) : readsEnded.poll();
            for (; ended != null; ended = readsEnded.poll()) {
                RuntimeException failure = ended.readEnded(CALL_GAP.toNanos(), IDLE_GAP.toNanos());
                if (failure instanceof ChangesLostException || (failure != null && out.isEmpty() && deferredFailure == null)) {
                    throw failure;
                }
                if (failure != null && deferredFailure == null) {
                    deferredFailure = failure;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DynamoDbDownException("Interrupted while reading the change stream of table '" + table + "'", e);
        }
    }

    /**
     * Waits until the first shard whose last page was full (so {@link #more()} says more is waiting) may be read
     * again, if that is within {@link #POLL_WAIT}; true when one is due now.
     */
    private boolean awaitReadDue() {
        long now = System.nanoTime();
        long due = Long.MAX_VALUE;
        for (StreamShard shard : shards.values()) {
            if (shard.fullPage && readable(shard)) {
                due = Math.min(due, Math.max(0, shard.notBefore - now));
            }
        }
        if (due > POLL_WAIT.toNanos()) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(due);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DynamoDbDownException("Interrupted while reading the change stream of table '" + table + "'", e);
        }
        return true;
    }

    /** Whether a shard may be read, now or once its call gap has passed: in scope, not being read, nothing to hand out. */
    private boolean readable(StreamShard shard) {
        return shard.inScope && !shard.done && !shard.reading && shard.records.isEmpty() && !shard.endsAfterRecords
                && parentDone(shard);
    }

    /** Starts a read of every shard that may be read now and has nothing waiting to be handed out. */
    private void startReads() {
        long now = System.nanoTime();
        for (StreamShard shard : shards.values()) {
            if (readable(shard) && now - shard.notBefore >= 0) {
                StreamShard.Start fresh = freshStart(shard);
                shard.reading = true;
                pool.execute(() -> {
                    shard.read(this, fresh, StreamShard.MAX_RECORDS_PER_CALL);
                    readsEnded.add(shard);
                });
            }
        }
    }

    private void handOut(int max, List<StreamChange> out) {
        List<StreamShard> inTurn = new ArrayList<>(shards.values());
        for (int i = 0; i < inTurn.size() && out.size() < max; i++) {
            StreamShard shard = inTurn.get(Math.floorMod(firstShard + i, inTurn.size()));
            if (shard.handOut(max - out.size(), out)) {
                LOG.debug("Shard {} of the change stream of table '{}' is read to its end", shard, table);
                listedAt = Long.MIN_VALUE; // list again to find its children
            }
        }
    }

    /** The parent, if there is one and it is known, is read to its end. */
    private boolean parentDone(StreamShard shard) {
        StreamShard parent = shard.parentId() == null ? null : shards.get(shard.parentId());
        return parent == null || parent.done;
    }

    /**
     * Where a shard not read before starts: at its first record when it continues where this reader (or one before
     * it) stands (it read the parent) and changes trimmed from it could still be wanted; else at the oldest record
     * kept, which loses changes when they are wanted from further back than the stream keeps.
     */
    private StreamShard.Start freshStart(StreamShard shard) {
        if (shard.started()) {
            return null; // it goes on from its position
        }
        boolean olderWanted = wanted.wantsOlderThanKept();
        String parentId = shard.parentId();
        StreamShard parent = parentId == null ? null : shards.get(parentId);
        boolean followsParent = parent != null ? parent.started() : parentId != null && scope.stored().apply(parentId) != null;
        String first = shard.shard.sequenceNumberRange() == null ? null
                : shard.shard.sequenceNumberRange().startingSequenceNumber();
        if (followsParent && olderWanted && first != null) {
            return new StreamShard.Start(ShardIteratorType.AT_SEQUENCE_NUMBER, first);
        }
        if (olderWanted && wanted.since() != null) {
            throw lost("shard " + shard.id() + " would be read from its oldest record kept, but changes since " + wanted.since()
                    + " are wanted, longer ago than the stream keeps", null);
        }
        return new StreamShard.Start(ShardIteratorType.TRIM_HORIZON, null);
    }

    @Override
    public Map<String, String> lineages() {
        Map<String, String> lineages = new LinkedHashMap<>();
        shards.values().forEach(shard -> lineages.put(shard.id(), shard.lineage));
        return lineages;
    }

    @Override
    public boolean more() {
        return !readsEnded.isEmpty() || shards.values().stream().anyMatch(shard -> !shard.records.isEmpty() || shard.fullPage);
    }

    /**
     * {@inheritDoc} Only the frontier: a shard read to its end is left out once a child of it was read, as that
     * implies it.
     */
    @Override
    public Map<String, ShardPosition> positions() {
        Map<String, ShardPosition> positions = new LinkedHashMap<>();
        for (StreamShard shard : shards.values()) {
            if (shard.inScope && shard.started()) {
                positions.put(shard.id(), shard.positionNow());
            }
        }
        // a shard read to its end is implied by a child read: the positions stay the frontier
        for (StreamShard shard : shards.values()) {
            if (shard.parentId() != null && positions.containsKey(shard.id())) {
                positions.remove(shard.parentId());
            }
        }
        return positions;
    }

    @Override
    public String streamArn() {
        return streamArn;
    }

    /**
     * Lists the stream's shards again when it is due. A shard in scope that the stream no longer lists while records
     * of it may still be wanted, and a stream turned off whose shards are all read, are changes lost.
     */
    private void listShardsIfDue() {
        long now = System.nanoTime();
        if (listedAt != Long.MIN_VALUE && now - listedAt < LIST_SHARDS_EVERY.toNanos()) {
            return;
        }
        Map<String, Shard> found = new LinkedHashMap<>();
        StreamStatus status;
        String start = null;
        do {
            StreamDescription description = describeStream(start);
            status = description.streamStatus();
            description.shards().forEach(shard -> found.put(shard.shardId(), shard));
            start = description.lastEvaluatedShardId();
        } while (start != null);
        if (listedAt == Long.MIN_VALUE) {
            checkStoredShardsGoOn(found);
        }
        Map<String, StreamShard> kept = new LinkedHashMap<>();
        for (StreamShard shard : shards.values()) {
            if (!found.containsKey(shard.id()) && keepUnlisted(shard, found)) {
                kept.put(shard.id(), shard);
            }
        }
        List<Shard> ordered = parentsFirst(found);
        for (Shard shard : ordered) {
            StreamShard known = shards.get(shard.shardId());
            kept.put(shard.shardId(), known != null ? known : track(shard, kept));
        }
        // a shard with a child read (by this reader or one before it) was read to its end
        for (int i = ordered.size() - 1; i >= 0; i--) {
            StreamShard shard = kept.get(ordered.get(i).shardId());
            StreamShard parent = shard.parentId() == null ? null : kept.get(shard.parentId());
            if (parent != null && shard.started() && !parent.done && !parent.reading && parent.records.isEmpty()) {
                parent.done = true;
            }
        }
        shards = kept;
        listedAt = now;
        if (status != StreamStatus.ENABLED && status != StreamStatus.ENABLING
                && shards.values().stream().allMatch(shard -> shard.done || !shard.inScope)) {
            throw lost("the table's change stream " + streamArn + " was turned off (" + status + "); changes made"
                    + " after that, or in a stream turned on since, are not in it", null);
        }
    }

    /**
     * The shards a reader before this one stood in must go on in this stream: a shard it was still reading must be
     * listed, and something of where it stood must be (a shard it read, or a child of one), else whole shards came
     * and went since.
     */
    private void checkStoredShardsGoOn(Map<String, Shard> found) {
        for (String id : storedShards) {
            ShardPosition stored = scope.stored().apply(id);
            if (!found.containsKey(id) && stored != null && !stored.done()) {
                throw lost("shard " + id + " was still being read, but the stream dropped it", null);
            }
        }
        if (!storedShards.isEmpty() && storedShards.stream().noneMatch(found::containsKey)
                && found.values().stream().noneMatch(shard -> shard.parentShardId() != null
                        && storedShards.contains(shard.parentShardId()))) {
            throw lost("none of the shards read before (" + String.join(", ", storedShards) + "), nor any child of them,"
                    + " is still in the stream", null);
        }
    }

    /**
     * Whether to keep a shard the stream no longer lists: one being read or whose last records are still to hand
     * out, and one read to its end while a listed shard still names it as parent. One in scope that still had
     * records to read is changes lost, when they could be wanted: read in part, or wanted from further back than
     * the stream keeps (else its records are older than wanted anyway). Others are forgotten.
     */
    private boolean keepUnlisted(StreamShard shard, Map<String, Shard> found) {
        if (shard.reading || shard.endsAfterRecords) {
            return true;
        }
        if (shard.done) {
            return found.values().stream().anyMatch(listed -> shard.id().equals(listed.parentShardId()));
        }
        boolean olderWanted = wanted.wantsOlderThanKept();
        if (shard.inScope && (shard.started() || olderWanted)) {
            throw lost("shard " + shard.id() + " still had records to read, but the stream dropped it", null);
        }
        return false;
    }

    /**
     * A shard listed for the first time: its lineage and stored position. Positions stored one by one (a Connect
     * source commits each shard's apart) may hold a child's position while its parent's last records were not
     * stored: the parent is then read on from its own, and the child again from its start, after it, so that no
     * change of the parent is lost and none comes after a newer one of the child.
     */
    private StreamShard track(Shard shard, Map<String, StreamShard> known) {
        ShardPosition stored = scope.stored().apply(shard.shardId());
        String lineage;
        if (stored != null) {
            lineage = stored.lineage();
            StreamShard parent = shard.parentShardId() == null ? null : known.get(shard.parentShardId());
            if (parent != null && parent.started() && !parent.done) {
                stored = null;
            }
        } else {
            String parentId = shard.parentShardId();
            StreamShard parent = parentId == null ? null : known.get(parentId);
            ShardPosition storedParent = parentId == null || parent != null ? null : scope.stored().apply(parentId);
            if (storedParent != null && !storedParent.done() && scope.lineages().test(storedParent.lineage())) {
                throw lost("shard " + parentId + " was still being read, but the stream dropped it", null);
            }
            lineage = parent != null ? parent.lineage : storedParent != null ? storedParent.lineage() : shard.shardId();
        }
        return new StreamShard(shard, lineage, scope.lineages().test(lineage), stored);
    }

    private StreamDescription describeStream(String exclusiveStartShardId) {
        try {
            return streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(exclusiveStartShardId))
                    .streamDescription();
        } catch (SdkException e) {
            if ("ResourceNotFoundException".equals(StreamShard.errorCode(e))) {
                throw lost("the table's change stream " + streamArn + " is gone", e);
            }
            throw failed("listing the shards of the change stream", e);
        }
    }

    private static List<Shard> parentsFirst(Map<String, Shard> listed) {
        List<Shard> ordered = new ArrayList<>();
        Map<String, Boolean> placed = new LinkedHashMap<>();
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

    // StreamShard.Context: what a read on the pool needs

    @Override
    public DynamoDbStreamsClient streams() {
        return streams;
    }

    @Override
    public TableLayout layout() {
        return layout;
    }

    @Override
    public String databaseOf(String hashKey) {
        String database = TableScanner.databaseOf(hashKey);
        return database != null && scope.databases().test(database) ? database : null;
    }

    @Override
    public boolean skips(Instant recordedAt) {
        return wanted.skips(recordedAt);
    }

    @Override
    public byte[] valueOf(String database, Map<String, AttributeValue> image) {
        return values.apply(database, image);
    }

    @Override
    public Pacer pace() {
        return pace;
    }

    @Override
    public void throttled(int requests) {
        if (requests > 0) {
            options.throttleListener().throttled(requests);
        }
    }

    @Override
    public ChangesLostException lost(String what, Exception cause) {
        return new ChangesLostException("Changes of table '" + table + "' were lost to this reader: " + what
                + " (a stream keeps records " + STREAM_RETENTION.toHours() + " hours); take a new snapshot to catch up", cause);
    }

    @Override
    public DynamoDbDownException failed(String what, SdkException e) {
        return Failures.wrap(what + " of the change stream of table '" + table + "'", e);
    }

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("This reader of the change stream of table '" + table + "' is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        onClose.run();
    }
}
