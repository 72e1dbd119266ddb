package io.dynamodbdown.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One change a {@link TableChangeReader} read from a table's change stream: a put of {@code value} into
 * {@code database}, or a delete ({@code value} null), and where it stands in the stream.
 *
 * @param database the database (hash key) changed: a sharded database's change comes out as its own
 * @param key the entry's key
 * @param value the new value, whole (large values read from their chunks), or null when the key was deleted
 * @param at when DynamoDB recorded the change (rounded down: to the second by DynamoDB, the minute by DynamoDB Local)
 * @param shard the stream shard the change was read from
 * @param lineage the shard's lineage (see {@link ShardPosition#lineage()}): the shard a reader assigns it by
 * @param sequenceNumber its sequence number in the shard: a reader resumed there goes on right after it
 */
public record StreamChange(String database, byte[] key, byte[] value, Instant at, String shard, String lineage,
        String sequenceNumber) {

    /**
     * Checks that everything but the value is given.
     *
     * @param database the database
     * @param key the key
     * @param value the new value, or null for a delete
     * @param at when DynamoDB recorded the change
     * @param shard the stream shard
     * @param lineage the shard's lineage
     * @param sequenceNumber the record's sequence number
     * @throws NullPointerException when any but {@code value} is null
     */
    public StreamChange {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
    }

    /** {@return where its shard stands right after it: resuming there reads on after this change} */
    public ShardPosition position() {
        return new ShardPosition(lineage, sequenceNumber, false);
    }

    /** {@return whether the change deleted the key ({@code value} is null)} */
    public boolean isDelete() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamChange c && database.equals(c.database) && Arrays.equals(key, c.key)
                && Arrays.equals(value, c.value) && at.equals(c.at) && shard.equals(c.shard)
                && lineage.equals(c.lineage) && sequenceNumber.equals(c.sequenceNumber);
    }

    @Override
    public int hashCode() {
        return Objects.hash(database, Arrays.hashCode(key), Arrays.hashCode(value), at, shard, lineage, sequenceNumber);
    }

    @Override
    public String toString() {
        return (isDelete() ? "delete " : "put ") + database + "/" + Bytes.describe(key) + " at " + at + " (" + shard + "@"
                + sequenceNumber + ")";
    }
}
