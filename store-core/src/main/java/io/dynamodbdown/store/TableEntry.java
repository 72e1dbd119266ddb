package io.dynamodbdown.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a whole-table scan ({@link TableScan}): the database it belongs to, its key and whole value, and
 * where the scan stands after it. The arrays are handed over, not copied: treat them as read-only. Equality
 * compares contents.
 *
 * @param database the database's hash key: a sharded database's entries name the database, not their shard
 * @param key the entry's key
 * @param value the entry's whole value (a large value read from its chunks)
 * @param position where the scan stands right after this entry, as plain text: give it to a new scan of the same
 *     segment to resume strictly after this entry. Opaque; the same entry in the same split gives the same text
 */
public record TableEntry(String database, byte[] key, byte[] value, String position) {

    /**
     * Makes an entry from the arrays, without copying them.
     *
     * @param database the database's hash key; not null
     * @param key the key; not null
     * @param value the whole value; not null
     * @param position where the scan stands after this entry; not null
     * @throws NullPointerException when one of them is null
     */
    public TableEntry {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(position, "position");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableEntry other && database.equals(other.database) && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value) && position.equals(other.position);
    }

    @Override
    public int hashCode() {
        return Objects.hash(database, Arrays.hashCode(key), Arrays.hashCode(value), position);
    }

    @Override
    public String toString() {
        return database + ": " + Bytes.describe(key) + "=" + Bytes.describe(value) + " at " + position;
    }
}
