package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One source partition: a key range of one database. Its Kafka Connect source partition is
 * {@code {table, hash.key, range}}, where range is a stable text form of the bounds; the connector hands
 * partitions to tasks in {@link #encode} form.
 */
record RangePartition(String hashKey, KeyRange range) {

    static final String TABLE_FIELD = "table";
    static final String HASH_KEY_FIELD = "hash.key";
    static final String RANGE_FIELD = "range";
    static final String OFFSET_KEY_FIELD = "key";


    Map<String, String> sourcePartition(String table) {
        return Map.of(TABLE_FIELD, table, HASH_KEY_FIELD, hashKey, RANGE_FIELD, rangeId());
    }

    /** The bounds as text, e.g. {@code gte:YQ==..lt:Yg==} (base64 keys); {@code ..} is the whole keyspace. */
    String rangeId() {
        return bound(range.lowerInclusive() ? "gte" : "gt", range.lowerBound()) + ".."
                + bound(range.upperInclusive() ? "lte" : "lt", range.upperBound());
    }

    private static String bound(String kind, byte[] key) {
        return key == null ? "" : kind + ":" + KeyEncoding.BASE64.encode(key);
    }

    static String encode(List<RangePartition> partitions) {
        List<String> parts = new ArrayList<>();
        for (RangePartition p : partitions) {
            parts.add(KeyEncoding.BASE64.encode(p.hashKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "|" + p.rangeId());
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
            String hashKey = new String(KeyEncoding.BASE64.decode(part.substring(0, bar)), java.nio.charset.StandardCharsets.UTF_8);
            partitions.add(new RangePartition(hashKey, parseRange(part.substring(bar + 1))));
        }
        return partitions;
    }

    /** The inverse of {@link #rangeId()}. */
    static KeyRange parseRange(String rangeId) {
        int dots = rangeId.indexOf("..");
        if (dots < 0) {
            throw new IllegalArgumentException("not a range id: '" + rangeId + "'");
        }
        KeyRange range = KeyRange.all();
        String lower = rangeId.substring(0, dots);
        String upper = rangeId.substring(dots + 2);
        if (!lower.isEmpty()) {
            byte[] key = KeyEncoding.BASE64.decode(lower.substring(lower.indexOf(':') + 1));
            range = lower.startsWith("gte:") ? range.gte(key) : range.gt(key);
        }
        if (!upper.isEmpty()) {
            byte[] key = KeyEncoding.BASE64.decode(upper.substring(upper.indexOf(':') + 1));
            range = upper.startsWith("lte:") ? range.lte(key) : range.lt(key);
        }
        return range;
    }
}
