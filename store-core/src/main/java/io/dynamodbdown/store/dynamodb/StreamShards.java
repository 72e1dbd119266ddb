package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ShardPosition;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * The shards of a change stream as one {@link TableStreamReader} knows them, parents before children: found by
 * listing the stream again every {@link #LIST_SHARDS_EVERY} (and at once when asked, after a shard was read to its
 * end), each with its lineage and the position stored of it; where a shard not read before starts, and where the
 * shards in scope stand.
 *
 * <p>A shard's lineage is what the stored position of it or of its parent says, else its parent's, else its own
 * id: every reader of the stream, knowing the same, finds the same lineage, so several readers with disjoint
 * lineages in scope never read a shard twice. A shard that still had records to read and is no longer listed, a
 * shard read from its oldest record kept while changes are wanted from further back than the stream keeps, shards
 * read before of which nothing is left, and a stream turned off are each a
 * {@link io.dynamodbdown.store.ChangesLostException}.
 */
final class StreamShards {

    static final Duration LIST_SHARDS_EVERY = Duration.ofSeconds(10);

    /** The reader's: the streams client, the stream, and how a loss or a failure is told. */
    private final StreamShard.Context context;
    private final StreamScope scope;
    /** Which changes are wanted: those since the scope's {@code since}, by the stream's rules. */
    private final ChangeCheckpoint wanted;
    /** Shards a reader before this one had read, to be found in the first listing. */
    private final Collection<String> storedShards;
    /** Shards by id, parents before children. */
    private Map<String, StreamShard> shards = new LinkedHashMap<>();
    private long listedAt = Long.MIN_VALUE;

    StreamShards(StreamShard.Context context, StreamScope scope, ChangeCheckpoint wanted, Collection<String> storedShards) {
        this.context = context;
        this.scope = scope;
        this.wanted = wanted;
        this.storedShards = storedShards;
    }

    /** The shards known, parents before children. */
    Collection<StreamShard> all() {
        return shards.values();
    }

    /** Lists the stream again at the next {@link #listIfDue}: a shard was read to its end, its children are wanted. */
    void listAgain() {
        listedAt = Long.MIN_VALUE;
    }

    /**
     * Lists the stream's shards again when it is due. A shard in scope that the stream no longer lists while records
     * of it may still be wanted, and a stream turned off whose shards are all read, are changes lost.
     */
    void listIfDue() {
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
            throw context.lost("the table's change stream " + context.streamArn() + " was turned off (" + status
                    + "); changes made after that, or in a stream turned on since, are not in it", null);
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
                throw context.lost("shard " + id + " was still being read, but the stream dropped it", null);
            }
        }
        if (!storedShards.isEmpty() && storedShards.stream().noneMatch(found::containsKey)
                && found.values().stream().noneMatch(shard -> shard.parentShardId() != null
                        && storedShards.contains(shard.parentShardId()))) {
            throw context.lost("none of the shards read before (" + String.join(", ", storedShards)
                    + "), nor any child of them, is still in the stream", null);
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
            throw context.lost("shard " + shard.id() + " still had records to read, but the stream dropped it", null);
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
                throw context.lost("shard " + parentId + " was still being read, but the stream dropped it", null);
            }
            lineage = parent != null ? parent.lineage : storedParent != null ? storedParent.lineage() : shard.shardId();
        }
        return new StreamShard(shard, lineage, scope.lineages().test(lineage), stored);
    }

    private StreamDescription describeStream(String exclusiveStartShardId) {
        try {
            return context.streams().describeStream(b -> b.streamArn(context.streamArn())
                    .exclusiveStartShardId(exclusiveStartShardId)).streamDescription();
        } catch (SdkException e) {
            if ("ResourceNotFoundException".equals(StreamShard.errorCode(e))) {
                throw context.lost("the table's change stream " + context.streamArn() + " is gone", e);
            }
            throw context.failed("listing the shards of the change stream", e);
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

    /** The parent, if there is one and it is known, is read to its end. */
    boolean parentDone(StreamShard shard) {
        StreamShard parent = shard.parentId() == null ? null : shards.get(shard.parentId());
        return parent == null || parent.done;
    }

    /**
     * Where a shard not read before starts: at its first record when it continues where this reader (or one before
     * it) stands (it read the parent) and changes trimmed from it could still be wanted; else at the oldest record
     * kept, which loses changes when they are wanted from further back than the stream keeps.
     */
    StreamShard.Start freshStart(StreamShard shard) {
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
            throw context.lost("shard " + shard.id() + " would be read from its oldest record kept, but changes since "
                    + wanted.since() + " are wanted, longer ago than the stream keeps", null);
        }
        return new StreamShard.Start(ShardIteratorType.TRIM_HORIZON, null);
    }

    /** Each shard's lineage, by id: {@link TableChangeReader#lineages}. */
    Map<String, String> lineages() {
        Map<String, String> lineages = new LinkedHashMap<>();
        shards.values().forEach(shard -> lineages.put(shard.id(), shard.lineage));
        return lineages;
    }

    /**
     * Where the shards in scope stand ({@link TableChangeReader#positions}), only the frontier: a shard read to its
     * end is left out once a child of it was read, as that implies it.
     */
    Map<String, ShardPosition> positions() {
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
}
