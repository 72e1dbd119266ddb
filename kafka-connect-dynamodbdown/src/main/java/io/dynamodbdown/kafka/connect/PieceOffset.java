package io.dynamodbdown.kafka.connect;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes mode: where the snapshot of one {@link SnapshotPiece} stands, {@code {key, since, generation, partitions,
 * done}}: the position after the last entry sent (a listed database's: its last key in base64; a table segment's:
 * the scan's position), the epoch it belongs to (its since and generation: an offset of another epoch is not
 * resumed), how many partitions of the topic records were seen in (where a database's snapshot-end markers go),
 * and whether the piece is complete (every record written, and the end markers).
 *
 * @param key the position after the last entry sent, or null for none
 * @param since the epoch's since
 * @param generation the epoch's generation
 * @param partitions how many partitions of the topic records were seen in (the highest one plus one), or 0
 * @param done whether the piece is complete
 */
record PieceOffset(String key, Instant since, long generation, int partitions, boolean done) {

    static final String KEY = "key";
    static final String SINCE = "since";
    static final String GENERATION = "generation";
    static final String PARTITIONS = "partitions";
    static final String DONE = "done";

    PieceOffset {
        Objects.requireNonNull(since, "since");
    }

    /** Whether this is a position of {@code epoch}'s snapshot. */
    boolean of(ChangesEpoch epoch) {
        return since.equals(epoch.since()) && generation == epoch.generation();
    }

    Map<String, String> toMap() {
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(KEY, key);
        offset.put(SINCE, Long.toString(since.toEpochMilli()));
        offset.put(GENERATION, Long.toString(generation));
        offset.put(PARTITIONS, Integer.toString(partitions));
        offset.put(DONE, Boolean.toString(done));
        return offset;
    }

    /**
     * The position a stored offset stands for, or null for none or one of an earlier build (read on no further: the
     * epoch it belonged to is not stored).
     *
     * @throws IllegalArgumentException when a field does not decode
     */
    static PieceOffset of(Map<String, ?> offset) {
        if (offset == null || offset.get(SINCE) == null || offset.get(GENERATION) == null) {
            return null;
        }
        int partitions = offset.get(PARTITIONS) == null ? 0 : (int) parse(PARTITIONS, offset.get(PARTITIONS));
        return new PieceOffset((String) offset.get(KEY), Instant.ofEpochMilli(parse(SINCE, offset.get(SINCE))),
                parse(GENERATION, offset.get(GENERATION)), partitions, "true".equals(offset.get(DONE)));
    }

    static long parse(String field, Object value) {
        try {
            return Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Offset field " + field + " is not a number: '" + value + "'", e);
        }
    }
}
