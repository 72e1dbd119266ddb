package io.dynamodbdown.it.bench;

/**
 * The median rate over the measured runs, the highest heap use sampled during them (garbage included, so it
 * follows the collector's sizing) and, for the memory rows only, the live heap: the most still in use right after
 * a full collection, forced after 250 ms and then once a second (null elsewhere, as the forced collections cost
 * throughput, and for runs shorter than 250 ms). Where the time goes: the CPU both processes used over the wall
 * time (2.0 is this machine's two cores saturated) and the server's share of that CPU.
 */
record Measured(double perSecond, double peakHeapMb, Double liveHeapMb, double coresBusy, double serverCpuShare) {
}
