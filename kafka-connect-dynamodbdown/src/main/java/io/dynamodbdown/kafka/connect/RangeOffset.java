package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyEncoding;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Snapshot and tail mode: the source offset of a key-range partition, {@code {key: base64}}, the key its reading
 * resumes strictly after (null: from the start of the range).
 *
 * @param key the last key sent (snapshot) or settled (tail); null for none
 */
record RangeOffset(byte[] key) {

    /** The offset's one field. */
    static final String KEY = "key";

    /** The offset as the worker stores it. */
    Map<String, String> toMap() {
        Map<String, String> offset = new LinkedHashMap<>();
        offset.put(KEY, key == null ? null : KeyEncoding.BASE64.encode(key));
        return offset;
    }

    /**
     * The offset a stored map stands for; an absent map or key is the start of the range.
     *
     * @throws IllegalArgumentException when the key is not base64
     */
    static RangeOffset of(Map<String, ?> offset) {
        Object key = offset == null ? null : offset.get(KEY);
        return new RangeOffset(key == null ? null : KeyEncoding.BASE64.decode((String) key));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeOffset other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
