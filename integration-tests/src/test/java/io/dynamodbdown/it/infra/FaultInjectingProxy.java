package io.dynamodbdown.it.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a DynamoDB emulator that answers some BatchWriteItem calls the way a busy
 * DynamoDB does: with every item handed back as UnprocessedItems, or with a throttling error. It lets a
 * connector inside a worker meet faults a local server never produces, through its real client.
 * Every {@code unprocessedEvery}-th BatchWriteItem is refused whole, every {@code throttleEvery}-th throttled
 * (0 turns a fault off); everything else is forwarded unchanged.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers the JDK client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

    private final URI target;
    private final int unprocessedEvery;
    private final int throttleEvery;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger batchWrites = new AtomicInteger();
    private final AtomicInteger unprocessed = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();

    public FaultInjectingProxy(URI target, int unprocessedEvery, int throttleEvery) throws IOException {
        this.target = target;
        this.unprocessedEvery = unprocessedEvery;
        this.throttleEvery = throttleEvery;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** BatchWriteItem calls answered with all items unprocessed so far. */
    public int unprocessedAnswers() {
        return unprocessed.get();
    }

    /** BatchWriteItem calls answered with a throttling error so far. */
    public int throttledAnswers() {
        return throttled.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String operation = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (operation != null && operation.endsWith(".BatchWriteItem")) {
                int call = batchWrites.incrementAndGet();
                if (throttleEvery > 0 && call % throttleEvery == 0) {
                    throttled.incrementAndGet();
                    reply(exchange, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                            + "\"message\":\"injected by the test proxy\"}");
                    return;
                }
                if (unprocessedEvery > 0 && call % unprocessedEvery == 0) {
                    unprocessed.incrementAndGet();
                    JsonNode requestItems = JSON.readTree(body).get("RequestItems");
                    reply(exchange, 200, "{\"UnprocessedItems\":" + JSON.writeValueAsString(requestItems) + "}");
                    return;
                }
            }
            forward(exchange, body);
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            reply(exchange, 503, "{\"__type\":\"ServiceUnavailable\",\"message\":\"proxy: " + e.getMessage() + "\"}");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        response.headers().map().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, List.copyOf(values));
            }
        });
        send(exchange, response.statusCode(), response.body());
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
