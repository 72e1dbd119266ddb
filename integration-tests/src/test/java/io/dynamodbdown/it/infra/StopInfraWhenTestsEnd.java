package io.dynamodbdown.it.infra;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared services when the tests end, before the test JVM begins to exit. They used to stop in a
 * shutdown hook, but the embedded broker's log directory comes from Kafka's {@code TestUtils.tempDirectory()},
 * whose own shutdown hook deletes it: when that ran first, the still-running broker found its only log directory
 * gone and halted the JVM with status 1 ({@code LogManager.handleLogDirFailure}), so Surefire failed a run in
 * which every test had passed; other times the exit stalled until Surefire's 30-second limit. Registered in
 * {@code META-INF/services}.
 */
public final class StopInfraWhenTestsEnd implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        Infra.stopAll();
    }
}
