package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's side of the source's snapshot-end markers ({@link DynamoDbDownHeaders#SNAPSHOT_END}). The source sends
 * one to each of n partitions of the topic once every record of a snapshot is in it; a marker is reached when this
 * task has written every record before it in its partition. When the markers of all n partitions are reached, by
 * this task or others, every record of the snapshot is written, and the entries of the range the snapshot did not
 * write and that were written in an older generation are deleted from the copy: keys deleted in the source while it
 * could not be followed. Entries written without a generation (not by this pipeline) are kept.
 *
 * <p>Tasks agree through a database of the target table, {@code __dynamodbdown.snapshot-ends/<hashKey>}: a key per
 * partition reached, and one when the copy was cleared. Reaching a marker again (a redelivery) is harmless.
 */
final class SnapshotEnds {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEnds.class);
    /** The hash key prefix of the databases that record the markers reached. */
    static final String HASH_KEY_PREFIX = "__dynamodbdown.snapshot-ends/";
    private static final String CLEARED = "cleared";

    private final Function<String, Database> copies;
    private final Function<String, Database> records;

    /** {@code copies} opens a copy in the target table by its hash key, {@code records} one of the sink's own records. */
    SnapshotEnds(Function<String, Database> copies, Function<String, Database> records) {
        this.copies = copies;
        this.records = records;
    }

    /**
     * The marker of partition {@code partition} was reached: every record before it there is written. Clears the
     * copy once the markers of partitions 0 to {@code partitions - 1} are reached.
     */
    void reached(String hashKey, String rangeId, long generation, int partition, int partitions) {
        Database ends = records.apply(HASH_KEY_PREFIX + hashKey);
        String prefix = generation + "/" + rangeId + "/";
        if (ends.has(prefix + CLEARED)) {
            return;
        }
        ends.put(prefix + partition, "");
        long reached = ends.keys(KeyRange.all().gte(prefix + "0").lt(prefix + ":")).stream().count();
        if (reached < partitions) {
            LOG.debug("Snapshot end of {} {} in generation {}: {} of {} partitions reached", hashKey, rangeId, generation,
                    reached, partitions);
            return;
        }
        long deleted = copies.apply(hashKey).clearOlderGenerations(KeyRange.ofBoundsId(rangeId), generation);
        ends.put(prefix + CLEARED, Long.toString(deleted));
        ends.clear(KeyRange.all().gte(prefix + "0").lt(prefix + ":"));
        LOG.info("Snapshot of {} {} in generation {} is complete in the copy: deleted {} entries it did not hold",
                hashKey, rangeId, generation, deleted);
    }
}
