package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The pacer against a model of a partition key at its limit (DynamoDB's rule, as the test proxy simulates it: a
 * token bucket refilled at the limit, starting empty, items accepted while it holds any), on a simulated clock: no
 * test here waits for real time, and the figures are the algorithm's, whatever the machine.
 */
class PacerTest {

    private static final long MS = 1_000_000;

    /** Simulated time: sleeping moves it on. */
    private static final class SimulatedClock implements Pacer.Clock {
        long now = 1_000 * MS;
        long slept;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(long nanos) {
            now += nanos;
            slept += nanos;
        }
    }

    /** A partition key serving {@code rate} units a second, no burst. */
    private static final class Partition {
        final double rate;
        final SimulatedClock clock;
        double tokens;
        long refilledAt;

        Partition(double rate, SimulatedClock clock) {
            this.rate = rate;
            this.clock = clock;
            this.refilledAt = clock.now;
        }

        /** Units of {@code asked} accepted now, one at a time while any token is left. */
        int accept(int asked) {
            tokens = Math.min(rate, tokens + rate * (clock.now - refilledAt) / 1e9);
            refilledAt = clock.now;
            int accepted = 0;
            while (accepted < asked && tokens > 0) {
                tokens--;
                accepted++;
            }
            return accepted;
        }
    }

    private final SimulatedClock clock = new SimulatedClock();
    private final Pacer pacer = new Pacer("writes to table 't'", "write units", Duration.ofSeconds(2), clock);

    @Test
    void aKeyIsSentToFreelyUntilDynamoDbPushesBack() {
        for (int i = 0; i < 1_000; i++) {
            pacer.answered(pacer.await("k", 25), 25, 0);
        }
        assertEquals(0, clock.slept, "never held back");
        assertNull(pacer.rate("k"), "not paced");
    }

    @Test
    void aKeyAtItsLimitIsSentToAtTheRateItAccepts() {
        Partition partition = new Partition(1_000, clock);
        long start = clock.now;
        long accepted = 0;
        int requests = 0;
        int handedBack = 0;
        while (clock.now - start < 60_000 * MS) {
            Pacer.Ticket ticket = pacer.await("k", 25);
            clock.now += 3 * MS; // the round trip
            int taken = partition.accept(25);
            pacer.answered(ticket, taken, 0);
            accepted += taken;
            requests++;
            handedBack += taken < 25 ? 1 : 0;
        }
        double perSecond = accepted / 60.0;
        System.out.printf("one key at 1,000 units/s for 60 s: %.0f accepted a second, %d requests, %d with items handed back,"
                + " rate now %.0f%n", perSecond, requests, handedBack, pacer.rate("k"));
        assertTrue(perSecond >= 900, "at least 0.9x of the limit: " + perSecond);
        assertTrue(handedBack < requests / 4, "most requests accepted whole: " + handedBack + " of " + requests);
    }

    @Test
    void aKeyRefusingAFixedShareOfRequestsAtAnyRateIsNotSlowedDownToNothing() {
        // not a limit but a fault: every 2nd request is handed back whole and every 7th attempt throttled (sent
        // again by the client after a pause), however slowly the key is sent to; unpaced, one writer accepts about
        // 2,400 units a second from it (6 of every 14 attempts of 25 units in 62 ms: 3 ms each, 2 throttled pauses of 10 ms)
        long start = clock.now;
        long accepted = 0;
        int attempts = 0;
        while (clock.now - start < 60_000 * MS) {
            Pacer.Ticket ticket = pacer.await("k", 25);
            int throttled = 0;
            while (++attempts % 7 == 0) {
                clock.now += 13 * MS; // the throttled round trip and the client's pause
                throttled++;
            }
            clock.now += 3 * MS;
            int taken = attempts % 2 == 0 ? 0 : 25;
            pacer.answered(ticket, taken, throttled);
            accepted += taken;
        }
        double perSecond = accepted / 60.0;
        System.out.printf("one key refusing every 2nd request, throttling every 7th, for 60 s: %.0f accepted a second,"
                + " rate now %s%n", perSecond, pacer.rate("k"));
        assertTrue(perSecond >= 1_800, "at least 3/4 of what the key accepts unpaced: " + perSecond);
    }

    @Test
    void aThrottledAttemptSlowsTheKeyDownAndItSpeedsUpAgain() {
        pacer.answered(pacer.await("k", 100), 50, 0); // pushback: paced
        double paced = pacer.rate("k");
        clock.now += 100 * MS;
        pacer.answered(pacer.await("k", 10), 10, 2);
        double slowed = pacer.rate("k");
        assertTrue(slowed <= 0.7 * paced + 1e-6, "30% less at least: " + slowed + " after " + paced);
        clock.now += 100 * MS;
        pacer.answered(pacer.await("k", 10), 10, 0);
        assertTrue(pacer.rate("k") > slowed, "accepted whole: a little more");
    }

    @Test
    void answersToRequestsSentBeforeADecreaseDoNotDecreaseAgain() {
        pacer.answered(pacer.await("k", 25), 5, 0);
        Pacer.Ticket first = pacer.await("k", 25);
        Pacer.Ticket second = pacer.await("k", 25);
        pacer.answered(first, 12.5, 0);
        double once = pacer.rate("k");
        pacer.answered(second, 12.5, 0); // sent at the old rate: tells nothing new
        assertEquals(once, pacer.rate("k"), 1e-6);
    }

    @Test
    void pacingEndsAfterAQuietSpellAndAnIdleKeyIsForgotten() {
        pacer.answered(pacer.await("k", 25), 10, 0);
        assertNotNull(pacer.rate("k"));
        long start = clock.now;
        while (clock.now - start <= Pacer.QUIET.toNanos()) {
            pacer.answered(pacer.await("k", 25), 25, 0);
            clock.now += 10 * MS;
        }
        pacer.answered(pacer.await("k", 25), 25, 0);
        assertNull(pacer.rate("k"), "no pushback for " + Pacer.QUIET + ": sent to freely again");

        pacer.answered(pacer.await("idle", 25), 10, 0);
        clock.now += Pacer.IDLE.toNanos() + Pacer.QUIET.toNanos();
        pacer.await("other", 1);
        assertNull(pacer.rate("idle"), "forgotten");
    }

    @Test
    void aRequestIsHeldBackAtMostTheLongestWait() {
        pacer.answered(pacer.await("k", 1), 0, 3); // accepted nothing: paced at the least rate
        for (int i = 0; i < 5; i++) {
            long before = clock.now;
            pacer.answered(pacer.await("k", 10_000), 0, 3);
            assertTrue(clock.now - before <= Duration.ofSeconds(2).toNanos(), "held back " + (clock.now - before) / MS + " ms");
        }
    }
}
