package io.dynamodbdown.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local in a child JVM: its heap is not the caller's (for honest memory figures), and it can be
 * killed and started again on the same port and data folder (to test an outage).
 */
public final class DynamoDbLocalProcess implements AutoCloseable {

    private final int port;
    private final Path dbPath;
    private final File log;
    private Process process;

    private DynamoDbLocalProcess(int port, Path dbPath, File log) {
        this.port = port;
        this.dbPath = dbPath;
        this.log = log;
    }

    /** Starts one on a free loopback port; {@code dbPath} null keeps data in memory, else in that folder. */
    public static DynamoDbLocalProcess start(Path dbPath, File log) {
        DynamoDbLocal.useNativeLibrariesFromBuild();
        DynamoDbLocalProcess local = new DynamoDbLocalProcess(DynamoDbLocal.freePort(), dbPath, log);
        local.startProcess();
        return local;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A new client for it; the caller closes it. */
    public DynamoDbClient newClient() {
        return DynamoDbLocal.clientFor(endpoint());
    }

    /** The CPU time the server process has used so far (zero where the platform does not tell). */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Starts the process again after {@link #kill()}, on the same port and data. */
    public void startProcess() {
        // -disableTelemetry: nothing sent, and no dynamodb-local-metadata.json written into the working directory.
        // 2 GB: a server holding a million rows keeps 0.7-1 GB in its old generation (jstat during the benchmark).
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "-Dsqlite4java.library.path=" + System.getProperty("sqlite4java.library.path"),
                "com.amazonaws.services.dynamodbv2.local.main.ServerRunner", "-port", Integer.toString(port), "-disableTelemetry"));
        if (dbPath == null) {
            command.add("-inMemory");
        } else {
            command.addAll(List.of("-dbPath", dbPath.toString()));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start DynamoDB Local: " + e, e);
        }
        awaitListening();
    }

    /** Stops the process at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening() {
        try {
            Awaitility.await("DynamoDB Local listening on port " + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("DynamoDB Local exited at start; see " + log);
                        }
                        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            return true;
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("DynamoDB Local did not listen on port " + port + " within 60 s; see " + log, e);
        }
    }

    @Override
    public void close() {
        kill();
    }
}
