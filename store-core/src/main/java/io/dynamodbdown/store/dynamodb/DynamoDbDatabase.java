package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.WriteBatch;
import io.dynamodbdown.store.WriteOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** A {@link Database} in one hash key of a DynamoDB table. Open it with {@code DynamoDbDown.open}. */
final class DynamoDbDatabase implements Database {

    /** Keys deleted per batch by {@link #clear}: enough to keep all write slots busy, little memory. */
    private static final int CLEAR_CHUNK = 1000;
    /** DynamoDB's limit for one TransactWriteItems call, across all items. */
    private static final int MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

    private final DynamoDbClient client;
    private final Location location;
    private final OpenOptions options;
    private final TableLayout layout;
    private final Retrier retrier;
    private final TableManager tables;
    private final ExecutorService pool;
    private final BatchWriter writer;
    private final BatchGetter getter;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DynamoDbDatabase(DynamoDbClient client, Location location, OpenOptions options, TableLayout layout) {
        this.client = client;
        this.location = location;
        this.options = options;
        this.layout = layout;
        this.retrier = new Retrier(options.retryPolicy());
        this.tables = new TableManager(client);
        this.pool = Executors.newFixedThreadPool(options.writeConcurrency(), daemonThreads(location));
        this.writer = new BatchWriter(client, location, layout, retrier, pool);
        this.getter = new BatchGetter(client, location, layout, retrier, pool, options.consistentRead());
    }

    /** Opens (creating the table when allowed and missing) and waits until the table is ACTIVE. */
    static DynamoDbDatabase open(DynamoDbClient client, Location location, OpenOptions options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(options, "options");
        TableLayout layout = new TableManager(client).prepare(location, options);
        return new DynamoDbDatabase(client, location, options, layout);
    }

    @Override
    public Location location() {
        return location;
    }

    TableLayout layout() {
        return layout;
    }

    /** The table's description now, or null when it is gone. */
    TableDescription describeTable() {
        return tables.describeTable(location.table());
    }

    OpenOptions options() {
        return options;
    }

    @Override
    public byte[] get(byte[] key) {
        ensureOpen();
        layout.checkKey(key);
        GetItemResponse response = Failures.call("get " + Bytes.describe(key) + " from " + location,
                () -> client.getItem(b -> b.tableName(location.table())
                        .key(layout.itemKey(location.hashKey(), key))
                        .consistentRead(options.consistentRead())));
        return response.hasItem() && !response.item().isEmpty() ? layout.valueOf(response.item()) : null;
    }

    @Override
    public List<byte[]> getMany(List<byte[]> keys) {
        ensureOpen();
        keys.forEach(layout::checkKey);
        return keys.isEmpty() ? List.of() : getter.getMany(keys);
    }

    @Override
    public boolean has(byte[] key) {
        ensureOpen();
        layout.checkKey(key);
        GetItemResponse response = Failures.call("has " + Bytes.describe(key) + " in " + location,
                () -> client.getItem(b -> b.tableName(location.table())
                        .key(layout.itemKey(location.hashKey(), key))
                        .projectionExpression(TableLayout.RANGE)
                        .expressionAttributeNames(Map.of(TableLayout.RANGE, layout.rangeAttribute()))
                        .consistentRead(options.consistentRead())));
        return response.hasItem() && !response.item().isEmpty();
    }

    @Override
    public void put(BatchOperation.Put put) {
        ensureOpen();
        layout.checkEntry(location.hashKey(), put.key(), put.value());
        Failures.call("put " + Bytes.describe(put.key()) + " into " + location, () -> client.putItem(b -> b
                .tableName(location.table()).item(layout.item(location.hashKey(), put.key(), put.value(), put.text()))));
    }

