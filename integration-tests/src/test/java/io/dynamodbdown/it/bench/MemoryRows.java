package io.dynamodbdown.it.bench;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Peak and live heap of the iterator and the sink at n and at 10 n entries: a flat heap shows no growth. Not a row
 * group of {@code -Dbench.only}: {@code -Dbench.memory=true} runs these rows after the groups, {@code only} instead
 * of them, and a failure here ends the run.
 */
final class MemoryRows {

    private MemoryRows() {
    }

    static void run(Bench bench) throws Exception {
        int n = bench.entries();
        DynamoDbClient client = bench.client();
        String small = bench.freshTable();
        Core.write(client, small, n);
        String big = bench.freshTable();
        Core.write(client, big, 10 * n);
        bench.add("memory: core iterator over " + n + " entries", bench.measureLiveHeap("iterator", () -> Core.read(client, small)),
                null, null);
        bench.add("memory: core iterator over " + 10 * n + " entries",
                bench.measureLiveHeap("iterator x10", () -> Core.read(client, big)), null, null);
        ConnectWorkloads connect = bench.connect();
        String records = connect.filledTopic(n);
        bench.add("memory: sink of " + n + " records", bench.measureLiveHeap("sink", () -> connect.sink(records, n)), null, null);
        String moreRecords = connect.filledTopic(10 * n);
        bench.add("memory: sink of " + 10 * n + " records",
                bench.measureLiveHeap("sink x10", () -> connect.sink(moreRecords, 10 * n)), null, null);
    }
}
