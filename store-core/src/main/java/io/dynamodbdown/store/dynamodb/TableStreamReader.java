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
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a table's change stream for every database in scope at once ({@link TableChangeReader}). The shards of the
 * lineages in scope are read in parallel on a pool, a call at most every {@link #CALL_GAP} from the previous call's
 * start (DynamoDB Streams serves 5 GetRecords calls a second per shard) and, after a page that held nothing, once
 * every {@link #IDLE_GAP}. A shard with a backlog is read on at that pace whether or not the caller polls meanwhile,
 * up to {@link #PAGES_AHEAD} pages ahead of what was handed out. A poll with nothing to hand out waits for a shard
 * whose last page was full to be due, up to {@link #POLL_WAIT}, and for a read under way, up to {@link #POLL_WAIT}
 * after it is due (a read ahead waits out its call gap first): a caller that polls again at once while
 * {@link #more()} does not spin. A shard is read only once its parent is read to its end, and each
 * from where its stored position stands. Which shards there are, their lineages and where they stand are kept by
 * {@link StreamShards}, which lists the stream again at once after a shard was read to its end.
 *
 * <p>Nothing wanted is skipped silently: a shard read from its oldest record kept while changes are wanted from
 * further back than the stream keeps, a shard that still had records to read and is no longer listed, a shard whose
 * first records were trimmed though the parent was read, a stream that is not the one the positions are in, and a
 * stream turned off: each is a {@link ChangesLostException}.
 */
final class TableStreamReader implements TableChangeReader, StreamShard.Context {

    private static final Logger LOG = LoggerFactory.getLogger(TableStreamReader.class);
    /** A little over a fifth of a second: calls that reach the stream a little unevenly stay within 5 a second. */
    static final Duration CALL_GAP = Duration.ofMillis(210);
    static final Duration IDLE_GAP = Duration.ofSeconds(1);
    /** How long a poll with nothing to hand out waits for a read to be due, and then for a read under way. */
    private static final Duration POLL_WAIT = Duration.ofMillis(200);
    /** Shards read at once. */
    private static final int PARALLEL_READS = 16;
    /**
     * How many pages of a shard may be read and not handed out yet: a shard with a backlog is read on at the stream's
     * pace while the caller is busy with the page before (sending it on), and no further.
     */
    static final int PAGES_AHEAD = 2;

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
    private final StreamShards shards;
    private final Pacer pace;
    private final ScheduledExecutorService pool;
    private final BlockingQueue<StreamShard> readsEnded = new LinkedBlockingQueue<>();
    /** Closes what the reader holds besides its pool: the databases opened to read large values. */
    private final Runnable onClose;
    private int firstShard;
    private RuntimeException deferredFailure;
    private volatile boolean closed;

    TableStreamReader(DynamoDbStreamsClient streams, TableDescription description, TableLayout layout, StreamScope scope,
            BiFunction<String, Map<String, AttributeValue>, byte[]> values, OpenOptions options,
            Collection<String> storedShards, Runnable onClose) {
        this.streams = streams;
        this.table = description.tableName();
        this.layout = layout;
        this.scope = scope;
        this.values = values;
        this.options = options;
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
        this.shards = new StreamShards(this, scope, wanted, storedShards);
        this.pool = Executors.newScheduledThreadPool(PARALLEL_READS, Parallel.daemonThreads(table + "-stream"));
    }

    @Override
    public List<StreamChange> poll(int max) {
        ensureOpen();
        if (deferredFailure != null) {
            RuntimeException failure = deferredFailure;
            deferredFailure = null;
            throw failure;
        }
        shards.listIfDue();
        List<StreamChange> out = new ArrayList<>();
        takeReadsEnded(0, out);
        startReads();
        handOut(max, out);
        if (out.isEmpty() && shards.all().stream().noneMatch(shard -> shard.reading) && awaitReadDue()) {
            startReads();
        }
        if (out.isEmpty() && shards.all().stream().anyMatch(shard -> shard.reading)) {
            // a read under way may be a read ahead, due only once its call gap has passed
            takeReadsEnded(CALL_GAP.plus(POLL_WAIT).toNanos(), out);
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
        for (StreamShard shard : shards.all()) {
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

    /**
     * Whether a shard may be read, now or once its call gap has passed: in scope, not being read, less than
     * {@link #PAGES_AHEAD} pages waiting to be handed out.
     */
    private boolean readable(StreamShard shard) {
        return shard.inScope && !shard.done && !shard.reading && shard.roomFor(PAGES_AHEAD) && !shard.endsAfterRecords
                && shards.parentDone(shard);
    }

    /** Starts a read of every shard that may be read now. */
    private void startReads() {
        long now = System.nanoTime();
        for (StreamShard shard : shards.all()) {
            if (readable(shard) && now - shard.notBefore >= 0) {
                StreamShard.Start fresh = shards.freshStart(shard);
                shard.reading = true;
                pool.execute(() -> read(shard, fresh));
            }
        }
    }

    /**
     * Reads a page of a shard, on the pool; after a full page, while there is room, the next one once the call gap
     * has passed, whether or not the caller polls meanwhile.
     */
    private void read(StreamShard shard, StreamShard.Start fresh) {
        boolean goesOn = shard.read(this, fresh, StreamShard.MAX_RECORDS_PER_CALL,
                () -> !closed && shard.roomFor(PAGES_AHEAD));
        readsEnded.add(shard);
        if (goesOn) {
            try {
                long wait = shard.lastCalledAt() + CALL_GAP.toNanos() - System.nanoTime();
                pool.schedule(() -> read(shard, fresh), Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // the reader was closed meanwhile
            }
        }
    }

    private void handOut(int max, List<StreamChange> out) {
        List<StreamShard> inTurn = new ArrayList<>(shards.all());
        for (int i = 0; i < inTurn.size() && out.size() < max; i++) {
            StreamShard shard = inTurn.get(Math.floorMod(firstShard + i, inTurn.size()));
            if (shard.handOut(max - out.size(), out)) {
                LOG.debug("Shard {} of the change stream of table '{}' is read to its end", shard, table);
                shards.listAgain(); // to find its children
            }
        }
    }

    @Override
    public Map<String, String> lineages() {
        return shards.lineages();
    }

    @Override
    public boolean more() {
        return !readsEnded.isEmpty() || shards.all().stream().anyMatch(shard -> !shard.records.isEmpty() || shard.fullPage);
    }

    /**
     * {@inheritDoc} Only the frontier: a shard read to its end is left out once a child of it was read, as that
     * implies it.
     */
    @Override
    public Map<String, ShardPosition> positions() {
        return shards.positions();
    }

    @Override
    public String streamArn() {
        return streamArn;
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
