package io.dynamodbdown.store;

/**
 * Where a {@link TableChangeReader} stands in one shard of a table's change stream: the shard's lineage (the
 * oldest shard its chain of parents started from when it was first read: a reader reads whole lineages, so each
 * key's changes stay in order), and the sequence number of the last record read, or that the shard is read to its
 * end. Store it per shard to resume there.
 *
 * @param lineage the shard's lineage: the id of the shard it descends from that had no known parent
 * @param sequenceNumber the last record read, or null when none was (read the shard from its start)
 * @param done whether the shard is closed and every record of it was read
 */
public record ShardPosition(String lineage, String sequenceNumber, boolean done) {

    /**
     * Checks that the lineage is given.
     *
     * @param lineage the shard's lineage
     * @param sequenceNumber the last record read, or null
     * @param done whether the shard is read to its end
     * @throws NullPointerException when {@code lineage} is null
     */
    public ShardPosition {
        java.util.Objects.requireNonNull(lineage, "lineage");
    }
}
