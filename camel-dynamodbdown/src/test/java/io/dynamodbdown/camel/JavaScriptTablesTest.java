package io.dynamodbdown.camel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.JsTables;
import io.dynamodbdown.testing.JsTables.Variant;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A table written by the JavaScript dynamodb-leveldown, consumed and written through the component. */
class JavaScriptTablesTest extends DynamoDbDownTestSupport {

    private static final String TABLE = DynamoDbLocal.uniqueTableName("camel-js");

    static {
        var client = DynamoDbLocalExtension.get().client();
        JsTables.create(client, TABLE, Variant.LEVELDOWN);
        JsTables.put(client, TABLE, Variant.LEVELDOWN, "docs", "doc-1", AttributeValue.fromS("{\"a\":1}"));
        JsTables.put(client, TABLE, Variant.LEVELDOWN, "docs", "doc-2", JsTables.bytes("EMPTY_BUFFER"));
        JsTables.put(client, TABLE, Variant.LEVELDOWN, "docs", "doc-3", JsTables.bytes("attachment"));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("dynamodbdown:" + TABLE + "$docs?delay=50").to("mock:docs");
            }
        };
    }

    @Test
    void theConsumerReadsTheJavaScriptTableInKeyOrder() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:docs");
        mock.expectedMessageCount(3);
        mock.assertIsSatisfied();
        assertEquals("{\"a\":1}", mock.getExchanges().get(0).getIn().getBody(String.class));
        assertArrayEquals(new byte[0], mock.getExchanges().get(1).getIn().getBody(byte[].class), "EMPTY_BUFFER is empty");
        assertArrayEquals("doc-3".getBytes(), mock.getExchanges().get(2).getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class));
    }

    @Test
    void theProducerWritesStringsAsStringsAndBytesAsBytes() {
        String uri = "dynamodbdown:" + TABLE + "$written?layout=dynamodb-leveldown";
        template.sendBodyAndHeader(uri, "a string", DynamoDbDownConstants.KEY, "s");
        template.sendBodyAndHeader(uri, new byte[] {7}, DynamoDbDownConstants.KEY, "b");
        template.sendBodyAndHeader(uri, "", DynamoDbDownConstants.KEY, "empty");
        var client = DynamoDbLocalExtension.get().client();
        assertEquals("a string", JsTables.get(client, TABLE, Variant.LEVELDOWN, "written", "s").get("data").s());
        assertArrayEquals(new byte[] {7}, JsTables.get(client, TABLE, Variant.LEVELDOWN, "written", "b").get("data").b().asByteArray());
        assertEquals("EMPTY_STRING", JsTables.get(client, TABLE, Variant.LEVELDOWN, "written", "empty").get("data").b().asUtf8String());
    }

    @Test
    void anUnknownOrContradictingLayoutFailsAtEndpointCreationOrStart() {
        ResolveEndpointFailedException e = assertThrows(ResolveEndpointFailedException.class,
                () -> context.getEndpoint("dynamodbdown:" + TABLE + "?layout=leveldb"));
        assertTrue(e.getMessage().contains("layout"), e.getMessage());
        Exception start = assertThrows(Exception.class, () -> template.sendBodyAndHeader(
                "dynamodbdown:" + TABLE + "$x?layout=native", "v", DynamoDbDownConstants.KEY, "k"));
        assertTrue(String.valueOf(start.getMessage() + start.getCause()).contains("native layout needs"), start.toString());
    }
}
