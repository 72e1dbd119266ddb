package io.dynamodbdown.camel.repository;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.InvalidEntryException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OptimisticLockingAggregationRepository;
import org.apache.camel.spi.RecoverableAggregationRepository;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A persistent, recoverable aggregation repository on DynamoDB, the replacement for camel-leveldb's
 * {@code LevelDBAggregationRepository}: {@code aggregate(...).aggregationRepository(repo)}.
 *
 * <p>Aggregates in progress live in the database {@code table$repositoryName} (key: the correlation key);
 * completed exchanges wait for confirmation in {@code table$repositoryName-completed} (key: exchange id),
 * where {@link #scan} finds them for recovery. Removing moves an exchange from the first to the second:
 * it is written to "completed" first and deleted from "in progress" second, so a crash in between can
 * recover it twice but never loses it. The aggregator recovers what stays unconfirmed every
 * {@code recoveryInterval}, up to {@code maximumRedeliveries} times, then sends it to {@code deadLetterUri}.
 *
 * <p>It is also an {@link OptimisticLockingAggregationRepository}: each stored aggregate carries a version, and
 * with {@code aggregate(...).optimisticLocking()} an update or removal is written only if the version is still
 * the one read, so several Camel nodes can share one table without losing updates (the aggregator retries the
 * one that lost the race).
 */
public class DynamoDbDownAggregationRepository extends ServiceSupport
        implements RecoverableAggregationRepository, OptimisticLockingAggregationRepository {

    /** The exchange property holding the version of the stored aggregate it was read from. */
    public static final String VERSION_PROPERTY = "CamelDynamoDbDownAggregationVersion";

    /** Marks a stored aggregate with a version in front: this byte, then 16 version bytes, then the exchange. */
    private static final byte VERSIONED = 1;
    private static final int VERSION_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DynamoDbClient client;
    private final String tableName;
    private final String repositoryName;

    private boolean useRecovery = true;
    private long recoveryIntervalMillis = 5000;
    private int maximumRedeliveries;
    private String deadLetterUri;
    private boolean returnOldExchange;
    private boolean allowSerializedHeaders;
    private String deserializationFilter = ExchangeCodec.DEFAULT_FILTER;

    private ExchangeCodec codec;
    private Database inProgress;
    private Database completed;

    /**
     * A repository in {@code tableName} (created if missing) that keeps its data under {@code repositoryName}.
     *
     * @param client the DynamoDB client; the repository does not close it
     * @param tableName the DynamoDB table, which may hold other databases too
     * @param repositoryName the hash key of the aggregates in progress; completed ones go under
     *     {@code repositoryName-completed}
     */
    public DynamoDbDownAggregationRepository(DynamoDbClient client, String tableName, String repositoryName) {
        this.client = client;
        this.tableName = tableName;
        this.repositoryName = repositoryName;
    }

    @Override
    protected void doStart() {
        codec = new ExchangeCodec(deserializationFilter, allowSerializedHeaders);
        inProgress = DynamoDbDown.open(client, new Location(tableName, repositoryName), OpenOptions.defaults());
        completed = DynamoDbDown.open(client, new Location(tableName, repositoryName + "-completed"), OpenOptions.defaults());
    }

    @Override
    protected void doStop() {
        if (inProgress != null) {
            inProgress.close();
            completed.close();
        }
    }

    @Override
    public Exchange add(CamelContext camelContext, String key, Exchange exchange) {
        Exchange old = returnOldExchange ? get(camelContext, key) : null;
        store(key, exchange, null);
        return old;
    }

    /** Stores {@code newExchange} only if the aggregate is still the one {@code oldExchange} was read from. */
    @Override
    public Exchange add(CamelContext camelContext, String key, Exchange oldExchange, Exchange newExchange) {
        Expect unchanged = oldExchange == null ? Expect.absent()
                : oldExchange.getProperty(VERSION_PROPERTY, byte[].class) == null ? Expect.present() // stored without a version
                : Expect.valueStartingWith(oldExchange.getProperty(VERSION_PROPERTY, byte[].class));
        store(key, newExchange, unchanged);
        return oldExchange;
    }

    /** Writes the exchange under a new version (only if {@code unchanged} holds, when given) and notes the version on it. */
    private void store(String key, Exchange exchange, Expect unchanged) {
        byte[] version = new byte[1 + VERSION_BYTES];
        RANDOM.nextBytes(version);
        version[0] = VERSIONED;
        byte[] stored = concat(version, marshalWithoutVersion(exchange));
        try {
            BatchOperation.Put put = BatchOperation.put(Bytes.utf8(key), stored);
            if (unchanged == null) {
                inProgress.put(put);
            } else if (!inProgress.writeIf(put, unchanged)) {
                throw new OptimisticLockingException();
            }
        } catch (InvalidEntryException e) {
            throw new IllegalArgumentException("The aggregate of correlation key '" + key + "' is " + stored.length
                    + " bytes serialized, more than the store takes (" + e.getMessage() + "). Complete aggregates sooner"
                    + " (completionSize, completionTimeout) or keep large bodies out of them. Nothing was stored", e);
        }
        exchange.setProperty(VERSION_PROPERTY, version);
    }

    private byte[] marshalWithoutVersion(Exchange exchange) {
        Object version = exchange.removeProperty(VERSION_PROPERTY); // a property of the stored copy, not of its content
        try {
            return codec.marshal(exchange);
        } finally {
            if (version != null) {
                exchange.setProperty(VERSION_PROPERTY, version);
            }
        }
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Override
    public Exchange get(CamelContext camelContext, String key) {
        byte[] stored = inProgress.get(Bytes.utf8(key));
        if (stored == null) {
            return null;
        }
        if (stored.length > VERSION_BYTES && stored[0] == VERSIONED) {
            Exchange exchange = codec.unmarshal(camelContext, Arrays.copyOfRange(stored, 1 + VERSION_BYTES, stored.length));
            exchange.setProperty(VERSION_PROPERTY, Arrays.copyOf(stored, 1 + VERSION_BYTES));
            return exchange;
        }
        return codec.unmarshal(camelContext, stored); // written by an earlier build, without a version
    }

    /**
     * Moves a completed aggregate to "completed" (for recovery, until confirmed). When the exchange knows the
     * version it was read from, the aggregate is removed only if still at that version. If another node changed
     * it meanwhile, this completion is undone and {@link OptimisticLockingException} thrown. If it is gone, the
     * completion stands: either this removal's own answer was lost and the client sent it again, or another node
     * completed the same version too (a duplicate completion at worst, never a lost aggregate).
     */
    @Override
    public void remove(CamelContext camelContext, String key, Exchange exchange) {
        byte[] exchangeId = Bytes.utf8(exchange.getExchangeId());
        byte[] k = Bytes.utf8(key);
        completed.put(exchangeId, marshalWithoutVersion(exchange));
        byte[] version = exchange.getProperty(VERSION_PROPERTY, byte[].class);
        if (version == null) {
            inProgress.del(k);
        } else if (!inProgress.writeIf(BatchOperation.del(k), Expect.valueStartingWith(version)) && inProgress.has(k)) {
            completed.del(exchangeId);
            throw new OptimisticLockingException();
        }
    }

    /** Confirms (forgets) a completed exchange; true also when it was gone already, so Camel stops tracking it. */
    @Override
    public boolean confirmWithResult(CamelContext camelContext, String exchangeId) {
        confirm(camelContext, exchangeId);
        return true;
    }

    @Override
    public void confirm(CamelContext camelContext, String exchangeId) {
        completed.del(Bytes.utf8(exchangeId));
    }

    @Override
    public Set<String> getKeys() {
        return Collections.unmodifiableSet(keysOf(inProgress));
    }

    @Override
    public Set<String> scan(CamelContext camelContext) {
        return Collections.unmodifiableSet(keysOf(completed));
    }

    @Override
    public Exchange recover(CamelContext camelContext, String exchangeId) {
        byte[] stored = completed.get(Bytes.utf8(exchangeId));
        return stored == null ? null : codec.unmarshal(camelContext, stored);
    }

    private static Set<String> keysOf(Database db) {
        Set<String> keys = new LinkedHashSet<>();
        try (RangeIterator<byte[]> it = db.keys(KeyRange.all())) {
            it.forEachRemaining(k -> keys.add(new String(k, StandardCharsets.UTF_8)));
        }
        return keys;
    }

    @Override
    public void setRecoveryInterval(long interval, TimeUnit timeUnit) {
        this.recoveryIntervalMillis = timeUnit.toMillis(interval);
    }

    @Override
    public void setRecoveryInterval(long interval) {
        this.recoveryIntervalMillis = interval;
    }

    @Override
    public long getRecoveryInterval() {
        return recoveryIntervalMillis;
    }

    @Override
    public void setUseRecovery(boolean useRecovery) {
        this.useRecovery = useRecovery;
    }

    @Override
    public boolean isUseRecovery() {
        return useRecovery;
    }

    @Override
    public void setDeadLetterUri(String deadLetterUri) {
        this.deadLetterUri = deadLetterUri;
    }

    @Override
    public String getDeadLetterUri() {
        return deadLetterUri;
    }

    @Override
    public void setMaximumRedeliveries(int maximumRedeliveries) {
        this.maximumRedeliveries = maximumRedeliveries;
    }

    @Override
    public int getMaximumRedeliveries() {
        return maximumRedeliveries;
    }

    /**
     * Whether {@link #add} returns the exchange it replaced (costs a read per add). Default false.
     *
     * @param returnOldExchange true to return the replaced exchange, false to return null
     */
    public void setReturnOldExchange(boolean returnOldExchange) {
        this.returnOldExchange = returnOldExchange;
    }

    /**
     * Keep headers and properties of any Serializable type, not only the JDK's simple ones. Default false.
     *
     * @param allowSerializedHeaders true to keep any Serializable header and property; set before start
     */
    public void setAllowSerializedHeaders(boolean allowSerializedHeaders) {
        this.allowSerializedHeaders = allowSerializedHeaders;
    }

    /**
     * A java.io.ObjectInputFilter pattern for what stored exchanges may contain; set before start.
     *
     * @param deserializationFilter the pattern, by default {@code java.**;javax.**;org.apache.camel.**;!*}
     */
    public void setDeserializationFilter(String deserializationFilter) {
        this.deserializationFilter = deserializationFilter;
    }
}
