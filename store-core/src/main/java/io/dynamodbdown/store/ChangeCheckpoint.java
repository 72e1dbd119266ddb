package io.dynamodbdown.store;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a change reader stands in a table's change stream: for each shard it has read, the sequence number of
 * the last record read, or that the shard is closed and read to its end; and which stream that is. A reader
 * started from a checkpoint goes on exactly after it. Changes recorded before {@code since} are skipped: a
 * reader that follows a snapshot taken at that time sees what the snapshot missed, not what it holds. As the
 * stream's times are rounded down, "before" is counted in whole minutes: changes of the minute {@code since} falls
 * in always come, from before {@code since} as well.
 * Immutable; {@link #encode()} gives a compact text form for offset stores.
 */
public final class ChangeCheckpoint {

    /** In {@link #shards()}: the shard is closed and every record of it was read. */
    public static final String SHARD_DONE = "*";
    private static final String VERSION = "c1";

    private final String stream;
    private final Instant since;
    private final Map<String, String> shards;

    private ChangeCheckpoint(String stream, Instant since, Map<String, String> shards) {
        this.stream = stream;
        this.since = since;
        this.shards = Collections.unmodifiableMap(new TreeMap<>(shards));
    }

    /**
     * How far before "now" a reader started now begins: the stream stamps changes by its own clock, rounded down
     * (to the second by DynamoDB, to the minute by DynamoDB Local), and that clock may differ from this one.
     */
    public static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);

    /** How long a DynamoDB stream keeps its records: a reader cannot go on from a position further back. */
    public static final Duration STREAM_RETENTION = Duration.ofHours(24);

    /**
     * {@return a start at the oldest change the stream still keeps (up to 24 hours back), skipping those recorded
     * before {@code since}: for a reader that follows a snapshot taken at {@code since}}
     *
     * @param since changes recorded before this are skipped; null skips none
     */
    public static ChangeCheckpoint since(Instant since) {
        return new ChangeCheckpoint(null, since, Map.of());
    }

    /**
     * A reader of the changes from now on, for a consumer starting fresh or one following a snapshot that starts
     * now: no change made after this call is missed, and those of the last {@link #CLOCK_MARGIN} come too.
     *
     * @return {@code since(now - CLOCK_MARGIN)}
     */
    public static ChangeCheckpoint fromNow() {
        return since(Instant.now().minus(CLOCK_MARGIN));
    }

    /** {@return the stream's ARN, or null before anything was read} */
    public String stream() {
        return stream;
    }

    /** {@return the time before which changes are skipped, or null when none are} */
    public Instant since() {
        return since;
    }

    /**
     * {@return whether a change the stream stamped {@code recordedAt} is skipped: stamped before the minute
     * {@code since} falls in (stamps are rounded down, so one made just after {@code since} may carry an earlier time)}
     *
     * @param recordedAt the stream record's approximate creation time
     */
    public boolean skips(Instant recordedAt) {
        return since != null && recordedAt.isBefore(since.truncatedTo(ChronoUnit.MINUTES));
    }

    /**
     * {@return whether changes older than the stream keeps ({@link #STREAM_RETENTION}) are wanted: all of them (no
     * {@code since}), or those since a time further back; a shard read from its oldest record kept then may have
     * lost some}
     */
    public boolean wantsOlderThanKept() {
        return since == null || since.isBefore(Instant.now().minus(STREAM_RETENTION));
    }

    /**
     * {@return for each shard read, by shard id: the sequence number of the last record read, or
     * {@link #SHARD_DONE}; unmodifiable, in shard id order}
     */
    public Map<String, String> shards() {
        return shards;
    }

    /**
     * {@return the same checkpoint, in another stream (the table's stream once the reader found it)}
     *
     * @param streamArn the stream's ARN
     */
    public ChangeCheckpoint inStream(String streamArn) {
        return new ChangeCheckpoint(streamArn, since, shards);
    }

    /**
     * {@return the same checkpoint with one shard moved on}
     *
     * @param shardId the shard
     * @param sequenceNumber the sequence number of the last record read in it, or {@link #SHARD_DONE}
     */
    public ChangeCheckpoint at(String shardId, String sequenceNumber) {
        Map<String, String> next = new TreeMap<>(shards);
        next.put(shardId, sequenceNumber);
        return new ChangeCheckpoint(stream, since, next);
    }

    /**
     * {@return the same checkpoint without a shard (one the stream no longer lists, after it was read to its end)}
     *
     * @param shardId the shard to forget
     */
    public ChangeCheckpoint without(String shardId) {
        Map<String, String> next = new TreeMap<>(shards);
        next.remove(shardId);
        return new ChangeCheckpoint(stream, since, next);
    }

    /**
     * {@return the checkpoint as text, {@code c1;<stream>;<since millis>;<shard>=<sequence>,...}: stable across
     * versions, for an offset store, and read back by {@link #decode}}
     */
    public String encode() {
        StringBuilder text = new StringBuilder(VERSION).append(';').append(stream == null ? "" : stream).append(';')
                .append(since == null ? "" : Long.toString(since.toEpochMilli())).append(';');
        String separator = "";
        for (Map.Entry<String, String> shard : shards.entrySet()) {
            text.append(separator).append(shard.getKey()).append('=').append(shard.getValue());
            separator = ",";
        }
        return text.toString();
    }

    /**
     * {@return the checkpoint {@link #encode()} gave as {@code text}: a reader started from it goes on exactly there}
     *
     * @param text what {@link #encode()} returned
     * @throws IllegalArgumentException when {@code text} is not an encoded checkpoint
     */
    public static ChangeCheckpoint decode(String text) {
        String[] parts = text.split(";", -1);
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            throw new IllegalArgumentException("Not a change checkpoint: '" + text + "'");
        }
        Map<String, String> shards = new TreeMap<>();
        if (!parts[3].isEmpty()) {
            for (String shard : parts[3].split(",")) {
                int equals = shard.lastIndexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("Not a change checkpoint: '" + text + "' (shard '" + shard + "')");
                }
                shards.put(shard.substring(0, equals), shard.substring(equals + 1));
            }
        }
        return new ChangeCheckpoint(parts[1].isEmpty() ? null : parts[1],
                parts[2].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(parts[2])), shards);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeCheckpoint c && Objects.equals(stream, c.stream) && Objects.equals(since, c.since)
                && shards.equals(c.shards);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, since, shards);
    }

    @Override
    public String toString() {
        return encode();
    }
}
