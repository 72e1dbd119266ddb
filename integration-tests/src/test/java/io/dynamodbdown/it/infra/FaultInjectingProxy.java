package io.dynamodbdown.it.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy in front of a DynamoDB emulator that answers the way a busy DynamoDB does, so a store or a
 * connector inside a worker meets, through its real client, what a local server never produces:
 * <ul>
 * <li>faults on a schedule: every {@code unprocessedEvery}-th BatchWriteItem is handed back whole as
 * UnprocessedItems, every {@code throttleEvery}-th throttled;
 * <li>DynamoDB's per partition key ceiling ({@link Builder#partitionLimits}, see {@link PartitionThroughput}):
 * items over a partition's write units are handed back as UnprocessedItems (BatchWriteItem; all of them:
 * ProvisionedThroughputExceededException, as DynamoDB answers), keys over its read units as UnprocessedKeys
 * (BatchGetItem), single-item calls and Queries on a partition over its limit get
 * ProvisionedThroughputExceededException, and a transaction touching one is cancelled with a
 * ThrottlingError reason;
 * <li>a round trip's latency ({@link Builder#latency}), added to every call.
 * </ul>
 * Everything is off unless configured; what passes is forwarded unchanged.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers the JDK client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

    /** {@code name = :value} in a key condition; the name may be a {@code #placeholder}. */
    private static final Pattern KEY_EQUALITY = Pattern.compile("(#?[\\w.-]+)\\s*=\\s*(:[\\w]+)");
    /** The request being handled on this thread, whose headers a DescribeTable of the proxy's own reuses. */
    private static final ThreadLocal<HttpExchange> CURRENT = new ThreadLocal<>();
    private static final String THROTTLED = "ProvisionedThroughputExceededException";

    private final URI target;
    private final int unprocessedEvery;
    private final int throttleEvery;
    private final PartitionThroughput limits;
    private final long latencyNanos;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> hashKeyNames = new ConcurrentHashMap<>();
    private final AtomicInteger batchWrites = new AtomicInteger();
    private final AtomicInteger unprocessed = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicLong itemsHandedBack = new AtomicLong();

    static {
        // Headers and body go out in two writes: without this, Nagle's algorithm and the client's delayed ACK
        // hold each answer for ~40 ms, and the proxy, not the limits under test, would set the pace.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private FaultInjectingProxy(Builder builder) throws IOException {
        this.target = builder.target;
        this.unprocessedEvery = builder.unprocessedEvery;
        this.throttleEvery = builder.throttleEvery;
        this.limits = builder.writeUnits > 0 ? new PartitionThroughput(builder.writeUnits, builder.readUnits, builder.burst) : null;
        this.latencyNanos = builder.latency.toNanos();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try {
                CURRENT.set(exchange);
                handle(exchange);
            } catch (RuntimeException e) { // a bug of the proxy's own: say so, not a silent dropped connection
                e.printStackTrace();
                reply(exchange, 500, "{\"__type\":\"InternalServerError\",\"message\":\"test proxy: " + e + "\"}");
            } finally {
                CURRENT.remove();
            }
        });
        server.start();
    }

    public static Builder to(URI target) {
        return new Builder(target);
    }

    /** What the proxy does; nothing unless set. */
    public static final class Builder {
        private final URI target;
        private int unprocessedEvery;
        private int throttleEvery;
        private double writeUnits;
        private double readUnits;
        private Duration latency = Duration.ZERO;
        private boolean burst = true;

        private Builder(URI target) {
            this.target = target;
        }

        /** Every n-th BatchWriteItem is handed back whole as UnprocessedItems. */
        public Builder unprocessedEvery(int n) {
            this.unprocessedEvery = n;
            return this;
        }

        /** Every n-th BatchWriteItem is throttled. */
        public Builder throttleEvery(int n) {
            this.throttleEvery = n;
            return this;
        }

        /** Each partition key value serves at most these units a second (DynamoDB's: 1,000 and 3,000). */
        public Builder partitionLimits(double writeUnitsPerSecond, double readUnitsPerSecond) {
            this.writeUnits = writeUnitsPerSecond;
            this.readUnits = readUnitsPerSecond;
            return this;
        }

        /** Partitions start with no units in hand: no burst, only the rate (for measuring a sustained rate). */
        public Builder noBurst() {
            this.burst = false;
            return this;
        }

        /** Added to every call, as a network round trip is (a region-local call: 5-10 ms). */
        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        public FaultInjectingProxy start() throws IOException {
            return new FaultInjectingProxy(this);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** BatchWriteItem calls answered with all items unprocessed so far. */
    public int unprocessedAnswers() {
        return unprocessed.get();
    }

    /** Calls answered with a throttling error so far. */
    public int throttledAnswers() {
        return throttled.get();
    }

    /** Items and keys handed back unprocessed for being over a partition's limit so far. */
    public long itemsHandedBack() {
        return itemsHandedBack.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (latencyNanos > 0) {
                LockSupport.parkNanos(latencyNanos); // the simulated round trip, not a wait for anything
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
            if (operation.equals("BatchWriteItem")) {
                int call = batchWrites.incrementAndGet();
                if (throttleEvery > 0 && call % throttleEvery == 0) {
                    throttle(exchange, "injected by the test proxy");
                    return;
                }
                if (unprocessedEvery > 0 && call % unprocessedEvery == 0) {
                    unprocessed.incrementAndGet();
                    JsonNode requestItems = JSON.readTree(body).get("RequestItems");
                    reply(exchange, 200, "{\"UnprocessedItems\":" + JSON.writeValueAsString(requestItems) + "}");
                    return;
                }
            }
            if (limits == null) {
                send(exchange, forward(exchange, body));
                return;
            }
            switch (operation) {
                case "BatchWriteItem" -> limitBatchWrite(exchange, (ObjectNode) JSON.readTree(body));
                case "BatchGetItem" -> limitBatchGet(exchange, (ObjectNode) JSON.readTree(body));
                case "PutItem", "DeleteItem", "UpdateItem" -> limitWrite(exchange, body, JSON.readTree(body));
                case "TransactWriteItems" -> limitTransaction(exchange, body, JSON.readTree(body));
                case "GetItem", "Query" -> limitRead(exchange, body, JSON.readTree(body), operation.equals("Query"));
                default -> send(exchange, forward(exchange, body));
            }
        }
    }

    private void limitWrite(HttpExchange exchange, byte[] body, JsonNode request) throws IOException {
        JsonNode item = request.has("Item") ? request.get("Item") : request.get("Key");
        if (!limits.tryWrite(partition(request.get("TableName").asText(), item), PartitionThroughput.writeUnits(item))) {
            throttle(exchange, "the partition is over its write units");
            return;
        }
        send(exchange, forward(exchange, body));
    }

    /** All or nothing, as DynamoDB: cancelled with a ThrottlingError reason where a partition is over its limit. */
    private void limitTransaction(HttpExchange exchange, byte[] body, JsonNode request) throws IOException {
        Map<String, Double> units = new LinkedHashMap<>(); // per partition: its items' units together
        List<String> itemPartitions = new ArrayList<>();
        for (JsonNode transactItem : request.get("TransactItems")) {
            JsonNode action = transactItem.fields().next().getValue();
            JsonNode item = action.has("Item") ? action.get("Item") : action.get("Key");
            String partition = partition(action.get("TableName").asText(), item);
            itemPartitions.add(partition);
            units.merge(String.valueOf(partition), 2 * PartitionThroughput.writeUnits(item), Double::sum);
        }
        Set<String> over = new HashSet<>();
        units.forEach((partition, needed) -> {
            if (!limits.tryWriteAll(partition.equals("null") ? null : partition, needed)) {
                over.add(partition);
            }
        });
        if (!over.isEmpty()) { // what the others took is not given back: DynamoDB does not either
            throttled.incrementAndGet();
            StringBuilder reasons = new StringBuilder();
            for (String partition : itemPartitions) {
                reasons.append(reasons.length() == 0 ? "" : ",").append("{\"Code\":\"")
                        .append(over.contains(String.valueOf(partition)) ? "ThrottlingError" : "None").append("\"}");
            }
            reply(exchange, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
                    + "\"Message\":\"Transaction cancelled, please refer cancellation reasons for specific reasons\","
                    + "\"CancellationReasons\":[" + reasons + "]}");
            return;
        }
        send(exchange, forward(exchange, body));
    }

    /** Forwards the items whose partitions have units left and hands the others back, as DynamoDB does. */
    private void limitBatchWrite(HttpExchange exchange, ObjectNode request) throws IOException {
        ObjectNode admitted = JSON.createObjectNode();
        ObjectNode handedBack = JSON.createObjectNode();
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> tables = request.get("RequestItems").fields(); tables.hasNext(); ) {
            Map.Entry<String, JsonNode> table = tables.next();
            for (JsonNode writeRequest : table.getValue()) {
                JsonNode item = writeRequest.has("PutRequest") ? writeRequest.get("PutRequest").get("Item")
                        : writeRequest.get("DeleteRequest").get("Key");
                boolean admit = limits.tryWrite(partition(table.getKey(), item), PartitionThroughput.writeUnits(item));
                (admit ? admitted : handedBack).withArray(table.getKey()).add(writeRequest);
                count += admit ? 0 : 1;
            }
        }
        itemsHandedBack.addAndGet(count);
        if (admitted.isEmpty()) {
            throttle(exchange, "every partition in the batch is over its write units");
            return;
        }
        request.set("RequestItems", admitted);
        HttpResponse<byte[]> response = forward(exchange, JSON.writeValueAsBytes(request));
        if (response == null || response.statusCode() != 200 || handedBack.isEmpty()) {
            send(exchange, response);
            return;
        }
        ObjectNode answer = (ObjectNode) JSON.readTree(response.body());
        ObjectNode unprocessedItems = answer.has("UnprocessedItems") ? (ObjectNode) answer.get("UnprocessedItems")
                : JSON.createObjectNode();
        handedBack.fields().forEachRemaining(t -> unprocessedItems.withArray(t.getKey()).addAll((ArrayNode) t.getValue()));
        answer.set("UnprocessedItems", unprocessedItems);
        reply(exchange, 200, JSON.writeValueAsString(answer));
    }

    /**
     * Reads the keys whose partitions have units left and hands the others back; each key takes its item's
     * least cost up front (one unit, half if eventually consistent) and the rest once its size is known.
     */
    private void limitBatchGet(HttpExchange exchange, ObjectNode request) throws IOException {
        ObjectNode admitted = JSON.createObjectNode();
        ObjectNode handedBack = JSON.createObjectNode();
        Map<String, List<String>> admittedPartitions = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> tables = request.get("RequestItems").fields(); tables.hasNext(); ) {
            Map.Entry<String, JsonNode> table = tables.next();
            double leastCost = PartitionThroughput.readUnits(0, table.getValue().path("ConsistentRead").asBoolean(false));
            for (JsonNode key : table.getValue().get("Keys")) {
                String partition = partition(table.getKey(), key);
                boolean admit = limits.tryRead(partition, leastCost);
                ObjectNode into = admit ? admitted : handedBack;
                if (!into.has(table.getKey())) {
                    into.set(table.getKey(), withoutKeys(table.getValue()));
                }
                ((ArrayNode) into.get(table.getKey()).get("Keys")).add(key);
                if (admit) {
                    admittedPartitions.computeIfAbsent(table.getKey(), t -> new ArrayList<>()).add(partition);
                } else {
                    itemsHandedBack.incrementAndGet();
                }
            }
        }
        if (admitted.isEmpty()) {
            throttle(exchange, "every partition in the batch is over its read units");
            return;
        }
        request.set("RequestItems", admitted);
        HttpResponse<byte[]> response = forward(exchange, JSON.writeValueAsBytes(request));
        if (response == null || response.statusCode() != 200) {
            send(exchange, response);
            return;
        }
        ObjectNode answer = (ObjectNode) JSON.readTree(response.body());
        admittedPartitions.forEach((table, partitions) -> { // items past 4 KB cost more than their least
            JsonNode items = answer.path("Responses").path(table);
            long bytes = 0;
            for (JsonNode item : items) {
                bytes += PartitionThroughput.size(item);
            }
            boolean consistent = admitted.get(table).path("ConsistentRead").asBoolean(false);
            double more = PartitionThroughput.readUnits(bytes / Math.max(1, items.size()), consistent)
                    - PartitionThroughput.readUnits(0, consistent);
            if (more > 0) {
                partitions.forEach(partition -> limits.chargeRead(partition, more));
            }
        });
        if (!handedBack.isEmpty()) {
            ObjectNode unprocessedKeys = answer.has("UnprocessedKeys") ? (ObjectNode) answer.get("UnprocessedKeys")
                    : JSON.createObjectNode();
            handedBack.fields().forEachRemaining(t -> {
                if (unprocessedKeys.has(t.getKey())) {
                    ((ArrayNode) unprocessedKeys.get(t.getKey()).get("Keys")).addAll((ArrayNode) t.getValue().get("Keys"));
                } else {
                    unprocessedKeys.set(t.getKey(), t.getValue());
                }
            });
            answer.set("UnprocessedKeys", unprocessedKeys);
        }
        reply(exchange, 200, JSON.writeValueAsString(answer));
    }

    private static ObjectNode withoutKeys(JsonNode tableRequest) {
        ObjectNode copy = ((ObjectNode) tableRequest).deepCopy();
        copy.putArray("Keys");
        return copy;
    }

    /** GetItem or Query: refused while the partition is over its read units, else charged by what it read. */
    private void limitRead(HttpExchange exchange, byte[] body, JsonNode request, boolean query) throws IOException {
        String table = request.get("TableName").asText();
        String partition = query ? queriedPartition(table, request) : partition(table, request.get("Key"));
        if (!limits.mayRead(partition)) {
            throttle(exchange, "the partition is over its read units");
            return;
        }
        HttpResponse<byte[]> response = forward(exchange, body);
        if (response != null && response.statusCode() == 200) {
            JsonNode answer = JSON.readTree(response.body());
            long bytes = 0;
            if (query) {
                for (JsonNode item : answer.path("Items")) {
                    bytes += PartitionThroughput.size(item);
                }
            } else if (answer.has("Item")) {
                bytes = PartitionThroughput.size(answer.get("Item"));
            }
            limits.chargeRead(partition, PartitionThroughput.readUnits(bytes, request.path("ConsistentRead").asBoolean(false)));
        }
        send(exchange, response);
    }

    /** The partition a Query reads: the value its key condition compares the hash key with. */
    private String queriedPartition(String table, JsonNode request) {
        String hashKey = hashKeyName(table);
        if (hashKey == null) {
            return null;
        }
        Matcher equality = KEY_EQUALITY.matcher(request.path("KeyConditionExpression").asText());
        while (equality.find()) {
            String name = equality.group(1);
            if (name.startsWith("#")) {
                name = request.path("ExpressionAttributeNames").path(name).asText();
            }
            if (name.equals(hashKey)) {
                return table + "/" + request.path("ExpressionAttributeValues").get(equality.group(2));
            }
        }
        throw new IllegalArgumentException("a Query without an equality on the hash key " + hashKey + ": " + request);
    }

    /** The item's partition: table and partition key value (null where the table does not exist). */
    private String partition(String table, JsonNode item) {
        String hashKey = hashKeyName(table);
        return hashKey == null ? null : table + "/" + item.get(hashKey);
    }

    /**
     * The table's partition key attribute, asked of the emulator once with the caller's own headers (DynamoDB
     * Local keeps tables apart by access key and region); null while there is no such table.
     */
    private String hashKeyName(String table) {
        String known = hashKeyNames.get(table);
        if (known != null) {
            return known;
        }
        HttpExchange caller = CURRENT.get();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve("/")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"TableName\":" + JSON.valueToTree(table) + "}"));
        caller.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT)) && !name.equalsIgnoreCase("X-Amz-Target")) {
                values.forEach(value -> request.header(name, value));
            }
        });
        request.header("X-Amz-Target", "DynamoDB_20120810.DescribeTable");
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return null; // no such table (yet): the emulator answers the request itself
            }
            for (JsonNode key : JSON.readTree(response.body()).path("Table").path("KeySchema")) {
                if (key.path("KeyType").asText().equals("HASH")) {
                    hashKeyNames.put(table, key.path("AttributeName").asText());
                    return key.path("AttributeName").asText();
                }
            }
            throw new IllegalStateException("no hash key in " + new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void throttle(HttpExchange exchange, String why) throws IOException {
        throttled.incrementAndGet();
        reply(exchange, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + THROTTLED + "\",\"message\":\""
                + why + " (test proxy)\"}");
    }

    /** The emulator's answer, or null when it could not be reached (already answered with a 503). */
    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            reply(exchange, 503, "{\"__type\":\"ServiceUnavailable\",\"message\":\"proxy: " + e.getMessage() + "\"}");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted forwarding a request", e);
        }
    }

    /** Passes the emulator's answer on as it is (nothing: it was answered already). */
    private static void send(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
        if (response == null) {
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
