package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(4)));
        assertTrue(e.getMessage().contains("created with 1 shard; open it with shards=1"), e.getMessage());
        try (Database one = DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(1))) {
            assertEquals("v", one.getString("k"), "still one shard");
        }
    }

    /**
     * Issue #24, 1: a new database opened without a count (the adapters' default) and then, by another process,
     * with 4. Before, both opened (nothing was recorded for one shard) and each put keys where its own count
     * said: the first handle's iterator returned 100 of 250 keys. Now the first opener records its count and the
     * second is refused, naming the count to use.
     */
    @Test
    void aNewDatabaseOpenedWithoutACountIsNeverSplitByAnOpenerWithAnother(DynamoDbClient client) {
        String location = DynamoDbLocal.uniqueTableName("shard-split") + "$db";
        try (Database unset = DynamoDbDown.open(client, location)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(4)));
            assertTrue(refused.getMessage().contains("created with 1 shard; open it with shards=1"), refused.getMessage());
            assertTrue(refused.getMessage().contains("open it with shards=4 before anything opens it without a count"),
                    refused.getMessage());
            try (Database second = DynamoDbDown.open(client, location)) {
                for (int i = 0; i < 200; i++) {
                    second.put("b" + i, "v");
                }
            }
            for (int i = 0; i < 50; i++) {
                unset.put("a" + i, "v");
            }
            assertEquals(250, unset.keys(KeyRange.all()).stream().count(), "every key in the one shard both handles use");
        }
    }

    /** The other order: a sharded database opened first; an opener without a count then reads all of it. */
    @Test
    void aDatabaseOpenedFirstWithFourShardsIsReadWholeByAnOpenerWithoutACount(DynamoDbClient client) {
        String location = DynamoDbLocal.uniqueTableName("shard-split") + "$db";
        try (Database four = DynamoDbDown.open(client, location, OpenOptions.defaults().withShards(4));
                Database unset = DynamoDbDown.open(client, location)) {
            for (int i = 0; i < 200; i++) {
                four.put("b" + i, "v");
            }
            for (int i = 0; i < 50; i++) {
                unset.put("a" + i, "v");
            }
            assertEquals(250, unset.keys(KeyRange.all()).stream().count());
            assertEquals(250, four.keys(KeyRange.all()).stream().count());
        }
    }

    /**
     * A database written before counts were recorded (an older build, the JavaScript original) holds its entries
     * in its own hash key: opened without a count it records one shard; it is never opened with more.
     */
    @Test
    void aDatabaseWithoutARecordedCountKeepsItsEntriesInOneShard(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("shard-legacy");
        try (Database one = DynamoDbDown.open(client, table + "$db")) {
            one.put("k", "v");
        }
        client.deleteItem(b -> b.tableName(table).key(Map.of("db", AttributeValue.fromS("__dynamodbdown.shard/count"),
                "key", AttributeValue.fromB(SdkBytes.fromUtf8String("db"))))); // as an older build left it
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                () -> DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withShards(4)));
        assertTrue(e.getMessage().contains("holds entries in one shard"), e.getMessage());
        try (Database one = DynamoDbDown.open(client, table + "$db")) {
            assertEquals("v", one.getString("k"));
        }
        IllegalArgumentException recorded = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbDown.open(client, table + "$db", OpenOptions.defaults().withShards(2)));
        assertTrue(recorded.getMessage().contains("created with 1 shard"), recorded.getMessage());
    }

    /** Found by the benchmark: two sink tasks opening a new sharded database at once; the second failed. */
    @Test
    void openersRacingToRecordTheCountAllOpenIt(DynamoDbClient client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                String location = DynamoDbLocal.uniqueTableName("shard-race") + "$db";
                // the table, through another database of it, so the openers race on the count only
                DynamoDbDown.open(client, location.replace("$db", "$other")).close();
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
