package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.WriteBatch;
import io.dynamodbdown.store.WriteOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A {@link Database} in one hash key of a DynamoDB table, or spread over several ({@link Shards}). Open it with
 * {@code DynamoDbDown.open}. It checks each call and hands it to the part that does it: {@link EntryReader} reads,
 * {@link ConditionalWriter} writes conditionally and keeps values in chunks ({@link LargeValues}), {@link BatchWrites}
 * writes batches as {@link WritePlanner} plans them, {@link QueryIterator}s read ranges and a
 * {@link StreamChangeReader} its changes; all of them work from the database's {@link TableContext}.
 */
final class DynamoDbDatabase implements Database {

    /** Keys deleted per batch by {@link #clear}: enough to keep all write slots busy, little memory. */
    private static final int CLEAR_CHUNK = 1000;

    private final TableContext table;
    private final TableManager tables;
    private final BatchWriter writer;
    private final LargeValues large;
    private final EntryReader entries;
    private final BatchGetter getter;
    private final WritePlanner planner;
    private final ConditionalWriter conditional;
    private final BatchWrites batches;

    private DynamoDbDatabase(TableContext table) {
        this.table = table;
        this.tables = new TableManager(table.client());
        this.writer = new BatchWriter(table);
        this.getter = new BatchGetter(table);
        this.large = new LargeValues(table, writer, getter);
        this.entries = new EntryReader(table, large);
        this.planner = new WritePlanner(table, large);
        this.conditional = new ConditionalWriter(table, entries, large, writer);
        this.batches = new BatchWrites(table, planner, writer, getter, large, conditional);
    }

    /** Opens (creating the table when allowed and missing) and waits until the table is ACTIVE. */
    static DynamoDbDatabase open(DynamoDbClient client, Location location, OpenOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(options, "options");
        if (location.hashKey().startsWith(LargeValues.PREFIX)) {
            throw new IllegalArgumentException("Invalid hash key '" + location.hashKey() + "': hash keys starting with '"
                    + LargeValues.PREFIX + "' hold the chunks of large values");
        }
        if (location.hashKey().startsWith(Shards.PREFIX)) {
            throw new IllegalArgumentException("Invalid hash key '" + location.hashKey() + "': hash keys starting with '"
                    + Shards.PREFIX + "' hold the shards of other databases");
        }
        return new DynamoDbDatabase(TableContext.open(client, location, options));
    }

    @Override
    public Location location() {
        return table.location();
    }

    /**
     * A reader of the database's changes within {@code range}, from its table's change stream: it works from the
     * database's {@link TableContext} and reads large values with its {@link EntryReader}.
     */
    ChangeReader changes(DynamoDbStreamsClient streams, KeyRange range, ChangeCheckpoint from) {
        return new StreamChangeReader(streams, table, entries, range, from);
    }

    @Override
    public byte[] get(byte[] key) {
        ensureOpen();
        table.layout().checkKey(key);
        return entries.get(key);
    }

