package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Finds, with one Scan of a whole table, the databases holding entries written in a generation of some origins below
 * a number: what a writer that rewrote everything those origins hold must delete, in databases it no longer writes
 * too. A filter on DynamoDB's side sends only such items, their hash key and origin; shards come out as their
 * database, the store's own items (chunks, registries) not at all.
 */
final class OlderGenerations {

    private static final String FILTER = "begins_with(" + TableLayout.GENERATION_ORIGIN + ", :prefix) AND "
            + TableLayout.GENERATION + " < :number";

    private OlderGenerations() {
    }

    /** See {@link DynamoDbDown#olderGenerations}. */
    static Map<String, Set<String>> find(DynamoDbClient client, String table, String originPrefix, long below,
            OpenOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(originPrefix, "originPrefix");
        Objects.requireNonNull(options, "options");
        new Location(table, Location.DEFAULT_HASH_KEY); // checks the table name
        if (originPrefix.isEmpty()) {
            throw new IllegalArgumentException("An origin prefix is not empty: an empty one would name every writer's"
                    + " entries of table '" + table + "'");
        }
        TableLayout layout = new TableManager(client).existingLayout(table, options.layout(),
                "there are no generations to look for");
        Map<String, String> names = new HashMap<>();
        names.put(TableLayout.HASH, layout.hashAttribute());
        names.put(TableLayout.GENERATION, TableLayout.GENERATION_ATTRIBUTE);
        names.put(TableLayout.GENERATION_ORIGIN, TableLayout.GENERATION_ORIGIN_ATTRIBUTE);
        Map<String, Set<String>> found = new TreeMap<>();
        Map<String, AttributeValue> startKey = null;
        do {
            ScanRequest.Builder request = ScanRequest.builder()
                    .tableName(table)
                    .filterExpression(FILTER)
                    .projectionExpression(TableLayout.HASH + ", " + TableLayout.GENERATION_ORIGIN)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(originPrefix),
                            ":number", AttributeValue.fromN(Long.toString(below))))
                    .consistentRead(options.consistentRead())
                    .exclusiveStartKey(startKey);
            if (options.pageSize() > 0) {
                request.limit(options.pageSize());
            }
            ScanRequest page = request.build();
            ScanResponse response = Failures.call("scan table '" + table + "' for generations of " + originPrefix
                    + "* below " + below, () -> client.scan(page));
            for (Map<String, AttributeValue> item : response.items()) {
                String database = TableScanner.databaseOf(item.get(layout.hashAttribute()).s());
                if (database != null) {
                    found.computeIfAbsent(database, d -> new TreeSet<>())
                            .add(item.get(TableLayout.GENERATION_ORIGIN_ATTRIBUTE).s());
                }
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return found;
    }
}
