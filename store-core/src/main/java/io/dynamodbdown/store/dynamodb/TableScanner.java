package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.TableEntry;
import io.dynamodbdown.store.TableScan;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * One segment of a parallel Scan of a whole table, as its databases' entries. Pages are read as
 * {@link QueryIterator} reads them: while the caller reads one, the next is fetched on a thread of the scan's own,
 * so memory holds two pages at most. A filter leaves out the store's own items on DynamoDB's side: it still reads
 * (and bills) them, but sends none, so the chunks of large values never travel twice; an entry that refers to a
 * large value is read whole through its database, opened the first time one of its large values is met.
 *
 * <p>A position is the primary key of the item an entry came from, with the split it was read in:
 * {@code <segment>/<segments>/<hash key>/<sort key>}, both keys base64url. A Scan resumes strictly after any
 * primary key of its segment (its ExclusiveStartKey), so a position resumes after its entry even in the middle
 * of a page; DynamoDB refuses a key of another segment, which the split in the position catches first.
 */
final class TableScanner implements TableScan {

    /** DynamoDB's limit for TotalSegments. */
    static final int MAX_SEGMENTS = 1_000_000;

    /** Users' hash keys, and shards of databases (not the shard counts' hash key). */
    private static final String FILTER = "NOT begins_with(" + TableLayout.HASH + ", :reserved) OR (begins_with("
            + TableLayout.HASH + ", :shard) AND " + TableLayout.HASH + " <> :count)";
    private static final Map<String, AttributeValue> FILTER_VALUES = Map.of(
            ":reserved", AttributeValue.fromS(Location.RESERVED_PREFIX),
            ":shard", AttributeValue.fromS(Shards.PREFIX),
            ":count", AttributeValue.fromS(Shards.COUNT_HASH_KEY));
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final DynamoDbClient client;
    private final String table;
    private final int segment;
    private final int segments;
    private final OpenOptions options;
    private final TableLayout layout;
    /** The databases opened to read large values. */
    private final TableDatabases databases;
    /** Where the next page is fetched ahead; made when the first page has a next one. */
    private ExecutorService pool;

    private List<Map<String, AttributeValue>> page = List.of();
    private int index;
    /** The ExclusiveStartKey of the next page; null for the segment's start, or once the last page was read. */
    private Map<String, AttributeValue> startKey;
    private boolean lastPage;
    /** The next entry, read already (hasNext reads it: a large value deleted meanwhile is skipped). */
    private TableEntry prepared;
    /** The next page, asked for already; null when none is on its way. */
    private Future<ScanResponse> ahead;
    /** Set by close, which may come from another thread (a task stopped while its poll reads). */
    private volatile boolean closed;

    private TableScanner(DynamoDbClient client, String table, int segment, int segments, OpenOptions options,
            TableLayout layout, Map<String, AttributeValue> startKey) {
        this.client = client;
        this.table = table;
        this.segment = segment;
        this.segments = segments;
        this.options = options;
        this.layout = layout;
        this.startKey = startKey;
        this.databases = new TableDatabases(client, table, options, layout);
    }

    /** Checks the arguments, detects the table's layout (never creating or changing it) and reads nothing yet. */
    static TableScanner open(DynamoDbClient client, String table, int segment, int segments, String after, OpenOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(options, "options");
        new Location(table, Location.DEFAULT_HASH_KEY); // checks the table name
        if (segments < 1 || segments > MAX_SEGMENTS) {
            throw new IllegalArgumentException("Invalid number of segments for a scan of table '" + table + "': " + segments
                    + "; DynamoDB splits a table into 1 to " + MAX_SEGMENTS + " segments (TotalSegments)");
        }
        if (segment < 0 || segment >= segments) {
            throw new IllegalArgumentException("Invalid segment " + segment + " for a scan of table '" + table + "' in "
                    + segments + " segments: segments are numbered 0 to " + (segments - 1));
        }
        Position position = after == null ? null : Position.parse(after, table, segment, segments);
        TableLayout layout = new TableManager(client).existingLayout(table, options.layout(),
                "there is nothing to scan (a scan never creates a table)");
        Map<String, AttributeValue> startKey = null;
        if (position != null) {
            try {
                startKey = layout.itemKey(position.hashKey(), position.key());
            } catch (InvalidEntryException e) {
                throw Position.invalid(after, table, segment, segments, "its key does not fit the table's " + layout.layout()
                        + " layout");
            }
        }
        return new TableScanner(client, table, segment, segments, options, layout, startKey);
    }

    @Override
    public boolean hasNext() {
        ensureOpen();
        try {
            return prepareNext();
        } catch (RuntimeException e) {
            ensureOpen(); // closed by another thread meanwhile: that is what failed
            throw e;
        }
    }

    private boolean prepareNext() {
        while (prepared == null) {
            while (index >= page.size()) {
                if (lastPage) {
                    return false;
                }
                fetchPage();
            }
            // read before it counts as read: a large value whose read fails is read again, not skipped
            prepared = entryOf(page.get(index));
            index++;
        }
        return true;
    }

