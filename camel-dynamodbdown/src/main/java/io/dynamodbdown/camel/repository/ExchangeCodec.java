package io.dynamodbdown.camel.repository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultExchangeHolder;

/**
 * Turns an exchange (body, headers, properties, variables, exchange id) into bytes and back, with Java
 * serialization of Camel's {@link DefaultExchangeHolder}. Reading is limited by a deserialization filter.
 */
final class ExchangeCodec {

    /** What may be deserialized unless the user widens it: the JDK's types and Camel's holder. */
    static final String DEFAULT_FILTER = "java.**;javax.**;org.apache.camel.**;!*";

    private final ObjectInputFilter filter;
    private final boolean allowSerializedHeaders;

    ExchangeCodec(String filterPattern, boolean allowSerializedHeaders) {
        this.filter = ObjectInputFilter.Config.createFilter(filterPattern);
        this.allowSerializedHeaders = allowSerializedHeaders;
    }

    byte[] marshal(Exchange exchange) {
        DefaultExchangeHolder holder = DefaultExchangeHolder.marshal(exchange, true, allowSerializedHeaders);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(holder);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot store exchange " + exchange.getExchangeId()
                    + ": its body, headers or properties are not serializable (" + e + ")", e);
        }
        return bytes.toByteArray();
    }

    Exchange unmarshal(CamelContext context, byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            DefaultExchangeHolder holder = (DefaultExchangeHolder) in.readObject();
            Exchange exchange = new DefaultExchange(context);
            DefaultExchangeHolder.unmarshal(exchange, holder);
            return exchange;
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot read a stored exchange (" + e + "); if its body is of your own"
                    + " type, allow it with setDeserializationFilter", e);
        }
    }
}
