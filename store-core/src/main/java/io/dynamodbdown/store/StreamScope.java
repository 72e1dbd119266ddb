package io.dynamodbdown.store;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a {@link TableChangeReader} reads of a table's change stream, and from where: the changes of the databases
 * {@code databases} accepts, in the shards of the lineages {@code lineages} accepts (several readers of one stream
 * share its lineages out, each key's changes staying in one), each shard from its stored position, and shards it
 * has no position for from their oldest record, skipping changes recorded before {@code since} (counted in whole
 * minutes: the stream rounds its times down).
 *
 * @param databases which databases' changes to read (a sharded database by its own hash key)
 * @param lineages which lineages to read (a lineage is the id of the shard its chain started from)
 * @param stored the position stored for a shard, by shard id, or null for none
 * @param since changes recorded before this are skipped in shards read from their start; null skips none
 * @param stream the ARN of the stream the stored positions are in, or null for none: a table whose stream is another
 *     one now (turned off and on again) cannot go on from them
 */
public record StreamScope(Predicate<String> databases, Predicate<String> lineages, Function<String, ShardPosition> stored,
        Instant since, String stream) {

    /**
     * Checks the arguments.
     *
     * @param databases which databases' changes to read
     * @param lineages which lineages to read
     * @param stored the stored positions by shard id
     * @param since changes before this are skipped; null for none
     * @param stream the ARN of the stream the stored positions are in, or null
     * @throws NullPointerException when a predicate or {@code stored} is null
     */
    public StreamScope {
        Objects.requireNonNull(databases, "databases");
        Objects.requireNonNull(lineages, "lineages");
        Objects.requireNonNull(stored, "stored");
    }

    /**
     * {@return every lineage of the stream, with no position stored: for a reader that follows a whole table alone}
     *
     * @param databases which databases' changes to read
     * @param since changes before this are skipped; null for none
     */
    public static StreamScope all(Predicate<String> databases, Instant since) {
        return new StreamScope(databases, lineage -> true, shard -> null, since, null);
    }
}
