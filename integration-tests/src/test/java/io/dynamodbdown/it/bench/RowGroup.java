package io.dynamodbdown.it.bench;

/**
 * A group of rows measured together: {@code -Dbench.only} picks groups by the names {@link Benchmark#GROUPS} gives
 * them, and a group that fails is one failed row while the run goes on. To add one: a class of its own, listed in
 * {@link Benchmark#GROUPS} with its name where it should run, and the name in the README's list.
 */
@FunctionalInterface
interface RowGroup {

    /** Measures the group's trials and adds its rows to {@code bench}'s report. */
    void run(Bench bench) throws Exception;
}
