package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import io.dynamodbdown.it.infra.FaultInjectingProxy;
import io.dynamodbdown.testing.DynamoDbLocal;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A round trip's latency alone (8 ms added to every call, no partition limits): on a real network the number of
 * requests in flight decides throughput, not the server's CPU. The store's batch write, iterator and getMany,
 * with their defaults, against the raw SDK's best of 1 to 64 threads (of page sizes, for the Query loop)
 * through the same proxy.
 */
final class LatencyRows implements RowGroup {

    /** Threads tried for the raw ceilings under latency, where requests in flight, not the server, set the pace. */
    static final int[] THREADS = {1, 8, 16, 64};
    /** A region-local round trip, added by the proxy to every call. */
    private static final Duration ROUND_TRIP = Duration.ofMillis(8);

    /** The test proxy in front of the bench's server, adding the round trip to every call. */
    static FaultInjectingProxy latencyProxy(Bench bench) throws IOException {
        return FaultInjectingProxy.to(bench.dynamo().endpoint()).latency(ROUND_TRIP).start();
    }

    @Override
    public void run(Bench bench) throws Exception {
        int count = bench.size(20_000);
        try (FaultInjectingProxy proxy = latencyProxy(bench);
                DynamoDbClient slow = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> rawWrites = settings("raw BatchWriteItem, 8 ms", "threads", THREADS,
                    t -> () -> RawSdk.write(slow, bench.scratchTable(), count, t));
            Trial coreWrite = new Trial("core batch, 8 ms", () -> Core.write(slow, bench.scratchTable(), count));
            Map<Trial, Measured> write = bench.sideBySide(plus(rawWrites, coreWrite));
            bench.add("8 ms round trip: write " + count + " entries", write.get(coreWrite), write.get(fastest(rawWrites, write)), null);

            String filled = bench.freshTable();
            Core.write(bench.client(), filled, count);
            List<Trial> rawReads = settings("raw Query loop, 8 ms", "items per page", Bench.PAGE_SIZES,
                    size -> () -> RawSdk.query(slow, filled, count, size));
            Trial coreRead = new Trial("core iterator, 8 ms", () -> Core.read(slow, filled));
            Map<Trial, Measured> read = bench.sideBySide(plus(rawReads, coreRead));
            bench.add("8 ms round trip: read a " + count + "-entry range", read.get(coreRead), read.get(fastest(rawReads, read)), null);

            List<byte[]> keys = Entries.randomKeys(count, bench.size(5_000));
            List<Trial> rawGets = settings("raw BatchGetItem, 8 ms", "threads", THREADS,
                    t -> () -> RawSdk.batchGet(slow, filled, keys, t));
            Trial coreGet = new Trial("core getMany, 8 ms", () -> Core.getMany(slow, filled, keys));
            Map<Trial, Measured> get = bench.sideBySide(plus(rawGets, coreGet));
            bench.add("8 ms round trip: getMany of " + keys.size() + " keys", get.get(coreGet), get.get(fastest(rawGets, get)), null);
            bench.client().deleteTable(b -> b.tableName(filled));
        }
    }
}
