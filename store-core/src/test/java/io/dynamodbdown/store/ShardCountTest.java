package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The shard count a database records: every opener finds the same one, whatever the order they come in. */
@ExtendWith(DynamoDbLocalExtension.class)
class ShardCountTest {

    @Test
    void openersWithoutACountFindTheRecordedOneAndAnotherCountFails(DynamoDbClient client) {
        String location = DynamoDbLocal.uniqueTableName("shard-count") + "$db";
        try (Database four = DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(4))) {
            four.put("k", "v");
        }
        try (Database unset = DynamoDbDown.open(client, location)) {
            assertEquals("v", unset.getString("k"), "opened with the recorded four shards");
        }
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(2)));
        assertTrue(other.getMessage().contains("created with 4 shards; open it with shards=4"), other.getMessage());
    }

    @Test
    void anUnshardedDatabaseWithEntriesIsNotReopenedWithMoreShards(DynamoDbClient client) {
        String location = DynamoDbLocal.uniqueTableName("shard-count") + "$db";
        try (Database one = DynamoDbDown.open(client, location)) {
            one.put("k", "v");
        }
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(4)));
        assertTrue(e.getMessage().contains("holds entries in one shard"), e.getMessage());
        try (Database one = DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(1))) {
            assertEquals("v", one.getString("k"), "still one shard, nothing recorded");
        }
    }

    /** Found by the benchmark: two sink tasks opening a new sharded database at once; the second failed. */
    @Test
    void openersRacingToRecordTheCountAllOpenIt(DynamoDbClient client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                String location = DynamoDbLocal.uniqueTableName("shard-race") + "$db";
                DynamoDbDown.open(client, location).close(); // the table, so the openers race on the count only
                List<Future<?>> openers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int opener = i;
                    openers.add(pool.submit(() -> {
                        try (Database db = DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(8))) {
                            db.put("k" + opener, "v"); // entries right after: the next opener must still open
                        }
                        return null;
                    }));
                }
                for (Future<?> opened : openers) {
                    opened.get();
                }
                try (Database db = DynamoDbDown.open(client, location)) {
                    assertEquals(4, db.keys(KeyRange.all()).stream().count(), "every opener wrote into the 8 shards");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
