package io.dynamodbdown.kafka.connect;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Changes mode: where the snapshot of one {@link SnapshotPiece} stands, {@code {key, since, generation, partitions,
 * done}} and, for a table segment, {@code topics}: the position after the last entry sent (a listed database's: its
 * last key in base64; a table segment's: the scan's position), the epoch it belongs to (its since and generation: an
 * offset of another epoch is not resumed), how many partitions of the topic records were seen in (where a database's
 * snapshot-end markers go; a segment's records go to many databases' topics, so it keeps every topic's count, as
 * {@code topic:count,...}, where the whole table's markers go), and whether the piece is complete (every record
 * written, and the end markers).
 *
 * @param key the position after the last entry sent, or null for none
 * @param since the epoch's since
 * @param generation the epoch's generation
 * @param partitions how many partitions of the topic records were seen in (the highest one plus one), or 0
 * @param topics a table segment's: how many partitions of each topic records were seen in; empty for a database
 * @param done whether the piece is complete
 */
record PieceOffset(String key, Instant since, long generation, int partitions, Map<String, Integer> topics, boolean done) {

    static final String KEY = "key";
    static final String SINCE = "since";
    static final String GENERATION = "generation";
    static final String PARTITIONS = "partitions";
    static final String TOPICS = "topics";
    static final String DONE = "done";

    PieceOffset {
        Objects.requireNonNull(since, "since");
        topics = Map.copyOf(topics);
    }

    /** A listed database's position. */
    PieceOffset(String key, Instant since, long generation, int partitions, boolean done) {
        this(key, since, generation, partitions, Map.of(), done);
    }

    /**
     * How many partitions of each topic the piece's records were seen in: a segment's {@link #topics}, a database's
     * {@link #partitions} of {@code topic}, its topic.
     */
    Map<String, Integer> seen(String topic) {
        return topic == null ? topics : Map.of(topic, partitions);
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
        if (!topics.isEmpty()) {
            StringJoiner counts = new StringJoiner(",");
            topics.forEach((topic, count) -> counts.add(topic + ":" + count));
            offset.put(TOPICS, counts.toString());
        }
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
        Map<String, Integer> topics = new HashMap<>();
        if (offset.get(TOPICS) != null && !offset.get(TOPICS).toString().isEmpty()) {
            for (String count : offset.get(TOPICS).toString().split(",")) {
                int colon = count.lastIndexOf(':');
                if (colon < 1) {
                    throw new IllegalArgumentException("Offset field " + TOPICS + " is not topic:count,...: '"
                            + offset.get(TOPICS) + "'");
                }
                topics.merge(count.substring(0, colon), (int) parse(TOPICS, count.substring(colon + 1)), Math::max);
            }
        }
        return new PieceOffset((String) offset.get(KEY), Instant.ofEpochMilli(parse(SINCE, offset.get(SINCE))),
                parse(GENERATION, offset.get(GENERATION)), partitions, topics, "true".equals(offset.get(DONE)));
    }

    static long parse(String field, Object value) {
        try {
            return Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Offset field " + field + " is not a number: '" + value + "'", e);
        }
    }
}
