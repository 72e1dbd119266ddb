package io.dynamodbdown.it.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The benchmark's entries: 16-byte keys in order and one random 100-byte value. */
final class Entries {

    static final byte[] VALUE = new byte[100];

    static {
        new Random(1).nextBytes(VALUE);
    }

    private Entries() {
    }

    static byte[] key(int i) {
        return String.format("%016d", i).getBytes();
    }

    /** {@code count} keys drawn (with repeats) from the first {@code range}, the same ones every run. */
    static List<byte[]> randomKeys(int range, int count) {
        Random random = new Random(42);
        List<byte[]> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(key(random.nextInt(range)));
        }
        return keys;
    }
}
