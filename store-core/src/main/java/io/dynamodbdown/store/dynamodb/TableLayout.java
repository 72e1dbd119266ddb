package io.dynamodbdown.store.dynamodb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.Layout;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The one place that knows how a database is laid out in a DynamoDB table: which attribute holds the
 * hash key (the database name), which the LevelDB key (the range key) and which the value, how they are
 * typed, and how values are encoded. Everything else goes through it. See {@link Layout} for the layouts.
 *
 * <p>The JavaScript layouts keep keys as strings (S), so a key must be valid UTF-8; their order (UTF-8
 * bytes) is the same bytewise order as ours. Their values are typed: S for strings, B for buffers, NULL for
 * empty; the 3.x variants write an empty buffer as B {@code EMPTY_BUFFER} and an empty or blank string as
 * B {@code EMPTY_STRING}. Reading gives bytes: B as is, S as UTF-8, NULL and the markers as empty, and
 * N, BOOL, L, M (which other writers may have left) as their JSON text.
 */
record TableLayout(Layout layout, String hashAttribute, String rangeAttribute, ScalarAttributeType rangeType,
        String valueAttribute) {

    /** DynamoDB's limit for a sort key value. */
    static final int MAX_KEY_BYTES = 1024;
    /** DynamoDB's limit for an item: attribute names and values together. */
    static final int MAX_ITEM_BYTES = 400 * 1024;

    static final TableLayout NATIVE = new TableLayout(Layout.NATIVE, "db", "key", ScalarAttributeType.B, "value");
    private static final List<TableLayout> ALL = List.of(NATIVE,
            new TableLayout(Layout.DYNAMODBDOWN, "hkey", "rkey", ScalarAttributeType.S, "value"),
            new TableLayout(Layout.DYNAMODB_LEVELDOWN, "hash", "range", ScalarAttributeType.S, "data"),
            new TableLayout(Layout.DYNAMODB_LEVELDOWN_LEGACY, "---hash", "---range", ScalarAttributeType.S, "---data"));

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] EMPTY_BUFFER = "EMPTY_BUFFER".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_STRING = "EMPTY_STRING".getBytes(StandardCharsets.US_ASCII);

    /** Placeholders used in every expression, so attribute names never clash with reserved words. */
    static final String HASH = "#h";
    static final String RANGE = "#k";
    static final String VALUE = "#v";
    static final String TOKEN = "#t";
    static final String LARGE = "#lv";
    static final String GENERATION = "#g";
    static final String GENERATION_ORIGIN = "#go";

    /**
     * The attribute a conditional put leaves on its item: a token unique to that call, by which the call
     * recognises its own earlier attempt when the client had to send it again. A later plain put drops it.
     */
    static final String TOKEN_ATTRIBUTE = "writeToken";
    /** What the token adds to an item's size: its name and a UUID's 36 characters. */
    static final int TOKEN_BYTES = TOKEN_ATTRIBUTE.length() + 36;

    /**
     * The attributes of an entry written in a generation ({@link io.dynamodbdown.store.WriteOptions#generation()}): its
     * number (N) and its origin (S), what {@code clearOlderGenerations} compares. Entries written without one have none.
     */
    static final String GENERATION_ATTRIBUTE = "generation";
    static final String GENERATION_ORIGIN_ATTRIBUTE = "generationOrigin";

    /** What a generation adds to an item's size at most: two names, a number of up to 19 digits and the origin. */
    static int generationBytes(Generation generation) {
        return generation == null ? 0 : GENERATION_ATTRIBUTE.length() + 21 + GENERATION_ORIGIN_ATTRIBUTE.length()
                + generation.origin().getBytes(StandardCharsets.UTF_8).length;
    }

    /** The layout for a table this store creates or is told to expect. */
    static TableLayout of(Layout layout) {
        Layout wanted = layout == Layout.AUTO ? Layout.NATIVE : layout;
        return ALL.stream().filter(l -> l.layout == wanted).findFirst().orElseThrow();
    }

    /** The layout an existing table was written with, recognised by its key schema; null if none fits. */
    static TableLayout detect(TableDescription table) {
        return ALL.stream().filter(l -> l.matches(table)).findFirst().orElse(null);
    }

    Map<String, String> keyExpressionNames() {
        return Map.of(HASH, hashAttribute, RANGE, rangeAttribute);
    }

    KeySpace keySpace() {
        return rangeType == ScalarAttributeType.B ? KeySpace.BINARY : KeySpace.UTF8;
    }

    private boolean emptyMarkers() {
        return layout == Layout.DYNAMODB_LEVELDOWN || layout == Layout.DYNAMODB_LEVELDOWN_LEGACY;
    }

    List<KeySchemaElement> keySchema() {
        return List.of(
                KeySchemaElement.builder().attributeName(hashAttribute).keyType(KeyType.HASH).build(),
                KeySchemaElement.builder().attributeName(rangeAttribute).keyType(KeyType.RANGE).build());
    }

    List<AttributeDefinition> attributeDefinitions() {
        return List.of(
                AttributeDefinition.builder().attributeName(hashAttribute).attributeType(ScalarAttributeType.S).build(),
                AttributeDefinition.builder().attributeName(rangeAttribute).attributeType(rangeType).build());
    }

    /** Whether an existing table's key schema is this layout's. */
    boolean matches(TableDescription table) {
        return table.keySchema().equals(keySchema())
                && table.attributeDefinitions().containsAll(attributeDefinitions());
    }

    /** The key schema this layout needs, for messages: {@code db (S, HASH) and key (B, RANGE)}. */
    String describeSchema() {
        return hashAttribute + " (S, HASH) and " + rangeAttribute + " (" + rangeType + ", RANGE)";
    }

    AttributeValue hashValue(String hashKey) {
        return AttributeValue.fromS(hashKey);
    }

    AttributeValue rangeValue(byte[] key) {
        if (rangeType == ScalarAttributeType.B) {
            return AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(key));
        }
        String text = Bytes.strictUtf8OrNull(key);
        if (text == null) {
            throw new InvalidEntryException(key, "Invalid key " + Bytes.describe(key) + ": a table of the " + layout
                    + " layout keeps keys as strings, and these bytes are not valid UTF-8");
        }
        return AttributeValue.fromS(text);
    }

    Map<String, AttributeValue> itemKey(String hashKey, byte[] key) {
        return Map.of(hashAttribute, hashValue(hashKey), rangeAttribute, rangeValue(key));
    }

    Map<String, AttributeValue> item(String hashKey, byte[] key, byte[] value, boolean text) {
        return Map.of(hashAttribute, hashValue(hashKey), rangeAttribute, rangeValue(key),
                valueAttribute, encodeValue(value, text));
    }

    /** The item with the generation it is written in; the item itself for none. */
    static Map<String, AttributeValue> stamped(Map<String, AttributeValue> item, Generation generation) {
        if (generation == null) {
            return item;
        }
        Map<String, AttributeValue> stamped = new HashMap<>(item);
        stamped.put(GENERATION_ATTRIBUTE, AttributeValue.fromN(Long.toString(generation.number())));
        stamped.put(GENERATION_ORIGIN_ATTRIBUTE, AttributeValue.fromS(generation.origin()));
        return stamped;
    }

    /** The generation an item was written in, or null for none. */
    static Generation generationOf(Map<String, AttributeValue> item) {
        AttributeValue number = item.get(GENERATION_ATTRIBUTE);
        AttributeValue origin = item.get(GENERATION_ORIGIN_ATTRIBUTE);
        return number == null || origin == null ? null : new Generation(origin.s(), Long.parseLong(number.n()));
    }

    /** A value the way this layout's own library writes it. */
    private AttributeValue encodeValue(byte[] value, boolean text) {
        if (layout == Layout.NATIVE) {
            return AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(value));
        }
        String string = text ? new String(value, StandardCharsets.UTF_8) : null;
        boolean empty = value.length == 0 || (emptyMarkers() && string != null && string.isBlank());
        if (empty) {
            if (!emptyMarkers()) {
                return AttributeValue.fromNul(true);
            }
            return AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(text ? EMPTY_STRING : EMPTY_BUFFER));
        }
        return text ? AttributeValue.fromS(string) : AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(value));
    }

    /**
     * The B and S values this layout may have stored for these bytes (markers included for an empty value): what a
     * condition on them must name.
     */
    List<AttributeValue> storedForms(byte[] value) {
        List<AttributeValue> forms = new ArrayList<>();
        forms.add(AttributeValue.fromB(SdkBytes.fromByteArray(value)));
        if (layout != Layout.NATIVE) {
            String text = Bytes.strictUtf8OrNull(value);
            if (value.length > 0 && text != null) {
                forms.add(AttributeValue.fromS(text));
            }
            if (value.length == 0 && emptyMarkers()) {
                forms.add(AttributeValue.fromB(SdkBytes.fromByteArray(EMPTY_BUFFER)));
                forms.add(AttributeValue.fromB(SdkBytes.fromByteArray(EMPTY_STRING)));
            }
        }
        return forms;
    }

    byte[] keyOf(Map<String, AttributeValue> item) {
        AttributeValue key = item.get(rangeAttribute);
        return rangeType == ScalarAttributeType.B ? key.b().asByteArrayUnsafe() : Bytes.utf8(key.s());
    }

    /**
     * The value of an item as bytes; an item without a value attribute holds the empty value. An item that refers
     * to chunks instead is read by {@link EntryReader#valueOf}, never here.
     */
    byte[] valueOf(Map<String, AttributeValue> item) {
        if (item.containsKey(LargeValues.VERSION)) {
            throw new IllegalStateException("An entry kept in chunks was read as a value of its own: " + keyOf(item).length
                    + "-byte key; this is a bug, please report it");
        }
        AttributeValue value = item.get(valueAttribute);
        if (value == null) {
            return EMPTY;
        }
        if (value.b() != null) {
            byte[] bytes = value.b().asByteArrayUnsafe();
            boolean marker = emptyMarkers() && (Arrays.equals(bytes, EMPTY_BUFFER) || Arrays.equals(bytes, EMPTY_STRING));
            return marker ? EMPTY : bytes;
        }
        if (value.s() != null) {
            return Bytes.utf8(value.s());
        }
        if (Boolean.TRUE.equals(value.nul())) {
            return EMPTY;
        }
        return Bytes.utf8(json(value));
    }

    /** N, BOOL, L, M and sets as JSON text (B inside them as base64 strings). */
    private static String json(AttributeValue value) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            writeJson(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to a string", e);
        }
        return text.toString();
    }

    private static void writeJson(AttributeValue value, JsonGenerator out) throws IOException {
        if (value.s() != null) {
            out.writeString(value.s());
        } else if (value.n() != null) {
            out.writeNumber(value.n());
        } else if (value.bool() != null) {
            out.writeBoolean(value.bool());
        } else if (value.b() != null) {
            out.writeBinary(value.b().asByteArrayUnsafe());
        } else if (value.hasL()) {
            out.writeStartArray();
            for (AttributeValue element : value.l()) {
                writeJson(element, out);
            }
            out.writeEndArray();
        } else if (value.hasM()) {
            out.writeStartObject();
            for (Map.Entry<String, AttributeValue> field : value.m().entrySet()) {
                out.writeFieldName(field.getKey());
                writeJson(field.getValue(), out);
            }
            out.writeEndObject();
        } else if (value.hasSs()) {
            out.writeStartArray();
            for (String element : value.ss()) {
                out.writeString(element);
            }
            out.writeEndArray();
        } else if (value.hasNs()) {
            out.writeStartArray();
            for (String element : value.ns()) {
                out.writeNumber(element);
            }
            out.writeEndArray();
        } else if (value.hasBs()) {
            out.writeStartArray();
            for (SdkBytes element : value.bs()) {
                out.writeBinary(element.asByteArrayUnsafe());
            }
            out.writeEndArray();
        } else {
            out.writeNull();
        }
    }

    /** Fails, before any request, for a key DynamoDB would refuse. */
    void checkKey(byte[] key) {
        if (key.length == 0) {
            throw new InvalidEntryException(key, "Invalid key: keys must not be empty (DynamoDB refuses empty sort keys)");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new InvalidEntryException(key, "Invalid key " + Bytes.describe(key) + ": it is " + key.length
                    + " bytes, DynamoDB allows at most " + MAX_KEY_BYTES + " bytes per key");
        }
        rangeValue(key);
    }

    /** DynamoDB's item size: UTF-8 lengths of attribute names plus value lengths (an empty-value marker at most 12). */
    int itemSize(String hashKey, byte[] key, byte[] value) {
        return utf8Length(hashAttribute) + utf8Length(hashKey)
                + utf8Length(rangeAttribute) + key.length
                + utf8Length(valueAttribute) + Math.max(value.length, layout == Layout.NATIVE ? 0 : EMPTY_BUFFER.length);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