    @Override
    public boolean writeIf(BatchOperation operation, Expect expect) {
        ensureOpen();
        Objects.requireNonNull(expect, "expect");
        checkOperation(operation);
        if (operation instanceof BatchOperation.Put put) {
            layout.checkEntry(location.hashKey(), put.key(), put.value(), TableLayout.TOKEN_BYTES);
        }
        TableLayout.Condition condition = layout.condition(expect);
        String token = operation instanceof BatchOperation.Put ? UUID.randomUUID().toString() : null;
        String what = operation + " if " + expect + " in " + location;
        try {
            sendIf(operation, condition, token, what);
            return true;
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException failed)) {
                throw e;
            }
            Map<String, AttributeValue> current = failed.hasItem() && !failed.item().isEmpty() ? failed.item() : null;
            if (token != null && current != null && current.get(TableLayout.TOKEN_ATTRIBUTE) != null
                    && token.equals(current.get(TableLayout.TOKEN_ATTRIBUTE).s())) {
                return true; // the client sent it again after an answer got lost: the first attempt did write it
            }
            if (expect instanceof Expect.Value value && current != null && current.get(layout.valueAttribute()) != null
                    && Arrays.equals(value.value(), layout.valueOf(current))) {
                // stored in a form this layout does not write (another writer's S on a native table, an N, a
                // BOOL...) but read as these bytes: expect it exactly as it is stored
                return sendIfStored(operation, current, token, what);
            }
            return false;
        }
    }

    private void sendIf(BatchOperation operation, TableLayout.Condition condition, String token, String what) {
        Map<String, String> names = new HashMap<>(condition.names());
        Failures.call(what, () -> {
            if (operation instanceof BatchOperation.Put put) {
                Map<String, AttributeValue> item = new HashMap<>(layout.item(location.hashKey(), put.key(), put.value(), put.text()));
                item.put(TableLayout.TOKEN_ATTRIBUTE, AttributeValue.fromS(token));
                return client.putItem(b -> b.tableName(location.table()).item(item)
                        .conditionExpression(condition.expression()).expressionAttributeNames(names)
                        .expressionAttributeValues(condition.values().isEmpty() ? null : condition.values())
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            }
            return client.deleteItem(b -> b.tableName(location.table()).key(layout.itemKey(location.hashKey(), operation.key()))
                    .conditionExpression(condition.expression()).expressionAttributeNames(names)
                    .expressionAttributeValues(condition.values().isEmpty() ? null : condition.values())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        });
    }

    /** Writes the operation if the value attribute is still exactly as {@code current} holds it. */
    private boolean sendIfStored(BatchOperation operation, Map<String, AttributeValue> current, String token, String what) {
        TableLayout.Condition stored = new TableLayout.Condition(TableLayout.VALUE + " = :stored",
                Map.of(TableLayout.VALUE, layout.valueAttribute()), Map.of(":stored", current.get(layout.valueAttribute())));
        try {
            sendIf(operation, stored, token, what);
            return true;
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void del(byte[] key) {
        ensureOpen();
        layout.checkKey(key);
        Failures.call("del " + Bytes.describe(key) + " from " + location,
                () -> client.deleteItem(b -> b.tableName(location.table()).key(layout.itemKey(location.hashKey(), key))));
    }

    @Override
    public WriteBatch batch() {
        ensureOpen();
        return new ChainedBatch(this);
    }

    @Override
    public void batch(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        ensureOpen();
        List<BatchOperation> lastPerKey = checkAndKeepLastPerKey(operations, writeOptions.atomic());
        if (lastPerKey.isEmpty()) {
            return;
        }
        if (writeOptions.atomic()) {
            writer.writeAtomic(lastPerKey);
        } else {
            writer.write(lastPerKey);
        }
    }

    /**
     * Checks every operation before anything is sent, and keeps the last operation per key (DynamoDB refuses
     * one key twice in a request; in LevelDB the last one wins).
     */
    private List<BatchOperation> checkAndKeepLastPerKey(List<? extends BatchOperation> operations, boolean atomic) {
        Map<ByteBuffer, BatchOperation> lastPerKey = new LinkedHashMap<>();
        for (BatchOperation operation : operations) {
            checkOperation(operation);
            lastPerKey.remove(ByteBuffer.wrap(operation.key()));
            lastPerKey.put(ByteBuffer.wrap(operation.key()), operation);
        }
        List<BatchOperation> result = new ArrayList<>(lastPerKey.values());
        if (atomic) {
            checkTransactionLimits(result);
        }
        return result;
    }

    private void checkTransactionLimits(List<BatchOperation> operations) {
        if (operations.size() > WriteOptions.MAX_ATOMIC_OPERATIONS) {
            throw new InvalidEntryException(operations.get(WriteOptions.MAX_ATOMIC_OPERATIONS).key(),
                    "Atomic batch on " + location + " has " + operations.size() + " distinct keys; DynamoDB transactions"
                            + " hold at most " + WriteOptions.MAX_ATOMIC_OPERATIONS
                            + " operations. Nothing was written: split the batch or write it without atomic");
        }
        long bytes = 0;
        for (BatchOperation operation : operations) {
            byte[] value = operation instanceof BatchOperation.Put put ? put.value() : new byte[0];
            bytes += layout.itemSize(location.hashKey(), operation.key(), value);
        }
        if (bytes > MAX_TRANSACTION_BYTES) {
            throw new InvalidEntryException(operations.get(0).key(), "Atomic batch on " + location + " is " + bytes
                    + " bytes; DynamoDB transactions hold at most " + MAX_TRANSACTION_BYTES
                    + " bytes. Nothing was written: split the batch or write it without atomic");
        }
    }

    @Override
    public void check(BatchOperation operation) {
        ensureOpen();
        checkOperation(operation);
    }

    private void checkOperation(BatchOperation operation) {
        Objects.requireNonNull(operation, "batch operation");
        if (operation instanceof BatchOperation.Put put) {
            layout.checkEntry(location.hashKey(), put.key(), put.value());
        } else {
            layout.checkKey(operation.key());
        }
    }

    @Override
    public RangeIterator<Entry> iterator(KeyRange range) {
        ensureOpen();
        return new QueryIterator<>(this, range, QueryIterator.Projection.ENTRIES,
                item -> new Entry(layout.keyOf(item), layout.valueOf(item)));
    }

    @Override
    public RangeIterator<byte[]> keys(KeyRange range) {
        ensureOpen();
        return new QueryIterator<>(this, range, QueryIterator.Projection.KEYS, layout::keyOf);
    }

    @Override
    public RangeIterator<byte[]> values(KeyRange range) {
        ensureOpen();
        return new QueryIterator<>(this, range, QueryIterator.Projection.VALUES, layout::valueOf);
    }

    @Override
    public long clear(KeyRange range) {
        ensureOpen();
        long deleted = 0;
        try (RangeIterator<byte[]> keys = keys(range)) {
            List<BatchOperation> chunk = new ArrayList<>(CLEAR_CHUNK);
            while (keys.hasNext()) {
                chunk.add(BatchOperation.del(keys.next()));
                if (chunk.size() == CLEAR_CHUNK || !keys.hasNext()) {
                    writer.write(chunk);
                    deleted += chunk.size();
                    chunk.clear();
                }
            }
        }
        return deleted;
    }

    QueryResponse query(QueryRequest request, QueryBounds bounds) {
        return Failures.call("query " + bounds + " of " + location, () -> client.query(request));
    }

    /** The same query sent on the database's pool: an iterator's next page, asked for while it reads this one. */
    Future<QueryResponse> queryAhead(QueryRequest request, QueryBounds bounds) {
        return pool.submit(() -> query(request, bounds));
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new DatabaseClosedException("Database " + location + " is closed; open it again to use it");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.shutdown();
        }
    }

    @Override
    public void dropTable() {
        close();
        tables.drop(location.table(), options.activeTimeout());
    }

    @Override
    public String toString() {
        return "DynamoDbDatabase{" + location + (closed.get() ? ", closed" : "") + "}";
    }

    private static ThreadFactory daemonThreads(Location location) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "dynamodbdown-" + location.table() + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A chained batch collecting operations for {@link DynamoDbDatabase#batch(List, WriteOptions)}. */
    private static final class ChainedBatch implements WriteBatch {
        private final DynamoDbDatabase db;
        private final List<BatchOperation> operations = new ArrayList<>();
        private boolean written;

        ChainedBatch(DynamoDbDatabase db) {
            this.db = db;
        }

        @Override
        public WriteBatch put(byte[] key, byte[] value) {
            ensureNotWritten();
            operations.add(BatchOperation.put(key, value));
            return this;
        }

        @Override
        public WriteBatch del(byte[] key) {
            ensureNotWritten();
            operations.add(BatchOperation.del(key));
            return this;
        }

        @Override
        public WriteBatch clear() {
            ensureNotWritten();
            operations.clear();
            return this;
        }

        @Override
        public int size() {
            return operations.size();
        }

        @Override
        public void write(WriteOptions writeOptions) {
            ensureNotWritten();
            written = true;
            db.batch(operations, writeOptions);
        }

        private void ensureNotWritten() {
            if (written) {
                throw new IllegalStateException("This batch was already written; start a new one with db.batch()");
            }
        }
    }
}
