package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.BatchWriteException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.WriteOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Writes a batch as planned ({@link WritePlanner}): entries whose values fit in their items with BatchWriteItem,
 * values kept in chunks one by one ({@link ConditionalWriter#putInChunks}), or all of it in one transaction. The
 * chunks of the large values it replaces are removed after it.
 */
final class BatchWrites {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWrites.class);

    private final TableContext table;
    private final WritePlanner planner;
    private final BatchWriter writer;
    private final BatchGetter getter;
    private final LargeValues large;
    private final ConditionalWriter conditional;

    BatchWrites(TableContext table, WritePlanner planner, BatchWriter writer, BatchGetter getter, LargeValues large,
            ConditionalWriter conditional) {
        this.table = table;
        this.planner = planner;
        this.writer = writer;
        this.getter = getter;
        this.large = large;
        this.conditional = conditional;
    }

    /** Writes the operations, the last one per key; a {@link BatchWriteException} names the keys not written. */
    void write(List<? extends BatchOperation> operations, WriteOptions writeOptions) {
        List<BatchOperation> lastPerKey = planner.lastPerKey(operations, writeOptions);
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
            if (operation instanceof BatchOperation.Put put && inChunks(put, generation)) {
                inChunks.add(put);
            } else {
                inItems.add(operation);
            }
        }
        List<byte[]> unwritten = new ArrayList<>();
        DynamoDbDownException cause = null;
        boolean retryable = true;
        if (!inItems.isEmpty()) {
            Map<ByteBuffer, Map<String, AttributeValue>> before = replacedItems(inItems, false);
            List<byte[]> notWritten = List.of();
            try {
                writer.write(inItems.stream().map(op -> op instanceof BatchOperation.Put put
                        ? BatchWriter.put(TableLayout.stamped(table.item(put), generation))
                        : BatchWriter.delete(table.itemKey(op.key()))).toList());
            } catch (BatchWriteException e) {
                notWritten = e.unwrittenKeys();
                unwritten.addAll(notWritten);
                cause = e;
                retryable = e.isRetryable();
            }
            discardReplaced(before, Map.of(), notWritten); // the keys written did replace what they held
        }
        for (BatchOperation.Put put : inChunks) { // one by one: each is a transaction of its own
            try {
                conditional.putInChunks(put, null, generation);
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

    private boolean inChunks(BatchOperation.Put put, Generation generation) {
        return planner.inChunks(put, TableLayout.generationBytes(generation));
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
            if (operation instanceof BatchOperation.Put put && inChunks(put, generation)) {
                LargeValues.Reference reference = large.writeChunks(put.key(), put.value());
                written.put(ByteBuffer.wrap(put.key()), reference);
                items.add(large.fence(reference.version()));
            }
        }
        Map<ByteBuffer, Map<String, AttributeValue>> before = replacedItems(operations, !written.isEmpty());
        for (BatchOperation operation : operations) {
            items.add(operation instanceof BatchOperation.Put put
                    ? writer.transactPut(TableLayout.stamped(entryItem(put, written), generation))
                    : writer.transactDelete(table.itemKey(operation.key())));
        }
        writer.writeAtomic(items);
        // Any failure leaves it open what was written: the sweep removes what nothing refers to.
        discardReplaced(before, written, List.of());
    }

    private Map<String, AttributeValue> entryItem(BatchOperation.Put put, Map<ByteBuffer, LargeValues.Reference> written) {
        LargeValues.Reference reference = written.get(ByteBuffer.wrap(put.key()));
        return reference == null ? table.item(put) : large.entryItem(put.key(), reference);
    }

    /**
     * What the batch's keys hold now, where they may hold large values: BatchWriteItem cannot return what it
     * replaced. If this read fails the batch goes ahead; what it replaces then is left to the sweep.
     */
    private Map<ByteBuffer, Map<String, AttributeValue>> replacedItems(List<BatchOperation> operations, boolean writesLarge) {
        if (!writesLarge && !large.mayHold()) {
            return Map.of();
        }
        try {
            return getter.items(operations.stream().map(BatchOperation::key).toList(), false);
        } catch (DynamoDbDownException e) {
            LOG.debug("Could not read what the batch replaces in {}; Database.sweep() removes chunks left behind",
                    table.location(), e);
            return Map.of();
        }
    }

    /** Removes the chunks the keys written replaced ({@code before}), but those of the versions written now. */
    private void discardReplaced(Map<ByteBuffer, Map<String, AttributeValue>> before,
            Map<ByteBuffer, LargeValues.Reference> written, List<byte[]> unwritten) {
        Set<ByteBuffer> notWritten = new HashSet<>();
        unwritten.forEach(key -> notWritten.add(ByteBuffer.wrap(key)));
        before.forEach((key, old) -> {
            if (!notWritten.contains(key)) {
                large.discardReplaced(old, written.get(key));
            }
        });
    }
}
