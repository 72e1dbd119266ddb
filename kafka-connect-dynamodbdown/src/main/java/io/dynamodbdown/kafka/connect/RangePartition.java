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
 * partitions to tasks in {@link #encode} form. This is the one place that builds source partitions and offsets.
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
    static final String OFFSET_KEY_FIELD = "key";

    /** The order of the source partition's fields, in every JVM: a JSON round trip's (range, hash.key, table). */
    static final List<String> FIELD_ORDER = jsonRoundTripOrder();

    /** The order in which the worker's JSON converter, reading a partition back, gives its fields: a plain HashMap's. */
    private static List<String> jsonRoundTripOrder() {
        Map<String, String> read = new HashMap<>();
        for (String field : List.of(TABLE_FIELD, HASH_KEY_FIELD, RANGE_FIELD)) {
            read.put(field, "");
        }
        return List.copyOf(read.keySet());
    }

    Map<String, String> sourcePartition(String table) {
        return inOrder(table, FIELD_ORDER);
    }

    private Map<String, String> inOrder(String table, List<String> fields) {
        Map<String, String> values = Map.of(TABLE_FIELD, table, HASH_KEY_FIELD, hashKey, RANGE_FIELD, rangeId());
        Map<String, String> partition = new LinkedHashMap<>();
        fields.forEach(field -> partition.put(field, values.get(field)));
        return partition;
    }

    /** The offset that resumes strictly after {@code key} (null: from the start of the range). */
    static Map<String, String> offset(byte[] key) {
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(OFFSET_KEY_FIELD, key == null ? null : KeyEncoding.BASE64.encode(key));
        return offset;
    }

    /** The key an offset resumes after, or null. */
    static byte[] keyOf(Map<String, ?> offset) {
        Object key = offset == null ? null : offset.get(OFFSET_KEY_FIELD);
        return key == null ? null : KeyEncoding.BASE64.decode((String) key);
    }

    /**
     * The key to resume after: the offset stored under this partition's fields in their order; where there is
     * none, the furthest one an earlier version stored under another order of the same fields; null for none.
     */
    byte[] storedOffset(OffsetStorageReader reader, String table) {
        byte[] stored = keyOf(reader.offset(sourcePartition(table)));
        if (stored != null) {
            return stored;
        }
        for (List<String> order : List.of(
                List.of(TABLE_FIELD, HASH_KEY_FIELD, RANGE_FIELD), List.of(TABLE_FIELD, RANGE_FIELD, HASH_KEY_FIELD),
                List.of(HASH_KEY_FIELD, TABLE_FIELD, RANGE_FIELD), List.of(HASH_KEY_FIELD, RANGE_FIELD, TABLE_FIELD),
                List.of(RANGE_FIELD, TABLE_FIELD, HASH_KEY_FIELD), List.of(RANGE_FIELD, HASH_KEY_FIELD, TABLE_FIELD))) {
            if (order.equals(FIELD_ORDER)) {
                continue;
            }
            byte[] earlier = keyOf(reader.offset(inOrder(table, order)));
            if (earlier != null && (stored == null || Bytes.compare(earlier, stored) > 0)) {
                stored = earlier;
            }
        }
        return stored;
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
