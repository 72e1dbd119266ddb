package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The databases of one table a whole-table reader meets, opened the first time one of them is needed (to read a
 * large value's chunks) and closed together: of each only its {@link TableContext} and the {@link EntryReader} that
 * reads its values. An opening never creates or changes the table, and takes the shard count the database recorded.
 */
final class TableDatabases implements AutoCloseable {

    private final DynamoDbClient client;
    private final String table;
    private final OpenOptions options;
    private final TableLayout layout;
    private final Map<String, EntryReader> readers = new HashMap<>();
    private final List<TableContext> opened = new ArrayList<>();
    private boolean closed;

    TableDatabases(DynamoDbClient client, String table, OpenOptions options, TableLayout layout) {
        this.client = client;
        this.table = table;
        this.layout = layout;
        this.options = options.withCreateIfMissing(false).withErrorIfExists(false).withStream(null, false).withShards(0)
                .withLayout(layout.layout());
    }

    /** The reader of the values of the database of {@code hashKey}, opened now if it was not yet. */
    synchronized EntryReader entries(String hashKey) {
        if (closed) {
            throw new DatabaseClosedException("The readers of table '" + table + "' are closed");
        }
        return readers.computeIfAbsent(hashKey, h -> {
            TableContext database = TableContext.open(client, new Location(table, h), options);
            opened.add(database);
            return new EntryReader(database, new LargeValues(database, new BatchWriter(database), new BatchGetter(database)));
        });
    }

    /**
     * The value an item of {@code hashKey}'s database holds: its value attribute, or the chunks its reference names
     * (the database opened only then); null when those chunks are gone.
     */
    byte[] valueOf(String hashKey, Map<String, AttributeValue> item) {
        return LargeValues.referenceOf(item) == null ? layout.valueOf(item) : entries(hashKey).valueOf(item);
    }

    @Override
    public synchronized void close() {
        closed = true;
        opened.forEach(TableContext::close);
        opened.clear();
        readers.clear();
    }
}
