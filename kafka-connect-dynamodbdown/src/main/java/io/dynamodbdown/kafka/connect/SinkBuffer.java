package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Generation;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Operations waiting to be written, per database, with the offsets they will make committable.
 *
 * <p>Within one topic partition the last operation per key replaces earlier ones (LevelDB's "last wins",
 * and DynamoDB refuses one key twice in a request). Operations are kept per partition so that the
 * operations of a revoked partition can be dropped without touching anyone else's.
 */
final class SinkBuffer {

    private record Slot(TopicPartition partition, ByteBuffer key) {
    }

    /** An operation and the generation it is written in (null: none). */
    private record Pending(BatchOperation operation, Generation generation) {
    }

    /** The operations of one database in one generation, ready for a batch. */
    record Batch(String hashKey, Generation generation, List<BatchOperation> operations) {
    }

    private final Map<String, LinkedHashMap<Slot, Pending>> byDatabase = new LinkedHashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private int size;

    void add(String hashKey, Generation generation, TopicPartition partition, long offset, BatchOperation operation) {
        LinkedHashMap<Slot, Pending> operations = byDatabase.computeIfAbsent(hashKey, h -> new LinkedHashMap<>());
        Slot slot = new Slot(partition, ByteBuffer.wrap(operation.key()));
        if (operations.remove(slot) == null) {
            size++;
        }
        operations.put(slot, new Pending(operation, generation));
        advance(partition, offset);
    }

    /** A record that needs no write (a bad record sent to the DLQ) still moves its partition's offset. */
    void advance(TopicPartition partition, long offset) {
        OffsetAndMetadata next = new OffsetAndMetadata(offset + 1);
        offsets.merge(partition, next, (a, b) -> a.offset() >= b.offset() ? a : b);
    }

    int size() {
        return size;
    }

    /**
     * The operations per database and generation, in arrival order (per key the last, so a key is in one batch
     * only and the batches may be written in any order).
     */
    List<Batch> batches() {
        List<Batch> batches = new ArrayList<>();
        byDatabase.forEach((hashKey, operations) -> {
            Map<Generation, List<BatchOperation>> byGeneration = new LinkedHashMap<>();
            operations.values().forEach(pending -> byGeneration.computeIfAbsent(pending.generation(), g -> new ArrayList<>())
                    .add(pending.operation()));
            byGeneration.forEach((generation, batch) -> batches.add(new Batch(hashKey, generation, batch)));
        });
        return batches;
    }

    /** The offsets that become committable once every buffered operation is written. */
    Map<TopicPartition, OffsetAndMetadata> offsets() {
        return Map.copyOf(offsets);
    }

    /** After a successful write of everything buffered. */
    void clear() {
        byDatabase.clear();
        offsets.clear();
        size = 0;
    }

    /** Forgets the operations and offsets of partitions this task no longer owns. */
    void drop(Collection<TopicPartition> partitions) {
        for (LinkedHashMap<Slot, Pending> operations : byDatabase.values()) {
            int before = operations.size();
            operations.keySet().removeIf(slot -> partitions.contains(slot.partition()));
            size -= before - operations.size();
        }
        byDatabase.values().removeIf(Map::isEmpty);
        partitions.forEach(offsets::remove);
    }
}
