package io.dynamodbdown.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One change of a database, from its table's change stream: a put of {@code value}, or a delete ({@code value}
 * null). {@code checkpoint} is where a reader stands right after it: resume from there and the next change
 * read is the one after this one.
 *
 * @param key the entry's key
 * @param value the new value, or null when the key was deleted
 * @param at when DynamoDB recorded the change (approximately, to the second)
 * @param checkpoint the reader's position after this change
 */
public record Change(byte[] key, byte[] value, Instant at, ChangeCheckpoint checkpoint) {

    /**
     * Checks that {@code key}, {@code at} and {@code checkpoint} are given.
     *
     * @param key the entry's key; not null
     * @param value the new value, or null for a delete
     * @param at when DynamoDB recorded the change; not null
     * @param checkpoint the reader's position after this change; not null
     * @throws NullPointerException when one of them is null
     */
    public Change {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(checkpoint, "checkpoint");
    }

    /** {@return whether the change deleted the key ({@code value} is null)} */
    public boolean isDelete() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Change c && Arrays.equals(key, c.key) && Arrays.equals(value, c.value) && at.equals(c.at)
                && checkpoint.equals(c.checkpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), at, checkpoint);
    }

    @Override
    public String toString() {
        return (isDelete() ? "delete " : "put ") + Bytes.describe(key) + (isDelete() ? "" : "=" + Bytes.describe(value))
                + " at " + at;
    }
}
