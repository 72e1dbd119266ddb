package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's side of the source's snapshot-end markers ({@link DynamoDbDownHeaders#SNAPSHOT_END}). The source sends
 * one to each of n partitions once every record of a snapshot is in it; a marker is reached when this task has
 * written every record before it in its partition. When the markers of all n partitions are reached, by this task or
 * others, every record of the snapshot is written, and the copy's entries of the range that the same origin (the
 * source database) wrote in an older generation are deleted: what the snapshot did not send, keys deleted in the
 * source while it could not be followed. A whole table's snapshot ({@code hash.key=*}) clears every database of the
 * target table holding older entries of any database of the source table: a database the source no longer holds
 * appears in no snapshot, so one Scan of the target table finds them. Entries of other origins, or written without a
 * generation, are kept.
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
    /** How a whole table's origin ends: {@code table$*}. */
    private static final String ALL_DATABASES_ORIGIN = "$" + DynamoDbDownHeaders.ALL_DATABASES;

    private final Function<String, Database> copies;
    private final Function<String, Database> records;
    private final BiFunction<String, Long, Map<String, Set<String>>> olderGenerations;

    /**
     * @param copies opens a copy in the target table by its hash key
     * @param records opens a database of the sink's own records
     * @param olderGenerations the databases of the target table holding entries of origins starting with a prefix in
     *     a generation below a number, with those origins ({@code DynamoDbDown.olderGenerations})
     */
    SnapshotEnds(Function<String, Database> copies, Function<String, Database> records,
            BiFunction<String, Long, Map<String, Set<String>>> olderGenerations) {
        this.copies = copies;
        this.records = records;
        this.olderGenerations = olderGenerations;
    }

    /**
     * The marker of partition {@code partition} was reached: every record before it there is written. Clears the
     * copy once the markers of partitions 0 to {@code partitions - 1} are reached.
     */
    void reached(String hashKey, String rangeId, Generation generation, int partition, int partitions) {
        if (!allReached(hashKey, rangeId, generation, Integer.toString(partition), partitions)) {
            return;
        }
        long deleted = copies.apply(hashKey).clearOlderGenerations(KeyRange.ofBoundsId(rangeId), generation);
        LOG.info("Snapshot of {} {} in generation {} is complete in the copy: deleted {} entries it did not hold",
                hashKey, rangeId, generation, deleted);
    }

    /**
     * The marker of a whole table's snapshot ({@code generation}'s origin {@code table$*}) was reached at {@code place}
     * (its topic and partition): every record before it there is written. Once {@code markers} places are reached,
     * clears every database of the target table of the entries of {@code rangeId} that a database of that source table
     * wrote in an older generation.
     *
     * @throws IllegalArgumentException when the generation names no source table
     */
    void reachedTable(String rangeId, Generation generation, String place, int markers) {
        if (!generation.origin().endsWith(ALL_DATABASES_ORIGIN) || generation.origin().equals(ALL_DATABASES_ORIGIN)) {
            throw new IllegalArgumentException("a whole table's marker names its source table (header "
                    + DynamoDbDownHeaders.TABLE + "), got origin " + generation.origin());
        }
        if (!allReached(DynamoDbDownHeaders.ALL_DATABASES, rangeId, generation, place, markers)) {
            return;
        }
        String prefix = generation.origin().substring(0, generation.origin().length() - 1);
        Map<String, Set<String>> older = olderGenerations.apply(prefix, generation.number());
        long deleted = 0;
        for (Map.Entry<String, Set<String>> database : older.entrySet()) {
            for (String origin : database.getValue()) {
                deleted += copies.apply(database.getKey()).clearOlderGenerations(KeyRange.ofBoundsId(rangeId),
                        new Generation(origin, generation.number()));
            }
        }
        LOG.info("Snapshot of every database of {} in generation {} is complete in the copy: deleted {} entries it did"
                + " not hold, from {} databases", prefix, generation.number(), deleted, older.size());
    }

    /** Records {@code place} as reached; whether all {@code count} places of the snapshot are. */
    private boolean allReached(String hashKey, String rangeId, Generation generation, String place, int count) {
        Database ends = records.apply(HASH_KEY_PREFIX + hashKey);
        String prefix = generation.origin() + "/" + generation.number() + "/" + rangeId + "/";
        ends.put(prefix + place, "");
        // the keys under the prefix: it ends with '/', and '0' is the character after it
        long reached = ends.keys(KeyRange.all().gte(prefix).lt(prefix.substring(0, prefix.length() - 1) + "0")).stream().count();
        if (reached < count) {
            LOG.debug("Snapshot end of {} {} in generation {}: {} of {} partitions reached", hashKey, rangeId, generation,
                    reached, count);
            return false;
        }
        return true;
    }
}
