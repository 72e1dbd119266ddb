package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store's batch write against raw BatchWriteItem at its best thread count and one PutItem per entry. */
final class WriteRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.entries();
        DynamoDbClient client = bench.client();
        List<Trial> rawWrites = settings("raw BatchWriteItem", "threads", Bench.THREADS,
                t -> () -> RawSdk.write(client, bench.scratchTable(), n, t));
        Trial coreWrite = new Trial("core batch", () -> Core.write(client, bench.scratchTable(), n));
        Trial naivePut = new Trial("one PutItem per entry", () -> RawSdk.naivePut(client, bench.scratchTable(), bench.size(20_000)));
        Map<Trial, Measured> write = bench.sideBySide(plus(rawWrites, coreWrite, naivePut));
        bench.writeCeiling(fastest(rawWrites, write));
        bench.add("write " + n + " entries (16 B keys, 100 B values)", write.get(coreWrite), write.get(bench.writeCeiling()),
                write.get(naivePut));
    }
}
