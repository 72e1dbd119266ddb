package io.dynamodbdown.kafka.connect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says why a task sends nothing while it waits for others (in changes mode, for another task's epoch, pieces,
 * lineages or hand-over): once it has waited {@link #EVERY} at one step, a warning naming what it waits for, and
 * again every {@link #EVERY} while it still does. A task that failed, or is slow, then shows in the others' logs.
 */
final class WaitWarning {

    private static final Logger LOG = LoggerFactory.getLogger(WaitWarning.class);
    static final Duration EVERY = Duration.ofMinutes(1);

    private final Clock clock;
    private final String task;
    /** The step waited at, or null while the task is not waiting. */
    private Object step;
    private Instant since;
    private Instant warnedAt;

    /** @param task names the task in the warnings */
    WaitWarning(Clock clock, String task) {
        this.clock = clock;
        this.task = task;
    }

    /**
     * The task still waits at {@code step} (the wait starts at the first call for it); {@code what} is asked only when
     * a warning is due.
     */
    void stillWaiting(Object step, Supplier<String> what) {
        Instant now = clock.instant();
        if (!step.equals(this.step)) {
            this.step = step;
            since = now;
            warnedAt = now;
        } else if (!now.isBefore(warnedAt.plus(EVERY))) {
            warnedAt = now;
            LOG.warn("{} has waited {} s, sending nothing meanwhile, for {}", task, Duration.between(since, now).toSeconds(),
                    what.get());
        }
    }

    /** The task moved on: a wait begins anew. */
    void over() {
        step = null;
    }
}
