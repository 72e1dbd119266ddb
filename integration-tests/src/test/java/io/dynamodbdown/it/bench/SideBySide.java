package io.dynamodbdown.it.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Measures the trials of one row side by side: a warm-up each, then rounds in which every trial runs once. The
 * server's speed drifts during a run of the benchmark (its JIT, its SQLite file, this host's other work), and in
 * rounds the drift falls on every trial of a row alike instead of on whichever ran last.
 */
final class SideBySide {

    /** CPU used so far by the DynamoDB Local processes, in nanoseconds. */
    private final LongSupplier serverCpuClock;

    SideBySide(LongSupplier serverCpuClock) {
        this.serverCpuClock = serverCpuClock;
    }

    Map<Trial, Measured> measure(List<Trial> trials, boolean liveHeap, int rounds) throws Exception {
        Map<Trial, Runs> runsByTrial = new LinkedHashMap<>();
        for (Trial trial : trials) {
            trial.warmUp().call();
            runsByTrial.put(trial, new Runs());
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<Trial, Runs> trial : runsByTrial.entrySet()) {
                trial.getValue().measure(trial.getKey().run(), liveHeap);
            }
        }
        Map<Trial, Measured> results = new LinkedHashMap<>();
        runsByTrial.forEach((trial, measured) -> results.put(trial, measured.summary(trial.label())));
        return results;
    }

    /** One trial's measured runs so far. */
    private final class Runs {
        private final List<Double> rates = new ArrayList<>();
        private double peak;
        private Double live;
        private long wallNanos;
        private long ownCpuNanos;
        private long serverCpuNanos;

        void measure(Callable<Sample> trial, boolean liveHeap) throws Exception {
            System.gc();
            try (HeapSampler heap = new HeapSampler(liveHeap)) {
                long wall = System.nanoTime();
                long ownCpu = ownCpuNanos();
                long serverCpu = serverCpuClock.getAsLong();
                rates.add(trial.call().perSecond());
                serverCpuNanos += serverCpuClock.getAsLong() - serverCpu;
                ownCpuNanos += ownCpuNanos() - ownCpu;
                wallNanos += System.nanoTime() - wall;
                peak = Math.max(peak, heap.peakMb());
                if (heap.liveMb() != null) {
                    live = live == null ? heap.liveMb() : Math.max(live, heap.liveMb());
                }
            }
        }

        /** The median rate, printed with every run's in the order they ran. */
        Measured summary(String label) {
            List<Double> sorted = rates.stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            System.out.printf("    %-26s %,12.0f items/s (runs: %s)%n", label, median,
                    rates.stream().map(rate -> String.format("%,.0f", rate)).collect(Collectors.joining(", ")));
            long cpuNanos = ownCpuNanos + serverCpuNanos;
            return new Measured(median, peak, live, (double) cpuNanos / wallNanos, cpuNanos == 0 ? 0 : (double) serverCpuNanos / cpuNanos);
        }
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
