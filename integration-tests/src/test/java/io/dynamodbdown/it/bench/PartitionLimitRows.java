package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Report.counted;
import static io.dynamodbdown.it.bench.Trial.plus;

import io.dynamodbdown.it.infra.FaultInjectingProxy;
import io.dynamodbdown.testing.DynamoDbLocal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB's per partition key ceiling, which DynamoDB Local lacks, simulated by the test proxy (1,000 write
 * units a second per partition key, no burst): 100,000 items written by the store with 1, 4 and 16 shards, each
 * against its limit (n x 1,000 items of 100 B a second) and next to the raw SDK writing as many items over as many
 * partition keys through the same proxy (8 threads, 16 for 16 keys), which shows how much of the limit this
 * machine reaches at all; then a 16-shard database read in key order (the k-way merge) against an unsharded one
 * of the same size, without the proxy.
 */
final class PartitionLimitRows implements RowGroup {

    /**
     * Rounds for the rows under the simulated partition limits: one. Their pace is the simulator's, not this machine's
     * (but for 16 partition keys, where the machine is the ceiling and the raw SDK beside it shows it), and a run of
     * 100,000 items into one key takes 100 s.
     */
    static final int ROUNDS = 1;

    /** The test proxy in front of the bench's server with DynamoDB's limits: 1,000 WCU and 3,000 RCU a key, no burst. */
    static FaultInjectingProxy limitsProxy(Bench bench) throws IOException {
        return FaultInjectingProxy.to(bench.dynamo().endpoint()).partitionLimits(1_000, 3_000).noBurst().start();
    }

    @Override
    public void run(Bench bench) throws Exception {
        int items = bench.size(100_000); // 100 s into one partition key at its rate
        int[] shardCounts = {1, 4, 16};
        try (FaultInjectingProxy proxy = limitsProxy(bench); DynamoDbClient limited = DynamoDbLocal.clientFor(proxy.endpoint())) {
            List<Trial> raws = new ArrayList<>();
            List<Trial> cores = new ArrayList<>();
            for (int shards : shardCounts) {
                int threads = Math.max(8, shards);
                int warmUp = Math.min(items, 2_000 * shards); // two seconds at the limit
                raws.add(new Trial("raw BatchWriteItem, " + counted(shards, "partition key") + ", " + threads + " threads",
                        () -> RawSdk.write(limited, bench.scratchTable(), items, threads, shards),
                        () -> RawSdk.write(limited, bench.scratchTable(), warmUp, threads, shards)));
                cores.add(new Trial("core batch, " + counted(shards, "shard"),
                        () -> Core.write(limited, bench.scratchTable(), items, shards),
                        () -> Core.write(limited, bench.scratchTable(), warmUp, shards)));
            }
            Map<Trial, Measured> results = bench.sideBySide(plus(raws, cores.toArray(Trial[]::new)), ROUNDS);
            for (int i = 0; i < shardCounts.length; i++) {
                String limit = "write " + items + " under 1,000 WCU/s a key: ";
                bench.report().addAgainstLimit(limit + "raw SDK, " + counted(shardCounts[i], "key"), results.get(raws.get(i)),
                        shardCounts[i] * 1_000);
                bench.report().addAgainstLimit(limit + counted(shardCounts[i], "shard"), results.get(cores.get(i)),
                        shardCounts[i] * 1_000);
            }
        }
        DynamoDbClient client = bench.client();
        int n = bench.entries();
        String plain = bench.freshTable();
        Core.write(client, plain, n);
        String sharded = bench.freshTable();
        Core.write(client, sharded, n, 16);
        Trial plainRead = new Trial("core iterator, 1 shard", () -> Core.read(client, plain));
        Trial mergedRead = new Trial("core iterator, 16 shards merged", () -> Core.read(client, sharded));
        Map<Trial, Measured> read = bench.sideBySide(List.of(plainRead, mergedRead));
        bench.add("read a " + n + "-entry range of 16 shards in order", read.get(mergedRead), read.get(plainRead), null);
        client.deleteTable(b -> b.tableName(plain));
        client.deleteTable(b -> b.tableName(sharded));
    }
}
