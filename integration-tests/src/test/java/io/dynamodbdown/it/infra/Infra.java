package io.dynamodbdown.it.infra;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the integration tests find DynamoDB and Kafka, chosen by {@code -Dit.infra}:
 * <ul>
 * <li>{@code embedded} (default, needs nothing but Java): DynamoDB Local in this JVM, an embedded KRaft broker;</li>
 * <li>{@code containers}: Testcontainers ({@code amazon/dynamodb-local}, or LocalStack with
 *     {@code -Dit.containers.dynamodb=localstack}, and {@code apache/kafka}); aborted with a clear message
 *     where no Docker engine runs;</li>
 * <li>{@code remote}: real AWS or a LocalStack the user runs, from {@code DYNAMODBDOWN_IT_REGION} (or
 *     {@code AWS_REGION}), optional {@code DYNAMODBDOWN_IT_ENDPOINT}, the default credentials chain, and
 *     optional {@code DYNAMODBDOWN_IT_KAFKA} bootstrap servers (else the embedded broker).</li>
 * </ul>
 * Each service starts once per test run, on first use, and stops when the tests end ({@link StopInfraWhenTestsEnd});
 * the Connect worker always runs in this JVM, against whichever broker was chosen, with the connectors from the
 * classpath.
 */
public enum Infra {
    EMBEDDED, CONTAINERS, REMOTE;

    public static final String PROPERTY = "it.infra";

    private static DynamoDbService dynamoDb;
    private static KafkaService kafka;
    private static ConnectWorker connect;
    private static final Deque<AutoCloseable> STARTED = new ArrayDeque<>();

    /** The selected mode; an unknown value is an error that lists the valid ones. */
    public static Infra selected() {
        String value = System.getProperty(PROPERTY, "embedded").trim();
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a known infrastructure; use one of "
                    + Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")), e);
        }
    }

    /** The run's DynamoDB. */
    public static synchronized DynamoDbService dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = switch (selected()) {
                case EMBEDDED -> DynamoDbService.embedded();
                case CONTAINERS -> Containers.dynamoDb();
                case REMOTE -> DynamoDbService.remote();
            };
            stopWhenTestsEnd(dynamoDb);
        }
        return dynamoDb;
    }

    /** The run's Kafka broker. */
    public static synchronized KafkaService kafka() {
        if (kafka == null) {
            kafka = switch (selected()) {
                case EMBEDDED -> KafkaService.embedded();
                case CONTAINERS -> Containers.kafka();
                case REMOTE -> KafkaService.remoteOrEmbedded();
            };
            stopWhenTestsEnd(kafka);
        }
        return kafka;
    }

    /** The run's Connect worker, connected to {@link #kafka()}. */
    public static synchronized ConnectWorker connect() {
        if (connect == null) {
            connect = ConnectWorker.start(kafka().bootstrapServers());
            stopWhenTestsEnd(connect);
        }
        return connect;
    }

    private static void stopWhenTestsEnd(AutoCloseable service) {
        STARTED.push(service);
    }

    /** Stops every started service, last started first (the worker before its broker); a later call starts them anew. */
    static synchronized void stopAll() {
        dynamoDb = null;
        kafka = null;
        connect = null;
        while (!STARTED.isEmpty()) {
            AutoCloseable service = STARTED.pop();
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("Could not stop " + service + ": " + e);
            }
        }
    }
}
