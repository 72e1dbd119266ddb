package io.dynamodbdown.it.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples used heap every few milliseconds while a run goes. With {@code liveHeap} it also forces a full
 * collection after 250 ms and then once a second, and keeps the most heap still in use after one: what the
 * work really retains, independent of how lazily the collector runs.
 */
final class HeapSampler implements AutoCloseable {
    private static final long SAMPLE_MS = 5;
    private static final long FIRST_FULL_GC_MS = 250; // so that a run under a second has a figure too
    private static final long FULL_GC_EVERY_MS = 1_000;

    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong live = new AtomicLong(-1);
    private final Thread thread;
    private volatile boolean running = true;

    HeapSampler(boolean liveHeap) {
        thread = new Thread(() -> {
            long nextFullGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIRST_FULL_GC_MS);
            while (running) {
                peak.accumulateAndGet(usedHeap(), Math::max);
                if (liveHeap && System.nanoTime() >= nextFullGc) {
                    System.gc(); // G1 collects in full and returns when done (no -XX:+ExplicitGCInvokesConcurrent here)
                    live.accumulateAndGet(usedHeap(), Math::max);
                    nextFullGc = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FULL_GC_EVERY_MS);
                }
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    double peakMb() {
        return peak.get() / (1024.0 * 1024.0);
    }

    /** Null when the run ended before the first forced collection. */
    Double liveMb() {
        return live.get() < 0 ? null : live.get() / (1024.0 * 1024.0);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
