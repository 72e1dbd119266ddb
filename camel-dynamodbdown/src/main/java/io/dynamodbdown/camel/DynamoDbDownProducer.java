package io.dynamodbdown.camel;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyEncoding;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.WriteOptions;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.support.DefaultProducer;

/** Carries out one operation per exchange on the endpoint's database: one method per operation. */
public class DynamoDbDownProducer extends DefaultProducer {

    /** What one operation does with an exchange. */
    @FunctionalInterface
    private interface Operation {
        void apply(Exchange exchange, Database db) throws Exception;
    }

    private final DynamoDbDownConfiguration configuration;
    private final Map<DynamoDbDownOperations, Operation> operations = new EnumMap<>(DynamoDbDownOperations.class);
    private WritableHealthCheckRepository healthCheckRepository;
    private HealthCheck healthCheck;

    /**
     * Creates a producer; {@link DynamoDbDownEndpoint#createProducer} does this.
     *
     * @param endpoint the endpoint whose database and options it uses
     */
    public DynamoDbDownProducer(DynamoDbDownEndpoint endpoint) {
        super(endpoint);
        this.configuration = endpoint.getConfiguration();
        operations.put(DynamoDbDownOperations.put, this::put);
        operations.put(DynamoDbDownOperations.get, this::get);
        operations.put(DynamoDbDownOperations.del, this::del);
        operations.put(DynamoDbDownOperations.has, this::has);
        operations.put(DynamoDbDownOperations.getMany, this::getMany);
        operations.put(DynamoDbDownOperations.batch, this::batch);
        operations.put(DynamoDbDownOperations.range, this::range);
        operations.put(DynamoDbDownOperations.clear, this::clear);
    }

    @Override
    public DynamoDbDownEndpoint getEndpoint() {
        return (DynamoDbDownEndpoint) super.getEndpoint();
    }

    /** Registers this producer's health check where Camel keeps producer checks (when health checks are on at all). */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        healthCheckRepository = HealthCheckHelper.getHealthCheckRepository(getEndpoint().getCamelContext(), "producers",
                WritableHealthCheckRepository.class);
        if (healthCheckRepository != null) {
            healthCheck = new DynamoDbDownProducerHealthCheck(getEndpoint(), getEndpoint().getId());
            healthCheck.setEnabled(getEndpoint().getComponent().isHealthCheckProducerEnabled());
            healthCheckRepository.addHealthCheck(healthCheck);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (healthCheckRepository != null && healthCheck != null) {
            healthCheckRepository.removeHealthCheck(healthCheck);
            healthCheck = null;
        }
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        operations.get(operation(exchange.getIn())).apply(exchange, getEndpoint().database());
    }

    private void put(Exchange exchange, Database db) throws InvalidPayloadException {
        Message in = exchange.getIn();
        db.put(put(exchange, key(in, DynamoDbDownOperations.put), in.getBody(), "the body"));
    }

    private void get(Exchange exchange, Database db) {
        Message in = exchange.getIn();
        byte[] value = db.get(key(in, DynamoDbDownOperations.get));
        in.setHeader(DynamoDbDownConstants.FOUND, value != null);
        in.setBody(value);
    }

    private void del(Exchange exchange, Database db) {
        db.del(key(exchange.getIn(), DynamoDbDownOperations.del));
    }

    private void has(Exchange exchange, Database db) {
        Message in = exchange.getIn();
        in.setBody(db.has(key(in, DynamoDbDownOperations.has)));
    }

    private void getMany(Exchange exchange, Database db) {
        Message in = exchange.getIn();
        in.setBody(db.getMany(keys(in)));
    }

    private void batch(Exchange exchange, Database db) throws InvalidPayloadException {
        db.batch(operations(exchange), atomic(exchange.getIn()) ? WriteOptions.ATOMIC : WriteOptions.DEFAULT);
    }

    private void range(Exchange exchange, Database db) {
        Message in = exchange.getIn();
        RangeIterator<Entry> entries = db.iterator(range(in));
        in.setBody(configuration.isStreamResult() ? new ClosingIterator(entries) : drain(entries));
    }

    private void clear(Exchange exchange, Database db) {
        Message in = exchange.getIn();
        in.setBody(db.clear(range(in)));
    }

    private DynamoDbDownOperations operation(Message in) {
        Object header = in.getHeader(DynamoDbDownConstants.OPERATION);
        if (header == null) {
            return configuration.getOp();
        }
        if (header instanceof DynamoDbDownOperations op) {
            return op;
        }
        try {
            return DynamoDbDownOperations.valueOf(header.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown operation '" + header + "' in header "
                    + DynamoDbDownConstants.OPERATION + ": use put, get, del, batch, getMany, has, range or clear", e);
        }
    }

    private byte[] key(Message in, DynamoDbDownOperations op) {
        Object key = in.getHeader(DynamoDbDownConstants.KEY);
        if (key == null) {
            key = configuration.getKey();
        }
        if (key == null) {
            throw new IllegalArgumentException("Operation " + op + " needs a key: set the header "
                    + DynamoDbDownConstants.KEY + " (String or byte[]) or the endpoint option key");
        }
        return keyBytes(key, "header " + DynamoDbDownConstants.KEY);
    }

    private static byte[] keyBytes(Object key, String where) {
        if (key instanceof byte[] bytes) {
            return bytes;
        }
        if (key instanceof String text) {
            return Bytes.utf8(text);
        }
        throw new IllegalArgumentException("Keys are String or byte[], but " + where + " is a "
                + key.getClass().getName());
    }

