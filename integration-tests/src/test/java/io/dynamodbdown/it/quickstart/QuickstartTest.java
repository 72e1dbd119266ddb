package io.dynamodbdown.it.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README's quickstart on the embedded default, smaller: it fails if the backup is not identical. */
class QuickstartTest {

    @Test
    void backsUpEveryOrderThroughCamelSourceKafkaAndSink() throws Exception {
        new Quickstart().run(1_200);
    }

    @Test
    void rejectsAnEntryCountThatIsNotAPositiveWholeNumber() {
        assertEquals(10_000, Quickstart.entries(" 10000 "));
        for (String bad : new String[] {"0", "-5", "ten", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quickstart.entries(bad));
            assertTrue(e.getMessage().contains("-Dquickstart.entries"), e.getMessage());
        }
    }
}
