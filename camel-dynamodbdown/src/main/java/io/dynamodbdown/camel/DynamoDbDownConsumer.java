package io.dynamodbdown.camel;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Change;
import io.dynamodbdown.store.ChangeCheckpoint;
import io.dynamodbdown.store.ChangeReader;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.PositionKeeper;
import io.dynamodbdown.store.TailReader;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledBatchPollingConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the endpoint's key range, one exchange per entry or change. In mode=tail it polls the range in key
 * order and follows it as it grows (through the store's {@link TailReader}): keys appended later are picked up,
 * including keys that become visible behind ones already consumed within the endpoint's settleTime. In
 * mode=changes it reads the table's change stream (through the store's {@link ChangeReader}): every put,
 * overwrite and delete, in order for each key, with the header {@link DynamoDbDownConstants#CHANGE}.
 *
 * <p>Exchanges are processed one by one. Whatever ends a poll early (a failed exchange, an exception from the
 * route, a failed delete, the route being suspended) hands the unhandled entry and the rest of the poll back, so
 * the next poll delivers them again (at-least-once, nothing skipped). Handle an error in the route to move on.
 * With deleteAfterRead an entry is deleted only if its value is still the one delivered; a value written
 * meanwhile is delivered next. The stored position (resumeFromStore) never passes an entry or change not
 * handled yet: the tail reader's settled key, or the change checkpoint after the last change handled.
 */
public class DynamoDbDownConsumer extends ScheduledBatchPollingConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbDownConsumer.class);

    /** Where a consumer's exchanges come from, and where it stands. */
    private interface Reading extends AutoCloseable {
        /** Up to {@code max} exchanges to process, starting with any handed back. */
        List<Exchange> next(int max);

        /** The exchanges from {@code index} on (of the last {@link #next}) were not handled: deliver them again. */
        void handBack(List<Exchange> exchanges, int index);

        /** The position to store now, as bytes; null when there is none, or nothing worth a write. */
        byte[] position();

        @Override
        void close();
    }

    private Reading reading;
    private Database positions;
    private byte[] positionKey;
    private byte[] storedPosition;

    /**
     * Creates a consumer; {@link DynamoDbDownEndpoint#createConsumer} does this and applies the consumer options.
     *
     * @param endpoint the endpoint whose database and range it follows
     * @param processor what each exchange is sent to
     */
    public DynamoDbDownConsumer(DynamoDbDownEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public DynamoDbDownEndpoint getEndpoint() {
        return (DynamoDbDownEndpoint) super.getEndpoint();
    }

    /** Camel's polling-consumer health check, extended with the table's state. */
    @Override
    protected void doBuild() throws Exception {
        if (getHealthCheck() == null) {
            setHealthCheck(new DynamoDbDownConsumerHealthCheck(this, "consumer:" + getRouteId()));
        }
        super.doBuild();
    }

    @Override
    protected void doStart() throws Exception {
        DynamoDbDownEndpoint endpoint = getEndpoint();
        KeyRange range = endpoint.configuredRange().limit(KeyRange.NO_LIMIT);
        boolean changes = endpoint.getMode() == DynamoDbDownConsumerMode.changes;
        byte[] start = null;
        if (endpoint.isResumeFromStore()) {
            positions = DynamoDbDown.open(endpoint.client(),
                    endpoint.location().withHashKey(DynamoDbDownEndpoint.RESERVED_HASH_KEY_PREFIX + "consumer-positions"),
                    // the positions of every endpoint on the table share this database: it keeps its own shard
                    // count (the recorded one, 1 for a new one), not this endpoint's
                    endpoint.openOptions().withShards(0));
            positionKey = Bytes.utf8((changes ? "changes:" : "") + positionId(endpoint, range));
            start = positions.get(positionKey);
            if (start == null && !changes) {
                start = legacyPosition(endpoint, range);
            }
            storedPosition = start;
            if (start != null) {
                LOG.info("Resuming {} after {}", endpoint.location(),
                        changes ? "its stored change checkpoint" : "key " + Bytes.describe(start));
            }
        }
        reading = changes ? new ChangesReading(range, start) : new TailReading(range, start);
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
        if (reading != null) {
            reading.close();
            reading = null;
        }
        if (positions != null) {
            positions.close();
            positions = null;
        }
    }

    @Override
    protected int poll() throws Exception {
        Queue<Object> exchanges = new ArrayDeque<>(reading.next(getMaxMessagesPerPoll()));
        try {
            return processBatch(exchanges);
        } finally {
            storePosition();
        }
    }

    /** Keeps the reading's position in the table when it moved (resumeFromStore). */
    private void storePosition() {
        byte[] position = reading.position();
        if (positions != null && position != null && !Arrays.equals(position, storedPosition)) {
            positions.put(positionKey, position);
            storedPosition = position;
        }
    }

    @Override
    public int processBatch(Queue<Object> queue) throws Exception {
        List<Exchange> exchanges = new ArrayList<>();
        queue.forEach(exchange -> exchanges.add((Exchange) exchange));
        int total = exchanges.size();
        int done = 0;
        int unhandled = -1; // the first exchange of this poll not handled yet: handed back unless cleared
        try {
            for (int index = 0; index < total; index++) {
                Exchange exchange = exchanges.get(index);
                byte[] key = exchange.getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class);
                byte[] value = exchange.getIn().getBody(byte[].class);
                value = value == null ? null : value.clone(); // as read, whatever the route does to the body
                unhandled = index;
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
                unhandled = -1;
            }
        } finally {
            pendingExchanges = 0;
            if (unhandled >= 0) {
                reading.handBack(exchanges, unhandled);
            }
        }
        return done;
    }

    private Exchange exchange(byte[] key, byte[] value) {
        Exchange exchange = createExchange(false);
        exchange.getIn().setHeader(DynamoDbDownConstants.KEY, key);
        exchange.getIn().setBody(value);
        return exchange;
    }

    /** mode=tail: the range in key order, through a {@link TailReader}; its position is the settled key. */
    private final class TailReading implements Reading {
        private final TailReader tail;

        TailReading(KeyRange range, byte[] start) {
            tail = new TailReader(getEndpoint().database(), range, start, Duration.ofMillis(getEndpoint().getSettleTime()));
        }

        @Override
        public List<Exchange> next(int max) {
            List<Exchange> exchanges = new ArrayList<>();
            for (Entry entry : tail.poll(max)) {
                exchanges.add(exchange(entry.key(), entry.value()));
            }
            return exchanges;
        }

        @Override
        public void handBack(List<Exchange> exchanges, int index) {
            tail.retryFrom(exchanges.get(index).getIn().getHeader(DynamoDbDownConstants.KEY, byte[].class));
        }

        @Override
        public byte[] position() {
            return tail.settledKey();
        }

        @Override
        public void close() {
            // the reader holds nothing beyond the endpoint's database
        }
    }

    /**
     * mode=changes: the table's change stream, from the stored checkpoint or from when the consumer first
     * started. Changes handed back wait in {@code pending} and go first; the position is the checkpoint after
     * the last change handled (the reader's own once nothing is pending, which also passes records it skipped).
     */
    private final class ChangesReading implements Reading {
        /**
         * How often the position is stored while no change is handled: records of other databases and shard
         * rollovers move the checkpoint (and so does storing it, a write to the same table), and a stored
         * position must not fall a day behind the stream, which keeps records 24 hours.
         */
        private static final Duration IDLE_STORE_EVERY = Duration.ofMinutes(10);

        private final ChangeReader reader;
        private final Deque<Change> pending = new ArrayDeque<>();
        private final PositionKeeper<ChangeCheckpoint> stored;
        private ChangeCheckpoint handled;
        /** Exchanges the last {@link #next} gave, to tell whether any were handled. */
        private int delivered;

        ChangesReading(KeyRange range, byte[] storedPosition) {
            ChangeCheckpoint from = storedPosition == null ? ChangeCheckpoint.fromNow()
                    : ChangeCheckpoint.decode(new String(storedPosition, StandardCharsets.UTF_8));
            reader = DynamoDbDown.changes(getEndpoint().streamsClient(), getEndpoint().database(), range, from);
            handled = from;
            stored = new PositionKeeper<>(storedPosition == null ? null : from, IDLE_STORE_EVERY);
        }

        @Override
        public List<Exchange> next(int max) {
            List<Change> changes = new ArrayList<>(pending);
            if (changes.size() < max) {
                try {
                    changes.addAll(reader.poll(max - changes.size()));
                } catch (RuntimeException e) {
                    if (changes.isEmpty()) {
                        throw e;
                    }
                    LOG.debug("Reading changes failed; delivering the {} handed back first", changes.size(), e);
                }
            }
            pending.clear();
            delivered = changes.size();
            List<Exchange> exchanges = new ArrayList<>();
            for (Change change : changes) {
                Exchange exchange = exchange(change.key(), change.value());
                Message in = exchange.getIn();
                in.setHeader(DynamoDbDownConstants.CHANGE, change.isDelete() ? "delete" : "put");
                in.setHeader(Exchange.MESSAGE_TIMESTAMP, change.at().toEpochMilli());
                exchange.setProperty(Change.class.getName(), change);
                exchanges.add(exchange);
            }
            return exchanges;
        }

        @Override
        public void handBack(List<Exchange> exchanges, int index) {
            for (int i = exchanges.size() - 1; i >= index; i--) {
                pending.addFirst(exchanges.get(i).getProperty(Change.class.getName(), Change.class));
            }
            if (index > 0) {
                handled = exchanges.get(index - 1).getProperty(Change.class.getName(), Change.class).checkpoint();
            }
        }

        @Override
        public byte[] position() {
            boolean handledSome = delivered > pending.size();
            delivered = 0;
            if (pending.isEmpty()) {
                handled = reader.checkpoint();
            }
            ChangeCheckpoint toStore;
            if (handledSome || stored.kept() == null) { // a fresh start is stored at once: a restart goes on from it
                stored.delivered(handled);
                toStore = handled;
            } else {
                toStore = stored.idle(handled);
            }
            return toStore == null ? null : Bytes.utf8(toStore.encode());
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
