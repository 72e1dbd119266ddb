package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Values too large for one DynamoDB item (400 KB), kept as chunks in the same table. The entry's own item holds a
 * reference instead of the value: the version of its chunks, how many there are and the value's size. The chunks
 * of one version live under a partition key of their own, {@code __dynamodbdown.chunks/<hashKey>/<version>}
 * (sort keys {@code 00000000}, {@code 00000001}, ...), so a large value spreads its load over its own partition
 * and a database's Query never meets a chunk. Every version is first entered in the database's registry,
 * {@code __dynamodbdown.chunks/<hashKey>} (sort key: the version), with its owner's key and when it was written.
 *
 * <p>A write goes: registry entry, chunks, then the entry itself, one write, so readers see the old value or the
 * new one, whole; then the chunks of the version it replaced, and that version's registry entry, are deleted.
 * Whatever stops in between (a crash, a failed request, a batch that replaced a large value it did not know
 * about) leaves a version nothing refers to, which {@link #sweep} finds in the registry and removes.
 */
final class LargeValues {

    static final String PREFIX = "__dynamodbdown.chunks/";
    /** On an entry's item: the version of its chunks (S), their number (N) and the value's size in bytes (N). */
    static final String VERSION = "largeValue";
    static final String CHUNKS = "largeValueChunks";
    static final String SIZE = "largeValueBytes";
    /** On a registry item: the entry's key (B) and when the version was written (N, epoch milliseconds). */
    private static final String OWNER = "owner";
    private static final String WRITTEN_AT = "writtenAt";
    /** What a reference adds to an entry's item, at most: three attribute names, a version id, two numbers. */
    static final int REFERENCE_BYTES = 128;
    /** Bytes of a value per chunk item: with its keys, well under the 400 KB item limit. */
    static final int CHUNK_BYTES = 384 * 1024;
    /** BatchGetItem answers at most 16 MB per call: this many chunks per call. */
    private static final int CHUNKS_PER_GET = 40;
    /** While the registry is empty, how long {@link #mayHold} trusts that before asking again. */
    private static final Duration REGISTRY_RECHECK = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(LargeValues.class);

    /** A large value's reference, as its entry's item holds it. */
    record Reference(String version, int chunks, long size) {
    }

    private final DynamoDbClient client;
    private final Location location;
    private final TableLayout layout;
    private final BatchWriter writer;
    private final Retrier retrier;
    private final ExecutorService pool;
    private final boolean consistentRead;
    private volatile boolean registryUsed;
    private volatile long registryCheckedAt = Long.MIN_VALUE;

    LargeValues(DynamoDbClient client, Location location, TableLayout layout, BatchWriter writer, Retrier retrier,
            ExecutorService pool, boolean consistentRead) {
        this.client = client;
        this.location = location;
        this.layout = layout;
        this.writer = writer;
        this.retrier = retrier;
        this.pool = pool;
        this.consistentRead = consistentRead;
    }

    /** The reference an item holds instead of a value, or null for an item that holds its value. */
    static Reference referenceOf(Map<String, AttributeValue> item) {
        AttributeValue version = item == null ? null : item.get(VERSION);
        if (version == null) {
            return null;
        }
        return new Reference(version.s(), Integer.parseInt(item.get(CHUNKS).n()), Long.parseLong(item.get(SIZE).n()));
    }

    /** The placeholders of the reference attributes, for a projection expression; {@link #referenceNames} maps them. */
    static final String REFERENCE_PROJECTION = "#lv, #lc, #ls";

    /** The attribute names a read must project to see references, with their placeholders. */
    static Map<String, String> referenceNames() {
        return Map.of("#lv", VERSION, "#lc", CHUNKS, "#ls", SIZE);
    }

    /**
     * Whether the database may hold large values: its registry has an entry. While it has none, asked again at
     * most once a minute, so a writer that only ever writes small values pays nothing for them.
     */
    boolean mayHold() {
        if (registryUsed) {
            return true;
        }
        long now = System.nanoTime();
        if (registryCheckedAt != Long.MIN_VALUE && now - registryCheckedAt < REGISTRY_RECHECK.toNanos()) {
            return false;
        }
        QueryResponse any;
        try {
            any = Failures.call("look for large values of " + location, () -> client.query(b -> b
                    .tableName(location.table()).keyConditionExpression(TableLayout.HASH + " = :h")
                    .expressionAttributeNames(Map.of(TableLayout.HASH, layout.hashAttribute()))
                    .expressionAttributeValues(Map.of(":h", layout.hashValue(registryKey()))).limit(1)
                    .consistentRead(consistentRead)));
        } catch (DynamoDbDownException e) {
            LOG.debug("Could not tell whether {} holds large values; acting as if it may", location, e);
            return true; // the safe answer: the caller then learns what a write replaces
        }
        registryUsed = any.count() > 0;
        registryCheckedAt = now;
        return registryUsed;
    }

    /** Enters a new version in the registry and writes its chunks; the caller then writes the entry's reference. */
    Reference write(byte[] key, byte[] value) {
        String version = UUID.randomUUID().toString();
        int chunks = Math.max(1, (int) ((value.length + (long) CHUNK_BYTES - 1) / CHUNK_BYTES));
        Map<String, AttributeValue> entry = new HashMap<>(registryItemKey(version));
        entry.put(OWNER, AttributeValue.fromB(SdkBytes.fromByteArray(key)));
        entry.put(WRITTEN_AT, AttributeValue.fromN(Long.toString(System.currentTimeMillis())));
        entry.put(CHUNKS, AttributeValue.fromN(Integer.toString(chunks)));
        Failures.call("register the chunks of " + Bytes.describe(key) + " in " + location,
                () -> client.putItem(b -> b.tableName(location.table()).item(entry)));
        registryUsed = true;
        List<WriteRequest> puts = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            int from = i * CHUNK_BYTES;
            int to = Math.min(value.length, from + CHUNK_BYTES);
            Map<String, AttributeValue> chunk = new HashMap<>(chunkKey(version, i));
            chunk.put(layout.valueAttribute(), AttributeValue.fromB(SdkBytes.fromByteArray(Arrays.copyOfRange(value, from, to))));
            puts.add(BatchWriter.put(chunk));
        }
        writer.writeAll(puts, "write the " + chunks + " chunks of the " + value.length + "-byte value of "
                + Bytes.describe(key) + " in " + location);
        return new Reference(version, chunks, value.length);
    }

    /** The entry's item for a large value: its key and the reference, no value attribute. */
    Map<String, AttributeValue> entryItem(byte[] key, Reference reference) {
        Map<String, AttributeValue> item = new HashMap<>(layout.itemKey(location.hashKey(), key));
        item.put(VERSION, AttributeValue.fromS(reference.version()));
        item.put(CHUNKS, AttributeValue.fromN(Integer.toString(reference.chunks())));
        item.put(SIZE, AttributeValue.fromN(Long.toString(reference.size())));
        return item;
    }

    /** The value a reference stands for; null when a chunk is missing (the version was replaced and removed since). */
    byte[] read(Reference reference) {
        if (reference.size() > Integer.MAX_VALUE - 8) {
            throw new DynamoDbDownException("A value of " + reference.size() + " bytes in " + location + " is too large to read");
        }
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < reference.chunks(); i++) {
            indexes.add(i);
        }
        Map<Integer, byte[]> chunks = new HashMap<>();
        for (Map<Integer, byte[]> part : Parallel.map(pool, Parallel.chunks(indexes, CHUNKS_PER_GET),
                group -> getChunks(reference.version(), group))) {
            chunks.putAll(part);
        }
        if (chunks.size() != reference.chunks()) {
            return null;
        }
        byte[] value = new byte[(int) reference.size()];
        int at = 0;
        for (int i = 0; i < reference.chunks(); i++) {
            byte[] chunk = chunks.get(i);
            if (at + chunk.length > value.length) {
                return null;
            }
            System.arraycopy(chunk, 0, value, at, chunk.length);
            at += chunk.length;
        }
        return at == value.length ? value : null;
    }

    private Map<Integer, byte[]> getChunks(String version, List<Integer> indexes) {
        List<Map<String, AttributeValue>> pending = new ArrayList<>();
        for (int index : indexes) {
            pending.add(chunkKey(version, index));
        }
        Map<Integer, byte[]> found = new HashMap<>();
        for (int attempt = 1; ; attempt++) {
            KeysAndAttributes request = KeysAndAttributes.builder().keys(pending).consistentRead(consistentRead).build();
            String what = "read " + pending.size() + " chunks of a large value in " + location;
            BatchGetItemResponse response = Failures.call(what,
                    () -> client.batchGetItem(b -> b.requestItems(Map.of(location.table(), request))));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(location.table(), List.of())) {
                int index = Integer.parseInt(new String(layout.keyOf(item), StandardCharsets.US_ASCII));
                found.put(index, item.get(layout.valueAttribute()).b().asByteArrayUnsafe());
            }
            KeysAndAttributes unprocessed = response.unprocessedKeys().get(location.table());
            if (unprocessed == null || unprocessed.keys().isEmpty()) {
                return found;
            }
            if (attempt >= retrier.maxAttempts()) {
                throw new DynamoDbDownException(what + " failed: DynamoDB left " + unprocessed.keys().size()
                        + " keys unprocessed through " + attempt + " attempts", null, true);
            }
            pending = unprocessed.keys();
            retrier.pauseBeforeRetry(attempt);
        }
    }

    /**
     * Removes a version nothing refers to any more: its chunks, then its registry entry. A failure is logged, not
     * thrown (the write that replaced it did succeed); the version stays in the registry for {@link #sweep}.
     */
    void discard(Reference reference) {
        try {
            List<WriteRequest> deletes = new ArrayList<>(reference.chunks());
            for (int i = 0; i < reference.chunks(); i++) {
                deletes.add(BatchWriter.delete(chunkKey(reference.version(), i)));
            }
            writer.writeAll(deletes, "delete the chunks of replaced version " + reference.version() + " in " + location);
            Failures.call("unregister version " + reference.version() + " in " + location,
                    () -> client.deleteItem(b -> b.tableName(location.table()).key(registryItemKey(reference.version()))));
        } catch (DynamoDbDownException e) {
            LOG.warn("Could not remove the chunks of a replaced large value in {} ({}); Database.sweep() removes them later",
                    location, e.getMessage());
        }
    }

    /**
     * Removes every version in the registry written more than {@code olderThan} ago that its owner's entry no
     * longer refers to ({@code current} reads the reference an entry holds now, null for none). Younger versions
     * stay: their writer may still be between the chunks and the entry. Returns the number of versions removed.
     */
    long sweep(Duration olderThan, Function<byte[], Reference> current) {
        long cutoff = Instant.now().minus(olderThan).toEpochMilli();
        long removed = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = Failures.call("read the large-value registry of " + location, () -> client.query(b -> b
                    .tableName(location.table()).keyConditionExpression(TableLayout.HASH + " = :h")
                    .expressionAttributeNames(Map.of(TableLayout.HASH, layout.hashAttribute()))
                    .expressionAttributeValues(Map.of(":h", layout.hashValue(registryKey())))
                    .consistentRead(true).exclusiveStartKey(from)));
            for (Map<String, AttributeValue> entry : page.items()) {
                String version = new String(layout.keyOf(entry), StandardCharsets.US_ASCII);
                long writtenAt = Long.parseLong(entry.get(WRITTEN_AT).n());
                if (writtenAt > cutoff) {
                    continue;
                }
                Reference inUse = current.apply(entry.get(OWNER).b().asByteArray());
                if (inUse == null || !inUse.version().equals(version)) {
                    discard(new Reference(version, Integer.parseInt(entry.get(CHUNKS).n()), 0));
                    removed++;
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return removed;
    }

    private String registryKey() {
        return PREFIX + location.hashKey();
    }

    private Map<String, AttributeValue> registryItemKey(String version) {
        return Map.of(layout.hashAttribute(), layout.hashValue(registryKey()),
                layout.rangeAttribute(), layout.rangeValue(version.getBytes(StandardCharsets.US_ASCII)));
    }

    private Map<String, AttributeValue> chunkKey(String version, int index) {
        return Map.of(layout.hashAttribute(), layout.hashValue(registryKey() + "/" + version),
                layout.rangeAttribute(), layout.rangeValue(String.format("%08d", index).getBytes(StandardCharsets.US_ASCII)));
    }
}