    /**
     * A put from a body or map value: byte[] as is, a String as text (tables of the JavaScript layouts keep
     * it as a string), anything else through Camel's type converters.
     */
    private static BatchOperation.Put put(Exchange exchange, byte[] key, Object value, String what)
            throws InvalidPayloadException {
        if (value == null) {
            throw new InvalidPayloadException(exchange, byte[].class, exchange.getIn(),
                    new IllegalArgumentException(what + " is null: put needs a value (use op=del to delete a key)"));
        }
        if (value instanceof byte[] bytes) {
            return BatchOperation.put(key, bytes);
        }
        if (value instanceof String text) {
            return BatchOperation.put(key, text);
        }
        try {
            return BatchOperation.put(key, exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, value));
        } catch (NoTypeConversionAvailableException e) {
            throw new InvalidPayloadException(exchange, byte[].class, exchange.getIn(), e);
        }
    }

    private static List<byte[]> keys(Message in) {
        Object body = in.getBody();
        if (!(body instanceof List<?> list)) {
            throw new IllegalArgumentException("getMany needs a java.util.List of keys (String or byte[]) as the body, got "
                    + (body == null ? "null" : body.getClass().getName()));
        }
        List<byte[]> keys = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object key = list.get(i);
            if (key == null) {
                throw new IllegalArgumentException("getMany: key number " + i + " of the body is null");
            }
            keys.add(keyBytes(key, "key number " + i + " of the body"));
        }
        return keys;
    }

    private static List<BatchOperation> operations(Exchange exchange) throws InvalidPayloadException {
        Object body = exchange.getIn().getBody();
        Iterable<?> entries;
        if (body instanceof Map<?, ?> map) {
            entries = map.entrySet();
        } else if (body instanceof List<?> list) {
            entries = list;
        } else {
            throw new IllegalArgumentException("batch needs a java.util.Map or a List of Map.Entry as the body, got "
                    + (body == null ? "null" : body.getClass().getName()));
        }
        List<BatchOperation> operations = new ArrayList<>();
        int index = 0;
        for (Object element : entries) {
            if (!(element instanceof Map.Entry<?, ?> entry)) {
                throw new IllegalArgumentException("batch: element " + index + " of the body is not a Map.Entry but "
                        + (element == null ? "null" : element.getClass().getName()));
            }
            if (entry.getKey() == null) {
                throw new IllegalArgumentException("batch: element " + index + " of the body has a null key");
            }
            byte[] key = keyBytes(entry.getKey(), "the key of batch element " + index);
            operations.add(entry.getValue() == null ? BatchOperation.del(key)
                    : put(exchange, key, entry.getValue(), "the value of batch element " + index));
            index++;
        }
        return operations;
    }

    private boolean atomic(Message in) {
        Boolean header = in.getHeader(DynamoDbDownConstants.ATOMIC, Boolean.class);
        return header != null ? header : configuration.isAtomic();
    }

    /**
     * The endpoint's range with the range headers applied: a header for one side (gt/gte, or lt/lte)
     * replaces the endpoint's bounds on that side.
     */
    private KeyRange range(Message in) {
        KeyEncoding encoding = configuration.getKeyEncoding();
        byte[] gt = bound(in, DynamoDbDownConstants.GT, encoding);
        byte[] gte = bound(in, DynamoDbDownConstants.GTE, encoding);
        byte[] lt = bound(in, DynamoDbDownConstants.LT, encoding);
        byte[] lte = bound(in, DynamoDbDownConstants.LTE, encoding);
        KeyRange configured = getEndpoint().configuredRange();
        KeyRange range = KeyRange.all().reverse(configured.isReverse()).limit(configured.limit());
        if (gt == null && gte == null) {
            range = configured.lowerInclusive() ? range.gte(configured.lowerBound()) : range.gt(configured.lowerBound());
        } else {
            range = range.gt(gt).gte(gte);
        }
        if (lt == null && lte == null) {
            range = configured.upperInclusive() ? range.lte(configured.upperBound()) : range.lt(configured.upperBound());
        } else {
            range = range.lt(lt).lte(lte);
        }
        Boolean reverse = in.getHeader(DynamoDbDownConstants.REVERSE, Boolean.class);
        if (reverse != null) {
            range = range.reverse(reverse);
        }
        Integer limit = in.getHeader(DynamoDbDownConstants.LIMIT, Integer.class);
        if (limit != null) {
            range = range.limit(limit);
        }
        return range;
    }

    private static byte[] bound(Message in, String header, KeyEncoding encoding) {
        Object value = in.getHeader(header);
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        try {
            return encoding.decode(value.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid header " + header + ": " + e.getMessage(), e);
        }
    }

    private static List<Entry> drain(RangeIterator<Entry> iterator) {
        List<Entry> entries = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(entries::add);
        }
        return entries;
    }

    /**
     * A range as a plain Iterator for a Splitter: Closeable so the Splitter releases it when done, and it
     * closes itself once exhausted.
     */
    static final class ClosingIterator implements Iterator<Entry>, Closeable {
        private final RangeIterator<Entry> range;
        private boolean closed;

        ClosingIterator(RangeIterator<Entry> range) {
            this.range = range;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (range.hasNext()) {
                return true;
            }
            close();
            return false;
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return range.next();
        }

        @Override
        public void close() {
            closed = true;
            range.close();
        }
    }
}
