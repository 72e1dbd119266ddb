package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.ShardPosition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Changes mode: where the stream phase stands in one shard of the table's stream, stored under the source partition
 * {@code {stream: table, shard: shard id}} as {@code {lineage, sequence, done, generation}}. Each change's record
 * carries its shard's position right after it, so Connect commits each shard's in the order they were read and a
 * restart, or another task after a rebalance, reads on exactly there. A position of another generation (an older
 * epoch's) is not resumed.
 *
 * @param position where the shard stands
 * @param generation the epoch's generation
 */
record ShardOffset(ShardPosition position, long generation) {

    static final String LINEAGE = "lineage";
    static final String SEQUENCE = "sequence";
    static final String DONE = "done";
    static final String GENERATION = "generation";
    private static final String SHARD_FIELD = "shard";

    /** The source partition of {@code shard}'s offsets, its fields in the order the worker reads them back. */
    static Map<String, String> partition(String table, String shard) {
        return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, table, SHARD_FIELD, shard));
    }

    Map<String, String> toMap() {
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(LINEAGE, position.lineage());
        offset.put(SEQUENCE, position.sequenceNumber());
        offset.put(DONE, Boolean.toString(position.done()));
        offset.put(GENERATION, Long.toString(generation));
        return offset;
    }

    /**
     * The position a stored offset stands for, or null for none.
     *
     * @throws IllegalArgumentException when a field does not decode
     */
    static ShardOffset of(Map<String, ?> offset) {
        if (offset == null || offset.get(LINEAGE) == null || offset.get(GENERATION) == null) {
            return null;
        }
        return new ShardOffset(new ShardPosition((String) offset.get(LINEAGE), (String) offset.get(SEQUENCE),
                "true".equals(offset.get(DONE))), PieceOffset.parse(GENERATION, offset.get(GENERATION)));
    }
}
