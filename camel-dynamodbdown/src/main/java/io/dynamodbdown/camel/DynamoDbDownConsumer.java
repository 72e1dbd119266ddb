package io.dynamodbdown.camel;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.DynamoDbDown;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import java.util.ArrayDeque;
import java.util.Queue;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledBatchPollingConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the endpoint's key range in key order, one exchange per entry, and continues after the last key it
 * handled, so keys appended beyond it are picked up by later polls (a tailing reader).
 *
 * <p>Exchanges are processed one by one. The position moves past an entry only once its exchange
 * succeeded; a failed exchange ends the poll, and the next poll starts again at that entry (at-least-once,
 * nothing skipped). Handle an error in the route to move on.
 */
public class DynamoDbDownConsumer extends ScheduledBatchPollingConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownConsumer.class);

    private KeyRange range;
    private volatile byte[] lastKey;
    private Database positions;
    private byte[] positionKey;

    public DynamoDbDownConsumer(DynamoDbDownEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public DynamoDbDownEndpoint getEndpoint() {
        return (DynamoDbDownEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        DynamoDbDownEndpoint endpoint = getEndpoint();
        range = endpoint.configuredRange().limit(KeyRange.NO_LIMIT);
        if (endpoint.isResumeFromStore()) {
            positions = DynamoDbDown.open(endpoint.client(),
                    endpoint.location().withHashKey(DynamoDbDownEndpoint.RESERVED_HASH_KEY_PREFIX + "consumer-positions"),
                    endpoint.openOptions());
            positionKey = Bytes.utf8(endpoint.getHashKey() + " " + range);
            lastKey = positions.get(positionKey);
            if (lastKey != null) {
                LOG.info("Resuming {} after key {}", endpoint.location(), Bytes.describe(lastKey));
            }
        }
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (positions != null) {
            positions.close();
            positions = null;
        }
    }

    /** Where the consumer stands: the last key whose exchange succeeded, or null before the first. */
    public byte[] lastKey() {
        return lastKey;
    }

    @Override
    protected int poll() throws Exception {
        KeyRange next = (lastKey == null ? range : range.after(lastKey)).limit(getMaxMessagesPerPoll());
        Queue<Object> exchanges = new ArrayDeque<>();
        try (RangeIterator<Entry> entries = getEndpoint().database().iterator(next)) {
            while (entries.hasNext()) {
                Entry entry = entries.next();
                Exchange exchange = createExchange(false);
                exchange.getIn().setHeader(DynamoDbDownConstants.KEY, entry.key());
                exchange.getIn().setBody(entry.value());
                exchanges.add(exchange);
            }
        }
        return processBatch(exchanges);
    }

    @Override
    public int processBatch(Queue<Object> exchanges) throws Exception {
        int total = exchanges.size();
        int done = 0;
        byte[] reached = null;
        try {
            for (int index = 0; index < total && isBatchAllowed(); index++) {
                Exchange exchange = (Exchange) exchanges.poll();
                exchange.setProperty(Exchange.BATCH_INDEX, index);
                exchange.setProperty(Exchange.BATCH_SIZE, total);
                exchange.setProperty(Exchange.BATCH_COMPLETE, index == total - 1);
                pendingExchanges = total - index - 1;
                byte[] key = exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class);
                getProcessor().process(exchange);
                if (exchange.isFailed()) {
                    getExceptionHandler().handleException("Failed to process entry " + Bytes.describe(key)
                            + "; it will be polled again", exchange, exchange.getException());
                    break;
                }
                if (getEndpoint().isDeleteAfterRead()) {
                    getEndpoint().database().del(key);
                }
                lastKey = key;
                reached = key;
                done++;
            }
        } finally {
            pendingExchanges = 0;
            if (reached != null && positions != null) {
                positions.put(positionKey, reached);
            }
        }
        return done;
    }
}