    @Override
    public TableEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("No more entries in " + describe());
        }
        TableEntry next = prepared;
        prepared = null;
        return next;
    }

    /** Leaves the reader's fields to the reader (it may be in a call now): its next call fails as closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pool != null) {
            pool.shutdown(); // a page on its way completes and is dropped
        }
        databases.close();
    }

    /**
     * The database a hash key's items belong to: the hash key itself, or the database a shard belongs to; null
     * for the store's own items (shard counts, chunks and their registries, the adapters' records).
     */
    static String databaseOf(String hashKey) {
        String shardOf = Shards.databaseOfShard(hashKey);
        String database = shardOf == null ? hashKey : shardOf;
        return database.startsWith(Location.RESERVED_PREFIX) ? null : database;
    }

    private void fetchPage() {
        ScanResponse response;
        if (ahead == null) {
            ScanRequest request = request();
            response = Failures.call("scan " + describe(), () -> client.scan(request));
        } else {
            Future<ScanResponse> fetched = ahead;
            ahead = null; // failed or not, it is spent: a retry sends the same request again
            response = Parallel.await(fetched, "scan " + describe());
        }
        page = response.items();
        index = 0;
        startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        lastPage = startKey == null;
        if (!lastPage) {
            ScanRequest request = request();
            ahead = pool().submit(() -> Failures.call("scan " + describe(), () -> client.scan(request)));
        }
    }

    private ScanRequest request() {
        Map<String, String> names = new HashMap<>(layout.keyExpressionNames());
        names.put(TableLayout.VALUE, layout.valueAttribute());
        names.putAll(LargeValues.referenceNames());
        ScanRequest.Builder request = ScanRequest.builder()
                .tableName(table)
                .segment(segment)
                .totalSegments(segments)
                .filterExpression(FILTER)
                .projectionExpression(String.join(", ", TableLayout.HASH, TableLayout.RANGE, TableLayout.VALUE,
                        LargeValues.REFERENCE_PROJECTION))
                .expressionAttributeNames(names)
                .expressionAttributeValues(FILTER_VALUES)
                .consistentRead(options.consistentRead())
                .exclusiveStartKey(startKey);
        if (options.pageSize() > 0) {
            request.limit(options.pageSize());
        }
        return request.build();
    }

    /** The entry an item holds, or null for an item of the store's own or a large value deleted since the page was read. */
    private TableEntry entryOf(Map<String, AttributeValue> item) {
        String hashKey = item.get(layout.hashAttribute()).s();
        String database = databaseOf(hashKey);
        if (database == null) {
            return null;
        }
        byte[] key = layout.keyOf(item);
        byte[] value = LargeValues.referenceOf(item) == null ? layout.valueOf(item) : entries(database).get(key);
        return value == null ? null : new TableEntry(database, key, value, position(hashKey, key));
    }

    /** The database's reader, opened the first time a large value of it is met: it reads the value's chunks. */
    private EntryReader entries(String hashKey) {
        ensureOpen();
        return databases.entries(hashKey);
    }

    private String position(String hashKey, byte[] key) {
        return segment + "/" + segments + "/" + BASE64.encodeToString(Bytes.utf8(hashKey)) + "/" + BASE64.encodeToString(key);
    }

    /** The primary key of the item a position names. */
    private record Position(String hashKey, byte[] key) {

        /** The position's primary key, if it is a position of this split; fails for anything else. */
        static Position parse(String position, String table, int segment, int segments) {
            String[] parts = position.split("/", -1);
            if (parts.length != 4 || parts[2].isEmpty() || parts[3].isEmpty()) {
                throw invalid(position, table, segment, segments, "it is not one");
            }
            if (!parts[0].equals(Integer.toString(segment)) || !parts[1].equals(Integer.toString(segments))) {
                throw invalid(position, table, segment, segments, "it is a position of segment " + parts[0] + " of "
                        + parts[1] + ", and a position resumes only the segment of the split it came from");
            }
            try {
                return new Position(new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8),
                        Base64.getUrlDecoder().decode(parts[3]));
            } catch (IllegalArgumentException e) {
                throw invalid(position, table, segment, segments, "it is not one");
            }
        }

        static IllegalArgumentException invalid(String position, String table, int segment, int segments, String why) {
            return new IllegalArgumentException("Invalid position '" + position + "' to resume segment " + segment + " of "
                    + segments + " of table '" + table + "' after: " + why + " (give the position of an entry that scan"
                    + " returned, TableEntry.position(), or null to start at the segment's beginning)");
        }
    }

    private synchronized ExecutorService pool() {
        ensureOpen();
        if (pool == null) {
            pool = Executors.newSingleThreadExecutor(Parallel.daemonThreads(table));
        }
        return pool;
    }

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("This scan of " + describe() + " is closed");
        }
    }

    private String describe() {
        return "segment " + segment + " of " + segments + " of table '" + table + "'";
    }
}
