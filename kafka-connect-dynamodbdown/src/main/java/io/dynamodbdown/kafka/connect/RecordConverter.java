package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.ConverterType;

/**
 * Turns a sink record into a store operation: byte[] (ByteArrayConverter) as is, String (StringConverter)
 * as UTF-8 text, anything else as JSON text; a null value (tombstone) deletes the key. A null key is a bad
 * record. Text values are stored as strings in tables of the JavaScript layouts.
 */
final class RecordConverter {

    private final JsonConverter json = new JsonConverter();

    RecordConverter() {
        json.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.TYPE_CONFIG, ConverterType.VALUE.getName()));
    }

    BatchOperation toOperation(SinkRecord record) {
        if (record.key() == null) {
            throw new DataException("Record " + where(record) + " has a null key; every entry needs a key");
        }
        byte[] key = bytes(record.topic(), record.keySchema(), record.key(), "key", record);
        if (record.value() == null) {
            return BatchOperation.del(key);
        }
        byte[] value = bytes(record.topic(), record.valueSchema(), record.value(), "value", record);
        boolean binary = record.value() instanceof byte[] || record.value() instanceof ByteBuffer;
        return binary ? BatchOperation.put(key, value) : new BatchOperation.Put(key, value, true);
    }

    private byte[] bytes(String topic, Schema schema, Object data, String what, SinkRecord record) {
        if (data instanceof byte[] bytes) {
            return bytes;
        }
        if (data instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (data instanceof String text) {
            return Bytes.utf8(text); // refuses a string that has no UTF-8 form instead of writing '?'
        }
        try {
            return json.fromConnectData(topic, schema, data);
        } catch (RuntimeException e) {
            throw new DataException("Cannot turn the " + what + " of record " + where(record) + " ("
                    + data.getClass().getName() + ") into bytes: " + e.getMessage(), e);
        }
    }

    static String where(SinkRecord record) {
        return record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
    }
}
