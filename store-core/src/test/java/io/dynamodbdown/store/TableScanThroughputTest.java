package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.OperatingSystemMXBean;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntToLongFunction;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * What a whole-table scan costs next to the raw SDK's Scan loop over the same segments, in the same run: entries a
 * second with 1 and with 4 segments (one thread each). Then the same with a round trip of {@value #ROUND_TRIP_MS} ms
 * added to every request and a caller that spends {@value #CALLER_MS} ms on every 1,000 entries (as a connector
 * hands them on), where reading the next page while the caller works shows.
 *
 * <p>It prints figures and asserts only that every entry was read. In the suite it runs small, so that it keeps
 * working (2,000 entries, one round: figures of a cold JVM, not worth reading); for figures, run it alone with
 * {@code -Dscan.measure.entries=50000 -Dscan.measure.rounds=9} (entries over 10 databases; measured rounds after a
 * warm-up, the median printed, and the best rate). DynamoDB Local runs in this JVM, so on a busy machine the CPU
 * time an entry costs (the client's and the server's) is the steadier figure: wall times vary with whatever else
 * the machine runs.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class TableScanThroughputTest {

    private static final int ENTRIES = Integer.getInteger("scan.measure.entries", 2_000);
    private static final int ROUNDS = Integer.getInteger("scan.measure.rounds", 1);
    private static final int DATABASES = 10;
    private static final int ROUND_TRIP_MS = 10;
    private static final int CALLER_MS = 10;
    private static final String table = DynamoDbLocal.uniqueTableName("scan-measure");
    private static final OperatingSystemMXBean CPU = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @BeforeAll
    static void fill(DynamoDbClient client) {
        for (int d = 0; d < DATABASES; d++) {
            try (Database db = DynamoDbDown.open(client, table + "$db" + d)) {
                List<BatchOperation> puts = new ArrayList<>();
                for (int i = d; i < ENTRIES; i += DATABASES) {
                    byte[] value = new byte[100];
                    Arrays.fill(value, (byte) i);
                    puts.add(BatchOperation.put(Bytes.utf8(String.format("key%08d", i)), value));
                }
                db.batch(puts);
            }
        }
    }

    @AfterAll
    static void drop(DynamoDbClient client) {
        client.deleteTable(b -> b.tableName(table));
    }

    @Test
    void entriesPerSecondNextToTheRawScan(DynamoDbLocal local) {
        OpenOptions options = OpenOptions.defaults();
        try (DynamoDbClient slow = DynamoDbLocal.clientBuilderFor(local.endpoint())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new RoundTrip(Duration.ofMillis(ROUND_TRIP_MS)))).build()) {
            System.out.printf("whole-table scan of %,d entries (100-byte values, %d databases), median of %d rounds:%n",
                    ENTRIES, DATABASES, ROUNDS);
            for (int segments : new int[] {1, 4}) {
                compare(segments + " segment" + (segments == 1 ? "" : "s"), segments,
                        segment -> rawScan(local.client(), segment, segments, options.pageSize(), 0),
                        segment -> scan(local.client(), segment, segments, options, 0));
            }
            OpenOptions pages = options.withPageSize(1_000);
            for (int segments : new int[] {1, 4}) {
                compare(segments + " segment" + (segments == 1 ? "" : "s") + ", " + ROUND_TRIP_MS + " ms a request, caller "
                        + CALLER_MS + " ms per 1,000, pages of 1,000", segments,
                        segment -> rawScan(slow, segment, segments, pages.pageSize(), CALLER_MS),
                        segment -> scan(slow, segment, segments, pages, CALLER_MS));
            }
        }
    }

    private static void compare(String row, int segments, IntToLongFunction raw, IntToLongFunction store) {
        measure(segments, raw); // warm-up
        measure(segments, store);
        List<Run> rawRuns = new ArrayList<>();
        List<Run> storeRuns = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            rawRuns.add(measure(segments, raw));
            storeRuns.add(measure(segments, store));
        }
        double rawRate = rate(median(rawRuns, Run::nanos));
        double storeRate = rate(median(storeRuns, Run::nanos));
        double rawCpu = median(rawRuns, Run::cpuNanos) / 1e3 / ENTRIES;
        double storeCpu = median(storeRuns, Run::cpuNanos) / 1e3 / ENTRIES;
        System.out.printf("  %s%n    raw Scan %,7.0f items/s (best %,7.0f), %5.1f us CPU each | DynamoDbDown.scan %,7.0f entries/s"
                + " (best %,7.0f), %5.1f us CPU each | %.2fx the rate, %.2fx the CPU%n", row,
                rawRate, rate(best(rawRuns)), rawCpu, storeRate, rate(best(storeRuns)), storeCpu, storeRate / rawRate,
                storeCpu / rawCpu);
    }

    /** Wall time and the CPU time of this JVM (DynamoDB Local's included) of one trial. */
    private record Run(long nanos, long cpuNanos) {
    }

    /** Runs every segment on a thread of its own, until the last is done. */
    private static Run measure(int segments, IntToLongFunction segmentReader) {
        ExecutorService threads = Executors.newFixedThreadPool(segments);
        try {
            long cpuStart = CPU.getProcessCpuTime();
            long start = System.nanoTime();
            List<Future<Long>> counts = new ArrayList<>();
            for (int segment = 0; segment < segments; segment++) {
                int s = segment;
                counts.add(threads.submit(() -> segmentReader.applyAsLong(s)));
            }
            long read = 0;
            for (Future<Long> count : counts) {
                read += count.get();
            }
            Run run = new Run(System.nanoTime() - start, CPU.getProcessCpuTime() - cpuStart);
            assertEquals(ENTRIES, read, "every entry once");
            return run;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            threads.shutdown();
        }
    }

    private static double rate(long nanos) {
        return ENTRIES / (nanos / 1e9);
    }

    private static long median(List<Run> runs, ToLongFunction<Run> measure) {
        return runs.stream().mapToLong(measure).sorted().skip(runs.size() / 2).findFirst().orElseThrow();
    }

    private static long best(List<Run> runs) {
        return runs.stream().mapToLong(Run::nanos).min().orElseThrow();
    }

    private static long scan(DynamoDbClient client, int segment, int segments, OpenOptions options, int callerMs) {
        long read = 0;
        try (TableScan scan = DynamoDbDown.scan(client, table, segment, segments, null, options)) {
            while (scan.hasNext()) {
                scan.next();
                if (++read % 1_000 == 0) {
                    work(callerMs);
                }
            }
        }
        return read;
    }

    /** The raw loop: Scan pages of the segment, every user entry counted (the shard counts left out as the scan does). */
    private static long rawScan(DynamoDbClient client, int segment, int segments, int limit, int callerMs) {
        long read = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = client.scan(b -> b.tableName(table).segment(segment).totalSegments(segments)
                    .limit(limit).consistentRead(true).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.get("db").s().startsWith(Location.RESERVED_PREFIX)) {
                    continue;
                }
                if (++read % 1_000 == 0) {
                    work(callerMs);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return read;
    }

    /** What the caller does with 1,000 entries (hands them on): time it spends, not a wait for anything. */
    private static void work(int millis) {
        if (millis > 0) {
            LockSupport.parkNanos(Duration.ofMillis(millis).toNanos());
        }
    }

    /** A round trip's latency added to every request, as a region's DynamoDB has and DynamoDB Local in this JVM has not. */
    private record RoundTrip(Duration latency) implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            LockSupport.parkNanos(latency.toNanos());
        }
    }
}
