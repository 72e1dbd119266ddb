package io.dynamodbdown.store;

import java.util.Objects;

/**
 * The generation an entry is written in ({@link WriteOptions#withGeneration}): who wrote it, and a number that
 * grows each time that writer rewrites the whole content it keeps in a range. A copy fed by several writers (the
 * sink restoring several source databases into one) tells their entries apart by {@code origin}, so that
 * {@link Database#clearOlderGenerations} removes only what the one writer left behind.
 *
 * @param origin who wrote the entry, e.g. the source database a copy is taken from ({@code table$hashKey}); 1 to 1024
 *     characters
 * @param number the generation of that writer's content; positive, growing with each rewrite
 */
public record Generation(String origin, long number) {

    /**
     * Checks the origin and the number.
     *
     * @param origin 1 to 1024 characters
     * @param number positive
     * @throws IllegalArgumentException for an empty or longer origin, or a number below 1
     * @throws NullPointerException when {@code origin} is null
     */
    public Generation {
        Objects.requireNonNull(origin, "origin");
        if (origin.isEmpty() || origin.length() > 1024) {
            throw new IllegalArgumentException("A generation's origin is 1 to 1024 characters, got " + origin.length());
        }
        if (number < 1) {
            throw new IllegalArgumentException("A generation's number is positive, got " + number);
        }
    }

    /**
     * {@return whether this generation is of the same origin as {@code other} and comes before it}
     *
     * @param other the generation to compare with
     */
    public boolean before(Generation other) {
        return origin.equals(other.origin) && number < other.number;
    }

    @Override
    public String toString() {
        return origin + "#" + number;
    }
}
