package io.dynamodbdown.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

/**
 * The shards {@link StreamSimulator} serves and the records routed into them, with AWS's rules for reading them:
 * shard iterators that expire, GetRecords calls per shard and second, records and bytes per call. Each shard owns
 * a range of key hashes in [0, {@link Long#MAX_VALUE}]; the open shards' ranges cover it exactly, so every key
 * has one open shard, and after a split or rollover its records go to the child that took its hash: a key's
 * records stay in one lineage, in the order they were routed. Sequence numbers come from one counter, so they
 * increase within a shard and from a parent to its children. Records are kept for the stream's life (nothing is
 * trimmed). Thread-safe: every method holds the stream's lock, briefly.
 */
final class SimulatedStream {

    /** Limits of reading, as AWS sets them unless a test chooses others. */
    record Limits(int getRecordsPerSecond, int describeStreamPerSecond, int maxRecordsPerCall, int maxBytesPerCall,
            Duration iteratorLifetime, int describeStreamPageSize) {
    }

    /** One record as GetRecords hands it out: already JSON, with its sequence number and size. */
    record Stored(long sequence, byte[] json, long sizeBytes) {
    }

    /** What one GetRecords call returns: records, and where the next call goes on (null once a closed shard ended). */
    record Page(List<byte[]> records, Position next) {
    }

    /** A page of DescribeStream: shards, and the last one's id when more follow (null on the last page). */
    record ShardPage(List<StreamSimulator.ShardInfo> shards, String lastEvaluatedShardId) {
    }

    /**
     * Where an iterator points: a shard, the index of the next record in it, when it was issued, and the
     * generation of iterators it belongs to (see {@link #expireIterators()}).
     */
    record Position(String shardId, int index, long issuedAtMillis, int generation) {
    }

    /** One shard; guarded by the stream's lock. */
    static final class Shard {
        final String id;
        final String parentId;
        final long hashStart;
        final long hashEnd;
        final long startingSequence;
        long endingSequence = -1;
        final List<Stored> records = new ArrayList<>();
        final RateWindow reads = new RateWindow();
        long getRecordsCalls;

        Shard(String id, String parentId, long hashStart, long hashEnd, long startingSequence) {
            this.id = id;
            this.parentId = parentId;
            this.hashStart = hashStart;
            this.hashEnd = hashEnd;
            this.startingSequence = startingSequence;
        }

        boolean open() {
            return endingSequence < 0;
        }

