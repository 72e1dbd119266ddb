package io.dynamodbdown.camel;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Expect;
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
 * <p>Exchanges are processed one by one. Whatever ends a poll early (a failed exchange, an exception from the
 * route, a failed delete, the route being suspended) hands the unhandled entry and the rest of the poll back to
 * the reader, so the next poll delivers them again (at-least-once, nothing skipped). Handle an error in the
 * route to move on. With deleteAfterRead an entry is deleted only if its value is still the one delivered; a
 * value written meanwhile is delivered next. The stored position is the reader's settled key, which never
 * passes an entry not handled yet.
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
            positionKey = Bytes.utf8(positionId(endpoint, range));
            start = positions.get(positionKey);
            if (start == null) {
                start = legacyPosition(endpoint, range);
            }
            storedPosition = start;
            if (start != null) {
                LOG.info("Resuming {} after key {}", endpoint.location(), Bytes.describe(start));
            }
        }
        tail = new TailReader(endpoint.database(), range, start, Duration.ofMillis(endpoint.getSettleTime()));
        super.doStart();
    }

    /** Whose position this is: the consumerId if the user named the consumer, else the hash key and full bounds. */
    private static String positionId(DynamoDbDownEndpoint endpoint, KeyRange range) {
        String consumerId = endpoint.getConsumerId();
        return consumerId != null ? "consumer:" + consumerId : "range:" + endpoint.getHashKey() + " " + range.boundsId();
    }

    /**
     * A position stored by earlier builds, under the hash key and the range's printed form; that form cuts long
     * bounds ("... (N bytes)", text or hex), so a cut form could belong to another consumer and is not taken over.
     */
    private byte[] legacyPosition(DynamoDbDownEndpoint endpoint, KeyRange range) {
        String legacy = endpoint.getHashKey() + " " + range;
        if (endpoint.getConsumerId() != null || legacy.contains("... (")) {
            return null;
        }
        byte[] position = positions.get(Bytes.utf8(legacy));
        if (position != null) {
            positions.put(positionKey, position);
            positions.del(Bytes.utf8(legacy));
        }
        return position;
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
        tail.poll(getMaxMessagesPerPoll()).forEach(entry -> {
            Exchange exchange = createExchange(false);
            exchange.getIn().setHeader(DynamoDbDownConstants.KEY, entry.key());
            exchange.getIn().setBody(entry.value());
            exchanges.add(exchange);
        });
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
        byte[] unhandled = null; // the first entry of this poll not handled yet: handed back unless cleared
        try {
            for (int index = 0; index < total; index++) {
                Exchange exchange = (Exchange) exchanges.poll();
                byte[] key = exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class);
                byte[] value = exchange.getIn().getBody(byte[].class).clone(); // as read, whatever the route does to the body
                unhandled = key;
                if (!isBatchAllowed()) {
                    break; // suspended or stopping: the rest is delivered after
                }
                exchange.setProperty(Exchange.BATCH_INDEX, index);
                exchange.setProperty(Exchange.BATCH_SIZE, total);
                exchange.setProperty(Exchange.BATCH_COMPLETE, index == total - 1);
                pendingExchanges = total - index - 1;
                getProcessor().process(exchange);
                if (exchange.isFailed()) {
                    getExceptionHandler().handleException("Failed to process entry " + Bytes.describe(key)
                            + "; it will be polled again", exchange, exchange.getException());
                    break;
                }
                done++;
                if (getEndpoint().isDeleteAfterRead()
                        && !getEndpoint().database().writeIf(BatchOperation.del(key), Expect.value(value))) {
                    LOG.debug("Entry {} changed after it was read: kept, and delivered again", Bytes.describe(key));
                    break;
                }
                unhandled = null;
            }
        } finally {
            pendingExchanges = 0;
            if (unhandled != null) {
                tail.retryFrom(unhandled);
            }
        }
        return done;
    }
}
