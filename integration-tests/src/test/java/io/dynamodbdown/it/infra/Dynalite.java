package io.dynamodbdown.it.infra;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * dynalite (npm), a second DynamoDB implementation independent of DynamoDB Local, so the store's semantics
 * are not one emulator's quirks. Used where it is installed: {@code -Dit.dynalite=/path/to/dynalite}, or
 * {@code dynalite} on the PATH ({@code npm install -g dynalite}).
 */
public final class Dynalite {

    private Dynalite() {
    }

    /** The install to use, if any. */
    public static Optional<Path> executable() {
        String configured = System.getProperty("it.dynalite");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "dynalite")).filter(Files::isExecutable).findFirst();
    }

    /** Starts an in-memory dynalite on a free loopback port; closing the service stops it. */
    public static DynamoDbService start(Path executable) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(executable.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await("dynalite listening on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IOException("dynalite (" + executable + ") exited at start");
                        }
                        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            return true;
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            process.destroyForcibly();
            throw new IOException("dynalite (" + executable + ") did not listen on port " + port, e);
        }
        return DynamoDbService.local(URI.create("http://127.0.0.1:" + port), "dynalite", process::destroyForcibly);
    }
}
