package io.dynamodbdown.it.bench;

/** Items handled (or megabytes moved) and the time they took. */
record Sample(long items, long nanos) {
    double perSecond() {
        return items / (nanos / 1e9);
    }
}