        /** The index of the first record with a sequence number at or after ({@code after}: after) {@code sequence}. */
        int indexOf(long sequence, boolean after) {
            int low = 0;
            int high = records.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                long at = records.get(middle).sequence();
                if (at < sequence || (after && at == sequence)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }

    /** The times of the calls admitted in the last second. */
    static final class RateWindow {
        private final ArrayDeque<Long> admitted = new ArrayDeque<>();

        /** Whether a call now stays within {@code perSecond} calls in any second (0: no limit); counts it if so. */
        boolean admit(long nowNanos, int perSecond) {
            if (perSecond <= 0) {
                return true;
            }
            while (!admitted.isEmpty() && nowNanos - admitted.peekFirst() >= 1_000_000_000L) {
                admitted.removeFirst();
            }
            if (admitted.size() >= perSecond) {
                return false;
            }
            admitted.addLast(nowNanos);
            return true;
        }
    }

    private static final String SEQUENCE_FORMAT = "%021d";

    private final String streamArn;
    private final Limits limits;
    private final int splitEvery;
    private final int rolloverEvery;
    /** Shard ids end with this, so two simulators' ids differ as two streams' do. */
    private final String idTag = String.format("%08x", ThreadLocalRandom.current().nextInt());
    /** Every shard by id: ids are numbered in creation order, so this is creation order, parents first. */
    private final TreeMap<String, Shard> shards = new TreeMap<>();
    /** The open shards by the start of their hash range. */
    private final TreeMap<Long, Shard> open = new TreeMap<>();
    private final RateWindow describes = new RateWindow();
    private long nextSequence = 100_000_000_000_000_000L;
    private int shardsCreated;
    private long routed;
    /** Iterators of an earlier generation have expired (see {@link #expireIterators()}). */
    private int generation;
    private long recordsServed;
    private long throttled;

    SimulatedStream(String streamArn, int initialShards, int splitEvery, int rolloverEvery, Limits limits) {
        this.streamArn = streamArn;
        this.limits = limits;
        this.splitEvery = splitEvery;
        this.rolloverEvery = rolloverEvery;
        long width = Long.MAX_VALUE / initialShards;
        for (int i = 0; i < initialShards; i++) {
            long start = i * width;
            long end = i == initialShards - 1 ? Long.MAX_VALUE : start + width - 1;
            create(null, start, end);
        }
    }

    private Shard create(String parentId, long hashStart, long hashEnd) {
        String id = String.format("shardId-%020d-%s", ++shardsCreated, idTag);
        Shard shard = new Shard(id, parentId, hashStart, hashEnd, nextSequence++);
        shards.put(id, shard);
        open.put(hashStart, shard);
        return shard;
    }

    private void close(Shard shard) {
        shard.endingSequence = nextSequence++;
        open.remove(shard.hashStart);
    }

    static String sequenceNumber(long sequence) {
        return String.format(SEQUENCE_FORMAT, sequence);
    }

    /**
     * Appends a record to the open shard whose range holds {@code hash}, then splits or rolls that shard over if
     * this record was the k-th of {@code splitEvery} / {@code rolloverEvery}.
     *
     * @param json the record's JSON, given its sequence number
     */
    synchronized void route(long hash, long sizeBytes, LongFunction<byte[]> json) {
        Shard shard = open.floorEntry(hash).getValue();
        long sequence = nextSequence++;
        shard.records.add(new Stored(sequence, json.apply(sequence), sizeBytes));
        routed++;
        if (splitEvery > 0 && routed % splitEvery == 0) {
            split(shard.id);
        } else if (rolloverEvery > 0 && routed % rolloverEvery == 0) {
            rollover(shard.id);
        }
    }

    /** Closes an open shard; two children take the lower and upper half of its hash range. */
    synchronized List<String> split(String shardId) {
        Shard parent = openShard(shardId);
        if (parent.hashEnd == parent.hashStart) {
            throw new IllegalStateException("Shard " + shardId + " holds one hash value and cannot split");
        }
        long middle = parent.hashStart + (parent.hashEnd - parent.hashStart) / 2;
        close(parent);
        return List.of(create(parent.id, parent.hashStart, middle).id, create(parent.id, middle + 1, parent.hashEnd).id);
    }

    /** Closes an open shard; one child takes its whole hash range. */
    synchronized String rollover(String shardId) {
        Shard parent = openShard(shardId);
        close(parent);
        return create(parent.id, parent.hashStart, parent.hashEnd).id;
    }

    /** Splits every open shard at once (no record is routed in between); returns the children's ids. */
    synchronized List<String> splitAll() {
        List<String> children = new ArrayList<>();
        for (String shardId : openShardIds()) {
            children.addAll(split(shardId));
        }
        return children;
    }

    /** Rolls every open shard over at once; returns the children's ids. */
    synchronized List<String> rolloverAll() {
        return openShardIds().stream().map(this::rollover).toList();
    }

    synchronized List<String> openShardIds() {
        return open.values().stream().map(shard -> shard.id).toList();
    }

    private Shard openShard(String shardId) {
        Shard shard = shards.get(shardId);
        if (shard == null || !shard.open()) {
            throw new IllegalArgumentException("No open shard " + shardId + "; open: " + openShardIds());
        }
        return shard;
    }

    /** Every iterator handed out so far expires now. */
    synchronized void expireIterators() {
        generation++;
    }

    /**
     * One DescribeStream page: the shards after {@code exclusiveStart} in creation order (parents before their
     * children), up to {@code limit}, and the last one's id when more follow.
     *
     * @throws StreamsError when the stream's DescribeStream calls this second are used up
     */
    synchronized ShardPage describe(String exclusiveStart, int limit, long nowNanos) {
        if (!describes.admit(nowNanos, limits.describeStreamPerSecond())) {
            throttled++;
            throw StreamsError.limitExceeded("Too many operations for a given subscriber: more than "
                    + limits.describeStreamPerSecond() + " DescribeStream calls a second on stream " + streamArn);
        }
        int most = Math.min(limit, limits.describeStreamPageSize());
        var after = exclusiveStart == null ? shards : shards.tailMap(exclusiveStart, false);
        List<StreamSimulator.ShardInfo> page = after.values().stream().limit(most).map(SimulatedStream::info).toList();
        boolean more = after.size() > most;
        return new ShardPage(page, more ? page.get(page.size() - 1).shardId() : null);
    }

    synchronized List<StreamSimulator.ShardInfo> shards() {
        return shards.values().stream().map(SimulatedStream::info).toList();
    }

    private static StreamSimulator.ShardInfo info(Shard shard) {
        return new StreamSimulator.ShardInfo(shard.id, shard.parentId, shard.hashStart, shard.hashEnd,
                sequenceNumber(shard.startingSequence), shard.open() ? null : sequenceNumber(shard.endingSequence),
                shard.records.size(), shard.getRecordsCalls);
    }

    /** The position GetShardIterator of this type points at; {@code sequenceNumber} for the AT and AFTER types. */
    synchronized Position position(String shardId, String type, String sequenceNumber, long nowMillis) {
        Shard shard = shards.get(shardId);
        if (shard == null) {
            throw StreamsError.notFound("Requested resource not found: Shard does not exist (" + shardId + " in " + streamArn + ")");
        }
        int index = switch (type) {
            case "TRIM_HORIZON" -> 0;
            case "LATEST" -> shard.records.size();
            case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER" ->
                    shard.indexOf(sequenceIn(shard, sequenceNumber), type.startsWith("AFTER"));
            default -> throw StreamsError.validation("Invalid ShardIteratorType: " + type);
        };
        return new Position(shardId, index, nowMillis, generation);
    }

    private static long sequenceIn(Shard shard, String sequenceNumber) {
        if (sequenceNumber == null || !sequenceNumber.matches("\\d{1,40}")) {
            throw StreamsError.validation("A SequenceNumber is required for this ShardIteratorType; got '" + sequenceNumber + "'");
        }
        String digits = sequenceNumber.replaceFirst("^0+(?=\\d)", "");
        long sequence = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (sequence < shard.startingSequence || (!shard.open() && sequence > shard.endingSequence)) {
            throw StreamsError.validation("Invalid SequenceNumber " + sequenceNumber + " for shard " + shard.id
                    + ": its range is " + sequenceNumber(shard.startingSequence) + " to "
                    + (shard.open() ? "open" : sequenceNumber(shard.endingSequence)));
        }
        return sequence;
    }

    /**
     * One GetRecords call at {@code at}: the records from there, within the call's limit and the stream's limits
     * of records and bytes per call.
     *
     * @throws StreamsError for an unknown shard, an expired iterator, or too many calls on the shard this second
     */
    synchronized Page read(Position at, int limit, long nowNanos, long nowMillis) {
        Shard shard = shards.get(at.shardId());
        if (shard == null || at.index() < 0 || at.index() > shard.records.size()) {
            throw StreamsError.notFound("Requested resource not found: the iterator's shard " + at.shardId() + " does not exist");
        }
        shard.getRecordsCalls++;
        if (at.generation() < generation || nowMillis - at.issuedAtMillis() > limits.iteratorLifetime().toMillis()) {
            throw StreamsError.expiredIterator("The provided iterator exceeds the maximum age allowed (shard "
                    + shard.id + ", issued " + (nowMillis - at.issuedAtMillis()) + " ms ago)");
        }
        if (!shard.reads.admit(nowNanos, limits.getRecordsPerSecond())) {
            throttled++;
            throw StreamsError.limitExceeded("Too many operations for a given subscriber: more than "
                    + limits.getRecordsPerSecond() + " GetRecords calls a second on shard " + shard.id);
        }
        int most = Math.min(limit, limits.maxRecordsPerCall());
        List<byte[]> page = new ArrayList<>();
        long bytes = 0;
        int index = at.index();
        while (index < shard.records.size() && page.size() < most) {
            Stored record = shard.records.get(index);
            if (!page.isEmpty() && bytes + record.sizeBytes() > limits.maxBytesPerCall()) {
                break;
            }
            bytes += record.sizeBytes();
            page.add(record.json());
            index++;
        }
        recordsServed += page.size();
        boolean ended = !shard.open() && index == shard.records.size();
        return new Page(page, ended ? null : new Position(shard.id, index, nowMillis, generation));
    }

    /** An iterator's text: the stream's ARN, then the position (opaque to clients, as AWS's are). */
    String iterator(Position position) {
        String payload = position.shardId() + "/" + position.index() + "/" + position.issuedAtMillis() + "/" + position.generation();
        return streamArn + "|1|" + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The position an iterator's text holds; ValidationException for text this stream did not hand out. */
    Position position(String iterator) {
        String prefix = streamArn + "|1|";
        if (iterator == null || !iterator.startsWith(prefix)) {
            throw StreamsError.validation("Invalid ShardIterator: not one of stream " + streamArn);
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(iterator.substring(prefix.length())),
                    StandardCharsets.UTF_8).split("/");
            return new Position(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]), Integer.parseInt(parts[3]));
        } catch (RuntimeException e) {
            throw StreamsError.validation("Invalid ShardIterator: " + iterator);
        }
    }

    synchronized long recordsRouted() {
        return routed;
    }

    synchronized long recordsServed() {
        return recordsServed;
    }

    synchronized long throttledCalls() {
        return throttled;
    }

    synchronized long getRecordsCalls() {
        return shards.values().stream().mapToLong(shard -> shard.getRecordsCalls).sum();
    }

    /** For a quick look at the counters in a test's failure message. */
    @Override
    public synchronized String toString() {
        return "SimulatedStream{shards=" + shards.size() + ", open=" + open.size() + ", routed=" + routed
                + ", served=" + recordsServed + ", throttled=" + throttled + "}";
    }
}
