package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.DynamoDbDownException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs the chunks of one batch or getMany on the database's bounded pool and waits for all of them.
 * A single chunk runs on the caller's thread: no hand-off for the common small case. Every pool of the store
 * makes its threads with {@link #daemonThreads}.
 */
final class Parallel {

    private Parallel() {
    }

    /** Threads named after the table they send requests to, which never keep the JVM alive. */
    static ThreadFactory daemonThreads(String table) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "dynamodbdown-" + table + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static <C, R> List<R> map(ExecutorService pool, List<C> chunks, Function<C, R> work) {
        if (chunks.size() == 1) {
            return List.of(work.apply(chunks.get(0)));
        }
        List<Future<R>> futures = new ArrayList<>(chunks.size());
        try {
            for (C chunk : chunks) {
                futures.add(pool.submit(() -> work.apply(chunk)));
            }
        } catch (RejectedExecutionException e) {
            throw new DatabaseClosedException("The database was closed while this operation was running: " + futures.size()
                    + " of its " + chunks.size() + " requests had been started and may have been applied, the rest were not");
        }
        List<R> results = new ArrayList<>(chunks.size());
        try {
            for (Future<R> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new DynamoDbDownException("Interrupted while waiting for DynamoDB; requests already sent may have been applied", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new DynamoDbDownException("DynamoDB request failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The result of a request sent ahead on a pool: what it returned, or what it threw (an SDK failure comes as
     * the DynamoDbDownException {@link Failures#call} made of it).
     */
    static <T> T await(Future<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DynamoDbDownException("Interrupted while waiting to " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new DynamoDbDownException("Could not " + what + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Chunks of at most {@code size} in which, as far as the items allow, every chunk holds items of one key only:
     * each key's full chunks, taken in turn from the keys (so chunks of every key are under way at once), then what
     * is left of each key, together. A request to one partition key waits only for that key's pace; a batch of
     * few items per key still goes in as few requests as before.
     */
    static <T> List<List<T>> chunksByKey(List<T> items, int size, Function<T, String> keyOf) {
        Map<String, List<T>> byKey = new LinkedHashMap<>();
        for (T item : items) {
            byKey.computeIfAbsent(keyOf.apply(item), k -> new ArrayList<>()).add(item);
        }
        List<List<List<T>>> fullByKey = new ArrayList<>();
        List<T> rest = new ArrayList<>();
        for (List<T> ofKey : byKey.values()) {
            int full = ofKey.size() - ofKey.size() % size;
            fullByKey.add(chunks(ofKey.subList(0, full), size));
            rest.addAll(ofKey.subList(full, ofKey.size()));
        }
        List<List<T>> chunks = new ArrayList<>((items.size() + size - 1) / size + byKey.size());
        int rounds = fullByKey.stream().mapToInt(List::size).max().orElse(0);
        for (int round = 0; round < rounds; round++) {
            for (List<List<T>> ofKey : fullByKey) {
                if (round < ofKey.size()) {
                    chunks.add(ofKey.get(round));
                }
            }
        }
        chunks.addAll(chunks(rest, size));
        return chunks;
    }

    static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }
}
