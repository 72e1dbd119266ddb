package io.dynamodbdown.store;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Keeps a reader's stored position up with where it stands while it delivers nothing. A Kafka Connect source
 * commits an offset only with a record, and a Camel consumer stores its position as it delivers; but a reader's
 * position also moves when nothing is delivered: a {@link TailReader} settles the keys behind the last one it
 * returned, a {@link ChangeReader} passes other databases' records and closed shards. Kept only where the last
 * delivery left it, a restart would deliver everything since then again, or, from a change stream that keeps
 * records 24 hours, no longer find it. So while idle, a position that moved is kept again (a heartbeat record, a
 * write of the Camel position) once {@code every} passed since the last one kept. Not thread-safe.
 *
 * @param <P> the position: compared with {@link Objects#deepEquals}, so arrays (a key) are compared by content
 */
public final class PositionKeeper<P> {

    private final long everyNanos;
    private final LongSupplier clock;
    private P kept;
    private long keptAt;

    /**
     * A keeper of a position stored as {@code stored}.
     *
     * @param stored the position stored now, or null for none
     * @param every how long after the last position kept a moved one is kept again while idle; zero: never
     */
    public PositionKeeper(P stored, Duration every) {
        this(stored, every, System::nanoTime);
    }

    PositionKeeper(P stored, Duration every, LongSupplier clock) {
        this.everyNanos = every.toNanos();
        this.clock = clock;
        this.kept = stored;
        this.keptAt = clock.getAsLong();
    }

    /**
     * Something was delivered, and {@code position} is stored with it.
     *
     * @param position the position stored with the delivery
     */
    public void delivered(P position) {
        kept = position;
        keptAt = clock.getAsLong();
    }

    /**
     * Nothing was delivered: the position to store anyway, or null.
     *
     * @param position where the reader stands now
     * @return {@code position}, to store now (it counts as stored from here on), when it moved since the last
     *     position stored and {@code every} passed since then; null otherwise
     */
    public P idle(P position) {
        if (everyNanos == 0 || Objects.deepEquals(position, kept) || clock.getAsLong() - keptAt < everyNanos) {
            return null;
        }
        delivered(position);
        return position;
    }

    /** {@return the position stored last} */
    public P kept() {
        return kept;
    }
}
