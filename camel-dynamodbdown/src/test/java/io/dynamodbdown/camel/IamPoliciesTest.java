package io.dynamodbdown.camel;

import io.dynamodbdown.camel.repository.DynamoDbDownAggregationRepository;
import io.dynamodbdown.camel.repository.DynamoDbDownIdempotentRepository;
import io.dynamodbdown.testing.AwsActionRecorder;
import io.dynamodbdown.testing.IamPolicies;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's IAM policy of the producer, the consumer in each mode and each repository holds exactly the DynamoDB and
 * DynamoDB Streams actions it called in this module's tests (recorded by {@link AwsActionRecorder}, this class running
 * after all the others), table creation, streams, large values and shards included.
 */
class IamPoliciesTest {

    private static final String CONSUMER = DynamoDbDownConsumer.class.getName();
    private static final Set<String> CONSUMERS = Set.of("camel-consumer-tail", "camel-consumer-changes");

    /**
     * Which component asked, from the innermost adapter frame that tells: the consumer's readings tell its mode, and its
     * deletes after a read and its take-over of positions stored by earlier builds happen in tail mode only (changes
     * mode refuses deleteAfterRead, and had no positions then); what the consumer does
     * outside them (its stored position), its health check, and the endpoint's start (opening the database) hold for
     * every component that uses the endpoint.
     */
    static Set<String> components(List<String> askers) {
        for (String asker : askers) {
            String type = asker.substring(0, asker.indexOf('#'));
            if (type.equals(CONSUMER + "$ChangesReading")) {
                return Set.of("camel-consumer-changes");
            }
            if (type.equals(CONSUMER + "$TailReading") || asker.equals(CONSUMER + "#processBatch")
                    || asker.equals(CONSUMER + "#legacyPosition")) {
                return Set.of("camel-consumer-tail");
            }
            if (type.equals(CONSUMER) || type.equals(DynamoDbDownConsumerHealthCheck.class.getName())) {
                return CONSUMERS;
            }
            if (type.startsWith(DynamoDbDownProducer.class.getName()) // its streamed range's iterator too
                    || type.equals(DynamoDbDownProducerHealthCheck.class.getName())) {
                return Set.of("camel-producer");
            }
            if (type.equals(DynamoDbDownEndpoint.class.getName())) {
                return Set.of("camel-producer", "camel-consumer-tail", "camel-consumer-changes");
            }
            if (type.equals(DynamoDbDownAggregationRepository.class.getName())) {
                return Set.of("aggregation-repository");
            }
            if (type.equals(DynamoDbDownIdempotentRepository.class.getName())) {
                return Set.of("idempotent-repository");
            }
            if (AwsActionRecorder.isAdapter(asker) && !type.equals(TableHealth.class.getName())) {
                return Set.of(); // a class of the component nobody expected to call DynamoDB
            }
        }
        return Set.of();
    }

    @Test
    void eachComponentsReadmePolicyHoldsExactlyTheActionsItsTestsCalled() {
        IamPolicies.assumeTheWholeSuiteRan(IamPoliciesTest.class);
        String store = "io.dynamodbdown.store.dynamodb.";
        IamPolicies.assertTheReadmeHoldsWhatWasCalled(List.of("camel-producer", "camel-consumer-tail", "camel-consumer-changes",
                "aggregation-repository", "idempotent-repository"), List.of("table-creation", "stream-enabling"),
                IamPoliciesTest::components, Map.of(
                        "camel-producer", List.of(store + "TableManager#create", store + "LargeValues#writeChunks",
                                store + "LargeValues#discard", store + "LargeValues#read", store + "Shards#"),
                        "camel-consumer-tail", List.of(store + "LargeValues#read", store + "LargeValues#discard", store + "Shards#"),
                        "camel-consumer-changes", List.of(store + "StreamChangeReader#", store + "LargeValues#read",
                                store + "TableManager#enableStream"),
                        "aggregation-repository", List.of(store + "TableManager#create", store + "LargeValues#writeChunks",
                                store + "LargeValues#discard", store + "LargeValues#read")));
    }
}
