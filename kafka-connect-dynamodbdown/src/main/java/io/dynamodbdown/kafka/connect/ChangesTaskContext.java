package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.OpenOptions;
import java.util.function.Function;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Changes mode: what one task reads with, in {@link ChangesReading} and the phases of each epoch it follows
 * ({@link PiecesReading}, {@link LineagesReading}).
 *
 * @param index the task's index among the connector's tasks, from 0
 * @param tasks how many tasks the connector runs
 * @param databases opens a listed database (the task closes it)
 */
record ChangesTaskContext(DynamoDbDownSourceConfig config, int index, int tasks, DynamoDbClient client,
        DynamoDbStreamsClient streams, OpenOptions options, Function<String, Database> databases,
        OffsetStorageReader offsets, SourceMetrics metrics) {
}
