package io.dynamodbdown.kafka.connect;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Changes mode: the snapshot every task of the connector follows, and the stream after it. All tasks snapshot their
 * pieces from the same start ({@code since}) in the same {@code generation}; none reads the stream until every
 * piece is complete, so no change of the stream can reach a copy before the snapshot entry it follows. Task 0 makes
 * the first one; a task that finds the stream can no longer be followed makes the next
 * ({@code changes.on.trimmed=resnapshot}); every task follows the one stored, re-reading it now and then.
 *
 * <p>Stored under the source partition {@code {stream: table, epoch: changes}} as
 * {@code {since, generation, scope, arn}}: scope names the databases and range it covers (a new one is made when
 * they change), arn the stream the changes are read from (null: the one the table has when the stream phase starts).
 *
 * @param since when the snapshot began: the stream is read from there
 * @param generation the generation of every record of the snapshot and of the changes after it
 * @param scope the databases and range, as {@link DynamoDbDownSourceConfig#changesScope()} gives them; null when
 *     set over REST (any scope)
 * @param stream the ARN of the stream to read, or null
 * @param replaces the generation of the epoch it replaced while tasks followed that one (changes lost), or 0: its
 *     snapshot waits until every task confirmed it sends nothing more of the older one
 * @param segments how many segments a whole table ({@code hash.key=*}) is scanned in: the task count when it was
 *     made, kept when the count changes so that the pieces stored go on; 0 when set over REST (the task count)
 */
record ChangesEpoch(Instant since, long generation, String scope, String stream, long replaces, int segments) {

    static final String SINCE = "since";
    static final String GENERATION = "generation";
    static final String SCOPE = "scope";
    static final String STREAM = "arn";
    static final String REPLACES = "replaces";
    static final String SEGMENTS = "segments";
    private static final String EPOCH_FIELD = "epoch";

    /** The source partition the epoch is stored under, its fields in the order the worker reads them back. */
    static Map<String, String> partition(String table) {
        return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, table, EPOCH_FIELD, "changes"));
    }

    /** The source partition where task {@code index} confirms which epoch it follows (nothing older in flight). */
    static Map<String, String> followedBy(String table, int index) {
        return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, table, EPOCH_FIELD,
                "followed by task " + index));
    }

    /** The source partition where task 0 says it stored the lineage of every shard, for the tasks to agree on. */
    static Map<String, String> lineagesStored(String table) {
        return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, table, EPOCH_FIELD, "lineages"));
    }

    /** The source partition where task 0 stores that it sent the end of a whole table's snapshot ({@link TableSnapshotEnd}). */
    static Map<String, String> snapshotEnded(String table) {
        return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, table, EPOCH_FIELD, "snapshot ended"));
    }

    /** Whether this epoch covers {@code scope} (one set over REST covers any). */
    boolean covers(String scope) {
        return this.scope == null || this.scope.equals(scope);
    }

    Map<String, String> toMap() {
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(SINCE, Long.toString(since.toEpochMilli()));
        offset.put(GENERATION, Long.toString(generation));
        offset.put(SCOPE, scope);
        offset.put(STREAM, stream);
        offset.put(REPLACES, Long.toString(replaces));
        offset.put(SEGMENTS, Integer.toString(segments));
        return offset;
    }

    /**
     * The epoch a stored offset stands for, or null for none. One set over REST may give only {@code since}: its
     * generation is then the time since.
     *
     * @throws IllegalArgumentException when a field does not decode
     */
    static ChangesEpoch of(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        if (offset.get(SINCE) == null) {
            throw new IllegalArgumentException("A changes-mode epoch has a " + SINCE + ": " + offset);
        }
        Instant since = Instant.ofEpochMilli(PieceOffset.parse(SINCE, offset.get(SINCE)));
        long generation = offset.get(GENERATION) == null ? Math.max(1, since.toEpochMilli())
                : PieceOffset.parse(GENERATION, offset.get(GENERATION));
        long replaces = offset.get(REPLACES) == null ? 0 : PieceOffset.parse(REPLACES, offset.get(REPLACES));
        int segments = offset.get(SEGMENTS) == null ? 0 : (int) PieceOffset.parse(SEGMENTS, offset.get(SEGMENTS));
        return new ChangesEpoch(since, generation, (String) offset.get(SCOPE), (String) offset.get(STREAM), replaces,
                segments);
    }
}
