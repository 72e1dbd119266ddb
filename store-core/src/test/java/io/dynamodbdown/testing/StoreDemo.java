package io.dynamodbdown.testing;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DynamoDbDown;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The store on an embedded DynamoDB Local, end to end: write, read ranges both ways, getMany, clear.
 * {@code mvn -B -Pdemo -DskipTests verify} runs it; no AWS account or Docker needed.
 */
public final class StoreDemo {

    private StoreDemo() {
    }

    public static void main(String[] args) {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.println("Starting DynamoDB Local in this JVM...");
        try (DynamoDbLocal dynamo = DynamoDbLocal.start();
                Database db = DynamoDbDown.open(dynamo.client(), "demo-events$sensor-1")) {
            System.out.println("DynamoDB Local at " + dynamo.endpoint() + ", database " + db.location());

            long start = System.nanoTime();
            List<BatchOperation> batch = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                batch.add(BatchOperation.put(String.format("event-%08d", i), "reading " + i));
                if (batch.size() == 5_000 || i == entries - 1) {
                    db.batch(batch);
                    batch.clear();
                    System.out.printf("  wrote %,d of %,d entries%n", i + 1, entries);
                }
            }
            double writeSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Wrote %,d entries in %.1f s (%,.0f entries/s) with batch()%n",
                    entries, writeSeconds, entries / writeSeconds);

            start = System.nanoTime();
            long counted;
            try (Stream<Entry> all = db.stream(KeyRange.all())) {
                counted = all.count();
            }
            double readSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Read all %,d entries in key order in %.1f s (%,.0f entries/s)%n",
                    counted, readSeconds, counted / readSeconds);

            System.out.println("The last 3 entries (reverse, limit 3):");
            try (RangeIterator<Entry> last = db.iterator(KeyRange.all().reverse(true).limit(3))) {
                last.forEachRemaining(e -> System.out.println("  " + e));
            }
            System.out.println("getMany of 3 keys, one missing: " + db.getMany(List.of(
                    Bytes.utf8("event-00000007"), Bytes.utf8("no-such-event"), Bytes.utf8("event-00000042")))
                    .stream().map(v -> v == null ? "null" : new String(v)).toList());
            long cleared = db.clear(KeyRange.all().gte("event-00001000").lt("event-00002000"));
            System.out.printf("Cleared %,d entries in [event-00001000, event-00002000)%n", cleared);
            db.dropTable();
            System.out.println("Dropped the demo table; done.");
        }
    }
}
