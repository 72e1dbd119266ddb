package io.dynamodbdown.kafka.connect;

import java.util.List;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;

/** One source partition's reading, in one of the modes: {@link SnapshotReading}, {@link TailReading}, {@link ChangesReading}. */
interface SourceReading extends AutoCloseable {

    /** Adds up to {@code wanted} records (heartbeats and markers may come on top). */
    void read(int wanted, List<SourceRecord> records);

    /** Nothing more to read (a finished snapshot). */
    default boolean finished() {
        return false;
    }

    /** Whether more records are there to read now, so the task need not wait poll.interval.ms before its next poll. */
    default boolean more() {
        return false;
    }

    /** The worker wrote one of this reading's records to Kafka ({@code metadata} null: it was dropped on the way). */
    default void acked(SourceRecord record, RecordMetadata metadata) {
    }

    @Override
    default void close() {
    }
}
