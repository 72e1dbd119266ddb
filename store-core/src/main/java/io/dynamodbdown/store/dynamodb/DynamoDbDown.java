package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.StreamScope;
import io.dynamodbdown.store.TableChangeReader;
import io.dynamodbdown.store.TableEntry;
import io.dynamodbdown.store.TableScan;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Opens databases. With {@link DynamoDbClients} (clients built from options) the only public class of the DynamoDB
 * implementation: everything else is reached through the API package ({@code io.dynamodbdown.store}). The client
 * stays the caller's: closing a database does not close it, and its retry strategy governs every request.
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

    /**
     * Opens {@code table$hash} (or {@code table}, hash key {@code !}) with the default options: creates the table
     * when it is missing and waits until it is ACTIVE.
     *
     * @param client the client every request goes through; the caller's, never closed by the database
     * @param location {@code table$hash}, e.g. {@code my-table$users}
     * @return the open database; close it when done
     * @throws IllegalArgumentException when the location is invalid
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table cannot be created or described, has an
     *     unknown layout, or does not become ACTIVE in time
     */
    public static Database open(DynamoDbClient client, String location) {
        return open(client, Location.parse(location), OpenOptions.defaults());
    }

    /**
     * Opens {@code table$hash} (or {@code table}, hash key {@code !}) with the given options.
     *
     * @param client the client every request goes through; the caller's, never closed by the database
     * @param location {@code table$hash}, e.g. {@code my-table$users}
     * @param options how to find or create the table and how to read and write, e.g.
     *     {@code OpenOptions.defaults().withPageSize(100)}
     * @return the open database; close it when done
     * @throws IllegalArgumentException when the location is invalid
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table is missing and may not be created, exists
     *     and {@code errorIfExists} is set, has another layout, or does not become ACTIVE in time
     */
    public static Database open(DynamoDbClient client, String location, OpenOptions options) {
        return open(client, Location.parse(location), options);
    }

    /**
     * Opens the database at {@code location}: finds the table (creating it when missing and allowed, enabling its
     * stream when asked), detects or checks its layout, and waits until it is ACTIVE.
     *
     * @param client the client every request goes through; the caller's, never closed by the database
     * @param location the table and hash key; a hash key starting with {@code __dynamodbdown.chunks/} is reserved
     * @param options how to find or create the table and how to read and write
     * @return the open database; close it when done
     * @throws IllegalArgumentException when the hash key is a reserved one
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table is missing and may not be created, exists
     *     and {@code errorIfExists} is set, has another layout, or does not become ACTIVE in time
     */
    public static Database open(DynamoDbClient client, Location location, OpenOptions options) {
        return DynamoDbDatabase.open(client, location, options);
    }

    /**
     * Segment {@code segment} of {@code segments} of a parallel Scan of a whole table: the entries of every database
     * the table holds whose items fall in that segment, each once, in DynamoDB's scan order (not key order).
     * Sharded databases' entries come out under their database's hash key, large values whole; the store's own
     * items (hash keys starting with {@link Location#RESERVED_PREFIX}: shard counts, chunks and their registries, the
     * adapters' records) are left out. Every item of the segment is read once (and billed), the chunks of large
     * values once more. The table is neither created nor changed; a database holding a large value is opened to
     * read it (which records its shard count if it has none yet). The client stays the caller's.
     *
     * @param client the client every request goes through; the caller's, not closed with the scan
     * @param table the table to scan
     * @param segment which segment, 0 to {@code segments - 1}
     * @param segments how many segments the table is split into, 1 to 1,000,000; each is scanned on its own,
     *     e.g. one per task
     * @param after the {@link TableEntry#position()} of an entry a scan of the same segment and split returned, to
     *     resume strictly after it; null to start at the segment's beginning
     * @param options {@code pageSize} (items per Scan page), {@code consistentRead} and {@code layout} (AUTO: the
     *     table's own) apply; a large value's database is opened with them
     * @return the scan, reading nothing yet; close it when done
     * @throws IllegalArgumentException when the table name, the segments or the position are invalid
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table does not exist or has another layout
     */
    public static TableScan scan(DynamoDbClient client, String table, int segment, int segments, String after,
            OpenOptions options) {
        return TableScanner.open(client, table, segment, segments, after, options);
    }

    /**
     * The databases of {@code table} holding entries written in a generation whose origin starts with
     * {@code originPrefix} and whose number is below {@code below} ({@link io.dynamodbdown.store.WriteOptions#generation()}),
     * each with those origins: found by one Scan of the whole table, which reads (and bills) every item, and sends
     * only those. A sharded database's entries name the database, the store's own items are left out, entries
     * without a generation or of other origins are not looked at. Give each database and origin found to
     * {@link Database#clearOlderGenerations} to delete them. The table is neither created nor changed.
     *
     * @param client the client every request goes through; the caller's
     * @param table the table to scan
     * @param originPrefix how the origins start, e.g. {@code source-table$} for every database of a source table; not
     *     empty
     * @param below entries of a lower generation number are found
     * @param options {@code pageSize} (items per Scan page), {@code consistentRead} and {@code layout} (AUTO: the
     *     table's own) apply
     * @return each database's hash key with the origins of its older entries, both sorted; empty when none holds any
     * @throws IllegalArgumentException when the table name is invalid or the prefix empty
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table does not exist or a Scan fails
     */
    public static Map<String, Set<String>> olderGenerations(DynamoDbClient client, String table, String originPrefix,
            long below, OpenOptions options) {
        return OlderGenerations.find(client, table, originPrefix, below, options);
    }

    /**
     * A reader of the changes of {@code db} (a database this class opened) within {@code range}, from its table's
     * change stream, starting after {@code from}: {@link ChangeCheckpoint#since} for a reader that follows a snapshot,
     * or a checkpoint a previous reader reached. The table needs a NEW_IMAGE or NEW_AND_OLD_IMAGES stream (see
     * {@link OpenOptions#withStream}). The streams client stays the caller's.
     *
     * @param streams the DynamoDB Streams client the reader uses; the caller's, not closed with the reader
     * @param db the database whose changes to read; other hash keys of its table are left out
     * @param range the keys whose changes to read, e.g. {@code KeyRange.all()}; direction and limit do not matter
     * @param from where to start: {@link ChangeCheckpoint#fromNow()}, {@link ChangeCheckpoint#since}, or a
     *     checkpoint a previous reader reached
     * @return a reader to poll, not thread-safe; close it when done
     * @throws IllegalArgumentException when {@code db} was not opened by this class
     */
    public static ChangeReader changes(DynamoDbStreamsClient streams, Database db, KeyRange range, ChangeCheckpoint from) {
        if (!(db instanceof DynamoDbDatabase database)) {
            throw new IllegalArgumentException("Changes are read from databases DynamoDbDown opened, not " + db.getClass().getName());
        }
        return database.changes(streams, range, from);
    }

    /**
     * A reader of the changes of every database of {@code table} that {@code scope} names, from the table's change
     * stream: each stream record is read once however many databases are followed, and comes out as a change of its
     * database (a sharded database's under its own hash key, large values whole, the store's own items left out).
     * Shards are read in parallel, within the few GetRecords calls a second a shard serves, a child only after its
     * parent; several readers with disjoint {@link StreamScope#lineages()} share one stream out between them. The
     * table needs a NEW_IMAGE or NEW_AND_OLD_IMAGES stream and is neither created nor changed. The clients stay the
     * caller's.
     *
     * @param streams the DynamoDB Streams client the reader uses
     * @param client the DynamoDB client for the table's description and large values' chunks
     * @param table the table whose stream to read
     * @param scope which databases and lineages, from where
     * @param options {@code layout} (AUTO: the table's own), {@code consistentRead}, the retry policy and the
     *     throttle listener apply
     * @return a reader to poll from one thread; close it when done
     * @throws io.dynamodbdown.store.DynamoDbDownException when the table does not exist or has no such stream
     * @throws io.dynamodbdown.store.ChangesLostException when {@code scope} is in another stream of the table
     */
    public static TableChangeReader tableChanges(DynamoDbStreamsClient streams, DynamoDbClient client, String table,
            StreamScope scope, OpenOptions options) {
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(scope, "scope");
        new Location(table, Location.DEFAULT_HASH_KEY); // checks the table name
        TableManager tables = new TableManager(client);
        TableLayout layout = tables.existingLayout(table, options.layout(), "there is no change stream to read");
        TableDescription description = tables.describeTable(table);
        TableDatabases databases = new TableDatabases(client, table, options, layout);
        return new TableStreamReader(streams, description, layout, scope, databases::valueOf, options, List.of(),
                databases::close);
    }
}
