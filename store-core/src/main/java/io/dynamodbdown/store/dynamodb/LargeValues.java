package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.InvalidEntryException;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
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
 *
 * <p>The registry entry is also the version's fence. The entry is written in a transaction with a condition
 * check that the version's registry entry is there and not marked discarded; removing a version marks it
 * first. So an entry can never come to refer to removed chunks: not through a request the client sends again
 * after the version was replaced (a transaction's token makes it run once), nor through a writer slower than
 * the sweep's grace period (its entry write fails, and it says so).
 */
final class LargeValues {

    static final String PREFIX = Location.RESERVED_PREFIX + "chunks/";
    /** On an entry's item: the version of its chunks (S), their number (N) and the value's size in bytes (N). */
    static final String VERSION = "largeValue";
    static final String CHUNKS = "largeValueChunks";
    static final String SIZE = "largeValueBytes";
    /**
     * On a registry item: the entry's key (B), when the version was written (N, epoch milliseconds), and, once
     * its removal began or a sweep checks it, a mark that fences it off (BOOL true when its entry replaced it, a
     * sweep's own token (S) while that sweep checks whether it is in use).
     */
    private static final String OWNER = "owner";
    private static final String WRITTEN_AT = "writtenAt";
    private static final String DISCARDED = "discarded";
    /** The mark of a version its entry's write replaced; a sweep marks with a token of its own (S). */
    private static final AttributeValue REPLACED = AttributeValue.fromBool(true);
    /** The mark of a version a sweep removed while it was young (see {@link #WRITE_GRACE}). */
    private static final AttributeValue REMOVED = AttributeValue.fromS("removed");
    /**
     * How long after registering a version its writer may still be writing its chunks (a slow or throttled write).
     * A sweep that removes a version younger than that (it was never referred to; its writer, if still at work, is
     * fenced off and fails) keeps its registry item, marked removed, until it is this old: every sweep until then
     * removes its chunks again, so a chunk written after the first removal is never left where no sweep finds it.
     */
    static final Duration WRITE_GRACE = Duration.ofHours(1);
    /** DynamoDB's limit for a partition key value, which a chunk partition's name must keep to. */
    private static final int MAX_HASH_KEY_BYTES = 2048;
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

    private final TableContext table;
    private final DynamoDbClient client;
    private final Location location;
    private final TableLayout layout;
    private final BatchWriter writer;
    private final BatchGetter getter;
    private volatile boolean registryUsed;
    private volatile long registryCheckedAt = Long.MIN_VALUE;

    LargeValues(TableContext table, BatchWriter writer, BatchGetter getter) {
        this.table = table;
        this.client = table.client();
        this.location = table.location();
        this.layout = table.layout();
        this.writer = writer;
        this.getter = getter;
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
                    .consistentRead(table.options().consistentRead())));
        } catch (DynamoDbDownException e) {
            LOG.debug("Could not tell whether {} holds large values; acting as if it may", location, e);
            return true; // the safe answer: the caller then learns what a write replaces
        }
        registryUsed = any.count() > 0;
        registryCheckedAt = now;
        return registryUsed;
    }

    /** Enters a new version in the registry and writes its chunks; the caller then writes the entry's reference. */
    Reference writeChunks(byte[] key, byte[] value) {
        check(key, value.length);
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

    /** Fails, before any request, for a large value this database cannot keep: its hash key leaves no room. */
    void check(byte[] key, int valueLength) {
        int partitionKeyBytes = (registryKey() + "/" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8).length;
        if (partitionKeyBytes > MAX_HASH_KEY_BYTES) {
            throw new InvalidEntryException(key, "Invalid entry for key " + Bytes.describe(key) + ": its " + valueLength
                    + "-byte value needs chunks, and their partition key would be " + partitionKeyBytes + " bytes, over"
                    + " DynamoDB's " + MAX_HASH_KEY_BYTES + ": the hash key of " + location + " is too long for values past 400 KB");
        }
    }

    /** The entry's item for a large value: its key and the reference, no value attribute. */
    Map<String, AttributeValue> entryItem(byte[] key, Reference reference) {
        Map<String, AttributeValue> item = new HashMap<>(table.itemKey(key));
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
        for (Map<Integer, byte[]> part : Parallel.map(table.pool(), Parallel.chunks(indexes, CHUNKS_PER_GET),
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
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int index : indexes) {
            keys.add(chunkKey(version, index));
        }
        // always strongly consistent: a chunk written a moment ago must be found, or the value would seem gone
        Map<Integer, byte[]> found = new HashMap<>();
        for (Map<String, AttributeValue> item : getter.getAll(keys, KeysAndAttributes.builder().consistentRead(true).build(),
                "read " + keys.size() + " chunks of a large value in " + location)) {
            int index = Integer.parseInt(new String(layout.keyOf(item), StandardCharsets.US_ASCII));
            found.put(index, item.get(layout.valueAttribute()).b().asByteArrayUnsafe());
        }
        return found;
    }

    /**
     * The condition check that fences a version: its registry entry is there and not marked discarded. Written in
     * one transaction with the entry that refers to the version.
     */
    TransactWriteItem fence(String version) {
        return TransactWriteItem.builder().conditionCheck(c -> c.tableName(location.table()).key(registryItemKey(version))
                .conditionExpression("attribute_exists(#o) AND attribute_not_exists(#d)")
                .expressionAttributeNames(Map.of("#o", OWNER, "#d", DISCARDED))).build();
    }

    /**
     * Removes a version nothing refers to any more (its entry was just replaced): marks its registry entry (from
     * then on no entry can be made to refer to it), deletes its chunks, then the registry entry. A failure is
     * logged, not thrown (the write that replaced it did succeed); the marked version stays in the registry for
     * {@link #sweep}. True when it is gone.
     */
    boolean discard(Reference reference) {
        try {
            mark(reference.version(), REPLACED, false);
            return removeMarked(reference);
        } catch (DynamoDbDownException e) {
            LOG.warn("Could not remove the chunks of a replaced large value in {} ({}); Database.sweep() removes them later",
                    location, e.getMessage());
            return false;
        }
    }

    /**
     * Removes the chunks of the large value a write replaced ({@code old}: the item before it, null for none), unless
     * that write referred to the same version ({@code written}, null for none).
     */
    void discardReplaced(Map<String, AttributeValue> old, Reference written) {
        Reference replaced = referenceOf(old);
        if (replaced != null && (written == null || !replaced.version().equals(written.version()))) {
            discard(replaced);
        }
    }

    /**
     * Marks the version: from then on its fence fails, so no entry can come to refer to it. With
     * {@code onlyUnmarked}, only if nobody marked it before. Never creates a registry item (one removed meanwhile
     * stays removed). False if the condition failed.
     */
    private boolean mark(String version, AttributeValue mark, boolean onlyUnmarked) {
        String condition = "attribute_exists(#o)" + (onlyUnmarked ? " AND attribute_not_exists(#d)" : "");
        return updateRegistryIf(version, "SET #d = :m", condition, Map.of(":m", mark), "mark version " + version + " discarded");
    }

    /** Takes the mark {@code seen} off again (its entry refers to it): only that mark, only while the item exists. */
    private void unmark(String version, AttributeValue seen) {
        updateRegistryIf(version, "REMOVE #d", "attribute_exists(#o) AND #d = :m", Map.of(":m", seen), "unmark version " + version);
    }

    private boolean updateRegistryIf(String version, String update, String condition, Map<String, AttributeValue> values,
            String what) {
        try {
            Failures.call(what + " in " + location, () -> client.updateItem(b -> b.tableName(location.table())
                    .key(registryItemKey(version)).updateExpression(update).conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#d", DISCARDED, "#o", OWNER))
                    .expressionAttributeValues(values)));
            return true;
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException) {
                return false; // gone already, or marked or unmarked by someone else since it was read
            }
            throw e;
        }
    }

    private boolean removeMarked(Reference reference) {
        removeChunks(reference);
        Failures.call("unregister version " + reference.version() + " in " + location,
                () -> client.deleteItem(b -> b.tableName(location.table()).key(registryItemKey(reference.version()))));
        return true;
    }

    private void removeChunks(Reference reference) {
        List<WriteRequest> deletes = new ArrayList<>(reference.chunks());
        for (int i = 0; i < reference.chunks(); i++) {
            deletes.add(BatchWriter.delete(chunkKey(reference.version(), i)));
        }
        writer.writeAll(deletes, "delete the chunks of version " + reference.version() + " in " + location);
    }

    /**
     * Removes every version in the registry that its owner's entry does not refer to ({@code current} reads the
     * reference an entry holds now, strongly consistent, null for none): unmarked versions written more than
     * {@code olderThan} ago (younger ones may belong to a writer still between its chunks and its entry), and
     * marked ones of any age. Returns how many were removed.
     *
     * <p>A version's mark is what makes the check sound: once marked, no entry can come to refer to it (its fence
     * fails), so if its owner's entry does not refer to it after the mark was set, nothing ever will again. So
     * chunks are removed only after such a check, whoever set the mark and whatever failed before (a sweep that
     * stopped between marking and checking leaves a mark the next one checks again); a version found in use gets
     * the mark that was checked taken off, and only that one. Several sweeps at once, and writers replacing the
     * same values, agree: each removal is of a version none refers to, and removing twice is harmless.
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
                if (sweepOne(entry, cutoff, current)) {
                    removed++;
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return removed;
    }

    private boolean sweepOne(Map<String, AttributeValue> entry, long cutoff, Function<byte[], Reference> current) {
        String version = new String(layout.keyOf(entry), StandardCharsets.US_ASCII);
        try {
            if (!entry.containsKey(OWNER) || !entry.containsKey(CHUNKS)) {
                removeRemnant(version);
                return false;
            }
            Reference reference = new Reference(version, Integer.parseInt(entry.get(CHUNKS).n()), 0);
            long writtenAt = Long.parseLong(entry.get(WRITTEN_AT).n());
            AttributeValue mark = entry.get(DISCARDED);
            if (REMOVED.equals(mark)) {
                finishRemoval(reference, writtenAt, mark);
                return false;
            }
            if (mark == null) {
                mark = AttributeValue.fromS(UUID.randomUUID().toString());
                if (writtenAt > cutoff || !mark(version, mark, true)) {
                    return false;
                }
            }
            Reference inUse = current.apply(entry.get(OWNER).b().asByteArray());
            if (inUse != null && inUse.version().equals(version)) {
                unmark(version, mark); // its entry was written before the mark: it is in use
                return false;
            }
            if (System.currentTimeMillis() - writtenAt >= WRITE_GRACE.toMillis()) {
                return removeMarked(reference);
            }
            // its writer may still be writing chunks (it is fenced off now, and fails): keep the item, marked, until
            // it is old enough that none can come, and remove the chunks again then
            removeChunks(reference);
            updateRegistryIf(version, "SET #d = :r", "attribute_exists(#o) AND #d = :m", Map.of(":m", mark, ":r", REMOVED),
                    "mark version " + version + " removed");
            return true;
        } catch (DynamoDbDownException e) {
            LOG.warn("The sweep of {} could not remove version {} ({}); the next sweep tries again", location, version,
                    e.getMessage());
            return false;
        }
    }

    /** A version removed while young: its chunks once more (some may have come since), and the item once it is old enough. */
    private void finishRemoval(Reference reference, long writtenAt, AttributeValue mark) {
        removeChunks(reference);
        if (System.currentTimeMillis() - writtenAt >= WRITE_GRACE.toMillis()) {
            try {
                Failures.call("unregister removed version " + reference.version() + " in " + location, () -> client.deleteItem(b -> b
                        .tableName(location.table()).key(registryItemKey(reference.version()))
                        .conditionExpression("#d = :m").expressionAttributeNames(Map.of("#d", DISCARDED))
                        .expressionAttributeValues(Map.of(":m", mark))));
            } catch (DynamoDbDownException e) {
                if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes a registry item that holds nothing but its key: what an older build's sweep left when it took a mark
     * off a version another sweep had just removed (with its chunks). Only while it still holds nothing.
     */
    private void removeRemnant(String version) {
        try {
            Failures.call("remove the empty registry item of version " + version + " in " + location,
                    () -> client.deleteItem(b -> b.tableName(location.table()).key(registryItemKey(version))
                            .conditionExpression("attribute_not_exists(#o)").expressionAttributeNames(Map.of("#o", OWNER))));
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
        }
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
