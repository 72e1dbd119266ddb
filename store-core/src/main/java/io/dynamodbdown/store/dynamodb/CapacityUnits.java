package io.dynamodbdown.store.dynamodb;

import java.util.Collection;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What DynamoDB charges for items, to pace by: a write unit per KB of an item written (at least one), a read unit
 * per 4 KB read strongly consistent (half that eventually consistent). Sizes as DynamoDB counts them: each
 * attribute's name plus its value.
 */
final class CapacityUnits {

    private static final double WRITE_UNIT_BYTES = 1024;
    private static final double READ_UNIT_BYTES = 4096;

    private CapacityUnits() {
    }

    /** Write units of writing {@code item}. */
    static double write(Map<String, AttributeValue> item) {
        return Math.max(1, Math.ceil(size(item) / WRITE_UNIT_BYTES));
    }

    /** Read units of reading {@code items} (a Query page: their sizes together; at least the least a read costs). */
    static double read(Collection<Map<String, AttributeValue>> items, boolean consistent) {
        long bytes = 0;
        for (Map<String, AttributeValue> item : items) {
            bytes += size(item);
        }
        double units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
        return consistent ? units : units / 2;
    }

    /** The least a read of one item costs. */
    static double leastRead(boolean consistent) {
        return consistent ? 1 : 0.5;
    }

    static long size(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8Length(attribute.getKey()) + size(attribute.getValue());
        }
        return size;
    }

    private static long size(AttributeValue value) {
        return switch (value.type()) {
            case S -> utf8Length(value.s());
            case B -> value.b().asByteArrayUnsafe().length;
            case N -> value.n().length() / 2 + 1;
            case BOOL, NUL -> 1;
            case M -> 3 + size(value.m());
            case L -> 3 + value.l().stream().mapToLong(CapacityUnits::size).sum();
            case SS -> 3 + value.ss().stream().mapToLong(CapacityUnits::utf8Length).sum();
            case NS -> 3 + value.ns().stream().mapToLong(n -> n.length() / 2 + 1).sum();
            case BS -> 3 + value.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
            default -> 1;
        };
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
