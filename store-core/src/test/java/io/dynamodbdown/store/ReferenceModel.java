package io.dynamodbdown.store;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The oracle for range tests: LevelDB's semantics over an in-memory sorted map, written independently of the store. */
final class ReferenceModel {

    private final NavigableMap<byte[], byte[]> entries = new TreeMap<>(Bytes::compare);

    void put(byte[] key, byte[] value) {
        entries.put(key, value);
    }

    void del(byte[] key) {
        entries.remove(key);
    }

    /** What an iterator over the range must yield, in order. */
    List<Entry> range(KeyRange range) {
        List<Entry> result = new ArrayList<>();
        var view = range.isReverse() ? entries.descendingMap() : entries;
        for (var e : view.entrySet()) {
            if (range.hasLimit() && result.size() >= range.limit()) {
                break;
            }
            if (range.contains(e.getKey())) {
                result.add(new Entry(e.getKey(), e.getValue()));
            }
        }
        return result;
    }

    List<Entry> all() {
        return range(KeyRange.all());
    }
}
