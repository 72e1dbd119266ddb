package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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
}
