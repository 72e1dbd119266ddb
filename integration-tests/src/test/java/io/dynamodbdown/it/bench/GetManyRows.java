package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Trial.fastest;
import static io.dynamodbdown.it.bench.Trial.plus;
import static io.dynamodbdown.it.bench.Trial.settings;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store's getMany of random keys against raw BatchGetItem at its best thread count and one GetItem per key. */
final class GetManyRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        DynamoDbClient client = bench.client();
        String table = bench.filledTable();
        List<byte[]> randomKeys = Entries.randomKeys(bench.entries(), bench.size(10_000));
        List<Trial> rawGets = settings("raw BatchGetItem", "threads", Bench.THREADS,
                t -> () -> RawSdk.batchGet(client, table, randomKeys, t));
        Trial coreGet = new Trial("core getMany", () -> Core.getMany(client, table, randomKeys));
        Trial naiveGet = new Trial("one GetItem per key",
                () -> RawSdk.naiveGet(client, table, randomKeys.subList(0, randomKeys.size() / 5)));
        Map<Trial, Measured> get = bench.sideBySide(plus(rawGets, coreGet, naiveGet));
        bench.add("getMany of " + randomKeys.size() + " random keys", get.get(coreGet), get.get(fastest(rawGets, get)),
                get.get(naiveGet));
    }
}
