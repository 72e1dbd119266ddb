package io.dynamodbdown.camel;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.TailReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledBatchPollingConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the endpoint's key range in key order, one exchange per entry, and follows it as it grows (a
 * tailing reader, through the store's {@link TailReader}): keys appended later are picked up, including keys
 * that become visible behind ones already consumed within the endpoint's settleTime.
 *
 * <p>Exchanges are processed one by one. A failed exchange ends the poll and hands its entry (and the rest
 * of the poll) back, so the next poll delivers it again (at-least-once, nothing skipped). Handle an error in
 * the route to move on. The stored position is the reader's settled key.
 */
public class DynamoDbDownConsumer extends ScheduledBatchPollingConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownConsumer.class);

    private TailReader tail;
    private Database positions;
    private byte[] positionKey;
    private byte[] storedPosition;

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
        KeyRange range = endpoint.configuredRange().limit(KeyRange.NO_LIMIT);
        byte[] start = null;
        if (endpoint.isResumeFromStore()) {
            positions = DynamoDbDown.open(endpoint.client(),
                    endpoint.location().withHashKey(DynamoDbDownEndpoint.RESERVED_HASH_KEY_PREFIX + "consumer-positions"),
                    endpoint.openOptions());
            positionKey = Bytes.utf8(endpoint.getHashKey() + " " + range);
            start = positions.get(positionKey);
            storedPosition = start;
            if (start != null) {
                LOG.info("Resuming {} after key {}", endpoint.location(), Bytes.describe(start));
            }
        }
        tail = new TailReader(endpoint.database(), range, start, Duration.ofMillis(endpoint.getSettleTime()));
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

    @Override
    protected int poll() throws Exception {
        Queue<Object> exchanges = new ArrayDeque<>();
        for (Entry entry : tail.poll(getMaxMessagesPerPoll())) {
            Exchange exchange = createExchange(false);
            exchange.getIn().setHeader(DynamoDbDownConstants.KEY, entry.key());
            exchange.getIn().setBody(entry.value());
            exchanges.add(exchange);
        }
        try {
            return processBatch(exchanges);
        } finally {
            storePosition();
        }
    }

    /** Keeps the settled key in the table when it moved (resumeFromStore). */
    private void storePosition() {
        byte[] settled = tail.settledKey();
        if (positions != null && settled != null && !Arrays.equals(settled, storedPosition)) {
            positions.put(positionKey, settled);
            storedPosition = settled;
        }
    }

    @Override
    public int processBatch(Queue<Object> exchanges) throws Exception {
        int total = exchanges.size();
        int done = 0;
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
                    tail.retryFrom(key);
                    getExceptionHandler().handleException("Failed to process entry " + Bytes.describe(key)
                            + "; it will be polled again", exchange, exchange.getException());
                    break;
                }
                if (getEndpoint().isDeleteAfterRead()) {
                    getEndpoint().database().del(key);
                }
                done++;
            }
        } finally {
            pendingExchanges = 0;
        }
        return done;
    }
}
