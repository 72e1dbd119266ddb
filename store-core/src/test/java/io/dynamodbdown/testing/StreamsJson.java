package io.dynamodbdown.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * The DynamoDB Streams wire format (JSON 1.0, as the SDK's {@code DynamoDbStreamsClient} sends and reads it) for
 * {@link StreamSimulator}: flat requests in, records, stream descriptions and errors out. Timestamps are epoch
 * seconds, binary values base64, as the service writes them.
 */
final class StreamsJson {

    /** The content type of every request and answer. */
    static final String CONTENT_TYPE = "application/x-amz-json-1.0";

    private static final JsonFactory JSON = new JsonFactory();

    private StreamsJson() {
    }

    /** Writes one JSON document. */
    @FunctionalInterface
    interface Body {
        void writeTo(JsonGenerator json) throws IOException;
    }

    /** A JSON document as bytes. */
    static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            body.writeTo(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The top-level fields of a request (every Streams request is flat): strings as {@link String}, whole numbers
     * as {@link Long}; anything nested is skipped.
     *
     * @throws StreamsError a ValidationException when the body is not a JSON object
     */
    static Map<String, Object> request(byte[] body) {
        Map<String, Object> fields = new HashMap<>();
        if (body.length == 0) {
            return fields;
        }
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw StreamsError.validation("The request body is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (value) {
                    case VALUE_STRING -> fields.put(name, json.getText());
                    case VALUE_NUMBER_INT -> fields.put(name, json.getLongValue());
                    case START_OBJECT, START_ARRAY -> json.skipChildren();
                    default -> { } // null, booleans, fractions: no Streams request field is one of them
                }
            }
        } catch (IOException e) {
            throw StreamsError.validation("The request body is not valid JSON: " + e.getMessage());
        }
        return fields;
    }

    /** An error answer's body: {@code __type} names the exception the SDK throws, {@code message} its message. */
    static byte[] error(String type, String message) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringField("__type", "com.amazonaws.dynamodb.v20120810#" + type);
            json.writeStringField("message", message);
            json.writeEndObject();
        });
    }

    /**
     * One stream record as GetRecords answers it, with the simulated shard's sequence number in place of the real
     * one; every other field is the real record's.
     */
    static byte[] record(Record real, String sequenceNumber, long sizeBytes) {
        StreamRecord change = real.dynamodb();
        return write(json -> {
            json.writeStartObject();
            stringField(json, "awsRegion", real.awsRegion());
            json.writeObjectFieldStart("dynamodb");
            if (change.approximateCreationDateTime() != null) {
                timestampField(json, "ApproximateCreationDateTime", change.approximateCreationDateTime());
            }
            if (change.hasKeys()) {
                item(json, "Keys", change.keys());
            }
            if (change.hasNewImage()) {
                item(json, "NewImage", change.newImage());
            }
            if (change.hasOldImage()) {
                item(json, "OldImage", change.oldImage());
            }
            json.writeStringField("SequenceNumber", sequenceNumber);
            json.writeNumberField("SizeBytes", sizeBytes);
            stringField(json, "StreamViewType", change.streamViewTypeAsString());
            json.writeEndObject();
            stringField(json, "eventID", real.eventID());
            stringField(json, "eventName", real.eventNameAsString());
            stringField(json, "eventSource", real.eventSource());
            stringField(json, "eventVersion", real.eventVersion());
            Identity identity = real.userIdentity();
            if (identity != null) { // a delete by TTL says so here
                json.writeObjectFieldStart("userIdentity");
                stringField(json, "PrincipalId", identity.principalId());
                stringField(json, "Type", identity.type());
                json.writeEndObject();
            }
            json.writeEndObject();
        });
    }

    /** A GetRecords answer: the records (each already JSON) and the next iterator, absent once a closed shard ends. */
    static byte[] records(List<byte[]> records, String nextShardIterator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.stream().mapToInt(record -> record.length + 1).sum() + 256);
        out.write('{');
        if (nextShardIterator != null) {
            out.writeBytes("\"NextShardIterator\":".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(write(json -> json.writeString(nextShardIterator)));
            out.write(',');
        }
        out.writeBytes("\"Records\":[".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(records.get(i));
        }
        out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A DescribeStream answer: the real stream's description with the simulated shards of one page. */
    static byte[] streamDescription(String streamArn, StreamDescription real, SimulatedStream.ShardPage page) {
        return write(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("StreamDescription");
            json.writeStringField("StreamArn", streamArn);
            stringField(json, "StreamLabel", real.streamLabel());
            stringField(json, "StreamStatus", real.streamStatusAsString());
            stringField(json, "StreamViewType", real.streamViewTypeAsString());
            if (real.creationRequestDateTime() != null) {
                timestampField(json, "CreationRequestDateTime", real.creationRequestDateTime());
            }
            stringField(json, "TableName", real.tableName());
            json.writeArrayFieldStart("KeySchema");
            for (KeySchemaElement key : real.keySchema()) {
                json.writeStartObject();
                json.writeStringField("AttributeName", key.attributeName());
                json.writeStringField("KeyType", key.keyTypeAsString());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("Shards");
            for (StreamSimulator.ShardInfo shard : page.shards()) {
                json.writeStartObject();
                json.writeStringField("ShardId", shard.shardId());
                stringField(json, "ParentShardId", shard.parentShardId());
                json.writeObjectFieldStart("SequenceNumberRange");
                json.writeStringField("StartingSequenceNumber", shard.startingSequenceNumber());
                stringField(json, "EndingSequenceNumber", shard.endingSequenceNumber());
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            stringField(json, "LastEvaluatedShardId", page.lastEvaluatedShardId());
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /** A ListStreams answer naming one stream, or none. */
    static byte[] streams(String streamArn, StreamDescription real, boolean listed) {
        return write(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("Streams");
            if (listed) {
                json.writeStartObject();
                json.writeStringField("StreamArn", streamArn);
                stringField(json, "TableName", real.tableName());
                stringField(json, "StreamLabel", real.streamLabel());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** A GetShardIterator answer. */
    static byte[] shardIterator(String iterator) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringField("ShardIterator", iterator);
            json.writeEndObject();
        });
    }

    static void stringField(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    /** A timestamp as the service writes it: epoch seconds, with milliseconds as the fraction. */
    static void timestampField(JsonGenerator json, String name, Instant at) throws IOException {
        json.writeFieldName(name);
        json.writeNumber(BigDecimal.valueOf(at.toEpochMilli(), 3));
    }

    private static void item(JsonGenerator json, String name, Map<String, AttributeValue> item) throws IOException {
        json.writeObjectFieldStart(name);
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            json.writeFieldName(attribute.getKey());
            value(json, attribute.getValue());
        }
        json.writeEndObject();
    }

    private static void value(JsonGenerator json, AttributeValue value) throws IOException {
        json.writeStartObject();
        switch (value.type()) {
            case S -> json.writeStringField("S", value.s());
            case N -> json.writeStringField("N", value.n());
            case B -> {
                json.writeFieldName("B");
                json.writeBinary(value.b().asByteArrayUnsafe());
            }
            case BOOL -> json.writeBooleanField("BOOL", value.bool());
            case NUL -> json.writeBooleanField("NULL", true);
            case SS -> strings(json, "SS", value.ss());
            case NS -> strings(json, "NS", value.ns());
            case BS -> {
                json.writeArrayFieldStart("BS");
                for (SdkBytes bytes : value.bs()) {
                    json.writeBinary(bytes.asByteArrayUnsafe());
                }
                json.writeEndArray();
            }
            case L -> {
                json.writeArrayFieldStart("L");
                for (AttributeValue element : value.l()) {
                    value(json, element);
                }
                json.writeEndArray();
            }
            case M -> item(json, "M", value.m());
            default -> throw new IllegalArgumentException("An attribute value of a type this SDK does not know: " + value);
        }
        json.writeEndObject();
    }

    private static void strings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }
}
