package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The databases of one table a whole-table reader meets, opened the first time one of them is needed (to read a
 * large value's chunks) and closed together. An opening never creates or changes the table, and takes the shard
 * count the database recorded.
 */
final class TableDatabases implements AutoCloseable {

    private final DynamoDbClient client;
    private final String table;
    private final OpenOptions options;
    private final Map<String, DynamoDbDatabase> open = new HashMap<>();
    private boolean closed;

    TableDatabases(DynamoDbClient client, String table, OpenOptions options, TableLayout layout) {
        this.client = client;
        this.table = table;
        this.options = options.withCreateIfMissing(false).withErrorIfExists(false).withStream(null, false).withShards(0)
                .withLayout(layout.layout());
    }

    /** The database of {@code hashKey}, opened now if it was not yet. */
    synchronized DynamoDbDatabase get(String hashKey) {
        if (closed) {
            throw new io.dynamodbdown.store.DatabaseClosedException("The readers of table '" + table + "' are closed");
        }
        return open.computeIfAbsent(hashKey, h -> DynamoDbDatabase.open(client, new Location(table, h), options));
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.values().forEach(DynamoDbDatabase::close);
        open.clear();
    }
}
