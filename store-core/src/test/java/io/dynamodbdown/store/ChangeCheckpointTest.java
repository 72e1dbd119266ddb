package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The stream's rules, as a checkpoint states them for every reader and adapter. */
class ChangeCheckpointTest {

    @Test
    void changesFromFurtherBackThanTheStreamKeepsAreTheOnesItMayHaveLost() {
        assertTrue(ChangeCheckpoint.since(null).wantsOlderThanKept(), "every change the stream ever had");
        assertTrue(ChangeCheckpoint.since(Instant.now().minus(ChangeCheckpoint.STREAM_RETENTION).minusSeconds(60))
                .wantsOlderThanKept());
        assertFalse(ChangeCheckpoint.since(Instant.now().minus(Duration.ofHours(23))).wantsOlderThanKept());
        assertFalse(ChangeCheckpoint.fromNow().wantsOlderThanKept());
    }
}
