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
     * Which connector and mode asked, from the innermost adapter frame: a source task's reading of a partition says
     * its mode ({@link SnapshotReading} and {@link SegmentReading}, {@link TailReading}, {@link ChangesReading} and its
     * {@link PiecesReading} of {@link PieceReading}s and {@link LineagesReading}; a {@link RangeScan} is read for
     * one of them); what a source task does outside a reading (opening its databases) every mode does; the sink task
     * (and its {@link SnapshotEnds}) is the sink.
     */
    static Set<String> components(List<String> askers) {
        for (String asker : askers) {
            String type = asker.substring(0, asker.indexOf('#')).replaceFirst("\\$.*", ""); // a reading's inner classes are it
            if (type.equals(SnapshotReading.class.getName()) || type.equals(SegmentReading.class.getName())) {
                return Set.of("source-snapshot");
            }
            if (type.equals(TailReading.class.getName())) {
                return Set.of("source-tail");
            }
            if (type.equals(ChangesReading.class.getName()) || type.equals(PiecesReading.class.getName())
                    || type.equals(PieceReading.class.getName()) || type.equals(LineagesReading.class.getName())) {
                return Set.of("source-changes");
            }
            if (type.equals(SOURCE_TASK)) {
                return ALL_SOURCE_MODES;
            }
            if (type.equals(DynamoDbDownSinkTask.class.getName())) {
                return Set.of("sink");
            }
            if (type.equals(RangeScan.class.getName()) || type.equals(SnapshotEnds.class.getName())) {
                continue; // read or written for the reading, or the task, that called it
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
                        "sink", List.of(store + "TableManager#create", store + "LargeValues#writeChunks", store + "LargeValues#discard",
                                store + "Shards#", store + "OlderGenerations#"),
                        "source-snapshot", List.of(store + "LargeValues#read", store + "Shards#"),
                        "source-tail", List.of(store + "LargeValues#read", store + "Shards#"),
                        "source-changes", List.of(store + "LargeValues#read", store + "Shards#", store + "TableStreamReader#",
                                store + "TableManager#enableStream")));
    }
}
