package io.dynamodbdown.it.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherFactory;

class InfraTest {

    private final String selected = System.getProperty(Infra.PROPERTY);

    @AfterEach
    void restore() {
        if (selected == null) {
            System.clearProperty(Infra.PROPERTY);
        } else {
            System.setProperty(Infra.PROPERTY, selected);
        }
    }

    @Test
    void embeddedIsTheDefaultAndCaseDoesNotMatter() {
        System.clearProperty(Infra.PROPERTY);
        assertEquals(Infra.EMBEDDED, Infra.selected());
        System.setProperty(Infra.PROPERTY, " Containers ");
        assertEquals(Infra.CONTAINERS, Infra.selected());
    }

    @Test
    void anUnknownInfrastructureNamesTheValidOnes() {
        System.setProperty(Infra.PROPERTY, "docker");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Infra::selected);
        assertTrue(e.getMessage().contains("-Dit.infra=docker") && e.getMessage().contains("embedded, containers, remote"), e.getMessage());
    }

    @Test
    void aConnectWorkerAskingToEndTheJvmIsReportedNotObeyed() {
        ConnectWorker.reportExitInsteadOfEndingJvm();
        int before = ConnectWorker.exitReports().size();
        Exit.exit(1, "herder failed"); // what a failing herder thread does; unmasked, the test JVM ends here
        List<String> reports = ConnectWorker.exitReports();
        assertEquals(before + 1, reports.size(), "reported once");
        assertTrue(reports.get(reports.size() - 1).contains("status 1 (herder failed)"), reports.toString());
    }

    @Test
    void theSharedServicesStopWhenATestSessionEndsNotWhenTheJvmEnds() {
        DynamoDbService started = Infra.dynamoDb();
        try (LauncherSession session = LauncherFactory.openSession()) {
            // nothing to run: closing the session is what Surefire does after the last test
        }
        assertThrows(IllegalStateException.class, () -> started.client().listTables(), "still running after the session closed");
        assertNotSame(started, Infra.dynamoDb(), "a later use starts the service anew");
    }
}
