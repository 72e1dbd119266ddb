package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.DatabaseClosedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void aBatchOrGetManyRunningWhenItsDatabaseClosesFailsAsClosedNotRejected() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        pool.shutdown(); // what close() does to the database's pool
        DatabaseClosedException e = assertThrows(DatabaseClosedException.class,
                () -> Parallel.map(pool, List.of(List.of(1), List.of(2), List.of(3)), chunk -> chunk));
        assertTrue(e.getMessage().contains("0 of its 3 requests had been started"), e.getMessage());
    }

    @Test
    void chunksByKeyKeepEachKeysFullChunksApartAndTheRestTogether() {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            items.add("a" + i);
            items.add("b" + i);
        }
        List<List<String>> chunks = Parallel.chunksByKey(items, 25, item -> item.substring(0, 1));
        assertEquals(3, chunks.size(), "as many requests as plain chunks of 25 take");
        assertTrue(chunks.get(0).stream().allMatch(item -> item.startsWith("a")) && chunks.get(0).size() == 25, chunks.get(0).toString());
        assertTrue(chunks.get(1).stream().allMatch(item -> item.startsWith("b")) && chunks.get(1).size() == 25, "the keys take turns");
        assertEquals(10, chunks.get(2).size(), "what is left of both, together");
        assertEquals(new HashSet<>(items), chunks.stream().flatMap(List::stream).collect(Collectors.toSet()), "every item once");

        List<String> spread = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            spread.add(i % 16 + "-" + i);
        }
        assertEquals(4, Parallel.chunksByKey(spread, 25, item -> item.substring(0, item.indexOf('-'))).size(),
                "few items a key: mixed chunks, no more requests than before");
    }
}
