package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Sharded databases under faults and races: a Query of one shard failing in the middle of a merge, a chunk read
 * failing under an iterator, and openers recording the shard count at the same time.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class ShardFaultsTest {

    private final DynamoDbClient real = DynamoDbLocalExtension.get().client();
    private final List<Database> opened = new ArrayList<>();
    private final String table = DynamoDbLocal.uniqueTableName("shard-faults");

    @AfterEach
    void drop() {
        opened.forEach(Database::close);
        try (Database any = DynamoDbDown.open(real, table + "$any")) {
            any.dropTable();
        }
    }

    private Database open(DynamoDbClient client, String hashKey, OpenOptions options) {
        Database db = DynamoDbDown.open(client, table + "$" + hashKey, options);
        opened.add(db);
        return db;
    }

    /** A client that fails the requests {@code failing} picks (as a server error past the retries), else forwards. */
    private DynamoDbClient failing(Predicate<Object> failing) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
                        return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls the proxy
                    }
                    if (args != null && args.length == 1 && failing.test(args[0])) {
                        throw DynamoDbException.builder().message("injected failure of " + method.getName())
                                .statusCode(500).build();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Whichever Query of the merge fails (a first page while priming, or a later page of the shard whose head
     * {@code next} just took), a caller that retries the same iterator gets every key once, in order. A failed
     * {@code next} must neither drop the element it took from the heap nor leave its shard out of the merge.
     */
    @Test
    void aMergedIteratorRetriedAfterAFailedQueryYieldsEveryKeyOnceInOrder() {
        List<String> expected = new ArrayList<>();
        List<BatchOperation> puts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            expected.add(String.format("k%02d", i));
            puts.add(BatchOperation.put(expected.get(i), "v" + i));
        }
        open(real, "db", OpenOptions.defaults().withShards(3)).batch(puts);
        AtomicInteger queries = new AtomicInteger();
        AtomicInteger failAt = new AtomicInteger(-1);
        Database db = open(failing(request -> request instanceof QueryRequest
                && queries.incrementAndGet() == failAt.get()), "db", OpenOptions.defaults().withPageSize(2));
        for (boolean reverse : List.of(false, true)) {
            List<String> want = new ArrayList<>(expected);
            if (reverse) {
                java.util.Collections.reverse(want);
            }
            for (int fail = 1; fail <= 20; fail++) {
                queries.set(0);
                failAt.set(fail);
                List<String> read = new ArrayList<>();
                int failures = 0;
                KeyRange range = reverse ? KeyRange.all().reverse(true) : KeyRange.all();
                try (RangeIterator<Entry> it = db.iterator(range)) {
                    while (true) {
                        try {
                            if (!it.hasNext()) {
                                break;
                            }
                            read.add(new String(it.next().key()));
                        } catch (DynamoDbDownException e) {
                            assertTrue(++failures < 10, "retries move on");
                        }
                    }
                }
                assertEquals(want, read, "reverse=" + reverse + ", Query #" + fail + " failing (" + failures + " failures)");
            }
        }
    }

    /**
     * A value in chunks whose chunk read fails under an iterator: retrying the iterator must yield it, not skip
     * it (the item was counted as read before its mapping failed). One shard and three.
     */
    @Test
    void anIteratorRetriedAfterAFailedChunkReadYieldsTheLargeValue() {
        byte[] large = new byte[500 * 1024];
        java.util.Arrays.fill(large, (byte) 7);
        for (int shards : List.of(1, 3)) {
            String hashKey = "large" + shards;
            Database writer = open(real, hashKey, OpenOptions.defaults().withShards(shards));
            writer.put(Bytes.utf8("b"), large);
            writer.put(Bytes.utf8("c"), Bytes.utf8("small"));
            AtomicInteger failuresLeft = new AtomicInteger(1);
            Database db = open(failing(request -> request instanceof BatchGetItemRequest
                    && failuresLeft.getAndDecrement() > 0), hashKey, OpenOptions.defaults());
            List<String> read = new ArrayList<>();
            try (RangeIterator<Entry> it = db.iterator(KeyRange.all())) {
                assertThrows(DynamoDbDownException.class, it::hasNext, "the chunk read fails");
                while (it.hasNext()) {
                    Entry entry = it.next();
                    read.add(new String(entry.key()));
                    if (entry.key()[0] == 'b') {
                        assertArrayEquals(large, entry.value());
                    }
                }
            }
            assertEquals(List.of("b", "c"), read, shards + " shard(s)");
        }
    }

    /**
     * Two openers of a new database asking for the same count at once: the one whose conditional put loses
     * finds the winner's count, equal to its own, and opens (two sink tasks starting together, say).
     */
    @Test
    void twoOpenersRecordingTheSameCountAtOnceBothOpen() {
        DynamoDbClient racing = (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (args != null && args.length == 1 && args[0] instanceof PutItemRequest put
                            && put.conditionExpression() != null && put.item().values().stream()
                                    .anyMatch(v -> "__dynamodbdown.shard/count".equals(v.s()))) {
                        real.putItem(put.toBuilder().conditionExpression(null).expressionAttributeNames(null).build());
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        open(real, "other", OpenOptions.defaults()); // the table
        Database db = open(racing, "raced", OpenOptions.defaults().withShards(4));
        db.put("k", "v");
        assertEquals("v", open(real, "raced", OpenOptions.defaults()).getString("k"));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> open(real, "raced", OpenOptions.defaults().withShards(2)));
        assertTrue(other.getMessage().contains("created with 4 shards"), other.getMessage());
    }
}
