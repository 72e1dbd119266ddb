package io.dynamodbdown.testing;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB Streams endpoint on loopback that serves a real table's stream re-partitioned into as many shards as a
 * test wants, with what AWS's streams do and DynamoDB Local's never do: many shards, splits (a parent closes, two
 * children take half of its key-hash range each), rollovers (a parent closes, one child goes on), 5 GetRecords
 * calls a second per shard, 1,000 records or 1 MB per call, iterators that expire, and a round trip's latency.
 * The SDK's {@code DynamoDbStreamsClient} with {@code endpointOverride(endpoint())} talks to it unchanged
 * (DescribeStream with paging, GetShardIterator of all four types, GetRecords, ListStreams), and it answers
 * errors with the exception names and HTTP status AWS's API reference gives, so the client throws what it would
 * throw against AWS.
 *
 * <p>It reads the table's real stream through a real {@code DynamoDbStreamsClient} (parents before children)
 * on a background thread, and appends each record to the open shard whose hash range holds the hash of the
 * record's item key (hash and range attribute): every record once, and each key's records in one lineage, in
 * the table's order. Sequence numbers are its own (increasing within a shard and from a parent to its
 * children); every other field of a record is the real one. It serves the real stream's ARN, the one the table's
 * {@code DescribeTable} gives as {@code latestStreamArn}, so a change reader pointed at the simulator for streams
 * and at DynamoDB for tables finds it, and checkpoints name it. Requests that are not DynamoDB Streams calls
 * (DynamoDB's own: PutItem, DescribeTable...) are forwarded to the table's endpoint when it has one, so a
 * connector with a single endpoint option can be pointed at the simulator whole.
 *
 * <pre>{@code
 * try (StreamSimulator streams = StreamSimulator.of(local, table).shards(4).splitEvery(500).start();
 *         DynamoDbStreamsClient client = DynamoDbClients.buildStreams(
 *                 local.settings().withEndpoint(streams.endpoint().toString()));
 *         ChangeReader reader = DynamoDbDown.changes(client, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
 *     db.put("k", "v");
 *     streams.splitAll();                      // or rollover(shardId), split(shardId), rolloverAll()
 *     ... reader.poll(100) ...
 *     streams.throttledCalls();                // the counters a test or benchmark reports
 * }
 * }</pre>
 *
 * Everything is AWS's unless a test sets it otherwise ({@link Builder}). Records are kept for the simulator's
 * life: nothing is trimmed after 24 hours. Close it before dropping the table.
 */
public final class StreamSimulator implements AutoCloseable {

    /**
     * One shard, as the simulator sees it now.
     *
     * @param shardId the shard's id; ids sort in creation order, so parents before children
     * @param parentShardId the shard it continues, or null for one of the first shards
     * @param hashKeyStart the first key hash it holds, in [0, {@link Long#MAX_VALUE}]
     * @param hashKeyEnd the last key hash it holds
     * @param startingSequenceNumber below the sequence number of its first record
     * @param endingSequenceNumber above the sequence number of its last record once it is closed, null while open
     * @param records how many records it holds
     * @param getRecordsCalls GetRecords calls made on it (throttled and expired ones too)
     */
    public record ShardInfo(String shardId, String parentShardId, long hashKeyStart, long hashKeyEnd,
            String startingSequenceNumber, String endingSequenceNumber, int records, long getRecordsCalls) {

        /** {@return whether records still go into it} */
        public boolean open() {
            return endingSequenceNumber == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(StreamSimulator.class);
    private static final String STREAMS_TARGET = "DynamoDBStreams_20120810.";
    /** Headers the JDK's HTTP client sets itself, or that belong to one hop only. */
    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "date");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    static {
        // Headers and body go out in two writes: without this, Nagle's algorithm and the client's delayed ACK
        // would hold each answer ~40 ms, and the simulator, not the limits under test, would set the pace.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String tableName;
    private final String streamArn;
    private final List<String> keyAttributes;
    private final SimulatedStream stream;
    private final RealStreamReader real;
    private final long latencyNanos;
    private final long pullIntervalNanos;
    private final URI forwardTo;
    private final List<AutoCloseable> owned;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService handlers;
    private final HttpClient forwarder;
    private final Thread puller;
    private final Object pulling = new Object();
    private volatile boolean running = true;
    private volatile RuntimeException pullFailure;

    /**
     * {@return a builder for the stream of {@code tableName} in this DynamoDB Local, read with its dummy
     * credentials (those the tests write with: DynamoDB Local keeps one store per access key)}
     *
     * @param local the DynamoDB Local holding the table
     * @param tableName a table with a stream
     */
    public static Builder of(DynamoDbLocal local, String tableName) {
        DynamoDbClient tables = local.newClient();
        DynamoDbStreamsClient streams = local.newStreamsClient();
        return new Builder(tables, streams, tableName, local.endpoint(), List.of(streams, tables));
    }

    /**
     * {@return a builder for the stream of {@code tableName}, read through these clients (the caller's to close
     * after the simulator), e.g. an embedded DynamoDB Local's whose shards a test rolls over}
     *
     * @param tables a client of the table, for its description; other requests are forwarded to its endpoint
     *     override, if it has one
     * @param realStreams a client of the table's real stream
     * @param tableName a table with a stream
     */
    public static Builder of(DynamoDbClient tables, DynamoDbStreamsClient realStreams, String tableName) {
        return new Builder(tables, realStreams, tableName, endpointOf(tables), List.of());
    }

    /** The client's endpoint override; none for one without (AWS's) or without HTTP (the embedded DynamoDB Local). */
    private static URI endpointOf(DynamoDbClient tables) {
        try {
            return tables.serviceClientConfiguration().endpointOverride().orElse(null);
        } catch (UnsupportedOperationException inProcess) {
            return null;
        }
    }

    /** What the simulator does; AWS's limits unless set otherwise. */
    public static final class Builder {
        private final DynamoDbClient tables;
        private final DynamoDbStreamsClient realStreams;
        private final String tableName;
        private final List<AutoCloseable> owned;
        private URI forwardTo;
        private int shards = 4;
        private int splitEvery;
        private int rolloverEvery;
        private int getRecordsPerSecond = 5;
        private int describeStreamPerSecond = 10;
        private int maxRecordsPerCall = 1000;
        private int maxBytesPerCall = 1024 * 1024;
        private int describeStreamPageSize = 100;
        private Duration iteratorLifetime = Duration.ofMinutes(15);
        private Duration latency = Duration.ZERO;
        private Duration pullInterval = Duration.ofMillis(20);

        private Builder(DynamoDbClient tables, DynamoDbStreamsClient realStreams, String tableName, URI forwardTo,
                List<AutoCloseable> owned) {
            this.tables = tables;
            this.realStreams = realStreams;
            this.tableName = tableName;
            this.forwardTo = forwardTo;
            this.owned = owned;
        }

        /** The shards the stream starts with, splitting the key-hash space evenly (default 4). */
        public Builder shards(int count) {
            this.shards = atLeast(1, count, "shards");
            return this;
        }

        /** Every {@code records}-th record routed, the shard it went to splits (default 0: only on demand). */
        public Builder splitEvery(int records) {
            this.splitEvery = atLeast(0, records, "splitEvery");
            return this;
        }

        /**
         * Every {@code records}-th record routed, the shard it went to rolls over (default 0: only on demand); a
         * record that is due for a split too splits its shard instead.
         */
        public Builder rolloverEvery(int records) {
            this.rolloverEvery = atLeast(0, records, "rolloverEvery");
            return this;
        }

        /** GetRecords calls a second per shard; more get LimitExceededException (AWS: 5; 0 for no limit). */
        public Builder getRecordsPerSecond(int calls) {
            this.getRecordsPerSecond = atLeast(0, calls, "getRecordsPerSecond");
            return this;
        }

        /** DescribeStream calls a second on the stream; more get LimitExceededException (AWS: 10; 0 for no limit). */
        public Builder describeStreamPerSecond(int calls) {
            this.describeStreamPerSecond = atLeast(0, calls, "describeStreamPerSecond");
            return this;
        }

        /** No limit on calls a second: for measuring what the simulator or a reader can do at most. */
        public Builder unthrottled() {
            return getRecordsPerSecond(0).describeStreamPerSecond(0);
        }

        /** The most records one GetRecords call returns, whatever its Limit (AWS: 1,000). */
        public Builder maxRecordsPerCall(int records) {
            this.maxRecordsPerCall = between(1, 1000, records, "maxRecordsPerCall");
            return this;
        }

        /**
         * The most bytes (records' SizeBytes) one GetRecords call returns (AWS: 1 MB); a call always returns at
         * least one record when there is one.
         */
        public Builder maxBytesPerCall(int bytes) {
            this.maxBytesPerCall = atLeast(1, bytes, "maxBytesPerCall");
            return this;
        }

        /** The most shards one DescribeStream page lists, whatever its Limit (AWS: 100). */
        public Builder describeStreamPageSize(int shardsPerPage) {
            this.describeStreamPageSize = between(1, 100, shardsPerPage, "describeStreamPageSize");
            return this;
        }

        /** How long a shard iterator may be used after it was handed out (AWS: 15 minutes). */
        public Builder iteratorLifetime(Duration lifetime) {
            this.iteratorLifetime = positive(lifetime, "iteratorLifetime");
            return this;
        }

        /** Added to every DynamoDB Streams call, as a network round trip is (a region-local call: 5-10 ms). */
        public Builder latency(Duration perCall) {
            this.latency = perCall.isNegative() ? fail("latency must not be negative: " + perCall) : perCall;
            return this;
        }

        /**
         * How long the background reader of the real stream pauses when it found nothing new (default 20 ms; while
         * there are records it does not pause). Each look is a GetRecords call on DynamoDB Local, which is what
         * uses the CPU here.
         */
        public Builder pullInterval(Duration interval) {
            this.pullInterval = positive(interval, "pullInterval");
            return this;
        }

        /** Where requests other than DynamoDB Streams calls go (default: the table client's endpoint); null: refused. */
        public Builder forwardTo(URI endpoint) {
            this.forwardTo = endpoint;
            return this;
        }

        /** Starts the simulator: reads the real stream from its oldest record on, and serves on a free loopback port. */
        public StreamSimulator start() {
            try {
                return new StreamSimulator(this);
            } catch (RuntimeException e) {
                closeAll(owned);
                throw e;
            }
        }

        private static int atLeast(int least, int value, String name) {
            return value >= least ? value : fail(name + " must be at least " + least + ": " + value);
        }

        private static int between(int least, int most, int value, String name) {
            return value <= most ? atLeast(least, value, name) : fail(name + " must be at most " + most + ": " + value);
        }

        private static Duration positive(Duration value, String name) {
            return value.isNegative() || value.isZero() ? fail(name + " must be positive: " + value) : value;
        }

        private static <T> T fail(String message) {
            throw new IllegalArgumentException(message);
        }
    }

    private StreamSimulator(Builder options) {
        TableDescription table = options.tables.describeTable(b -> b.tableName(options.tableName)).table();
        if (table.latestStreamArn() == null || table.streamSpecification() == null
                || !Boolean.TRUE.equals(table.streamSpecification().streamEnabled())) {
            throw new IllegalArgumentException("Table '" + options.tableName + "' has no stream to simulate: create"
                    + " it with a StreamSpecification (e.g. OpenOptions.withStream(NEW_IMAGE, true))");
        }
        this.tableName = options.tableName;
        this.streamArn = table.latestStreamArn();
        this.keyAttributes = table.keySchema().stream()
                .sorted(Comparator.comparing(key -> key.keyType() != KeyType.HASH)) // the hash key first
                .map(KeySchemaElement::attributeName).toList();
        this.stream = new SimulatedStream(streamArn, options.shards, options.splitEvery, options.rolloverEvery,
                new SimulatedStream.Limits(options.getRecordsPerSecond, options.describeStreamPerSecond,
                        options.maxRecordsPerCall, options.maxBytesPerCall, options.iteratorLifetime,
                        options.describeStreamPageSize));
        this.real = new RealStreamReader(options.realStreams, streamArn);
        this.latencyNanos = options.latency.toNanos();
        this.pullIntervalNanos = options.pullInterval.toNanos();
        this.forwardTo = options.forwardTo;
        this.owned = options.owned;
        catchUp(); // what the stream holds already is there before the first request
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "stream-simulator-" + instance + "-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.forwarder = forwardTo == null ? null : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("No loopback port for the stream simulator", e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        puller = new Thread(this::pullContinuously, "stream-simulator-" + instance + "-pull");
        puller.setDaemon(true);
        puller.start();
        server.start();
    }

    /** {@return the endpoint to give the SDK's {@code endpointOverride} (or an adapter's endpoint option)} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@return the ARN of the stream served: the real table's {@code latestStreamArn}} */
    public String streamArn() {
        return streamArn;
    }

    /**
     * Splits an open shard: it closes, and two children take the lower and upper half of its hash range.
     *
     * @param shardId an open shard
     * @return the children's ids
     * @throws IllegalArgumentException when no open shard has this id
     */
    public List<String> split(String shardId) {
        return stream.split(shardId);
    }

    /**
     * Splits every open shard at once (no record is routed in between).
     *
     * @return the children's ids
     */
    public List<String> splitAll() {
        return stream.splitAll();
    }

    /**
     * Rolls an open shard over: it closes, and one child takes its whole hash range.
     *
     * @param shardId an open shard
     * @return the child's id
     * @throws IllegalArgumentException when no open shard has this id
     */
    public String rollover(String shardId) {
        return stream.rollover(shardId);
    }

    /**
     * Rolls every open shard over at once.
     *
     * @return the children's ids
     */
    public List<String> rolloverAll() {
        return stream.rolloverAll();
    }

    /** {@return the ids of the shards records go into now} */
    public List<String> openShardIds() {
        return stream.openShardIds();
    }

    /** {@return every shard, open or closed, in creation order (parents before their children)} */
    public List<ShardInfo> shards() {
        return stream.shards();
    }

    /** Every shard iterator handed out so far expires now, as after 15 minutes: the next use gets ExpiredIteratorException. */
    public void expireIterators() {
        stream.expireIterators();
    }

    /**
     * Takes, before it returns, every record the real stream holds now (the background reader takes them within
     * its pull interval anyway): after a write and this call, a reader of the simulator can find that write.
     *
     * @throws IllegalStateException when the real stream cannot be read
     */
    public void catchUp() {
        try {
            while (pullOnce() > 0) {
                // again: records may have come in while the last ones were routed
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("The stream simulator cannot read the real stream " + streamArn + ": " + e, e);
        }
    }

    /** {@return records taken from the real stream and routed into the simulated shards} */
    public long recordsPulled() {
        return stream.recordsRouted();
    }

    /** {@return records handed out by GetRecords, over all shards (a record read twice counts twice)} */
    public long recordsServed() {
        return stream.recordsServed();
    }

    /** {@return GetRecords calls over all shards, throttled and expired ones included; per shard: {@link #shards()}} */
    public long getRecordsCalls() {
        return stream.getRecordsCalls();
    }

    /** {@return calls answered with LimitExceededException (GetRecords and DescribeStream)} */
    public long throttledCalls() {
        return stream.throttledCalls();
    }

    /**
     * {@return DynamoDB Streams calls of an operation received, answered with an error or not}
     *
     * @param operation {@code DescribeStream}, {@code GetShardIterator}, {@code GetRecords} or {@code ListStreams}
     */
    public long requests(String operation) {
        LongAdder count = requests.get(operation);
        return count == null ? 0 : count.sum();
    }

    /** {@return the last failure of the background reader of the real stream, or null if its last pull succeeded} */
    public RuntimeException pullFailure() {
        return pullFailure;
    }

    @Override
    public void close() {
        running = false;
        puller.interrupt();
        try {
            puller.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        handlers.shutdownNow();
        closeAll(owned);
    }

    @Override
    public String toString() {
        return "StreamSimulator{" + endpoint() + ", table=" + tableName + ", " + stream + "}";
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", resource, e);
            }
        }
    }

    // ---- the real stream

    private int pullOnce() {
        synchronized (pulling) {
            return real.pull(this::route);
        }
    }

    private void pullContinuously() {
        while (running) {
            int taken;
            try {
                taken = pullOnce();
                pullFailure = null;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (pullFailure == null) {
                    LOG.warn("Reading the real stream {} failed; trying again", streamArn, e);
                }
                pullFailure = e;
                taken = 0;
            }
            if (taken == 0) {
                LockSupport.parkNanos(pullIntervalNanos); // nothing new: look again shortly
            }
        }
    }

    private void route(Record record) {
        Long size = record.dynamodb().sizeBytes();
        long sizeBytes = size != null ? size : StreamsJson.record(record, SimulatedStream.sequenceNumber(0), 0).length;
        stream.route(hashOf(record.dynamodb().keys()), sizeBytes,
                sequence -> StreamsJson.record(record, SimulatedStream.sequenceNumber(sequence), sizeBytes));
    }

    /** Where an item key falls in [0, {@link Long#MAX_VALUE}]: MD5 of its hash and range attribute values. */
    private long hashOf(Map<String, AttributeValue> keys) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String name : keyAttributes) {
            AttributeValue value = keys.get(name);
            byte[] bytes = value == null ? new byte[0] : value.b() != null ? value.b().asByteArrayUnsafe()
                    : (value.s() != null ? value.s() : value.n()).getBytes(StandardCharsets.UTF_8);
            md5.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            md5.update(bytes);
        }
        return ByteBuffer.wrap(md5.digest()).getLong() >>> 1;
    }

    // ---- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (target == null || !target.startsWith(STREAMS_TARGET)) {
                forward(exchange, body);
                return;
            }
            String operation = target.substring(STREAMS_TARGET.length());
            requests.computeIfAbsent(operation, name -> new LongAdder()).increment();
            for (long end = System.nanoTime() + latencyNanos, left = latencyNanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left); // the simulated round trip (parkNanos may return early)
            }
            try {
                reply(exchange, 200, answer(operation, StreamsJson.request(body)));
            } catch (StreamsError e) {
                reply(exchange, e.status, StreamsJson.error(e.type, e.getMessage()));
            } catch (RuntimeException e) { // a bug of the simulator's own: say so, not a dropped connection
                LOG.error("The stream simulator failed on {}", operation, e);
                reply(exchange, 500, StreamsJson.error("InternalServerError", "stream simulator: " + e));
            }
        }
    }

    private byte[] answer(String operation, Map<String, Object> request) {
        return switch (operation) {
            case "DescribeStream" -> {
                requireStream(request);
                int limit = number(request, "Limit", 100, 1, 100);
                SimulatedStream.ShardPage page = stream.describe(text(request, "ExclusiveStartShardId", false),
                        limit, System.nanoTime());
                yield StreamsJson.streamDescription(streamArn, real.description(), page);
            }
            case "GetShardIterator" -> {
                requireStream(request);
                SimulatedStream.Position at = stream.position(text(request, "ShardId", true),
                        text(request, "ShardIteratorType", true), text(request, "SequenceNumber", false),
                        System.currentTimeMillis());
                yield StreamsJson.shardIterator(stream.iterator(at));
            }
            case "GetRecords" -> {
                SimulatedStream.Position at = stream.position(text(request, "ShardIterator", true));
                int limit = number(request, "Limit", 1000, 1, Integer.MAX_VALUE);
                if (limit > 1000) {
                    throw StreamsError.limitExceeded("GetRecords was called with a Limit of " + limit + ", more than 1000");
                }
                SimulatedStream.Page page = stream.read(at, limit, System.nanoTime(), System.currentTimeMillis());
                yield StreamsJson.records(page.records(), page.next() == null ? null : stream.iterator(page.next()));
            }
            case "ListStreams" -> {
                String table = text(request, "TableName", false);
                String after = text(request, "ExclusiveStartStreamArn", false);
                number(request, "Limit", 100, 1, 100);
                yield StreamsJson.streams(streamArn, real.description(),
                        (table == null || table.equals(tableName)) && after == null);
            }
            default -> throw new StreamsError(400, "UnknownOperationException", "Unknown operation " + operation);
        };
    }

    private void requireStream(Map<String, Object> request) {
        String arn = text(request, "StreamArn", true);
        if (!arn.equals(streamArn)) {
            throw StreamsError.notFound("Requested resource not found: Stream: " + arn + " not found (this simulator serves "
                    + streamArn + ")");
        }
    }

    private static String text(Map<String, Object> request, String field, boolean required) {
        Object value = request.get(field);
        if (value == null && required) {
            throw StreamsError.validation("1 validation error detected: Value null at '" + field
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value == null ? null : value.toString();
    }

    private static int number(Map<String, Object> request, String field, int absent, int least, int most) {
        Object value = request.get(field);
        if (value == null) {
            return absent;
        }
        long number = value instanceof Long given ? given : least - 1L;
        if (number < least || number > most) {
            throw StreamsError.validation("1 validation error detected: Value '" + value + "' at '" + field
                    + "' failed to satisfy constraint: Member must have value between " + least + " and " + most);
        }
        return (int) number;
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", StreamsJson.CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "simulated-" + System.nanoTime());
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A request for DynamoDB itself: passed on unchanged, and its answer back. */
    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        if (forwarder == null) {
            reply(exchange, 400, StreamsJson.error("UnknownOperationException", "This stream simulator serves DynamoDB"
                    + " Streams calls only, and knows no endpoint to forward other calls to (Builder.forwardTo)"));
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(forwardTo.resolve(exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while forwarding to " + forwardTo, e);
        }
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":") && !HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        exchange.sendResponseHeaders(response.statusCode(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }
}
