package io.dynamodbdown.camel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.NoAwsCredentials;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class DynamoDbDownProducerTest extends DynamoDbDownTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-producer");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private int databases;

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:stream")
                        .toD("dynamodbdown:" + TABLE + "$${header.db}?op=range&streamResult=true")
                        .split(body()).streaming()
                        .to("mock:entries");
            }
        };
    }

    /** A fresh database (hash key) of the shared table for each test. */
    private String db(String options) {
        databases = DATABASES.incrementAndGet();
        return "dynamodbdown:" + TABLE + "$test" + databases + (options.isEmpty() ? "" : "?" + options);
    }

    private Object send(String uri, Object body, Object... headers) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put((String) headers[i], headers[i + 1]);
        }
        return template.requestBodyAndHeaders(uri, body, map);
    }

    private Exchange exchange(String uri, Object body, Object... headers) {
        return template.request(uri, e -> {
            e.getIn().setBody(body);
            for (int i = 0; i < headers.length; i += 2) {
                e.getIn().setHeader((String) headers[i], headers[i + 1]);
            }
        });
    }

    @Test
    void putThenGetWithStringByteArrayAndStreamBodies() {
        String uri = db("");
        send(uri, "text", DynamoDbDownConstants.KEY, "s");
        send(uri, new byte[] {0, 1, (byte) 0xff}, DynamoDbDownConstants.KEY, "b");
        send(uri, new ByteArrayInputStream(Bytes.utf8("streamed")), DynamoDbDownConstants.KEY, new byte[] {(byte) 0xfe});
        Exchange got = exchange(uri, null, DynamoDbDownConstants.OPERATION, "get", DynamoDbDownConstants.KEY, "s");
        assertArrayEquals(Bytes.utf8("text"), got.getMessage().getBody(byte[].class));
        assertEquals(Boolean.TRUE, got.getMessage().getHeader(DynamoDbDownConstants.FOUND));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff},
                (byte[]) send(uri, null, DynamoDbDownConstants.OPERATION, "get", DynamoDbDownConstants.KEY, "b"));
        assertArrayEquals(Bytes.utf8("streamed"), (byte[]) send(uri, null, DynamoDbDownConstants.OPERATION,
                DynamoDbDownOperations.get, DynamoDbDownConstants.KEY, new byte[] {(byte) 0xfe}));
    }

    @Test
    void getOfAMissingKeyIsNullWithFoundFalse() {
        Exchange got = exchange(db("op=get"), "ignored", DynamoDbDownConstants.KEY, "missing");
        assertNull(got.getException());
        assertNull(got.getMessage().getBody());
        assertEquals(Boolean.FALSE, got.getMessage().getHeader(DynamoDbDownConstants.FOUND));
    }

    @Test
    void hasAndDelAndTheKeyOptionAsFallback() {
        String uri = db("key=fixed");
        send(uri, "v");
        assertEquals(Boolean.TRUE, send(uri, null, DynamoDbDownConstants.OPERATION, "has"));
        send(uri, null, DynamoDbDownConstants.OPERATION, "del");
        assertEquals(Boolean.FALSE, send(uri, null, DynamoDbDownConstants.OPERATION, "has"));
        assertEquals(Boolean.FALSE, send(uri, null, DynamoDbDownConstants.OPERATION, "has", DynamoDbDownConstants.KEY, "other"));
    }

    @Test
    void getManyKeepsRequestOrderWithNullsForMissingKeys() {
        String uri = db("");
        send(uri, "1", DynamoDbDownConstants.KEY, "one");
        send(uri, "3", DynamoDbDownConstants.KEY, "three");
        @SuppressWarnings("unchecked")
        List<byte[]> values = (List<byte[]>) send(uri, List.of("three", Bytes.utf8("two"), "one"),
                DynamoDbDownConstants.OPERATION, "getMany");
        assertEquals(3, values.size());
        assertArrayEquals(Bytes.utf8("3"), values.get(0));
        assertNull(values.get(1));
        assertArrayEquals(Bytes.utf8("1"), values.get(2));
    }

    @Test
    void batchFromAMapAndFromAListOfEntriesWithNullDeleting() {
        String uri = db("op=batch");
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("a", "1");
        map.put("b", Bytes.utf8("2"));
        map.put("c", "3");
        send(uri, map);
        List<Map.Entry<Object, Object>> entries = new ArrayList<>();
        entries.add(new AbstractMap.SimpleEntry<>("c", null));
        entries.add(new AbstractMap.SimpleEntry<>("d", "4"));
        entries.add(new AbstractMap.SimpleEntry<>("d", "5")); // last one wins
        send(uri, entries);
        assertEquals(List.of("a=1", "b=2", "d=5"), rangeAsText(uri.replace("op=batch", "op=range")));
    }

    @Test
    void atomicBatchByHeaderOrOptionAndItsLimit() {
        String uri = db("op=batch&atomic=true");
        Map<String, String> ok = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            ok.put("k" + i, "v");
        }
        send(uri, ok);
        Map<String, String> tooMany = new LinkedHashMap<>(ok);
        tooMany.put("k100", "v");
        tooMany.put("extra", "v");
        CamelExecutionException e = assertThrows(CamelExecutionException.class,
                () -> send(uri.replace("atomic=true", "atomic=false"), tooMany, DynamoDbDownConstants.ATOMIC, true));
        assertInstanceOf(InvalidEntryException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("102 distinct keys"), e.getCause().getMessage());
        assertEquals(Boolean.FALSE, send(uri, null, DynamoDbDownConstants.OPERATION, "has", DynamoDbDownConstants.KEY, "extra"),
                "nothing of the failed atomic batch was written");
    }

    @Test
    void rangeFromOptionsWithHeaderOverrides() {
        String uri = db("op=batch");
        Map<String, String> map = new LinkedHashMap<>();
        for (String k : List.of("a", "b", "c", "d", "e")) {
            map.put(k, k.toUpperCase());
        }
        send(uri, map);
        String range = uri.replace("op=batch", "op=range&gt=a&lte=d");
        assertEquals(List.of("b=B", "c=C", "d=D"), rangeAsText(range));
        assertEquals(List.of("d=D", "c=C"), rangeAsText(range, DynamoDbDownConstants.REVERSE, true, DynamoDbDownConstants.LIMIT, 2));
        // a header for one side replaces the endpoint's bounds on that side (here gt=a and lte=d)
        assertEquals(List.of("a=A", "b=B"), rangeAsText(range, DynamoDbDownConstants.GTE, "a", DynamoDbDownConstants.LT, "c"));
        assertEquals(List.of("c=C", "d=D", "e=E"), rangeAsText(range, DynamoDbDownConstants.GT, Bytes.utf8("b"),
                DynamoDbDownConstants.LTE, "z"));
    }

    @Test
    void aShardedDatabaseReadsInKeyOrderAndKeepsItsShardCount() {
        String uri = db("op=batch&shards=4");
        Map<String, String> map = new LinkedHashMap<>();
        List<String> expected = new ArrayList<>();
        for (int i = 99; i >= 0; i--) { // written out of order, spread over four partition keys
            map.put(String.format("k%02d", i), "v" + i);
        }
        for (int i = 0; i < 100; i++) {
            expected.add(String.format("k%02d=v%d", i, i));
        }
        send(uri, map);
        assertEquals(expected, rangeAsText(uri.replace("op=batch&shards=4", "op=range")), "the recorded count, merged");
        assertEquals(expected.subList(90, 100), rangeAsText(uri.replace("op=batch", "op=range&gte=k90")));
        assertEquals(List.of("k99=v99", "k98=v98"), rangeAsText(uri.replace("op=batch", "op=range"),
                DynamoDbDownConstants.REVERSE, true, DynamoDbDownConstants.LIMIT, 2));
        Exception other = assertThrows(Exception.class, () -> send(uri.replace("op=batch&shards=4", "op=get&shards=2"), null,
                DynamoDbDownConstants.KEY, "k01"));
        assertTrue(String.valueOf(other.getCause()).contains("created with 4 shards"), String.valueOf(other.getCause()));
    }

    @Test
    void hexKeyEncodingReadsBinaryBounds() {
        String uri = db("");
        for (int b : new int[] {0x00, 0x10, 0x7f, 0x80, 0xff}) {
            send(uri, "v" + b, DynamoDbDownConstants.KEY, new byte[] {(byte) b});
        }
        @SuppressWarnings("unchecked")
        List<Entry> entries = (List<Entry>) send(uri + "?op=range&keyEncoding=hex&gte=10&lt=ff", null);
        assertEquals(3, entries.size());
        assertArrayEquals(new byte[] {0x10}, entries.get(0).key());
        assertArrayEquals(new byte[] {(byte) 0x80}, entries.get(2).key());
        @SuppressWarnings("unchecked")
        List<Entry> base64 = (List<Entry>) send(uri + "?op=range&keyEncoding=base64&gt=fw==", null);
        assertEquals(2, base64.size(), "above 0x7f: 0x80 and 0xff");
    }

    @Test
    void streamResultFeedsASplitterInKeyOrder() throws Exception {
        String uri = db("op=batch");
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            map.put(String.format("s%03d", i), "v" + i);
        }
        send(uri, map);
        MockEndpoint mock = getMockEndpoint("mock:entries");
        mock.expectedMessageCount(250);
        template.sendBodyAndHeader("direct:stream", null, "db", "test" + databases);
        mock.assertIsSatisfied();
        Entry first = mock.getExchanges().get(0).getMessage().getBody(Entry.class);
        Entry last = mock.getExchanges().get(249).getMessage().getBody(Entry.class);
        assertEquals("s000", new String(first.key()));
        assertEquals("s249", new String(last.key()));
    }

    @Test
    void clearDeletesTheRangeAndReturnsTheCount() {
        String uri = db("op=batch");
        Map<String, String> map = new LinkedHashMap<>();
        for (String k : List.of("a", "b", "c", "d")) {
            map.put(k, "v");
        }
        send(uri, map);
        assertEquals(2L, send(uri.replace("op=batch", "op=clear&gte=b"), null, DynamoDbDownConstants.LTE, "c"));
        assertEquals(List.of("a=v", "d=v"), rangeAsText(uri.replace("op=batch", "op=range")));
    }

    @Test
    void valuesPastTheItemLimitGoThroughEveryOperationWhole() {
        String uri = db("");
        byte[] large = new byte[3 * 1024 * 1024];
        new java.util.Random(18).nextBytes(large);
        send(uri, large, DynamoDbDownConstants.KEY, "large");
        send(uri, new ByteArrayInputStream(large), DynamoDbDownConstants.KEY, "streamed");
        assertArrayEquals(large, (byte[]) send(uri + "?op=get", null, DynamoDbDownConstants.KEY, "large"));
        @SuppressWarnings("unchecked")
        List<Map.Entry<byte[], byte[]>> range = (List<Map.Entry<byte[], byte[]>>) send(uri + "?op=range", null);
        assertEquals(2, range.size());
        assertArrayEquals(large, range.get(0).getValue());
        assertArrayEquals(large, range.get(1).getValue());
        send(uri + "?op=del", null, DynamoDbDownConstants.KEY, "large");
        assertNull(send(uri + "?op=get", null, DynamoDbDownConstants.KEY, "large"));
    }

    @Test
    void anInvalidKeyOrOversizedValueFailsTheExchangeClearly() {
        String uri = db("");
        Exchange noKey = exchange(uri, "v");
        assertTrue(noKey.getException().getMessage().contains("needs a key"), noKey.getException().getMessage());
        byte[] longKey = new byte[1025];
        Arrays.fill(longKey, (byte) 'x');
        Exchange tooLong = exchange(uri, "v", DynamoDbDownConstants.KEY, longKey);
        assertInstanceOf(InvalidEntryException.class, tooLong.getException());
        Exchange tooBig = exchange(uri.contains("?") ? uri + "&maxValueSize=1000" : uri + "?maxValueSize=1000", new byte[1001],
                DynamoDbDownConstants.KEY, "big");
        assertInstanceOf(InvalidEntryException.class, tooBig.getException());
        assertTrue(tooBig.getException().getMessage().contains("\"big\"") && tooBig.getException().getMessage()
                .contains("maxValueSize of 1000"), tooBig.getException().getMessage());
        Exchange nullBody = exchange(uri, null, DynamoDbDownConstants.KEY, "k");
        assertTrue(nullBody.getException().getMessage().contains("use op=del"), nullBody.getException().getMessage());
        Exchange badOp = exchange(uri, "v", DynamoDbDownConstants.OPERATION, "upsert", DynamoDbDownConstants.KEY, "k");
        assertTrue(badOp.getException().getMessage().contains("Unknown operation 'upsert'"), badOp.getException().getMessage());
        Exchange badBatch = exchange(uri + "?op=batch", "not a map");
        assertTrue(badBatch.getException().getMessage().contains("java.util.Map"), badBatch.getException().getMessage());
        Exchange badHex = exchange(uri + "?op=range&keyEncoding=hex", null, DynamoDbDownConstants.GT, "xyz");
        assertTrue(badHex.getException().getMessage().contains("CamelDynamoDbDownGt"), badHex.getException().getMessage());
    }

    @Test
    void invalidUrisAndOptionsFailAtEndpointCreationNamingTheProblem() {
        assertEndpointFails("dynamodbdown:ab$x", "3 to 255");
        assertEndpointFails("dynamodbdown:" + TABLE + "$", "hash key must not be empty");
        assertEndpointFails("dynamodbdown:" + TABLE + "?keyEncoding=rot13", "keyEncoding");
        assertEndpointFails("dynamodbdown:" + TABLE + "?keyEncoding=hex&gte=zz", "Invalid option gte");
        assertEndpointFails("dynamodbdown:" + TABLE + "?op=upsert", "op");
        assertEndpointFails("dynamodbdown:" + TABLE + "?billingMode=PROVISIONED&readCapacity=0", "readCapacity");
        assertEndpointFails("dynamodbdown:" + TABLE + "?accessKey=abc", "accessKey and secretKey");
        assertEndpointFails("dynamodbdown:" + TABLE + "?maxAttempts=0&uriEndpointOverride=localhost", "maxAttempts: must be at least 1");
        assertEndpointFails("dynamodbdown:" + TABLE + "?maxAttempts=0&uriEndpointOverride=localhost", "uriEndpointOverride: 'localhost' is not an endpoint URL");
        assertEndpointFails("dynamodbdown:" + TABLE + "?layout=leveldb", "layout");
        assertEndpointFails("dynamodbdown:" + TABLE + "?billingMode=PROVISIONED&readCapacity=0", "Invalid option readCapacity: must be at least 1");
        assertEndpointFails("dynamodbdown:" + TABLE + "?noSuchOption=1", "noSuchOption");
        assertEndpointFails("dynamodbdown:" + TABLE + "$__dynamodbdown.consumer-positions", "reserved");
    }

    @Test
    void noErrorPathOfEndpointCreationShowsTheSecretInItsMessageOrTheLog() throws Exception {
        String secret = "s3cr3tValue42";
        String credentials = "accessKey=AKIAEXAMPLE&secretKey=RAW(" + secret + ")";
        List<String> uris = List.of(
                "dynamodbdown:ab$x?" + credentials,                                           // invalid table name
                "dynamodbdown:" + TABLE + "$__dynamodbdown.positions?" + credentials,        // reserved hash key
                "dynamodbdown:" + TABLE + "?billingMode=PROVISIONED&readCapacity=0&" + credentials,
                "dynamodbdown:" + TABLE + "?uriEndpointOverride=localhost&" + credentials,
                "dynamodbdown:" + TABLE + "?layout=bogus&" + credentials,
                "dynamodbdown:" + TABLE + "?noSuchOption=1&" + credentials);
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        List<String> messages = new ArrayList<>();
        try {
            for (String uri : uris) {
                Exception e = assertThrows(Exception.class, () -> context.getEndpoint(uri));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    messages.add(t.toString());
                }
            }
            try (NoAwsCredentials none = NoAwsCredentials.inThisJvm(); DefaultCamelContext bare = new DefaultCamelContext()) {
                bare.start(); // no client to autowire, no region to find: the endpoint fails to start
                Exception e = assertThrows(Exception.class, () -> bare.getEndpoint("dynamodbdown:" + TABLE + "?" + credentials));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    messages.add(t.toString());
                }
                assertTrue(messages.stream().anyMatch(m -> m.contains("invalid option region: no AWS region")), messages.toString());
            }
        } finally {
            System.setErr(originalErr);
        }
        for (String message : messages) {
            assertFalse(message.contains(secret), "the secret in a message: " + message);
        }
        assertFalse(log.toString(StandardCharsets.UTF_8).contains(secret), "the secret in the log");
    }

    private void assertEndpointFails(String uri, String expected) {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class, () -> context.getEndpoint(uri));
        String message = e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause().getMessage());
        assertTrue(message.contains(expected), message);
    }

    @Test
    void aClientBuiltFromOptionsWorksIsClosedOnStopAndItsSecretNeverShows() throws Exception {
        DynamoDbLocal local = DynamoDbLocalExtension.get();
        String secret = DynamoDbLocal.SECRET_KEY;
        String uri = "dynamodbdown:" + TABLE + "$built?uriEndpointOverride=" + local.endpoint()
                + "&accessKey=" + DynamoDbLocal.ACCESS_KEY + "&secretKey=RAW(" + secret + ")&maxAttempts=3";
        try (DefaultCamelContext bare = new DefaultCamelContext()) { // no client in its registry
            bare.start();
            DynamoDbDownEndpoint endpoint = bare.getEndpoint(uri, DynamoDbDownEndpoint.class);
            bare.createProducerTemplate().sendBodyAndHeader(endpoint, "v", DynamoDbDownConstants.KEY, "k");
            assertTrue(endpoint.client() != null && endpoint.client() != local.client(), "built its own client");
            assertEquals(3, endpoint.client().serviceClientConfiguration().overrideConfiguration().retryStrategy()
                    .orElseThrow().maxAttempts(), "maxAttempts configures the client's one retry layer");
            assertFalse(endpoint.toString().contains(secret), endpoint.toString());
            endpoint.stop();
            assertNull(endpoint.client(), "its own client is closed and dropped on stop");
        }
        assertEquals("v", new String((byte[]) send(db("op=get").replaceAll("\\$test\\d+", "\\$built"), null,
                DynamoDbDownConstants.KEY, "k")), "the registry's client is still open and sees the data");
    }

    @Test
    void theRegistryClientIsAutowiredAndNotClosedWhenTheContextStops() throws Exception {
        DynamoDbDownEndpoint endpoint = context.getEndpoint(db(""), DynamoDbDownEndpoint.class);
        template.sendBodyAndHeader(endpoint, "v", DynamoDbDownConstants.KEY, "k");
        assertTrue(endpoint.client() == DynamoDbLocalExtension.get().client());
        context.stop();
        assertTrue(DynamoDbLocalExtension.get().client().listTables().tableNames().contains(TABLE));
    }

    private List<String> rangeAsText(String uri, Object... headers) {
        @SuppressWarnings("unchecked")
        List<Entry> entries = (List<Entry>) send(uri, null, headers);
        List<String> text = new ArrayList<>();
        for (Entry e : entries) {
            text.add(new String(e.key()) + "=" + new String(e.value()));
        }
        return text;
    }
}
