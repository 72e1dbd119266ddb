package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.DatabaseClosedException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
}
