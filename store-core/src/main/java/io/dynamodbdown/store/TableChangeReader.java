package io.dynamodbdown.store;

import java.util.List;
import java.util.Map;

/**
 * Reads a table's change stream once for many databases: every record is read once, whatever the number of
 * databases it serves, and comes out as a change of its database (a shard's as its sharded database's; the store's
 * own items left out). The shards in scope are read in parallel, a child only once its parent is read to its end,
 * so each key's changes come in order; each shard at most 5 times a second, as DynamoDB Streams allows. Not
 * thread-safe; close it when done.
 */
public interface TableChangeReader extends AutoCloseable {

    /**
     * Reads on: up to {@code max} changes of the shards in scope, each shard's in order.
     *
     * @param max the most changes to return
     * @return changes after those returned before; possibly none (poll again)
     * @throws ChangesLostException when the stream no longer holds what comes after a stored position: only a new
     *     snapshot catches up
     */
    List<StreamChange> poll(int max);

    /**
     * {@return whether more changes are there to read now: a shard's last read was a full page, or changes read are
     * waiting to be returned; a caller need not wait before polling again}
     */
    boolean more();

    /**
     * {@return where the reader stands in each shard it read or found, after the changes returned (and the records
     * of other databases it passed over): store these to resume there}
     */
    Map<String, ShardPosition> positions();

    /**
     * {@return the lineage of every shard the reader listed so far, in its scope or not, by shard id. Readers that
     * share a stream out by lineage must agree on them: a shard whose parent one reader still listed and another
     * no longer did (the stream forgets a shard 24 hours after it closed) would otherwise be given to two lineages.
     * Store them as positions without a sequence number ({@code new ShardPosition(lineage, null, false)}) before
     * the readers begin, and every reader takes them from there}
     */
    Map<String, String> lineages();

    /** {@return the ARN of the stream read} */
    String streamArn();

    @Override
    void close();
}
