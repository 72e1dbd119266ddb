package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.ChangesLostException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamChange;
import java.util.ArrayDeque;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One shard of a change stream as a {@link TableStreamReader} reads it: where the changes handed out stand
 * ({@link #position}, {@link #done}), the records read but not handed out yet, and the reading itself. Reads
 * ({@link #read}) run on pool threads, one at a time, and own the reading state (iterator, last record read); the
 * pages they read are taken over by {@link #readEnded} on the reader's thread, which owns the rest. Only the pages
 * read and the count of pages not handed out ({@link #roomFor}) pass between them. A read takes a page whole
 * or not at all: a record that cannot be turned into a change (its large value unreadable) fails the read, and the
 * next one starts again after the last record read.
 */
final class StreamShard {

    /** DynamoDB's limit for one GetRecords call. */
    static final int MAX_RECORDS_PER_CALL = 1000;
    /**
     * A page whose records' sizes add up to this much was cut short by the 1 MB a GetRecords call returns at most
     * (its next record, of at most 400 KB, would not fit), or nearly: more is waiting. A page taken for full
     * wrongly costs one read that finds nothing.
     */
    static final long FULL_PAGE_BYTES = 512 * 1024;

    /**
     * A record read: the change it is, or null for one passed over (another database's, the store's own, too old);
     * and whether it is the last of its page.
     */
    record Item(String sequenceNumber, StreamChange change, boolean endsPage) {
    }

    /** Where a read starts when it has no iterator: after a record, at the shard's first, or at the oldest kept. */
    record Start(ShardIteratorType type, String sequenceNumber) {
    }

    /** What a read needs from the reader that owns the shard. */
    interface Context {
        DynamoDbStreamsClient streams();

        String streamArn();

        TableLayout layout();

        /** The database a hash key's items belong to, null for the store's own items or a database out of scope. */
        String databaseOf(String hashKey);

        /** Whether a change recorded then is too old to be wanted. */
        boolean skips(Instant recordedAt);

        /** The value an image holds, large values read whole; null when its chunks are gone (replaced since). */
        byte[] valueOf(String database, Map<String, AttributeValue> image);

        Pacer pace();

        void throttled(int requests);

        ChangesLostException lost(String what, Exception cause);

        DynamoDbDownException failed(String what, SdkException e);
    }

    final Shard shard;
    final String lineage;
    final boolean inScope;
    /** The last record handed out or passed over, null for none; and whether every record of the shard was. */
    String position;
    boolean done;
    /** Whether the stored position came from a reader before this one (the shard was being read). */
    final boolean stored;
    /** Records read and not handed out yet, in order; the shard's end follows them when {@link #endsAfterRecords}. */
    final ArrayDeque<Item> records = new ArrayDeque<>();
    boolean endsAfterRecords;
    /** The last read returned a full page (at the call's limit of records or bytes): more is waiting. */
    boolean fullPage;
    /** The next read not before this (System.nanoTime). */
    long notBefore;
    /** A read under way on the pool. */
    boolean reading;

    /**
     * Pages read of which records are not handed out yet, those not taken over included: bounds how far reads go
     * ahead. In pages, not records: a page of large records holds few of them, but as many bytes.
     */
    private final AtomicInteger unhandledPages = new AtomicInteger();

    /** Reading state, owned by the reads (one at a time, on the pool): the iterator to go on with, the last record read. */
    private String iterator;
    private String readUpTo;
    /** Pages read and not taken over yet, in order, added on the pool. */
    private final Queue<Page> pagesRead = new ConcurrentLinkedQueue<>();
    /** When the last GetRecords call went out (System.nanoTime): the next one is paced from there. */
    private long lastCalledAt;

    /**
     * A read's outcome: its records, the iterator after them (null at the shard's end), when its GetRecords call went
     * out (System.nanoTime), or its failure; whether it is full ({@link #fullPage}), and whether the read goes on with
     * the next page on its own.
     */
    private record Page(List<Item> items, String nextIterator, long calledAt, RuntimeException failure, boolean full,
            boolean goesOn) {
    }

    StreamShard(Shard shard, String lineage, boolean inScope, ShardPosition from) {
        this.shard = shard;
        this.lineage = lineage;
        this.inScope = inScope;
        this.stored = from != null;
        if (from != null) {
            this.position = from.sequenceNumber();
            this.done = from.done();
            this.readUpTo = from.sequenceNumber();
        }
    }

    /** When the last GetRecords call went out (System.nanoTime); for the read that goes on after it, on the pool. */
    long lastCalledAt() {
        return lastCalledAt;
    }

    /** Whether fewer than {@code pages} pages read wait to be handed out (in part or whole). */
    boolean roomFor(int pages) {
        return unhandledPages.get() < pages;
    }

    String id() {
        return shard.shardId();
    }

    String parentId() {
        return shard.parentShardId();
    }

    /** Read from, or up to, a record by this reader or one before it. */
    boolean started() {
        return position != null || done;
    }

    /** Where a read without an iterator starts: after the last record read, or as {@code fresh} says. */
    Start restart(Start fresh) {
        return readUpTo != null ? new Start(ShardIteratorType.AFTER_SEQUENCE_NUMBER, readUpTo) : fresh;
    }

    /**
     * Reads the next page, on a pool thread, and keeps it for {@link #readEnded}. True when the read goes on with the
     * next page (see {@link Page#goesOn}): {@code goOn} says, once the page is read, whether a full page may be
     * followed by another; the caller then reads again after the call gap, without waiting to be asked.
     */
    boolean read(Context context, Start fresh, int max, BooleanSupplier goOn) {
        try {
            GetRecordsResponse response = getRecords(context, fresh, max);
            List<Item> items = new ArrayList<>(response.records().size());
            String last = readUpTo;
            long bytes = 0;
            for (int i = 0; i < response.records().size(); i++) {
                Record record = response.records().get(i);
                last = record.dynamodb().sequenceNumber();
                bytes += record.dynamodb().sizeBytes() == null ? 0 : record.dynamodb().sizeBytes();
                items.add(new Item(last, change(context, record), i == response.records().size() - 1));
            }
            readUpTo = last;
            iterator = response.nextShardIterator();
            if (!items.isEmpty()) {
                unhandledPages.incrementAndGet();
            }
            boolean full = items.size() >= MAX_RECORDS_PER_CALL || bytes >= FULL_PAGE_BYTES;
            boolean goesOn = full && iterator != null && goOn.getAsBoolean();
            pagesRead.add(new Page(items, iterator, lastCalledAt, null, full, goesOn));
            return goesOn;
        } catch (RuntimeException e) {
            iterator = null; // the next read starts again after the last record read
            pagesRead.add(new Page(List.of(), null, lastCalledAt, e, false, false));
            return false;
        }
    }

    /**
     * Takes over the pages read since the last time, on the reader's thread; returns the failure of a read, if one
     * failed (the next read then starts again after the last record read). The next read is due {@code callGapNanos}
     * after the last one's call went out (not after its answer came: the stream counts calls a second, so a slow
     * answer leaves no less room), or {@code idleGapNanos} after an empty page came back.
     */
    RuntimeException readEnded(long callGapNanos, long idleGapNanos) {
        for (Page page = pagesRead.poll(); page != null; page = pagesRead.poll()) {
            reading = page.goesOn();
            if (page.failure() != null) {
                return page.failure();
            }
            records.addAll(page.items());
            fullPage = page.full();
            notBefore = page.items().isEmpty() && page.nextIterator() != null
                    ? System.nanoTime() + idleGapNanos : page.calledAt() + callGapNanos;
            endsAfterRecords = page.nextIterator() == null;
        }
        return null;
    }

    /**
     * Hands out the records read, up to {@code max} changes, moving the position over each (and over those passed
     * over); marks the shard done once its last record is handed out. True when it finished now.
     */
    boolean handOut(int max, List<StreamChange> out) {
        int handed = 0;
        while (!records.isEmpty() && handed < max) {
            Item item = records.poll();
            if (item.endsPage()) {
                unhandledPages.decrementAndGet();
            }
            position = item.sequenceNumber();
            if (item.change() != null) {
                out.add(item.change());
                handed++;
            }
        }
        if (records.isEmpty() && endsAfterRecords && !done) {
            done = true;
            return true;
        }
        return false;
    }

    ShardPosition positionNow() {
        return new ShardPosition(lineage, position, done);
    }

    /** The next page; an expired iterator asked for again, a shard trimmed under an iterator at its oldest record too. */
    private GetRecordsResponse getRecords(Context context, Start fresh, int max) {
        Start start = restart(fresh);
        if (iterator == null) {
            iterator = iterator(context, start);
        }
        GetRecordsResponse response;
        try {
            response = call(context, max);
        } catch (ChangesLostException trimmed) {
            if (start.type() != ShardIteratorType.TRIM_HORIZON) {
                throw trimmed; // trimmed after the records this reader needs next: lost
            }
            iterator = iterator(context, start); // trimmed between asking for the iterator and reading
            response = call(context, max);
        }
        if (response == null) {
            iterator = iterator(context, start); // expired: they live 15 minutes
            response = call(context, max);
            if (response == null) {
                throw new DynamoDbDownException("A new shard iterator of " + id() + " expired at once; the"
                        + " stream's clock and this one's differ by more than 15 minutes?", null, true);
            }
        }
        return response;
    }

    /** One GetRecords call at the pace the stream accepts; null when the iterator expired. */
    private GetRecordsResponse call(Context context, int max) {
        Pacer.Ticket ticket = context.pace().await(id(), 1);
        Attempts attempts = new Attempts();
        String from = iterator;
        lastCalledAt = System.nanoTime();
        try {
            GetRecordsResponse response = context.streams().getRecords(b -> b.shardIterator(from)
                    .limit(Math.min(max, MAX_RECORDS_PER_CALL)).overrideConfiguration(attempts.override()));
            context.pace().answered(ticket, 1, attempts.throttled());
            context.throttled(attempts.throttled());
            return response;
        } catch (SdkException e) {
            // a call that ended on the stream's LimitExceededException: its last attempt was throttled too
            int throttled = attempts.throttled() + (Failures.isStreamsLimitExceeded(e) ? 1 : 0);
            context.pace().failed(List.of(ticket), throttled);
            context.throttled(throttled);
            String code = errorCode(e);
            if ("ExpiredIteratorException".equals(code)) {
                return null;
            }
            if ("TrimmedDataAccessException".equals(code) || "ResourceNotFoundException".equals(code)) {
                throw context.lost("shard " + id() + " no longer holds the records after " + describe(readUpTo), e);
            }
            throw context.failed("reading shard " + id(), e);
        }
    }

    private String iterator(Context context, Start start) {
        try {
            return context.streams().getShardIterator(b -> b.streamArn(context.streamArn()).shardId(id())
                    .shardIteratorType(start.type()).sequenceNumber(start.sequenceNumber())).shardIterator();
        } catch (SdkException e) {
            String code = errorCode(e);
            if ("TrimmedDataAccessException".equals(code) || "ResourceNotFoundException".equals(code)) {
                throw context.lost(start.type() == ShardIteratorType.AT_SEQUENCE_NUMBER
                        ? "the first records of shard " + id() + " were trimmed before they were read"
                        : "shard " + id() + " no longer holds the records after " + describe(start.sequenceNumber()), e);
            }
            throw context.failed("reading shard " + id(), e);
        }
    }

    private static String describe(String sequenceNumber) {
        return sequenceNumber == null ? "its start" : "sequence number " + sequenceNumber;
    }

    /** The record as a change of its database; null when it is passed over. */
    private StreamChange change(Context context, Record record) {
        TableLayout layout = context.layout();
        Map<String, AttributeValue> keys = record.dynamodb().keys();
        AttributeValue hash = keys.get(layout.hashAttribute());
        String database = hash == null ? null : context.databaseOf(hash.s());
        Instant at = record.dynamodb().approximateCreationDateTime();
        if (database == null || context.skips(at)) {
            return null;
        }
        byte[] key = layout.keyOf(keys);
        String sequenceNumber = record.dynamodb().sequenceNumber();
        if (record.eventName() == OperationType.REMOVE) {
            return new StreamChange(database, key, null, at, id(), lineage, sequenceNumber);
        }
        byte[] value = context.valueOf(database, record.dynamodb().newImage());
        // null: a large value whose chunks are gone, replaced since; the change that replaced it comes later
        return value == null ? null : new StreamChange(database, key, value, at, id(), lineage, sequenceNumber);
    }

    /**
     * The service's error code. By code, not by exception class: DynamoDB Local's in-process client reports
     * these as plain DynamoDbExceptions that only carry the code.
     */
    static String errorCode(SdkException e) {
        return e instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorCode() : null;
    }

    @Override
    public String toString() {
        return id() + " (lineage " + lineage + ")";
    }
}
