package io.dynamodbdown.kafka.connect;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * A Kafka Connect worker in a JVM of its own, as deployed: its classpath holds Kafka (this build's, or another
 * version's jars) but neither this project's classes nor the AWS SDK, and it loads the connectors only from the
 * plugin archive {@code mvn package} built
 * ({@code plugin.path}, {@code plugin.discovery=service_load}). Each {@link #start} is a new process, so a
 * restart sees a new JVM's hash salt, as a rolling restart does.
 */
final class WorkerProcess implements AutoCloseable {

    static final Path PACKAGES = Path.of("target", "components", "packages");

    /**
     * The Kafka a worker process runs.
     *
     * @param version its version, for logs and test names
     * @param classpath the worker JVM's classpath
     * @param jvmOptions options of the worker JVM (a 3.x worker's logging configuration)
     */
    record Kafka(String version, String classpath, List<String> jvmOptions) {

        /** This build's Kafka: the test JVM's own jars, without this project's classes and what only tests need. */
        static Kafka ofThisBuild() {
            return new Kafka(AppInfoParser.getVersion(), workerClasspath(), List.of());
        }

        /**
         * The Kafka of the jars in {@code lib} (a 3.x worker: it logs through reload4j, to the process's output).
         *
         * @param lib a folder of the worker's jars, as maven-dependency-plugin copies them
         * @param work a folder for the logging configuration
         */
        static Kafka ofJars(Path lib, Path work) throws IOException {
            List<String> jars;
            try (Stream<Path> files = Files.list(lib)) {
                jars = files.map(Path::toString).filter(f -> f.endsWith(".jar")).sorted().toList();
            }
            String version = jars.stream().map(j -> Path.of(j).getFileName().toString()).filter(j -> j.startsWith("connect-runtime-"))
                    .map(j -> j.substring("connect-runtime-".length(), j.length() - ".jar".length())).findFirst()
                    .orElseThrow(() -> new AssertionError("no connect-runtime jar in " + lib));
            Path log4j = write(work.resolve("log4j.properties"), Map.of("log4j.rootLogger", "INFO, stdout",
                    "log4j.appender.stdout", "org.apache.log4j.ConsoleAppender",
                    "log4j.appender.stdout.layout", "org.apache.log4j.PatternLayout",
                    "log4j.appender.stdout.layout.ConversionPattern", "[%d] %p %m (%c)%n"));
            return new Kafka(version, String.join(File.pathSeparator, jars),
                    List.of("-Dlog4j.configuration=" + log4j.toUri()));
        }
    }

    private final Kafka kafka;
    private final String mainClass;
    private final List<String> arguments;
    private final File log;
    private final int restPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    private WorkerProcess(Kafka kafka, String mainClass, List<String> arguments, File log, int restPort) {
        this.kafka = kafka;
        this.mainClass = mainClass;
        this.arguments = arguments;
        this.log = log;
        this.restPort = restPort;
        log.delete(); // restarts append to it; a new worker starts a new log
    }

    /** A standalone worker of {@code kafka} running the connectors of the given property files (offsets in a local file). */
    static WorkerProcess standalone(Kafka kafka, Path work, Map<String, String> workerProps, Path... connectorProps) {
        int port = freePort();
        List<String> arguments = new ArrayList<>();
        arguments.add(write(work.resolve("worker.properties"), withPluginAndPort(workerProps, port)).toString());
        Arrays.stream(connectorProps).map(Path::toString).forEach(arguments::add);
        return new WorkerProcess(kafka, "org.apache.kafka.connect.cli.ConnectStandalone", arguments,
                Path.of("target", "standalone-worker-" + kafka.version() + ".log").toFile(), port);
    }

    /** A distributed worker: configs, offsets and status in Kafka topics, connectors created over REST. */
    static WorkerProcess distributed(Path work, String bootstrapServers, String name) {
        int port = freePort();
        Map<String, String> props = new HashMap<>(Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", name,
                "config.storage.topic", name + "-configs",
                "offset.storage.topic", name + "-offsets",
                "status.storage.topic", name + "-status",
                "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.flush.interval.ms", "500",
                "scheduled.rebalance.max.delay.ms", "0"));
        for (String topic : List.of("config", "offset", "status")) {
            props.put(topic + ".storage.replication.factor", "1");
        }
        return new WorkerProcess(Kafka.ofThisBuild(), "org.apache.kafka.connect.cli.ConnectDistributed",
                List.of(write(work.resolve("worker.properties"), withPluginAndPort(props, port)).toString()),
                Path.of("target", name + "-worker.log").toFile(), port);
    }

    private static Map<String, String> withPluginAndPort(Map<String, String> props, int port) {
        Map<String, String> all = new HashMap<>(props);
        all.put("plugin.path", PACKAGES.toAbsolutePath().toString());
        all.put("plugin.discovery", "service_load");
        all.put("listeners", "http://127.0.0.1:" + port);
        return all;
    }

    /** Starts a new worker process (appending to the same log) and waits until its REST API answers. */
    WorkerProcess start() {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-cp", kafka.classpath()));
        command.addAll(kafka.jvmOptions());
        command.add(mainClass);
        command.addAll(arguments);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a worker JVM", e);
        }
        await("the worker's REST API (log: " + log + ")").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the worker exited; see " + log);
                    }
                    try {
                        return get("/connectors").statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
        return this;
    }

    /** Stops the process as an orchestrator does (SIGTERM: the worker commits what it can and leaves its group). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    File log() {
        return log;
    }

    /** Creates or updates a connector. */
    void putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        String json = config.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/connectors/" + name + "/config"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("PUT " + name + ": " + response.statusCode() + " " + response.body());
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** The unpacked plugin: the folder holding manifest.json and lib/. */
    static Path archiveDirectory() throws IOException {
        try (Stream<Path> entries = Files.walk(PACKAGES, 3)) {
            return entries.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst()
                    .map(Path::getParent)
                    .orElseThrow(() -> new AssertionError("no plugin archive under " + PACKAGES + ": run mvn package first"));
        }
    }

    /** This JVM's classpath without this project's classes, the AWS SDK or test-only servers: what a bare worker has. */
    private static String workerClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("kafka-connect-dynamodbdown") && !entry.contains("store-core")
                        && !entry.contains(File.separator + "awssdk" + File.separator)
                        && !entry.contains("DynamoDBLocal") && !entry.contains("sqlite4java")
                        && !entry.contains("junit") && !entry.contains("opentest4j"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path write(Path file, Map<String, String> props) {
        Properties properties = new Properties();
        properties.putAll(props);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