    @Override
    public List<byte[]> getMany(List<byte[]> keys) {
        ensureOpen();
        keys.forEach(table.layout()::checkKey);
        if (keys.isEmpty()) {
            return List.of();
        }
        Map<ByteBuffer, Map<String, AttributeValue>> items = getter.items(keys, true);
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            Map<String, AttributeValue> item = items.get(ByteBuffer.wrap(key));
            values.add(item == null ? null : entries.currentValueOf(key, item));
        }
        return values;
    }

    @Override
    public boolean has(byte[] key) {
        ensureOpen();
        table.layout().checkKey(key);
        String hashKey = table.hashKeyOf(key);
        boolean consistent = table.options().consistentRead();
        GetItemResponse response = table.retrier().read("has " + Bytes.describe(key) + " in " + location(), hashKey,
                CapacityUnits.leastRead(consistent), override -> table.client().getItem(b -> b.tableName(location().table())
                        .key(table.layout().itemKey(hashKey, key)).projectionExpression(TableLayout.RANGE)
                        .expressionAttributeNames(Map.of(TableLayout.RANGE, table.layout().rangeAttribute()))
                        .consistentRead(consistent).overrideConfiguration(override)),
                found -> 0);
        return response.hasItem() && !response.item().isEmpty();
    }

    @Override
    public void put(BatchOperation.Put put) {
        ensureOpen();
        planner.check(put);
        if (planner.inChunks(put, 0)) {
            conditional.putInChunks(put, null, null);
            return;
        }
        boolean replacesLarge = large.mayHold();
        String hashKey = table.hashKeyOf(put.key());
        Map<String, AttributeValue> item = table.item(put);
        PutItemResponse response = table.retrier().write("put " + Bytes.describe(put.key()) + " into " + location(), hashKey,
                CapacityUnits.write(item), override -> table.client().putItem(b -> b.tableName(location().table()).item(item)
                        .returnValues(replacesLarge ? ReturnValue.ALL_OLD : ReturnValue.NONE).overrideConfiguration(override)));
        large.discardReplaced(response.attributes(), null);
    }

    @Override
    public boolean writeIf(BatchOperation operation, Expect expect) {
        ensureOpen();
        Objects.requireNonNull(expect, "expect");
        planner.check(operation);
        return conditional.writeIf(operation, expect);
    }

    @Override
    public void del(byte[] key) {
        ensureOpen();
        table.layout().checkKey(key);
        boolean replacesLarge = large.mayHold();
        String hashKey = table.hashKeyOf(key);
        DeleteItemResponse response = table.retrier().write("del " + Bytes.describe(key) + " from " + location(), hashKey, 1,
                override -> table.client().deleteItem(b -> b.tableName(location().table()).key(table.layout().itemKey(hashKey, key))
                        .returnValues(replacesLarge ? ReturnValue.ALL_OLD : ReturnValue.NONE).overrideConfiguration(override)));
        large.discardReplaced(response.attributes(), null);
    }

    @Override
    public WriteBatch batch() {
        ensureOpen();
        return new ChainedBatch(this::batch);
    }

    @Override
    public void batch(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        ensureOpen();
        batches.write(operations, writeOptions);
    }

    @Override
    public void check(BatchOperation operation) {
        ensureOpen();
        planner.check(operation);
    }

    @Override
    public RangeIterator<Entry> iterator(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.ENTRIES, item -> {
            byte[] key = table.layout().keyOf(item);
            byte[] value = entries.currentValueOf(key, item);
            return value == null ? null : new Entry(key, value);
        });
    }

    @Override
    public RangeIterator<byte[]> keys(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.KEYS, table.layout()::keyOf);
    }

    @Override
    public RangeIterator<byte[]> values(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.VALUES, item -> entries.currentValueOf(table.layout().keyOf(item), item));
    }

    /** The range's items, mapped (null: skipped): from the one partition, or merged in key order from the shards. */
    private <T> RangeIterator<T> items(KeyRange range, QueryIterator.Projection projection,
            Function<Map<String, AttributeValue>, T> mapper) {
        return table.shards().count() == 1 ? new QueryIterator<>(table, location().hashKey(), range, projection, mapper)
                : new MergedIterator<>(table, range, projection, mapper);
    }

    @Override
    public long clear(KeyRange range) {
        ensureOpen();
        boolean mayHoldLarge = large.mayHold();
        long deleted = 0;
        try (RangeIterator<Map<String, AttributeValue>> items = items(range,
                mayHoldLarge ? QueryIterator.Projection.REFERENCES : QueryIterator.Projection.KEYS, item -> item)) {
            List<Map<String, AttributeValue>> chunk = new ArrayList<>(CLEAR_CHUNK);
            while (items.hasNext()) {
                chunk.add(items.next());
                if (chunk.size() == CLEAR_CHUNK || !items.hasNext()) {
                    writer.write(chunk.stream().map(item -> BatchWriter.delete(table.itemKey(table.layout().keyOf(item)))).toList());
                    chunk.forEach(item -> large.discardReplaced(item, null));
                    deleted += chunk.size();
                    chunk.clear();
                }
            }
        }
        return deleted;
    }

    @Override
    public long clearOlderGenerations(KeyRange range, Generation generation) {
        ensureOpen();
        Objects.requireNonNull(generation, "generation");
        long deleted = 0;
        try (RangeIterator<Map<String, AttributeValue>> items = items(range.limit(KeyRange.NO_LIMIT),
                QueryIterator.Projection.GENERATIONS, item -> item)) {
            while (items.hasNext()) {
                Map<String, AttributeValue> item = items.next();
                Generation stamped = TableLayout.generationOf(item);
                if (stamped != null && stamped.before(generation) && deleteIfOlder(table.layout().keyOf(item), generation)) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** Deletes the key if it is still of an older generation of the same origin; false if it was written again since. */
    private boolean deleteIfOlder(byte[] key, Generation generation) {
        Condition older = Condition.olderGeneration(generation);
        try {
            DeleteItemResponse response = Failures.call("delete " + Bytes.describe(key) + " from " + location()
                    + " as older than generation " + generation, () -> table.client().deleteItem(b -> b
                            .tableName(location().table()).key(table.itemKey(key)).conditionExpression(older.expression())
                            .expressionAttributeNames(older.names()).expressionAttributeValues(older.valuesOrNull())
                            .returnValues(ReturnValue.ALL_OLD)));
            large.discardReplaced(response.attributes(), null);
            return true;
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public long sweep(Duration olderThan) {
        ensureOpen();
        Objects.requireNonNull(olderThan, "olderThan");
        return large.sweep(olderThan, key -> LargeValues.referenceOf(entries.item(key, true)));
    }

    @Override
    public boolean isClosed() {
        return table.closed().get();
    }

    private void ensureOpen() {
        table.ensureOpen();
    }

    @Override
    public void close() {
        table.close();
    }

    @Override
    public void dropTable() {
        close();
        tables.drop(location().table(), table.options().activeTimeout());
    }

    @Override
    public String toString() {
        return "DynamoDbDatabase{" + location() + (isClosed() ? ", closed" : "") + "}";
    }
}
