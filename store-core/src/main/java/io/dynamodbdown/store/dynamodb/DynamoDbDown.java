package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Opens databases: the one public class of the DynamoDB implementation, everything else is reached through
 * the API package ({@code io.dynamodbdown.store}). The client stays the caller's: closing a database does not
 * close it, and its retry strategy governs every request (see {@code ClientSettings} for one built from
 * options).
 *
 * <pre>{@code
 * try (Database db = DynamoDbDown.open(client, "my-table$users")) {
 *     db.put("alice", "1");
 *     try (Stream<Entry> entries = db.stream(KeyRange.all().gte("a").lt("b"))) { ... }
 * }
 * }</pre>
 */
public final class DynamoDbDown {

    private DynamoDbDown() {
    }

    /** Opens {@code table$hash} (or {@code table}, hash key {@code !}) with the default options. */
    public static Database open(DynamoDbClient client, String location) {
        return open(client, Location.parse(location), OpenOptions.defaults());
    }

    public static Database open(DynamoDbClient client, String location, OpenOptions options) {
        return open(client, Location.parse(location), options);
    }

    public static Database open(DynamoDbClient client, Location location, OpenOptions options) {
        return DynamoDbDatabase.open(client, location, options);
    }

    /**
     * A reader of the changes of {@code db} (a database this class opened) within {@code range}, from its table's
     * change stream, starting after {@code from}: {@link ChangeCheckpoint#since} for a reader that follows a snapshot,
     * or a checkpoint a previous reader reached. The table needs a NEW_IMAGE or NEW_AND_OLD_IMAGES stream (see
     * {@link OpenOptions#withStream}). The streams client stays the caller's.
     */
    public static ChangeReader changes(DynamoDbStreamsClient streams, Database db, KeyRange range, ChangeCheckpoint from) {
        if (!(db instanceof DynamoDbDatabase database)) {
            throw new IllegalArgumentException("Changes are read from databases DynamoDbDown opened, not " + db.getClass().getName());
        }
        return new StreamChangeReader(streams, database, range, from);
    }
}
