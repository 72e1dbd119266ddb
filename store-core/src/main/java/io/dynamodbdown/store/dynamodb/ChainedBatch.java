package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.WriteBatch;
import io.dynamodbdown.store.WriteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** A chained batch collecting operations for {@link io.dynamodbdown.store.Database#batch(List, WriteOptions)}. */
final class ChainedBatch implements WriteBatch {

    private final BiConsumer<List<BatchOperation>, WriteOptions> batch;
    private final List<BatchOperation> operations = new ArrayList<>();
    private boolean written;

    /** A batch that {@code batch} writes, once. */
    ChainedBatch(BiConsumer<List<BatchOperation>, WriteOptions> batch) {
        this.batch = batch;
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
        batch.accept(operations, writeOptions);
    }

    private void ensureNotWritten() {
        if (written) {
            throw new IllegalStateException("This batch was already written; start a new one with db.batch()");
        }
    }
}
