package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.WriteOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks writes before anything is sent, and plans batches: the last operation per key, within what one
 * DynamoDB transaction holds when the batch is atomic. A write that fails here sent nothing.
 */
final class WritePlanner {

    /** DynamoDB's limit for one TransactWriteItems call, across all items. */
    private static final int MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

    private final TableContext table;
    private final LargeValues large;

    WritePlanner(TableContext table, LargeValues large) {
        this.table = table;
        this.large = large;
    }

    /** Fails for an operation this database cannot write: its key, or its value's size. */
    void check(BatchOperation operation) {
        Objects.requireNonNull(operation, "batch operation");
        table.layout().checkKey(operation.key());
        if (!(operation instanceof BatchOperation.Put put)) {
            return;
        }
        long maxValueSize = table.options().maxValueSize();
        if (put.value().length > maxValueSize) {
            throw new InvalidEntryException(put.key(), "Invalid entry for key " + Bytes.describe(put.key()) + ": the value is "
                    + put.value().length + " bytes, more than the database's maxValueSize of " + maxValueSize
                    + " bytes; raise it with OpenOptions.withMaxValueSize (at most " + OpenOptions.MAX_VALUE_SIZE_LIMIT
                    + ") or store the value elsewhere and keep a reference");
        }
        if (inChunks(put, 0)) {
            large.check(put.key(), put.value().length);
        }
    }

    /**
     * Whether the put's value is kept in chunks: it does not fit in its entry's own item ({@code extra}: bytes a token
     * or generation adds to that item).
     */
    boolean inChunks(BatchOperation.Put put, int extra) {
        return !table.fitsInItem(put.key(), put.value(), extra);
    }

    /**
     * Checks every operation before anything is sent, and keeps the last operation per key (DynamoDB refuses
     * one key twice in a request; in LevelDB the last one wins). An atomic batch must fit in one transaction.
     */
    List<BatchOperation> lastPerKey(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        Map<ByteBuffer, BatchOperation> lastPerKey = new LinkedHashMap<>();
        for (BatchOperation operation : operations) {
            check(operation);
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
        long inChunks = operations.stream().filter(op -> op instanceof BatchOperation.Put put && inChunks(put, extra)).count();
        if (operations.size() + inChunks > WriteOptions.MAX_ATOMIC_OPERATIONS) {
            throw new InvalidEntryException(operations.get((int) Math.min(operations.size() - 1, WriteOptions.MAX_ATOMIC_OPERATIONS)).key(),
                    "Atomic batch on " + table.location() + " has " + operations.size() + " distinct keys" + (inChunks == 0 ? ""
                            : " and " + inChunks + " values in chunks (each takes a second place, its version's fence)")
                            + "; DynamoDB transactions hold at most " + WriteOptions.MAX_ATOMIC_OPERATIONS
                            + " operations. Nothing was written: split the batch or write it without atomic");
        }
        long bytes = 0;
        for (BatchOperation operation : operations) {
            byte[] value = operation instanceof BatchOperation.Put put ? put.value() : new byte[0];
            String hashKey = table.hashKeyOf(operation.key());
            int size = table.layout().itemSize(hashKey, operation.key(), value);
            // a value in chunks is written before the transaction, which holds only the entry's reference to it
            bytes += size <= TableLayout.MAX_ITEM_BYTES ? size
                    : table.layout().itemSize(hashKey, operation.key(), new byte[0]) + LargeValues.REFERENCE_BYTES;
        }
        if (bytes > MAX_TRANSACTION_BYTES) {
            throw new InvalidEntryException(operations.get(0).key(), "Atomic batch on " + table.location() + " is " + bytes
                    + " bytes; DynamoDB transactions hold at most " + MAX_TRANSACTION_BYTES
                    + " bytes (values kept in chunks count only their reference). Nothing was written: split the batch"
                    + " or write it without atomic");
        }
    }
}
