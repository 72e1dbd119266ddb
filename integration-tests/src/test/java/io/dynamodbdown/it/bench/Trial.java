package io.dynamodbdown.it.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;

/** One workload run one way, named as its figures are printed, and its warm-up (the same run, or a shorter one). */
record Trial(String label, Callable<Sample> run, Callable<Sample> warmUp) {

    Trial(String label, Callable<Sample> run) {
        this(label, run, run);
    }

    /** One trial per setting of a ceiling (thread counts, page sizes). */
    static List<Trial> settings(String label, String unit, int[] values, IntFunction<Callable<Sample>> trial) {
        return Arrays.stream(values).mapToObj(value -> new Trial(label + ", " + value + " " + unit, trial.apply(value))).toList();
    }

    static List<Trial> plus(List<Trial> trials, Trial... more) {
        List<Trial> all = new ArrayList<>(trials);
        all.addAll(List.of(more));
        return all;
    }

    /** The best of a ceiling's settings, as a ceiling should be. */
    static Trial fastest(List<Trial> settings, Map<Trial, Measured> results) {
        return settings.stream().max(Comparator.comparingDouble(trial -> results.get(trial).perSecond())).orElseThrow();
    }
}
