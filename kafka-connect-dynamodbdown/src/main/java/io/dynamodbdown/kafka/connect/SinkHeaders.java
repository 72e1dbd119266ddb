package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.Generation;
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

    /** Whether the record is a snapshot-end marker of a whole table, every database of it. */
    static boolean isTableSnapshotEnd(SinkRecord record) {
        return isSnapshotEnd(record) && DynamoDbDownHeaders.ALL_DATABASES.equals(text(record, DynamoDbDownHeaders.HASH_KEY));
    }

    /**
     * The generation a record is written in, or null for none: its number, of the origin its headers name (the source
     * table and database; {@code database} when the record names none).
     *
     * @throws IllegalArgumentException when the generation is not a positive number
     */
    static Generation generation(SinkRecord record, String database) {
        String number = text(record, DynamoDbDownHeaders.GENERATION);
        if (number == null) {
            return null;
        }
        String table = text(record, DynamoDbDownHeaders.TABLE);
        String source = text(record, DynamoDbDownHeaders.HASH_KEY);
        String origin = (table == null ? "" : table + "$") + (source == null ? database : source);
        return new Generation(origin, Long.parseLong(number));
    }
}
