package io.dynamodbdown.kafka.connect;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The source's headers as the sink reads them, whatever the worker's header converter made of them: the default
 * one turns a number into a number, the byte-array one gives bytes; either is read back as the text it was.
 */
final class SinkHeaders {

    private SinkHeaders() {
    }

    /** The text of the last header {@code name}, or null when the record has none. */
    static String text(SinkRecord record, String name) {
        Header header = record.headers().lastWithName(name);
        if (header == null || header.value() == null) {
            return null;
        }
        Object value = header.value();
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }

    /** Whether the record is a snapshot-end marker. */
    static boolean isSnapshotEnd(SinkRecord record) {
        return DynamoDbDownHeaders.SNAPSHOT_END.equals(text(record, DynamoDbDownHeaders.CHANGE));
    }

    /** The record's generation, or 0 for none; {@code NumberFormatException} when it is not a number. */
    static long generation(SinkRecord record) {
        String generation = text(record, DynamoDbDownHeaders.GENERATION);
        return generation == null ? 0 : Long.parseLong(generation);
    }
}
