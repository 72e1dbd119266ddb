package io.dynamodbdown.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * A real HTTP client under the SDK that fails chosen requests the way DynamoDB or the network does: a
 * throttling answer, a server error, or a refused connection. It sits below the client's retry strategy, so
 * the SDK sees and retries these faults exactly as it would real ones; everything else reaches the real
 * server. {@code fail("Query", Fault.SERVER_ERROR, 2, 5)} lets two more Query attempts through, then fails
 * the next five. Give it to {@code DynamoDbClients.builder(settings).httpClient(...)}; close it yourself (a
 * DynamoDB client does not close an HTTP client it was given).
 */
public final class FaultInjectingHttpClient implements SdkHttpClient {

    /** Every operation, for {@link #fail}. */
    public static final String ANY = "*";

    /** What a failed request meets. */
    public enum Fault {
        /** HTTP 400 ProvisionedThroughputExceededException. */
        THROTTLE,
        /** HTTP 400 LimitExceededException: DynamoDB Streams' throttling (too many calls on a shard or stream). */
        STREAMS_LIMIT,
        /** HTTP 500 InternalServerError. */
        SERVER_ERROR,
        /** No connection at all, as when the server is down. */
        CONNECTION_REFUSED,
        /** The request reaches the server and is carried out, but its answer is lost (the connection resets). */
        ANSWER_LOST
    }

    private final SdkHttpClient real = Apache5HttpClient.builder().build();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();
    private String operation = ANY;
    private Fault fault;
    private int skip;
    private int count;
    private Set<String> randomOperations = Set.of();
    private Fault randomFault;
    private double randomProbability;
    private Random random;

    /**
     * After {@code skip} more requests of {@code operation} ({@link #ANY} for all), the next {@code count}
     * fail with {@code fault} ({@code Integer.MAX_VALUE}: until {@link #heal()}).
     */
    public synchronized FaultInjectingHttpClient fail(String newOperation, Fault newFault, int newSkip, int newCount) {
        operation = newOperation;
        fault = newFault;
        skip = newSkip;
        count = newCount;
        return this;
    }

    /** Every request of {@code operation} fails with {@code fault} until {@link #heal()}. */
    public FaultInjectingHttpClient failAlways(String newOperation, Fault newFault) {
        return fail(newOperation, newFault, 0, Integer.MAX_VALUE);
    }

    /**
     * From now on, until {@link #heal()}, each request of one of {@code operations} ({@link #ANY} for all) fails
     * with {@code fault} with probability {@code probability}, drawn from {@code random} (seed it, so a failing run can be replayed).
     */
    public synchronized FaultInjectingHttpClient failAtRandom(Set<String> operations, Fault newFault, double probability,
            Random random) {
        randomOperations = Set.copyOf(operations);
        randomFault = newFault;
        randomProbability = probability;
        this.random = random;
        return this;
    }

    /** No more faults. */
    public synchronized void heal() {
        count = 0;
        randomOperations = Set.of();
    }

    /** Requests of an operation (e.g. "Query") that reached this client, attempts of retries included. */
    public int requests(String name) {
        AtomicInteger seen = requests.get(name);
        return seen == null ? 0 : seen.get();
    }

    /** Requests answered with a fault so far. */
    public int injected() {
        return injected.get();
    }

    /** Whether this request gets the fault, using up one of the knob's failures if it does. */
    private synchronized Fault faultFor(String name) {
        if ((randomOperations.contains(name) || randomOperations.contains(ANY)) && random.nextDouble() < randomProbability) {
            return randomFault;
        }
        if (count <= 0 || fault == null || !(operation.equals(ANY) || operation.equals(name))) {
            return null;
        }
        if (skip > 0) {
            skip--;
            return null;
        }
        if (count != Integer.MAX_VALUE) {
            count--;
        }
        return fault;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
        String name = target.substring(target.indexOf('.') + 1); // DynamoDB_20120810.Query -> Query
        requests.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        Fault failure = faultFor(name);
        if (failure == null) {
            return real.prepareRequest(request);
        }
        injected.incrementAndGet();
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return switch (failure) {
                    case THROTTLE -> answer(400, "ProvisionedThroughputExceededException",
                            "The level of configured provisioned throughput for the table was exceeded (injected)");
                    case STREAMS_LIMIT -> answer(400, "LimitExceededException", "Rate exceeded for shard (injected)");
                    case SERVER_ERROR -> answer(500, "InternalServerError", "Internal server error (injected)");
                    case CONNECTION_REFUSED -> throw new ConnectException("Connection refused (injected)");
                    case ANSWER_LOST -> {
                        HttpExecuteResponse applied = real.prepareRequest(request).call();
                        applied.responseBody().ifPresent(body -> {
                            try {
                                body.close();
                            } catch (IOException ignored) {
                                // the answer is thrown away either way
                            }
                        });
                        throw new SocketException("Connection reset (injected, after the server carried out the request)");
                    }
                };
            }

            @Override
            public void abort() {
            }
        };
    }

    private static HttpExecuteResponse answer(int status, String errorType, String message) {
        byte[] body = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + errorType + "\",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        SdkHttpFullResponse response = SdkHttpFullResponse.builder()
                .statusCode(status)
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("Content-Length", Integer.toString(body.length))
                .putHeader("x-amzn-RequestId", "injected-" + System.nanoTime())
                .build();
        return HttpExecuteResponse.builder().response(response)
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
    }

    @Override
    public String clientName() {
        return "FaultInjecting-" + real.clientName();
    }

    @Override
    public void close() {
        real.close();
    }
}
