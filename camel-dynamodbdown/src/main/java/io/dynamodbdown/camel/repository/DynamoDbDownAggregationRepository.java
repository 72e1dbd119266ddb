package io.dynamodbdown.camel.repository;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.RangeIterator;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
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
 * recover it twice but never loses it.
 */
public class DynamoDbDownAggregationRepository extends ServiceSupport implements RecoverableAggregationRepository {

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

    /** A repository in {@code tableName} (created if missing) that keeps its data under {@code repositoryName}. */
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
        byte[] k = Bytes.utf8(key);
        Exchange old = returnOldExchange ? get(camelContext, key) : null;
        inProgress.put(k, codec.marshal(exchange));
        return old;
    }

    @Override
    public Exchange get(CamelContext camelContext, String key) {
        byte[] stored = inProgress.get(Bytes.utf8(key));
        return stored == null ? null : codec.unmarshal(camelContext, stored);
    }

    @Override
    public void remove(CamelContext camelContext, String key, Exchange exchange) {
        completed.put(Bytes.utf8(exchange.getExchangeId()), codec.marshal(exchange));
        inProgress.del(Bytes.utf8(key));
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

    /** Whether {@link #add} returns the exchange it replaced (costs a read per add). Default false. */
    public void setReturnOldExchange(boolean returnOldExchange) {
        this.returnOldExchange = returnOldExchange;
    }

    /** Keep headers and properties of any Serializable type, not only the JDK's simple ones. Default false. */
    public void setAllowSerializedHeaders(boolean allowSerializedHeaders) {
        this.allowSerializedHeaders = allowSerializedHeaders;
    }

    /** A java.io.ObjectInputFilter pattern for what stored exchanges may contain; set before start. */
    public void setDeserializationFilter(String deserializationFilter) {
        this.deserializationFilter = deserializationFilter;
    }
}
