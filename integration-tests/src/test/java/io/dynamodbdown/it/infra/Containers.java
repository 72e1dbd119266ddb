package io.dynamodbdown.it.infra;

import java.net.URI;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code containers} infrastructure: DynamoDB ({@code amazon/dynamodb-local}, or LocalStack with
 * {@code -Dit.containers.dynamodb=localstack}) and Kafka ({@code apache/kafka}) in Docker. Where no Docker
 * engine runs, the tests that need them are aborted (skipped) with a message saying so.
 */
final class Containers {

    static final String DYNAMODB_LOCAL_IMAGE = "amazon/dynamodb-local:2.6.1";
    static final String LOCALSTACK_IMAGE = "localstack/localstack:4.4";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

    private Containers() {
    }

    static DynamoDbService dynamoDb() {
        requireDocker();
        boolean localStack = "localstack".equals(System.getProperty("it.containers.dynamodb", "dynamodb-local"));
        GenericContainer<?> container = localStack
                ? new GenericContainer<>(DockerImageName.parse(LOCALSTACK_IMAGE)).withEnv("SERVICES", "dynamodb").withExposedPorts(4566)
                        .waitingFor(Wait.forHttp("/_localstack/health").forStatusCode(200))
                : new GenericContainer<>(DockerImageName.parse(DYNAMODB_LOCAL_IMAGE)).withExposedPorts(8000)
                        .waitingFor(Wait.forListeningPort());
        container.start();
        URI endpoint = URI.create("http://" + container.getHost() + ":" + container.getFirstMappedPort());
        return DynamoDbService.local(endpoint, localStack ? LOCALSTACK_IMAGE : DYNAMODB_LOCAL_IMAGE, container::stop);
    }

    static KafkaService kafka() {
        requireDocker();
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
        kafka.start();
        KafkaService service = new KafkaService(KAFKA_IMAGE + " at " + kafka.getBootstrapServers(), kafka.getBootstrapServers(),
                kafka::stop);
        service.createHeartbeatTopic();
        return service;
    }

    private static void requireDocker() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        Assumptions.assumeTrue(docker, "-Dit.infra=containers needs a running Docker engine and none was found here;"
                + " run with -Dit.infra=embedded (the default) instead");
    }
}
