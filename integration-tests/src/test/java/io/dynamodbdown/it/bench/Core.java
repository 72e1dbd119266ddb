package io.dynamodbdown.it.bench;

import static io.dynamodbdown.it.bench.Entries.VALUE;
import static io.dynamodbdown.it.bench.Entries.key;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store's side of the rows: its batch, iterators and getMany on database {@code bench} of a table. */
final class Core {

    private Core() {
    }

    static Sample write(DynamoDbClient via, String table, int n) {
        return write(via, table, n, 0);
    }

    /** The store's batch of n entries into a database of {@code shards} (0: the recorded count, or one). */
    static Sample write(DynamoDbClient via, String table, int n, int shards) {
        List<BatchOperation> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(BatchOperation.put(key(i), VALUE));
        }
        try (Database db = DynamoDbDown.open(via, table + "$bench", OpenOptions.defaults().withShards(shards))) {
            long start = System.nanoTime();
            db.batch(puts);
            return new Sample(n, System.nanoTime() - start);
        }
    }

    static Sample read(DynamoDbClient via, String table) {
        try (Database db = DynamoDbDown.open(via, table + "$bench")) {
            long start = System.nanoTime();
            long items = 0;
            long bytes = 0;
            try (RangeIterator<Entry> entries = db.iterator(KeyRange.all())) {
                while (entries.hasNext()) {
                    bytes += entries.next().value().length;
                    items++;
                }
            }
            if (bytes < 0) {
                throw new AssertionError();
            }
            return new Sample(items, System.nanoTime() - start);
        }
    }

    static Sample reverse(DynamoDbClient via, String table, int repeats) {
        try (Database db = DynamoDbDown.open(via, table + "$bench")) {
            long start = System.nanoTime();
            long items = 0;
            for (int r = 0; r < repeats; r++) {
                try (RangeIterator<Entry> entries = db.iterator(KeyRange.all().reverse(true).limit(1000))) {
                    while (entries.hasNext()) {
                        entries.next();
                        items++;
                    }
                }
            }
            return new Sample(items, System.nanoTime() - start);
        }
    }

    static Sample getMany(DynamoDbClient via, String table, List<byte[]> keys) {
        try (Database db = DynamoDbDown.open(via, table + "$bench")) {
            long start = System.nanoTime();
            List<byte[]> values = db.getMany(keys);
            return new Sample(values.size(), System.nanoTime() - start);
        }
    }
}
