package io.dynamodbdown.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.InvalidEntryException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Record conversion and the write buffer, without DynamoDB. */
class SinkUnitTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static SinkRecord record(Schema keySchema, Object key, Schema valueSchema, Object value) {
        return new SinkRecord("t", 0, keySchema, key, valueSchema, value, 7);
    }

    @Test
    void bytesStringsAndStructsBecomeBytesAndTombstonesDeletes() {
        RecordConverter converter = new RecordConverter();
        BatchOperation.Put bytes = (BatchOperation.Put) converter.toOperation(
                record(Schema.BYTES_SCHEMA, new byte[] {0, (byte) 0xff}, Schema.BYTES_SCHEMA, new byte[] {1}));
        assertArrayEquals(new byte[] {0, (byte) 0xff}, bytes.key());
        BatchOperation.Put text = (BatchOperation.Put) converter.toOperation(
                record(Schema.STRING_SCHEMA, "ключ", Schema.STRING_SCHEMA, "значение"));
        assertArrayEquals(Bytes.utf8("ключ"), text.key());
        assertArrayEquals(Bytes.utf8("значение"), text.value());
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("name", Schema.STRING_SCHEMA).build();
        BatchOperation.Put struct = (BatchOperation.Put) converter.toOperation(
                record(Schema.STRING_SCHEMA, "k", schema, new Struct(schema).put("id", 7).put("name", "x")));
        assertEquals("{\"id\":7,\"name\":\"x\"}", new String(struct.value()));
        assertInstanceOf(BatchOperation.Del.class, converter.toOperation(record(Schema.STRING_SCHEMA, "k", null, null)));
    }

    @Test
    void aNullKeyIsABadRecordNamedByItsPosition() {
        DataException e = assertThrows(DataException.class,
                () -> new RecordConverter().toOperation(record(null, null, Schema.STRING_SCHEMA, "v")));
        assertTrue(e.getMessage().contains("t-0@7") && e.getMessage().contains("null key"), e.getMessage());
    }

    @Test
    void aStringWithAnUnpairedSurrogateIsABadRecordNotAKeyWithAQuestionMark() {
        InvalidEntryException e = assertThrows(InvalidEntryException.class,
                () -> new RecordConverter().toOperation(record(Schema.STRING_SCHEMA, "k\uD800", Schema.STRING_SCHEMA, "v")));
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    }

    @Test
    void bufferKeepsTheLastOperationPerKeyAndPartition() {
        SinkBuffer buffer = new SinkBuffer();
        buffer.add("db", null, P0, 1, BatchOperation.put("k", "1"));
        buffer.add("db", null, P0, 2, BatchOperation.put("k", "2"));
        buffer.add("db", null, P1, 5, BatchOperation.put("k", "other partition"));
        buffer.add("db", null, P0, 3, BatchOperation.del("j"));
        assertEquals(3, buffer.size());
        assertEquals(1, buffer.batches().size());
        List<BatchOperation> ops = buffer.batches().get(0).operations();
        assertEquals("2", new String(((BatchOperation.Put) ops.get(0)).value()));
        assertEquals(Map.of(P0, new OffsetAndMetadata(4), P1, new OffsetAndMetadata(6)), buffer.offsets());
    }

    @Test
    void droppingARevokedPartitionLeavesTheOthersIntact() {
        SinkBuffer buffer = new SinkBuffer();
        buffer.add("db", null, P0, 1, BatchOperation.put("k", "from p0"));
        buffer.add("db", null, P1, 1, BatchOperation.put("k", "from p1"));
        buffer.add("other", null, P1, 2, BatchOperation.put("x", "y"));
        buffer.drop(List.of(P1));
        assertEquals(1, buffer.size());
        assertEquals(Map.of(P0, new OffsetAndMetadata(2)), buffer.offsets());
        assertEquals(List.of("db"), buffer.batches().stream().map(SinkBuffer.Batch::hashKey).toList());
    }

    @Test
    void aKeyIsInOneBatchWhateverGenerationsItsOperationsCameIn() {
        SinkBuffer buffer = new SinkBuffer();
        buffer.add("db", new Generation("t$db", 100), P0, 1, BatchOperation.put("k", "old generation"));
        buffer.add("db", new Generation("t$db", 100), P0, 2, BatchOperation.put("j", "old generation"));
        buffer.add("db", new Generation("t$db", 200), P0, 3, BatchOperation.del("k"));
        assertEquals(List.of("t$db#100:j", "t$db#200:k"), buffer.batches().stream()
                .flatMap(b -> b.operations().stream().map(op -> b.generation() + ":" + new String(op.key()))).toList());
    }

    @Test
    void offsetsOnlyMoveForward() {
        SinkBuffer buffer = new SinkBuffer();
        buffer.advance(P0, 9);
        buffer.advance(P0, 3);
        assertEquals(new OffsetAndMetadata(10), buffer.offsets().get(P0));
    }
}
