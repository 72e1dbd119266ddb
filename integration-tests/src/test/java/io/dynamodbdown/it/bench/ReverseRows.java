package io.dynamodbdown.it.bench;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store's reverse iterator, limit 1,000, against a raw Query backwards. */
final class ReverseRows implements RowGroup {

    @Override
    public void run(Bench bench) throws Exception {
        DynamoDbClient client = bench.client();
        String table = bench.filledTable();
        int repeats = Math.max(1, (int) Math.round(100 * bench.scale()));
        Trial rawReverse = new Trial("raw Query reverse", () -> RawSdk.reverse(client, table, repeats));
        Trial coreReverse = new Trial("core reverse iterator", () -> Core.reverse(client, table, repeats));
        Map<Trial, Measured> reverse = bench.sideBySide(List.of(rawReverse, coreReverse));
        bench.add("reverse range, limit 1,000, " + repeats + " times", reverse.get(coreReverse), reverse.get(rawReverse), null);
    }
}
