package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.KeyEncoding;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes mode: the source offset of a database's one source partition. In its snapshot, {@code {key, since}}: the
 * last key sent (none yet: null) and when the snapshot began, where the change stream is read from once it is
 * complete; in the stream, {@code {checkpoint}}: the change reader's checkpoint. Both carry the generation the
 * records of this snapshot and the changes after it are written in ({@link DynamoDbDownHeaders#GENERATION}), and
 * how many partitions of the topic the source has seen its records land in (where its snapshot-end markers go).
 *
 * @param key the last key the snapshot sent, or null; only in the snapshot
 * @param since when the snapshot began; only in the snapshot
 * @param checkpoint the change reader's checkpoint; only in the stream
 * @param generation the generation of the snapshot and the changes after it; positive
 * @param partitions how many partitions of the topic records were seen in (the highest one plus one), or 0
 */
record ChangesOffset(byte[] key, Instant since, ChangeCheckpoint checkpoint, long generation, int partitions) {

    static final String KEY = "key";
    static final String SINCE = "since";
    static final String CHECKPOINT = "checkpoint";
    static final String GENERATION = "generation";
    static final String PARTITIONS = "partitions";

    /** A snapshot's position. */
    static ChangesOffset snapshot(byte[] key, Instant since, long generation, int partitions) {
        return new ChangesOffset(key, Objects.requireNonNull(since, "since"), null, generation, partitions);
    }

    /** A position in the change stream. */
    static ChangesOffset stream(ChangeCheckpoint checkpoint, long generation, int partitions) {
        return new ChangesOffset(null, null, Objects.requireNonNull(checkpoint, "checkpoint"), generation, partitions);
    }

    boolean inStream() {
        return checkpoint != null;
    }

    /** The same position, with the partitions seen so far. */
    ChangesOffset withPartitions(int seen) {
        return new ChangesOffset(key, since, checkpoint, generation, Math.max(partitions, seen));
    }

    /** The offset as the worker stores it. */
    Map<String, String> toMap() {
        Map<String, String> offset = new LinkedHashMap<>();
        if (inStream()) {
            offset.put(CHECKPOINT, checkpoint.encode());
        } else {
            offset.put(KEY, key == null ? null : KeyEncoding.BASE64.encode(key));
            offset.put(SINCE, Long.toString(since.toEpochMilli()));
        }
        offset.put(GENERATION, Long.toString(generation));
        offset.put(PARTITIONS, Integer.toString(partitions));
        return offset;
    }

    /**
     * The position a stored map stands for, or null for none. An offset of an earlier build (or one set over REST)
     * without a generation is in the generation of its {@code since}.
     *
     * @throws IllegalArgumentException when a field does not decode
     */
    static ChangesOffset of(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        Object checkpoint = offset.get(CHECKPOINT);
        Object since = offset.get(SINCE);
        Object key = offset.get(KEY);
        ChangeCheckpoint decoded = checkpoint == null ? null : ChangeCheckpoint.decode((String) checkpoint);
        Instant started = since == null ? null : Instant.ofEpochMilli(parse(SINCE, since));
        if (decoded == null && started == null) {
            throw new IllegalArgumentException("A changes-mode offset has a " + SINCE + " or a " + CHECKPOINT + ": " + offset);
        }
        Instant origin = started != null ? started : decoded.since();
        long generation = offset.get(GENERATION) != null ? parse(GENERATION, offset.get(GENERATION))
                : origin != null ? Math.max(1, origin.toEpochMilli()) : 1;
        int partitions = offset.get(PARTITIONS) == null ? 0 : (int) parse(PARTITIONS, offset.get(PARTITIONS));
        return decoded != null ? stream(decoded, generation, partitions)
                : snapshot(key == null ? null : KeyEncoding.BASE64.decode((String) key), started, generation, partitions);
    }

    private static long parse(String field, Object value) {
        try {
            return Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Offset field " + field + " is not a number: '" + value + "'", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangesOffset other && Arrays.equals(key, other.key) && Objects.equals(since, other.since)
                && Objects.equals(checkpoint, other.checkpoint) && generation == other.generation
                && partitions == other.partitions;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), since, checkpoint, generation, partitions);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
