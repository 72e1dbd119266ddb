package io.dynamodbdown.store;

import java.util.Iterator;

/**
 * One segment of a parallel Scan of a whole table ({@code DynamoDbDown.scan}): every database's entries in that
 * segment, in DynamoDB's scan order (not key order), each once; the store's own items (hash keys starting with
 * {@link Location#RESERVED_PREFIX}) are left out, but for the shards of sharded databases, whose entries come out
 * as their database's. Pages are read as the caller goes, the next one while the caller reads this one.
 *
 * <p>A page that fails to read fails {@code hasNext} (or {@code next}) with a {@link DynamoDbDownException};
 * calling {@code hasNext} again reads the same page again: nothing skipped, nothing repeated. Not thread-safe,
 * but for {@link #close}, which another thread may call to stop the reader: its next call fails as closed.
 */
public interface TableScan extends Iterator<TableEntry>, AutoCloseable {

    /**
     * Releases what the scan holds: the page being read ahead, and the databases it opened to read large values.
     * Idempotent; a closed scan fails every call but this one with {@link DatabaseClosedException}.
     */
    @Override
    void close();
}
