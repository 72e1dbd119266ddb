package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to each partition key no faster than DynamoDB accepts them. A partition key serves a bounded
 * rate (on DynamoDB about 1,000 write units and 3,000 read units a second), and past it DynamoDB hands items back
 * or throttles: sending faster only wastes requests, and backing off blindly leaves the partition idle. So a key
 * is sent to freely until DynamoDB first pushes back; from then on its requests go through a token bucket whose
 * rate adapts (AIMD): down to what DynamoDB accepted of the key over the last second or two when it hands back part
 * of a request (at most halved; once per round of requests, as answers to requests sent before a decrease tell
 * only of the old rate), down by 30% at least when an attempt was throttled, and up again with every request accepted whole: slowly (about 5% a second)
 * right after a pushback, where the limit was met, faster the longer none comes (up to 50% a second). A key
 * that has not pushed back for {@link #QUIET} is sent to freely again. Both changes are logged.
 *
 * <p>Pacing assumes that what DynamoDB hands back follows the rate: at a key's limit, sending less gets as much
 * accepted, a larger share of it. Refusals that do not follow the rate (a fault handing back a fixed share of
 * requests however slowly they come) would have it lower the rate again and again, to almost nothing. So when, over
 * a whole window, what the key accepted fell below a third of the most it accepted since pacing began while the share
 * accepted of what was sent did not grow, the key is sent to freely again for {@link #IDLE}, and that is logged.
 *
 * <p>A request is held back for at most {@code maxWait}, so pacing never stretches the time it takes to find out
 * that a key accepts nothing. Thread-safe; the state of a key is dropped once it has been idle for {@link #IDLE}.
 */
final class Pacer {

    /** How long a paced key must go without pushback before it is sent to freely again. */
    static final Duration QUIET = Duration.ofSeconds(10);
    /** How long a key's state is kept without any request. */
    static final Duration IDLE = Duration.ofSeconds(60);
    /** A decrease never goes below half the rate. */
    private static final double MOST_DECREASE = 0.5;
    /** After a pushback the rate settles a little under what the key accepted, so most requests go through whole. */
    private static final double SETTLE = 0.97;
    /** A throttled attempt (nothing accepted for a while) cuts the rate by 30%. */
    private static final double THROTTLED_DECREASE = 0.7;
    /**
     * Each request accepted whole adds a share of its cost to the rate a second (so the rate grows by about that
     * share a second): 5% just after a pushback, 5% more for every second without one, 50% at most (and until
     * the first decrease).
     */
    private static final double PROBE_INCREASE = 0.05;
    private static final double MOST_INCREASE = 0.5;
    /** Tokens a paced key may save up: a tenth of a second's worth, so requests go out evenly. */
    private static final double BURST_SECONDS = 0.1;
    /** The offered rate is measured over windows of this length. */
    private static final long WINDOW_NANOS = Duration.ofSeconds(1).toNanos();
    /** ...and never over less than this (the first requests to a key go out within a few milliseconds). */
    private static final long MIN_WINDOW_NANOS = Duration.ofMillis(50).toNanos();
    private static final double MIN_RATE = 1;

    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);

    /** Time and sleep, replaceable in tests. */
    interface Clock {
        long nanoTime();

        void sleep(long nanos) throws InterruptedException;
    }

    static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    };

    private final String what;
    private final String unit;
    private final long maxWaitNanos;
    private final Clock clock;
    private final Map<String, Partition> partitions = new ConcurrentHashMap<>();
    private volatile long sweptAt;

    /**
     * @param what what is paced, for the log: e.g. "writes to table 'orders'"
     * @param unit what costs are counted in, for the log: e.g. "write units"
     * @param maxWait the longest a request is held back
     */
    Pacer(String what, String unit, Duration maxWait, Clock clock) {
        this.what = what;
        this.unit = unit;
        this.maxWaitNanos = maxWait.toNanos();
        this.clock = clock;
        this.sweptAt = clock.nanoTime();
    }

    /** A request's place in its partition key's pace: what it costs and when it went out. */
    record Ticket(String key, double cost, long sentAt) {
    }

    /**
     * Waits until the partition key may take a request of {@code cost} units (at once while the key is not paced).
     *
     * @throws DynamoDbDownException (retryable) when interrupted while waiting
     */
    Ticket await(String key, double cost) {
        long start = clock.nanoTime();
        sweepIdle(start);
        Partition partition = partitions.computeIfAbsent(key, k -> new Partition(start));
        long waited = 0;
        while (true) {
            long wait;
            synchronized (partition) {
                long now = clock.nanoTime();
                if (!partition.paced || partition.tryTake(now, cost)) {
                    partition.offered(now, cost);
                    return new Ticket(key, cost, now);
                }
                if (waited >= maxWaitNanos) { // held back long enough: it goes, in debt
                    partition.charge(now, cost);
                    partition.offered(now, cost);
                    return new Ticket(key, cost, now);
                }
                wait = Math.min(maxWaitNanos - waited, partition.nanosUntilTokens());
            }
            try {
                clock.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DynamoDbDownException("interrupted while waiting to send to " + what, e, true);
            }
            waited += wait;
        }
    }

    /**
     * DynamoDB answered the request: it accepted {@code accepted} of its cost's units, and {@code throttledAttempts}
     * of its attempts were throttled (and sent again by the client). Adapts the key's pace.
     */
    void answered(Ticket ticket, double accepted, int throttledAttempts) {
        Partition partition = partitions.get(ticket.key());
        if (partition == null) {
            return; // forgotten while idle
        }
        boolean pushedBack = throttledAttempts > 0 || accepted < ticket.cost();
        String started = null;
        String ended = null;
        synchronized (partition) {
            long now = clock.nanoTime();
            partition.usedAt = now;
            partition.accepted(now, accepted);
            if (partition.paced && !partition.refusalsFollowRate) {
                partition.paced = false;
                partition.refusalsFollowRate = true;
                partition.freeUntil = now + IDLE.toNanos();
                ended = String.format(Locale.ROOT, "what DynamoDB refuses does not follow the rate (it accepted %,.0f %s a"
                        + " second at most, and lately less, no larger a share of what was sent); sending freely for %d s",
                        partition.peakAccepted, unit, IDLE.toSeconds());
            } else if (pushedBack && !partition.paced && now < partition.freeUntil) {
                partition.pushedBackAt = now; // sent freely for now: the retries carry on
            } else if (pushedBack) {
                double share = ticket.cost() <= 0 ? 1 : Math.max(MOST_DECREASE, accepted / ticket.cost());
                partition.pushedBackAt = now;
                if (!partition.paced) {
                    double factor = throttledAttempts > 0 ? Math.min(THROTTLED_DECREASE, share) : share;
                    partition.startPacing(now, Math.max(MIN_RATE, partition.offeredRate(now) * factor));
                    started = String.format(Locale.ROOT, "DynamoDB accepted %.0f of %.0f %s asked for%s; sending at"
                            + " about %,.0f %s a second and adjusting to what it accepts", accepted, ticket.cost(), unit,
                            throttledAttempts > 0 ? " after " + throttledAttempts + " throttled attempt(s)" : "",
                            partition.rate, unit);
                } else if (ticket.sentAt() > partition.decreasedAt) {
                    // what the key accepted lately is its pace, if less than now and not under half of it; a
                    // throttled attempt (a wait with nothing accepted) takes off 30% at least
                    double target = Math.min(partition.acceptedRate(now) * SETTLE, partition.rate * (throttledAttempts > 0
                            ? THROTTLED_DECREASE : 1));
                    partition.rate = Math.max(MIN_RATE, Math.max(partition.rate * MOST_DECREASE, target));
                    partition.decreasedAt = now;
                    partition.startingUp = false;
                }
            } else if (partition.paced) {
                if (now - partition.pushedBackAt >= QUIET.toNanos()) {
                    partition.paced = false;
                    ended = "no throttling for " + QUIET.toSeconds() + " s";
                } else {
                    // slowly just after a pushback, where the limit was met; faster the longer none comes
                    double quietSeconds = (now - partition.pushedBackAt) / 1e9;
                    double increase = partition.startingUp ? MOST_INCREASE
                            : Math.min(MOST_INCREASE, PROBE_INCREASE * (1 + quietSeconds));
                    partition.rate += increase * ticket.cost();
                }
            }
        }
        if (started != null) {
            LOG.info("Pacing {} partition key '{}': {}", what, ticket.key(), started);
        }
        if (ended != null) {
            LOG.info("No longer pacing {} partition key '{}': {}", what, ticket.key(), ended);
        }
    }

    /** For a request to several partition keys ({@code costs}: units per key): waits for each key's pace in turn. */
    List<Ticket> await(Map<String, Double> costs) {
        List<Ticket> tickets = new ArrayList<>(costs.size());
        costs.forEach((key, cost) -> tickets.add(await(key, cost)));
        return tickets;
    }

    /**
     * The request of {@code tickets} was answered with {@code notAccepted} units handed back per key (keys without
     * any were accepted whole), and {@code throttledAttempts} attempts throttled.
     */
    void answered(List<Ticket> tickets, Map<String, Double> notAccepted, int throttledAttempts) {
        for (Ticket ticket : tickets) {
            answered(ticket, ticket.cost() - notAccepted.getOrDefault(ticket.key(), 0.0), throttledAttempts);
        }
    }

    /** The request failed; its throttled attempts, if any, slow its keys down as a request accepting nothing does. */
    void failed(List<Ticket> tickets, int throttledAttempts) {
        if (throttledAttempts > 0) {
            tickets.forEach(ticket -> answered(ticket, 0, throttledAttempts));
        }
    }

    /** The request's cost turned out {@code more} units higher (a read, whose size only its answer tells). */
    void charge(Ticket ticket, double more) {
        Partition partition = partitions.get(ticket.key());
        if (partition != null && more > 0) {
            synchronized (partition) {
                partition.charge(clock.nanoTime(), more);
            }
        }
    }

    /** The key's current rate in units a second, or null when it is not paced (for tests). */
    Double rate(String key) {
        Partition partition = partitions.get(key);
        if (partition == null) {
            return null;
        }
        synchronized (partition) {
            return partition.paced ? partition.rate : null;
        }
    }

    /** Forgets the keys idle for {@link #IDLE}, at most once per {@link #QUIET}. */
    private void sweepIdle(long now) {
        if (now - sweptAt < QUIET.toNanos()) {
            return;
        }
        sweptAt = now;
        partitions.entrySet().removeIf(entry -> {
            Partition partition = entry.getValue();
            synchronized (partition) {
                if (now - partition.usedAt < IDLE.toNanos()) {
                    return false;
                }
                if (partition.paced) {
                    LOG.info("No longer pacing {} partition key '{}': no requests for {} s", what, entry.getKey(),
                            IDLE.toSeconds());
                }
                return true;
            }
        });
    }

    /** One partition key's pace; guarded by its own monitor. */
    private static final class Partition {
        boolean paced;
        /** Until the first decrease after pacing started, the rate grows at the fastest. */
        boolean startingUp;
        double rate;
        double tokens;
        long refilledAt;
        long pushedBackAt;
        long decreasedAt;
        long usedAt;
        /** Units sent and accepted in the current window, and in the window before it (with its length). */
        long windowStart;
        double windowOffered;
        double windowAccepted;
        double previousOffered;
        double previousAccepted;
        long previousLength;
        /** Since pacing began: the most accepted a second over a whole window, and the share accepted in that window. */
        double peakAccepted;
        double peakShare;
        /** False once a whole window showed that sending less got less accepted, no larger a share of it. */
        boolean refusalsFollowRate = true;
        /** Until then, pushback does not start pacing: what was refused did not follow the rate. */
        long freeUntil;

        Partition(long now) {
            usedAt = now;
            windowStart = now;
        }

        void startPacing(long now, double startRate) {
            paced = true;
            peakAccepted = 0;
            peakShare = 0;
            startingUp = true;
            rate = startRate;
            tokens = 0;
            refilledAt = now;
            decreasedAt = now;
        }

        /** Takes {@code cost} tokens (into debt) if any are left. */
        boolean tryTake(long now, double cost) {
            refill(now);
            if (tokens <= 0) {
                return false;
            }
            tokens -= cost;
            return true;
        }

        void charge(long now, double more) {
            if (paced) {
                refill(now);
                tokens -= more;
            }
        }

        long nanosUntilTokens() {
            return (long) Math.ceil((-tokens + 1e-9) / rate * 1e9);
        }

        private void refill(long now) {
            tokens = Math.min(rate * BURST_SECONDS, tokens + rate * (now - refilledAt) / 1e9);
            refilledAt = now;
        }

        void offered(long now, double cost) {
            roll(now);
            usedAt = now;
            windowOffered += cost;
        }

        void accepted(long now, double units) {
            roll(now);
            windowAccepted += units;
        }

        private void roll(long now) {
            if (now - windowStart >= WINDOW_NANOS) {
                previousOffered = windowOffered;
                previousAccepted = windowAccepted;
                previousLength = now - windowStart;
                windowStart = now;
                windowOffered = 0;
                windowAccepted = 0;
                if (paced && previousOffered > 0) {
                    double accepted = previousAccepted / (previousLength / 1e9);
                    double share = previousAccepted / previousOffered;
                    refusalsFollowRate = !(peakAccepted > 0 && accepted < peakAccepted / 3 && share <= peakShare * 1.5);
                    if (accepted > peakAccepted) {
                        peakAccepted = accepted;
                        peakShare = share;
                    }
                }
            }
        }

        /** Units a second sent lately: the last whole window's rate, or the current one's if higher. */
        double offeredRate(long now) {
            double current = windowOffered / (Math.max(MIN_WINDOW_NANOS, now - windowStart) / 1e9);
            return Math.max(previousLength == 0 ? 0 : previousOffered / (previousLength / 1e9), current);
        }

        /** Units a second DynamoDB accepted over the last window and this one. */
        double acceptedRate(long now) {
            return (previousAccepted + windowAccepted) / (Math.max(MIN_WINDOW_NANOS, previousLength + now - windowStart) / 1e9);
        }
    }
}
