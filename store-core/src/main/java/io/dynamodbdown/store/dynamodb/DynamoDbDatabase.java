package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.BatchWriteException;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.WriteBatch;
import io.dynamodbdown.store.WriteOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * A {@link Database} in one hash key of a DynamoDB table, or spread over several ({@link Shards}). Open it with
 * {@code DynamoDbDown.open}.
 */
final class DynamoDbDatabase implements Database {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDatabase.class);
    /** Keys deleted per batch by {@link #clear}: enough to keep all write slots busy, little memory. */
    private static final int CLEAR_CHUNK = 1000;
    /** DynamoDB's limit for one TransactWriteItems call, across all items. */
    private static final int MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

    private final DynamoDbClient client;
    private final Location location;
    private final OpenOptions options;
    private final TableLayout layout;
    private final Shards shards;
    private final Retrier retrier;
    private final TableManager tables;
    private final ExecutorService pool;
    private final BatchWriter writer;
    private final BatchGetter getter;
    private final LargeValues large;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DynamoDbDatabase(DynamoDbClient client, Location location, OpenOptions options, TableLayout layout,
            Shards shards) {
        this.client = client;
        this.location = location;
        this.options = options;
        this.layout = layout;
        this.shards = shards;
        this.retrier = new Retrier(options.retryPolicy(), options.throttleListener(), location.table());
        this.tables = new TableManager(client);
        this.pool = Executors.newFixedThreadPool(options.writeConcurrency(), daemonThreads(location.table()));
        this.writer = new BatchWriter(client, location, layout, retrier, pool);
        this.getter = new BatchGetter(client, location, layout, shards, retrier, pool, options.consistentRead());
        this.large = new LargeValues(client, location, layout, shards, writer, getter, pool, options.consistentRead());
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
        TableLayout layout = new TableManager(client).prepare(location, options);
        Shards shards = Shards.open(client, location, layout, options.shards());
        return new DynamoDbDatabase(client, location, options, layout, shards);
    }

    @Override
    public Location location() {
        return location;
    }

    TableLayout layout() {
        return layout;
    }

    Shards shards() {
        return shards;
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
        Map<String, AttributeValue> item = getItem(key, options.consistentRead());
        return item == null ? null : currentValueOf(key, item);
    }

    /** The key's item (every attribute), or null. */
    private Map<String, AttributeValue> getItem(byte[] key, boolean consistent) {
        String hashKey = shards.hashKeyOf(key);
        double least = CapacityUnits.leastRead(consistent);
        GetItemResponse response = retrier.read("get " + Bytes.describe(key) + " from " + location, hashKey, least,
                override -> client.getItem(b -> b.tableName(location.table()).key(layout.itemKey(hashKey, key))
                        .consistentRead(consistent).overrideConfiguration(override)),
                found -> found.hasItem() ? CapacityUnits.read(List.of(found.item()), consistent) - least : 0);
        return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
    }

    /**
     * The value an entry's item stands for: its value attribute, or the chunks its reference names; null when
     * those chunks are gone (the entry was overwritten or deleted meanwhile, its old chunks removed).
     */
    byte[] valueOf(Map<String, AttributeValue> item) {
        LargeValues.Reference reference = LargeValues.referenceOf(item);
        return reference == null ? layout.valueOf(item) : large.read(reference);
    }

    /**
     * The value of an item read a moment ago. If its chunks were replaced since, the key is read again: the value
     * it has now, whole (null if it was deleted). Never a mix of two values.
     */
    private byte[] currentValueOf(byte[] key, Map<String, AttributeValue> item) {
        for (int attempt = 1; ; attempt++) {
            byte[] value = valueOf(item);
            if (value != null) {
                return value;
            }
            Map<String, AttributeValue> now = getItem(key, true);
            if (now == null) {
                return null;
            }
            LargeValues.Reference before = LargeValues.referenceOf(item);
            LargeValues.Reference after = LargeValues.referenceOf(now);
            if (after != null && after.equals(before)) {
                throw new DynamoDbDownException("The " + before.size() + "-byte value of " + Bytes.describe(key) + " in "
                        + location + " is missing chunks of version " + before.version() + " (were they removed by hand?)");
            }
            if (attempt >= retrier.maxAttempts()) {
                throw new DynamoDbDownException("The value of " + Bytes.describe(key) + " in " + location + " was replaced "
                        + attempt + " times while it was being read; read it again", null, true);
            }
            item = now;
        }
    }

    @Override
    public List<byte[]> getMany(List<byte[]> keys) {
        ensureOpen();
        keys.forEach(layout::checkKey);
        if (keys.isEmpty()) {
            return List.of();
        }
        Map<ByteBuffer, Map<String, AttributeValue>> items = getter.items(keys, true);
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            Map<String, AttributeValue> item = items.get(ByteBuffer.wrap(key));
            values.add(item == null ? null : currentValueOf(key, item));
        }
        return values;
    }

    @Override
    public boolean has(byte[] key) {
        ensureOpen();
        layout.checkKey(key);
        String hashKey = shards.hashKeyOf(key);
        GetItemResponse response = retrier.read("has " + Bytes.describe(key) + " in " + location, hashKey,
                CapacityUnits.leastRead(options.consistentRead()),
                override -> client.getItem(b -> b.tableName(location.table()).key(layout.itemKey(hashKey, key))
                        .projectionExpression(TableLayout.RANGE)
                        .expressionAttributeNames(Map.of(TableLayout.RANGE, layout.rangeAttribute()))
                        .consistentRead(options.consistentRead()).overrideConfiguration(override)),
                found -> 0);
        return response.hasItem() && !response.item().isEmpty();
    }

    @Override
    public void put(BatchOperation.Put put) {
        ensureOpen();
        checkOperation(put);
        if (!fitsInItem(put, 0)) {
            writeLarge(put, large.write(put.key(), put.value()), null, null);
            return;
        }
        boolean replacesLarge = large.mayHold();
        String hashKey = shards.hashKeyOf(put.key());
        Map<String, AttributeValue> item = layout.item(hashKey, put.key(), put.value(), put.text());
        PutItemResponse response = retrier.write("put " + Bytes.describe(put.key()) + " into " + location, hashKey,
                CapacityUnits.write(item), override -> client.putItem(b -> b.tableName(location.table()).item(item)
                        .returnValues(replacesLarge ? ReturnValue.ALL_OLD : ReturnValue.NONE).overrideConfiguration(override)));
        discardReplaced(response.attributes(), null);
    }

    /**
     * Writes the entry of a large value whose chunks are written: a compare-and-set on what the key holds, so the
     * version it replaces is known exactly, in one transaction with the new version's fence, so it cannot refer to
     * chunks removed meanwhile (nor be applied twice). With {@code expect}, only if the key's value meets it; false
     * if not, and the new chunks are removed.
     */
    private boolean writeLarge(BatchOperation.Put put, LargeValues.Reference written, Expect expect, Generation generation) {
        String what = "put the " + put.value().length + "-byte value of " + Bytes.describe(put.key()) + " into " + location;
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> current = getItem(put.key(), true);
            if (expect != null && !matches(expect, current == null ? null : currentValueOf(put.key(), current))) {
                large.discard(written);
                return false;
            }
            try {
                writer.writeAtomic(List.of(large.fence(written.version()), writer.transactPut(
                        TableLayout.stamped(large.entryItem(put.key(), written), generation), storedForm(current, expect != null))), what);
                discardReplaced(current, written);
                return true;
            } catch (DynamoDbDownException e) {
                int failed = Failures.failedConditionIndex(e);
                if (failed == 0) {
                    throw new DynamoDbDownException(what + " failed: its chunks were taken for left behind and removed (the"
                            + " write took longer than the sweep waits); nothing was written, write it again", e, true);
                }
                if (failed != 1) {
                    throw e; // what happened is not known: the chunks stay for the sweep
                }
                if (attempt >= retrier.maxAttempts()) {
                    throw new DynamoDbDownException(what + " failed: the key changed under it " + attempt + " times", e, true);
                }
                // the key changed between reading and writing it: read it again
            }
        }
    }

    /**
     * A condition that holds while the key is stored as {@code current} holds it (null: absent). Not {@code exact}:
     * only that it refers to the same large value, or to none.
     */
    private TableLayout.Condition storedForm(Map<String, AttributeValue> current, boolean exact) {
        LargeValues.Reference reference = LargeValues.referenceOf(current);
        if (reference != null) {
            return new TableLayout.Condition(TableLayout.LARGE + " = :stored", Map.of(TableLayout.LARGE, LargeValues.VERSION),
                    Map.of(":stored", AttributeValue.fromS(reference.version())));
        }
        if (!exact) {
            return new TableLayout.Condition("attribute_not_exists(" + TableLayout.LARGE + ")",
                    Map.of(TableLayout.LARGE, LargeValues.VERSION), Map.of());
        }
        if (current == null) {
            return new TableLayout.Condition("attribute_not_exists(" + TableLayout.RANGE + ")",
                    Map.of(TableLayout.RANGE, layout.rangeAttribute()), Map.of());
        }
        AttributeValue value = current.get(layout.valueAttribute());
        if (value == null) {
            return new TableLayout.Condition("attribute_exists(" + TableLayout.RANGE + ") AND attribute_not_exists("
                    + TableLayout.VALUE + ") AND attribute_not_exists(" + TableLayout.LARGE + ")",
                    Map.of(TableLayout.RANGE, layout.rangeAttribute(), TableLayout.VALUE, layout.valueAttribute(),
                            TableLayout.LARGE, LargeValues.VERSION), Map.of());
        }
        return new TableLayout.Condition(TableLayout.VALUE + " = :stored", Map.of(TableLayout.VALUE, layout.valueAttribute()),
                Map.of(":stored", value));
    }

    /**
     * Whether the put's value fits in its entry's own item ({@code extra}: bytes a token or generation adds); if
     * not, it goes in chunks.
     */
    private boolean fitsInItem(BatchOperation.Put put, int extra) {
        return layout.itemSize(shards.hashKeyOf(put.key()), put.key(), put.value()) + extra <= TableLayout.MAX_ITEM_BYTES;
    }

    /** Removes the chunks of the large value a write replaced ({@code old}: the item before it), unless it wrote them. */
    private void discardReplaced(Map<String, AttributeValue> old, LargeValues.Reference written) {
        LargeValues.Reference replaced = LargeValues.referenceOf(old);
        if (replaced != null && (written == null || !replaced.version().equals(written.version()))) {
            large.discard(replaced);
        }
    }

    @Override
    public boolean writeIf(BatchOperation operation, Expect expect) {
        ensureOpen();
        Objects.requireNonNull(expect, "expect");
        checkOperation(operation);
        if (operation instanceof BatchOperation.Put put && !fitsInItem(put, TableLayout.TOKEN_BYTES)) {
            return writeLarge(put, large.write(put.key(), put.value()), expect, null);
        }
        String what = operation + " if " + expect + " in " + location;
        String token = operation instanceof BatchOperation.Put ? UUID.randomUUID().toString() : null;
        if (expectedBytesFitInItem(operation.key(), expect)) {
            return writeIfCondition(operation, layout.condition(expect), expect, token, what);
        }
        // No item holds such a value inline: compare it here, then write only if the key is stored as it was read.
        Map<String, AttributeValue> current = getItem(operation.key(), true);
        return matches(expect, current == null ? null : currentValueOf(operation.key(), current))
                && writeIfStored(operation, current, token, what);
    }

    /** Whether the value or prefix {@code expect} compares with could be stored in an item: a condition can name it. */
    private boolean expectedBytesFitInItem(byte[] key, Expect expect) {
        byte[] expected = expect instanceof Expect.Value value ? value.value()
                : expect instanceof Expect.ValuePrefix prefix ? prefix.prefix() : null;
        return expected == null || layout.itemSize(shards.hashKeyOf(key), key, expected) <= TableLayout.MAX_ITEM_BYTES;
    }

    private static boolean matches(Expect expect, byte[] value) {
        if (expect instanceof Expect.Absent) {
            return value == null;
        }
        if (value == null) {
            return false;
        }
        if (expect instanceof Expect.Value expected) {
            return Arrays.equals(expected.value(), value);
        }
        if (expect instanceof Expect.ValuePrefix prefix) {
            return value.length >= prefix.prefix().length
                    && Arrays.equals(prefix.prefix(), 0, prefix.prefix().length, value, 0, prefix.prefix().length);
        }
        return true;
    }

    /** Writes if the condition holds; when it fails only because of how the value is stored, compares it here. */
    private boolean writeIfCondition(BatchOperation operation, TableLayout.Condition condition, Expect expect, String token,
            String what) {
        try {
            discardReplaced(sendIf(operation, condition, token, what), null);
            return true;
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException failed)) {
                throw e;
            }
            Map<String, AttributeValue> current = failed.hasItem() && !failed.item().isEmpty() ? failed.item() : null;
            if (isOwnWrite(current, token)) {
                return true; // the client sent it again after an answer got lost: the first attempt did write it
            }
            boolean storedOtherwise = current != null && (LargeValues.referenceOf(current) != null
                    || current.get(layout.valueAttribute()) != null);
            if ((expect instanceof Expect.Value || expect instanceof Expect.ValuePrefix) && storedOtherwise
                    && matches(expect, currentValueOf(operation.key(), current))) {
                // kept in chunks, or in a form this layout does not write (another writer's S on a native table, an
                // N, a BOOL...), but read as the expected bytes: expect it exactly as it is stored
                return writeIfStored(operation, current, token, what);
            }
            return false;
        }
    }

    /** Whether {@code current}, the item a conditional put met, is that put's own earlier attempt (its token). */
    private static boolean isOwnWrite(Map<String, AttributeValue> current, String token) {
        return token != null && current != null && current.get(TableLayout.TOKEN_ATTRIBUTE) != null
                && token.equals(current.get(TableLayout.TOKEN_ATTRIBUTE).s());
    }

    /** Writes the operation if the key is still stored exactly as {@code current} holds it (null: absent). */
    private boolean writeIfStored(BatchOperation operation, Map<String, AttributeValue> current, String token, String what) {
        try {
            discardReplaced(sendIf(operation, storedForm(current, true), token, what), null);
            return true;
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException failed) {
                return isOwnWrite(failed.hasItem() ? failed.item() : null, token);
            }
            throw e;
        }
    }

    /** Sends the conditional write (a put's value fits in its item); returns the item it replaced. */
    private Map<String, AttributeValue> sendIf(BatchOperation operation, TableLayout.Condition condition, String token,
            String what) {
        Map<String, String> names = new HashMap<>(condition.names());
        Map<String, AttributeValue> values = condition.values().isEmpty() ? null : condition.values();
        return Failures.call(what, () -> {
            if (operation instanceof BatchOperation.Put put) {
                Map<String, AttributeValue> item = new HashMap<>(layout.item(shards.hashKeyOf(put.key()), put.key(), put.value(), put.text()));
                item.put(TableLayout.TOKEN_ATTRIBUTE, AttributeValue.fromS(token));
                return client.putItem(b -> b.tableName(location.table()).item(item)
                        .conditionExpression(condition.expression()).expressionAttributeNames(names)
                        .expressionAttributeValues(values).returnValues(ReturnValue.ALL_OLD)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            }
            return client.deleteItem(b -> b.tableName(location.table()).key(layout.itemKey(shards.hashKeyOf(operation.key()), operation.key()))
                    .conditionExpression(condition.expression()).expressionAttributeNames(names)
                    .expressionAttributeValues(values).returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
        });
    }

    @Override
    public void del(byte[] key) {
        ensureOpen();
        layout.checkKey(key);
        boolean replacesLarge = large.mayHold();
        String hashKey = shards.hashKeyOf(key);
        DeleteItemResponse response = retrier.write("del " + Bytes.describe(key) + " from " + location, hashKey, 1,
                override -> client.deleteItem(b -> b.tableName(location.table()).key(layout.itemKey(hashKey, key))
                        .returnValues(replacesLarge ? ReturnValue.ALL_OLD : ReturnValue.NONE).overrideConfiguration(override)));
        discardReplaced(response.attributes(), null);
    }

    @Override
    public WriteBatch batch() {
        ensureOpen();
        return new ChainedBatch(this);
    }

    @Override
    public void batch(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        ensureOpen();
        List<BatchOperation> lastPerKey = checkAndKeepLastPerKey(operations, writeOptions);
        if (lastPerKey.isEmpty()) {
            return;
        }
        Generation generation = writeOptions.generation();
        if (writeOptions.atomic()) {
            writeAtomic(lastPerKey, generation);
            return;
        }
        List<BatchOperation> inItems = new ArrayList<>();
        List<BatchOperation.Put> inChunks = new ArrayList<>();
        for (BatchOperation operation : lastPerKey) {
            if (operation instanceof BatchOperation.Put put && !fitsInItem(put, TableLayout.generationBytes(generation))) {
                inChunks.add(put);
            } else {
                inItems.add(operation);
            }
        }
        List<byte[]> unwritten = new ArrayList<>();
        DynamoDbDownException cause = null;
        boolean retryable = true;
        if (!inItems.isEmpty()) {
            Map<ByteBuffer, Map<String, AttributeValue>> before = replacedReferences(inItems, false);
            List<byte[]> notWritten = List.of();
            try {
                writer.write(inItems.stream().map(op -> op instanceof BatchOperation.Put put
                        ? BatchWriter.put(TableLayout.stamped(layout.item(shards.hashKeyOf(put.key()), put.key(), put.value(),
                                put.text()), generation))
                        : BatchWriter.delete(itemKey(op))).toList());
            } catch (BatchWriteException e) {
                notWritten = e.unwrittenKeys();
                unwritten.addAll(notWritten);
                cause = e;
                retryable = e.isRetryable();
            }
            discardReplaced(before, Map.of(), notWritten); // the keys written did replace what they held
        }
        for (BatchOperation.Put put : inChunks) { // one by one: each is a transaction of its own (see writeLarge)
            try {
                writeLarge(put, large.write(put.key(), put.value()), null, generation);
            } catch (DynamoDbDownException e) {
                unwritten.add(put.key());
                cause = cause == null ? e : cause;
                retryable &= e.isRetryable();
            }
        }
        if (!unwritten.isEmpty()) {
            throw new BatchWriteException(cause.getMessage(), unwritten, cause, retryable);
        }
    }

    /**
     * One transaction: the entries, and the fence of each large value's new version (its chunks are written
     * before). What it replaces is read first; a large value written concurrently and replaced unseen is left
     * to the sweep.
     */
    private void writeAtomic(List<BatchOperation> operations, Generation generation) {
        Map<ByteBuffer, LargeValues.Reference> written = new HashMap<>();
        List<TransactWriteItem> items = new ArrayList<>();
        for (BatchOperation operation : operations) {
            if (operation instanceof BatchOperation.Put put && !fitsInItem(put, TableLayout.generationBytes(generation))) {
                LargeValues.Reference reference = large.write(put.key(), put.value());
                written.put(ByteBuffer.wrap(put.key()), reference);
                items.add(large.fence(reference.version()));
            }
        }
        Map<ByteBuffer, Map<String, AttributeValue>> before = replacedReferences(operations, !written.isEmpty());
        for (BatchOperation operation : operations) {
            items.add(operation instanceof BatchOperation.Put put
                    ? writer.transactPut(TableLayout.stamped(entryItem(put, written), generation))
                    : writer.transactDelete(itemKey(operation)));
        }
        writer.writeAtomic(items);
        // Any failure leaves it open what was written: the sweep removes what nothing refers to.
        discardReplaced(before, written, List.of());
    }

    /**
     * What the batch's keys hold now, where they may hold large values: BatchWriteItem cannot return what it
     * replaced. If this read fails the batch goes ahead; what it replaces then is left to the sweep.
     */
    private Map<ByteBuffer, Map<String, AttributeValue>> replacedReferences(List<BatchOperation> operations, boolean writesLarge) {
        if (!writesLarge && !large.mayHold()) {
            return Map.of();
        }
        try {
            return getter.items(operations.stream().map(BatchOperation::key).toList(), false);
        } catch (DynamoDbDownException e) {
            LOG.debug("Could not read what the batch replaces in {}; Database.sweep() removes chunks left behind", location, e);
            return Map.of();
        }
    }

    private void discardReplaced(Map<ByteBuffer, Map<String, AttributeValue>> before,
            Map<ByteBuffer, LargeValues.Reference> written, List<byte[]> unwritten) {
        Set<ByteBuffer> notWritten = new HashSet<>();
        unwritten.forEach(key -> notWritten.add(ByteBuffer.wrap(key)));
        before.forEach((key, old) -> {
            if (!notWritten.contains(key)) {
                discardReplaced(old, written.get(key));
            }
        });
    }

    private Map<String, AttributeValue> entryItem(BatchOperation.Put put, Map<ByteBuffer, LargeValues.Reference> written) {
        LargeValues.Reference reference = written.get(ByteBuffer.wrap(put.key()));
        return reference == null ? layout.item(shards.hashKeyOf(put.key()), put.key(), put.value(), put.text())
                : large.entryItem(put.key(), reference);
    }

    private Map<String, AttributeValue> itemKey(BatchOperation operation) {
        return layout.itemKey(shards.hashKeyOf(operation.key()), operation.key());
    }

    /**
     * Checks every operation before anything is sent, and keeps the last operation per key (DynamoDB refuses
     * one key twice in a request; in LevelDB the last one wins).
     */
    private List<BatchOperation> checkAndKeepLastPerKey(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        Map<ByteBuffer, BatchOperation> lastPerKey = new LinkedHashMap<>();
        for (BatchOperation operation : operations) {
            checkOperation(operation);
            lastPerKey.remove(ByteBuffer.wrap(operation.key()));
            lastPerKey.put(ByteBuffer.wrap(operation.key()), operation);
        }
        List<BatchOperation> result = new ArrayList<>(lastPerKey.values());
        if (writeOptions.atomic()) {
            checkTransactionLimits(result, TableLayout.generationBytes(writeOptions.generation()));
        }
        return result;
    }

    private void checkTransactionLimits(List<BatchOperation> operations, int extra) {
        long inChunks = operations.stream().filter(op -> op instanceof BatchOperation.Put put && !fitsInItem(put, extra)).count();
        if (operations.size() + inChunks > WriteOptions.MAX_ATOMIC_OPERATIONS) {
            throw new InvalidEntryException(operations.get((int) Math.min(operations.size() - 1, WriteOptions.MAX_ATOMIC_OPERATIONS)).key(),
                    "Atomic batch on " + location + " has " + operations.size() + " distinct keys" + (inChunks == 0 ? ""
                            : " and " + inChunks + " values in chunks (each takes a second place, its version's fence)")
                            + "; DynamoDB transactions hold at most " + WriteOptions.MAX_ATOMIC_OPERATIONS
                            + " operations. Nothing was written: split the batch or write it without atomic");
        }
        long bytes = 0;
        for (BatchOperation operation : operations) {
            byte[] value = operation instanceof BatchOperation.Put put ? put.value() : new byte[0];
            int size = layout.itemSize(shards.hashKeyOf(operation.key()), operation.key(), value);
            // a value in chunks is written before the transaction, which holds only the entry's reference to it
            bytes += size <= TableLayout.MAX_ITEM_BYTES ? size : layout.itemSize(shards.hashKeyOf(operation.key()), operation.key(), new byte[0])
                    + LargeValues.REFERENCE_BYTES;
        }
        if (bytes > MAX_TRANSACTION_BYTES) {
            throw new InvalidEntryException(operations.get(0).key(), "Atomic batch on " + location + " is " + bytes
                    + " bytes; DynamoDB transactions hold at most " + MAX_TRANSACTION_BYTES
                    + " bytes (values kept in chunks count only their reference). Nothing was written: split the batch"
                    + " or write it without atomic");
        }
    }

    @Override
    public void check(BatchOperation operation) {
        ensureOpen();
        checkOperation(operation);
    }

    private void checkOperation(BatchOperation operation) {
        Objects.requireNonNull(operation, "batch operation");
        layout.checkKey(operation.key());
        if (operation instanceof BatchOperation.Put put && put.value().length > options.maxValueSize()) {
            throw new InvalidEntryException(put.key(), "Invalid entry for key " + Bytes.describe(put.key()) + ": the value is "
                    + put.value().length + " bytes, more than the database's maxValueSize of " + options.maxValueSize()
                    + " bytes; raise it with OpenOptions.withMaxValueSize (at most " + OpenOptions.MAX_VALUE_SIZE_LIMIT
                    + ") or store the value elsewhere and keep a reference");
        }
        if (operation instanceof BatchOperation.Put put && !fitsInItem(put, 0)) {
            large.check(put.key(), put.value().length);
        }
    }

    @Override
    public RangeIterator<Entry> iterator(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.ENTRIES, item -> {
            byte[] key = layout.keyOf(item);
            byte[] value = currentValueOf(key, item);
            return value == null ? null : new Entry(key, value);
        });
    }

    @Override
    public RangeIterator<byte[]> keys(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.KEYS, layout::keyOf);
    }

    @Override
    public RangeIterator<byte[]> values(KeyRange range) {
        ensureOpen();
        return items(range, QueryIterator.Projection.VALUES, item -> currentValueOf(layout.keyOf(item), item));
    }

    /** The range's items, mapped (null: skipped): from the one partition, or merged in key order from the shards. */
    private <T> RangeIterator<T> items(KeyRange range, QueryIterator.Projection projection,
            Function<Map<String, AttributeValue>, T> mapper) {
        return shards.count() == 1 ? new QueryIterator<>(this, location.hashKey(), range, projection, mapper)
                : new MergedIterator<>(this, range, projection, mapper);
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
                    writer.write(chunk.stream().map(item -> BatchWriter.delete(itemKey(BatchOperation.del(layout.keyOf(item)))))
                            .toList());
                    chunk.forEach(item -> discardReplaced(item, null));
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
                if (stamped != null && stamped.before(generation) && deleteIfOlder(layout.keyOf(item), generation)) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** Deletes the key if it is still of an older generation of the same origin; false if it was written again since. */
    private boolean deleteIfOlder(byte[] key, Generation generation) {
        try {
            DeleteItemResponse response = Failures.call("delete " + Bytes.describe(key) + " from " + location
                    + " as older than generation " + generation, () -> client.deleteItem(b -> b.tableName(location.table())
                            .key(layout.itemKey(shards.hashKeyOf(key), key))
                            .conditionExpression(TableLayout.GENERATION_ORIGIN + " = :o AND " + TableLayout.GENERATION + " < :g")
                            .expressionAttributeNames(Map.of(TableLayout.GENERATION, TableLayout.GENERATION_ATTRIBUTE,
                                    TableLayout.GENERATION_ORIGIN, TableLayout.GENERATION_ORIGIN_ATTRIBUTE))
                            .expressionAttributeValues(Map.of(":g", AttributeValue.fromN(Long.toString(generation.number())),
                                    ":o", AttributeValue.fromS(generation.origin())))
                            .returnValues(ReturnValue.ALL_OLD)));
            discardReplaced(response.attributes(), null);
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
        return large.sweep(olderThan, key -> LargeValues.referenceOf(getItem(key, true)));
    }

    /**
     * One page of a {@link QueryIterator}'s, at the pace of the partition key it reads (its {@code :h}), charged what
     * its items cost once they are known.
     */
    QueryResponse query(QueryRequest request, QueryBounds bounds) {
        double least = CapacityUnits.leastRead(options.consistentRead());
        return retrier.read("query " + bounds + " of " + location, request.expressionAttributeValues().get(":h").s(), least,
                override -> client.query(request.toBuilder().overrideConfiguration(override).build()),
                page -> CapacityUnits.read(page.items(), options.consistentRead()) - least);
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

    /** Threads named after the table they send requests to, which never keep the JVM alive. */
    static ThreadFactory daemonThreads(String table) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "dynamodbdown-" + table + "-" + count.incrementAndGet());
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
