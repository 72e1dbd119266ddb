package io.dynamodbdown.it.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DynamoDB's per partition key ceiling, which DynamoDB Local does not have: each partition key value of a table
 * serves at most {@code writeUnits} write units and {@code readUnits} read units a second, however much
 * capacity the table has (adaptive capacity does not lift it for one key). A write unit is one write of up
 * to 1 KB (a transactional write costs two), a read unit one strongly consistent read of up to 4 KB (an
 * eventually consistent one half), both counted on the item's size as DynamoDB sizes it: attribute names plus
 * values.
 *
 * <p>Each partition key value has a token bucket per kind that refills continuously and holds at most one
 * second's units, so a burst is allowed up to that, then the rate (without burst, buckets start empty: what
 * a sustained rate is measured against). A request is admitted while its bucket is
 * not empty and may take it into debt by its own cost, as a read whose size is known only from its answer
 * does; the debt is paid off before the next request is admitted. A null partition (a table that does not
 * exist: the emulator answers that itself) is never limited. Thread-safe.
 */
final class PartitionThroughput {

    static final int WRITE_UNIT_BYTES = 1024;
    static final int READ_UNIT_BYTES = 4096;

    private final double writeUnits;
    private final double readUnits;
    private final boolean burst;
    private final Map<String, Bucket> writes = new ConcurrentHashMap<>();
    private final Map<String, Bucket> reads = new ConcurrentHashMap<>();

    PartitionThroughput(double writeUnitsPerSecond, double readUnitsPerSecond, boolean burst) {
        this.writeUnits = writeUnitsPerSecond;
        this.readUnits = readUnitsPerSecond;
        this.burst = burst;
    }

    /** Takes {@code units} write units from the partition if it has any left; false: over its limit. */
    boolean tryWrite(String partition, double units) {
        return partition == null || writes.computeIfAbsent(partition, p -> new Bucket(writeUnits, burst)).tryTake(units);
    }

    /**
     * Takes {@code units} write units from the partition only if it has them all (or a whole second's, for
     * more than that), as a transaction needs; false: over its limit.
     */
    boolean tryWriteAll(String partition, double units) {
        return partition == null || writes.computeIfAbsent(partition, p -> new Bucket(writeUnits, burst)).tryTakeAll(units);
    }

    /** Takes a read's least cost ({@code units}) if the partition has any units left; false: over its limit. */
    boolean tryRead(String partition, double units) {
        return partition == null || reads.computeIfAbsent(partition, p -> new Bucket(readUnits, burst)).tryTake(units);
    }

    /** Whether the partition may serve a read now; its cost is charged with {@link #chargeRead} once known. */
    boolean mayRead(String partition) {
        return partition == null || reads.computeIfAbsent(partition, p -> new Bucket(readUnits, burst)).tryTake(0);
    }

    void chargeRead(String partition, double units) {
        if (partition != null) {
            reads.computeIfAbsent(partition, p -> new Bucket(readUnits, burst)).take(units);
        }
    }

    /** Write units of putting {@code item}: one per KB started, at least one. */
    static double writeUnits(JsonNode item) {
        return Math.max(1, Math.ceil(size(item) / (double) WRITE_UNIT_BYTES));
    }

    /** Read units of reading items of {@code bytes} in all: one per 4 KB started (half if eventually consistent). */
    static double readUnits(long bytes, boolean consistent) {
        double units = Math.max(1, Math.ceil(bytes / (double) READ_UNIT_BYTES));
        return consistent ? units : units / 2;
    }

    /** An item's size as DynamoDB counts it: each attribute's name plus its value (JSON wire form in). */
    static long size(JsonNode item) {
        long size = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> attribute = it.next();
            size += attribute.getKey().getBytes(StandardCharsets.UTF_8).length + valueSize(attribute.getValue());
        }
        return size;
    }

    private static long valueSize(JsonNode value) {
        Map.Entry<String, JsonNode> typed = value.fields().next();
        JsonNode v = typed.getValue();
        return switch (typed.getKey()) {
            case "S" -> v.asText().getBytes(StandardCharsets.UTF_8).length;
            case "B" -> Base64.getDecoder().decode(v.asText()).length;
            case "N" -> v.asText().length() / 2 + 1;
            case "BOOL", "NULL" -> 1;
            case "M" -> 3 + size(v);
            default -> { // SS, NS, BS, L: three bytes plus the elements
                long sum = 3;
                for (JsonNode element : v) {
                    sum += element.isObject() ? valueSize(element) : element.asText().length();
                }
                yield sum;
            }
        };
    }

    /** Units refilled continuously at {@code rate} a second, holding at most a second's worth. */
    private static final class Bucket {
        private final double rate;
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(double rate, boolean full) {
            this.rate = rate;
            this.tokens = full ? rate : 0;
        }

        synchronized boolean tryTake(double units) {
            refill();
            if (tokens <= 0) {
                return false;
            }
            tokens -= units;
            return true;
        }

        synchronized boolean tryTakeAll(double units) {
            refill();
            if (tokens < Math.min(units, rate)) {
                return false;
            }
            tokens -= units;
            return true;
        }

        synchronized void take(double units) {
            refill();
            tokens -= units;
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(rate, tokens + rate * (now - refilledAt) / 1e9);
            refilledAt = now;
        }
    }
}
