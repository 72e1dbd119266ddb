package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's side of the source's snapshot-end markers ({@link DynamoDbDownHeaders#SNAPSHOT_END}). The source sends
 * one to each of n partitions of the topic once every record of a snapshot is in it; a marker is reached when this
 * task has written every record before it in its partition. When the markers of all n partitions are reached, by
 * this task or others, every record of the snapshot is written, and the copy's entries of the range that the same
 * origin (the source database) wrote in an older generation are deleted: what the snapshot did not send, keys
 * deleted in the source while it could not be followed. Entries of other origins, or written without a generation,
 * are kept.
 *
 * <p>Tasks agree through a database of the target table, {@code __dynamodbdown.snapshot-ends/<hashKey>}: a key per
 * partition reached. A marker reached again once all are (records given to the sink again after a failed write, or
 * after a restart before their offsets were committed) clears again: a record of the older generation written again
 * before it is deleted again, and clearing twice deletes nothing more.
 */
final class SnapshotEnds {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEnds.class);
    /** The hash key prefix of the databases that record the markers reached. */
    static final String HASH_KEY_PREFIX = Location.RESERVED_PREFIX + "snapshot-ends/";

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
    void reached(String hashKey, String rangeId, Generation generation, int partition, int partitions) {
        Database ends = records.apply(HASH_KEY_PREFIX + hashKey);
        String prefix = generation.origin() + "/" + generation.number() + "/" + rangeId + "/";
        ends.put(prefix + partition, "");
        long reached = ends.keys(KeyRange.all().gte(prefix + "0").lt(prefix + ":")).stream().count();
        if (reached < partitions) {
            LOG.debug("Snapshot end of {} {} in generation {}: {} of {} partitions reached", hashKey, rangeId, generation,
                    reached, partitions);
            return;
        }
        long deleted = copies.apply(hashKey).clearOlderGenerations(KeyRange.ofBoundsId(rangeId), generation);
        LOG.info("Snapshot of {} {} in generation {} is complete in the copy: deleted {} entries it did not hold",
                hashKey, rangeId, generation, deleted);
    }
}
