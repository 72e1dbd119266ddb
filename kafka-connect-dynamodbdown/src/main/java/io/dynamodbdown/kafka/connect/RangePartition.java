package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * One source partition: a key range of one database. Its Kafka Connect source partition is
 * {@code {table, hash.key, range}}, where range is a stable text form of the bounds; the connector hands
 * partitions to tasks in {@link #encode} form. This is the one place that builds source partitions; the offsets
 * stored under them are {@link RangeOffset}s (snapshot, tail) and {@link PieceOffset}s (changes).
 *
 * <p>The worker stores an offset under the serialized bytes of {@code [connector, partition]}, writing the
 * partition's fields in iteration order, and finds it again only under the same bytes. So the fields always
 * come in one order, the same in every JVM: the order the worker itself gives them when it reads a partition
 * back from JSON (a {@link HashMap} of these three names, which iterates in one fixed order because a
 * String's hash is), as it does for offsets altered or reset over REST. Earlier builds made the map with
 * {@code Map.of}, whose order changes from one JVM to the next; {@link #storedOffset} still finds their offsets.
 */
record RangePartition(String hashKey, KeyRange range) {

    static final String TABLE_FIELD = "table";
    static final String HASH_KEY_FIELD = "hash.key";
    static final String RANGE_FIELD = "range";
    static final String STREAM_FIELD = "stream";

    /** The order of the source partition's fields, in every JVM: a JSON round trip's (range, hash.key, table). */
    static final List<String> FIELD_ORDER = List.copyOf(inJsonOrder(Map.of(TABLE_FIELD, "", HASH_KEY_FIELD, "", RANGE_FIELD, "")).keySet());

    /**
     * The fields in the order the worker's JSON converter gives them when it reads a partition back (a plain
     * HashMap's, fixed because a String's hash is): the one order the worker stores and finds an offset under.
     */
    static Map<String, String> inJsonOrder(Map<String, String> fields) {
        Map<String, String> read = new HashMap<>();
        read.putAll(fields);
        return new LinkedHashMap<>(read);
    }

    Map<String, String> sourcePartition(String table) {
        return inOrder(table, FIELD_ORDER);
    }

    /**
     * In changes mode, the source partition of the snapshot of this database and range,
     * {@code {stream, hash.key, range}} (stream: the table), its offsets {@link PieceOffset}s.
     */
    Map<String, String> changesPartition(String table) {
        return inJsonOrder(Map.of(STREAM_FIELD, table, HASH_KEY_FIELD, hashKey, RANGE_FIELD, rangeId()));
    }

    private Map<String, String> inOrder(String table, List<String> fields) {
        Map<String, String> values = Map.of(TABLE_FIELD, table, HASH_KEY_FIELD, hashKey, RANGE_FIELD, rangeId());
        Map<String, String> partition = new LinkedHashMap<>();
        fields.forEach(field -> partition.put(field, values.get(field)));
        return partition;
    }

    /**
     * The offset to resume from: the one stored under this partition's fields in their order; where there is
     * none, the furthest one stored under another order of the same fields (by an earlier build, or set over REST
     * with the fields in another order); the start of the range for none.
     */
    RangeOffset storedOffset(OffsetStorageReader reader, String table) {
        Map<String, String> partition = sourcePartition(table);
        RangeOffset stored = RangeOffset.of(reader.offset(partition));
        if (stored.key() != null) {
            return stored;
        }
        for (Map<String, Object> other : offsetsInOtherOrders(reader, partition)) {
            RangeOffset found = RangeOffset.of(other);
            if (found.key() != null && (stored.key() == null || Bytes.compare(found.key(), stored.key()) > 0)) {
                stored = found;
            }
        }
        return stored;
    }

    /** The offsets stored under the partition's fields in every order but theirs. */
    private static List<Map<String, Object>> offsetsInOtherOrders(OffsetStorageReader reader, Map<String, String> partition) {
        List<String> fields = List.copyOf(partition.keySet());
        List<Map<String, Object>> found = new ArrayList<>();
        for (List<String> order : orders(fields)) {
            if (order.equals(fields)) {
                continue;
            }
            Map<String, String> reordered = new LinkedHashMap<>();
            order.forEach(field -> reordered.put(field, partition.get(field)));
            Map<String, Object> offset = reader.offset(reordered);
            if (offset != null) {
                found.add(offset);
            }
        }
        return found;
    }

    /** Every order of {@code fields}. */
    private static List<List<String>> orders(List<String> fields) {
        if (fields.size() <= 1) {
            return List.of(fields);
        }
        List<List<String>> orders = new ArrayList<>();
        for (String first : fields) {
            List<String> rest = new ArrayList<>(fields);
            rest.remove(first);
            for (List<String> tail : orders(rest)) {
                List<String> order = new ArrayList<>(List.of(first));
                order.addAll(tail);
                orders.add(order);
            }
        }
        return orders;
    }

    /** The bounds as text, e.g. {@code gte:YQ==..lt:Yg==} (base64 keys); {@code ..} is the whole keyspace. */
    String rangeId() {
        return range.boundsId();
    }

    static String encode(List<RangePartition> partitions) {
        List<String> parts = new ArrayList<>();
        for (RangePartition p : partitions) {
            parts.add(KeyEncoding.BASE64.encode(Bytes.utf8(p.hashKey)) + "|" + p.rangeId());
        }
        return String.join(",", parts);
    }

    static List<RangePartition> decode(String encoded) {
        List<RangePartition> partitions = new ArrayList<>();
        if (encoded == null || encoded.isBlank()) {
            return partitions;
        }
        for (String part : encoded.split(",")) {
            int bar = part.indexOf('|');
            String hashKey = new String(KeyEncoding.BASE64.decode(part.substring(0, bar)), StandardCharsets.UTF_8);
            partitions.add(new RangePartition(hashKey, KeyRange.ofBoundsId(part.substring(bar + 1))));
        }
        return partitions;
    }
}
