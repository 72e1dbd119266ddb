package io.dynamodbdown.it.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.Connect;

/**
 * A distributed Connect worker in this JVM, against any broker, driven through its REST API as a user
 * would drive a real one. Connectors come from the classpath. {@link #restart()} stops the worker and
 * starts a new one in the same group, as an operator's restart does.
 */
public final class ConnectWorker implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final Map<String, String> overrides;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Connect<?> connect;
    private URI url;

    private ConnectWorker(String bootstrapServers, Map<String, String> overrides) {
        this.bootstrapServers = bootstrapServers;
        this.overrides = Map.copyOf(overrides);
    }

    public static ConnectWorker start(String bootstrapServers) {
        return start(bootstrapServers, Map.of());
    }

    /**
     * A worker of its own group {@code dynamodbdown-it-<name>} (its own config, offset and status topics) with
     * these worker settings added, e.g. {@code exactly.once.source.support=enabled}.
     */
    public static ConnectWorker startSeparate(String bootstrapServers, String name, Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(settings);
        overrides.put("group.id", "dynamodbdown-it-" + name);
        for (String topic : List.of("config", "offset", "status")) {
            overrides.put(topic + ".storage.topic", "dynamodbdown-it-" + name + "-" + topic + "s");
        }
        return start(bootstrapServers, overrides);
    }

    private static ConnectWorker start(String bootstrapServers, Map<String, String> overrides) {
        ConnectWorker worker = new ConnectWorker(bootstrapServers, overrides);
        worker.startWorker();
        return worker;
    }

    /**
     * Connect's herder ends the JVM ({@code Exit.exit(1)}) when its thread fails, as it does when interrupted while
     * stopping at JVM exit: that turned a passed test run into a failed fork ("Error occurred in starting fork").
     * Here a failing worker is reported instead, as in Kafka's own EmbeddedConnectCluster.
     */
    private static final List<String> EXIT_REPORTS = new CopyOnWriteArrayList<>();

    static void reportExitInsteadOfEndingJvm() {
        Exit.setExitProcedure((status, message) -> {
            String report = "A Connect worker asked to end the JVM with status " + status
                    + (message == null ? "" : " (" + message + ")") + "; it keeps running";
            EXIT_REPORTS.add(report);
            System.err.println(report);
        });
    }

    /** What {@link #reportExitInsteadOfEndingJvm} reported so far, oldest first. */
    static List<String> exitReports() {
        return List.copyOf(EXIT_REPORTS);
    }

    private void startWorker() {
        reportExitInsteadOfEndingJvm();
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", "dynamodbdown-it");
        props.put("config.storage.topic", "dynamodbdown-it-configs");
        props.put("offset.storage.topic", "dynamodbdown-it-offsets");
        props.put("status.storage.topic", "dynamodbdown-it-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("key.converter", ByteArrayConverter.class.getName());
        props.put("value.converter", ByteArrayConverter.class.getName());
        props.put("offset.flush.interval.ms", "1000");
        props.put("listeners", "http://127.0.0.1:0");
        props.put("plugin.discovery", "service_load");
        // A restarted worker gets its tasks back at once instead of after the default 5 minutes.
        props.put("scheduled.rebalance.max.delay.ms", "0");
        props.put("producer.max.request.size", "2000000");
        props.putAll(overrides);
        connect = new ConnectDistributed().startConnect(props);
        url = connect.rest().serverUrl();
    }

    /** The REST address, e.g. to print for a user. */
    public URI url() {
        return url;
    }

    /** Stops this worker as an operator would and starts a fresh one in the same group. */
    public void restart() {
        connect.stop();
        connect.awaitStop();
        startWorker();
    }

    /** Creates or reconfigures a connector. */
    public void putConnector(String name, Map<String, String> config) {
        send("PUT", "/connectors/" + name + "/config", config, 200, 201);
    }

    public void deleteConnector(String name) {
        send("DELETE", "/connectors/" + name, null, 204, 404);
    }

    /** Stops a connector and its tasks (their offsets stay), as {@code PUT /connectors/x/stop} does. */
    public void stopConnector(String name) {
        send("PUT", "/connectors/" + name + "/stop", null, 202, 204);
    }

    public void resumeConnector(String name) {
        send("PUT", "/connectors/" + name + "/resume", null, 202, 204);
    }

    /** Waits until the connector and at least {@code tasks} tasks run; a failed task fails the wait with its trace. */
    public void awaitRunning(String name, int tasks) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = status(name);
            if (status != null) {
                int running = 0;
                for (JsonNode task : status.path("tasks")) {
                    if ("FAILED".equals(task.path("state").asText())) {
                        throw new AssertionError("Task " + task.path("id").asText() + " of " + name + " failed: " + task.path("trace").asText());
                    }
                    running += "RUNNING".equals(task.path("state").asText()) ? 1 : 0;
                }
                if ("RUNNING".equals(status.path("connector").path("state").asText()) && running >= tasks) {
                    return;
                }
            }
            sleep(200);
        }
        throw new AssertionError(name + " did not run " + tasks + " task(s) within " + TIMEOUT + "; last status: " + status);
    }

    /** The connector's status document, or null while it does not exist. */
    public JsonNode status(String name) {
        HttpResponse<String> response = request("GET", "/connectors/" + name + "/status", null);
        return response.statusCode() == 404 ? null : parse(response);
    }

    private void send(String method, String path, Object body, int... accepted) {
        HttpResponse<String> response = request(method, path, body);
        for (int code : accepted) {
            if (response.statusCode() == code) {
                return;
            }
        }
        throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }

    private HttpResponse<String> request(String method, String path, Object body) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                HttpRequest.BodyPublisher publisher = body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(url.resolve(path)).method(method, publisher)
                        .header("Content-Type", "application/json").timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
                // 409: a rebalance is under way (e.g. right after a restart); ask again.
                if (response.statusCode() != 409 || System.nanoTime() > deadline) {
                    return response;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(method + " " + path + " failed: " + e, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted during " + method + " " + path, e);
            }
            sleep(250);
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("Not JSON from the worker: " + response.body(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }

    @Override
    public String toString() {
        return "Connect worker at " + url;
    }
}
