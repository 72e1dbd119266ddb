package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.testing.AwsActionRecorder;
import io.dynamodbdown.testing.IamPolicies;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's IAM policy of each connector and mode holds exactly the DynamoDB and DynamoDB Streams actions the
 * connector called in this module's tests (recorded by {@link AwsActionRecorder}, this class running after all the
 * others): the tasks' unit tests and the embedded worker's, table creation, streams, large values and shards included.
 */
class IamPoliciesTest {

    private static final String SOURCE_TASK = DynamoDbDownSourceTask.class.getName();
    private static final Set<String> ALL_SOURCE_MODES = Set.of("source-snapshot", "source-tail", "source-changes");

    /**
     * Which connector and mode asked, from the innermost adapter frame: a cursor reads for tail mode when the store's
     * TailReader is between it and the request, for changes mode when a changes feed drives it (its snapshot), for
     * snapshot mode otherwise; what a source task does outside a reading (opening its databases) every mode does.
     */
    static Set<String> components(List<String> askers) {
        for (String asker : askers) {
            if (asker.startsWith(SOURCE_TASK + "$Feed#") || asker.startsWith(SOURCE_TASK + "$Cursor#")) {
                return askers.stream().anyMatch(a -> a.startsWith(SOURCE_TASK + "$Feed#")) ? Set.of("source-changes")
                        : askers.stream().anyMatch(a -> a.startsWith("io.dynamodbdown.store.TailReader#")) ? Set.of("source-tail")
                        : Set.of("source-snapshot");
            }
            if (asker.startsWith(SOURCE_TASK + "#")) {
                return ALL_SOURCE_MODES;
            }
            if (asker.startsWith(DynamoDbDownSinkTask.class.getName() + "#")) {
                return Set.of("sink");
            }
            if (AwsActionRecorder.isAdapter(asker)) {
                return Set.of(); // a connector class nobody expected to call DynamoDB
            }
        }
        return Set.of();
    }

    @Test
    void eachConnectorsReadmePolicyHoldsExactlyTheActionsItsTestsCalled() {
        IamPolicies.assumeTheWholeSuiteRan(IamPoliciesTest.class);
        String store = "io.dynamodbdown.store.dynamodb.";
        IamPolicies.assertTheReadmeHoldsWhatWasCalled(List.of("sink", "source-snapshot", "source-tail", "source-changes"),
                List.of("table-creation", "stream-enabling"), IamPoliciesTest::components, Map.of(
                        "sink", List.of(store + "TableManager#create", store + "LargeValues#write", store + "LargeValues#discard",
                                store + "Shards#"),
                        "source-snapshot", List.of(store + "LargeValues#read", store + "Shards#"),
                        "source-tail", List.of(store + "LargeValues#read", store + "Shards#"),
                        "source-changes", List.of(store + "LargeValues#read", store + "Shards#", store + "StreamChangeReader#",
                                store + "TableManager#enableStream")));
    }
}
