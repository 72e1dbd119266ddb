package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store's iterator over the whole range against the raw Query loop at its best page size. */
final class ReadRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        int n = bench.entries();
        DynamoDbClient client = bench.client();
        String table = bench.filledTable();
        List<Trial> rawReads = settings("raw Query loop", "items per page", Bench.PAGE_SIZES,
                size -> () -> RawSdk.query(client, table, n, size));
        Trial coreRead = new Trial("core iterator", () -> Core.read(client, table));
        Map<Trial, Measured> read = bench.sideBySide(plus(rawReads, coreRead));
        bench.readCeiling(fastest(rawReads, read));
        bench.add("read a " + n + "-entry range in order", read.get(coreRead), read.get(bench.readCeiling()), null);
    }
}
