package io.dynamodbdown.kafka.connect;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * Source offsets the way a worker keeps them: under the serialized bytes of {@code [connector, partition]}, as
 * its internal JSON converter writes them (fields in iteration order), and found only under the same bytes.
 */
final class InMemoryOffsets implements OffsetStorageReader {

    private final Map<String, Map<String, Object>> byStorageKey = new HashMap<>();

    /** What the worker's internal converter writes for a key (the offset's storage key) or a value (the offset). */
    static String json(Object data, boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), isKey);
        return new String(converter.fromConnectData("", null, data), StandardCharsets.UTF_8);
    }

    /** The storage key of a partition's offsets: {@code [connector, partition]}, serialized. */
    static String storageKey(Map<String, ?> partition) {
        return json(Arrays.asList("backup", partition), true);
    }

    void store(Map<String, ?> partition, Map<String, ?> offset) {
        byStorageKey.put(storageKey(partition), new HashMap<>(offset));
    }

    @Override
    public <T> Map<String, Object> offset(Map<String, T> partition) {
        return byStorageKey.get(storageKey(partition));
    }

    @Override
    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
        Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
        partitions.forEach(p -> found.put(p, offset(p)));
        return found;
    }
}
