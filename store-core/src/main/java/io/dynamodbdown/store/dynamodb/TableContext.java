package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * What the parts of one open database share: the client, where the database lives and how its table is laid out,
 * its shards and options, the pace of its requests and the threads that send them, and whether it is closed. The
 * readers and writers a database is made of work from this, never from the database itself.
 *
 * @param client the client every request goes through
 * @param location the table and the database's hash key
 * @param layout how the table keeps keys and values
 * @param shards the partition keys the database's entries spread over
 * @param options the options it was opened with
 * @param retrier the pace of its requests and its budget for what DynamoDB answers but does not do
 * @param pool its threads, {@code writeConcurrency} of them
 * @param closed set once the database is closed
 */
record TableContext(DynamoDbClient client, Location location, TableLayout layout, Shards shards, OpenOptions options,
        Retrier retrier, ExecutorService pool, AtomicBoolean closed) {

    /**
     * Opens the database at {@code location} (a user's hash key, checked by the caller): finds its table (creating
     * it when allowed and missing) and waits until it is ACTIVE, takes its shards, and starts its pool.
     */
    static TableContext open(DynamoDbClient client, Location location, OpenOptions options) {
        TableLayout layout = new TableManager(client).prepare(location, options);
        Shards shards = Shards.open(client, location, layout, options.shards());
        return new TableContext(client, location, layout, shards, options,
                new Retrier(options.retryPolicy(), options.throttleListener(), location.table()),
                Executors.newFixedThreadPool(options.writeConcurrency(), Parallel.daemonThreads(location.table())),
                new AtomicBoolean());
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new DatabaseClosedException("Database " + location + " is closed; open it again to use it");
        }
    }

    /** Closes it (once): its threads finish what they are sending and take no more. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            pool.shutdown();
        }
    }

    /** The partition key that holds {@code key}: the database's own, or one of its shards. */
    String hashKeyOf(byte[] key) {
        return shards.hashKeyOf(key);
    }

    /** The primary key of {@code key}'s item. */
    Map<String, AttributeValue> itemKey(byte[] key) {
        return layout.itemKey(hashKeyOf(key), key);
    }

    /** The item of a put whose value fits in it. */
    Map<String, AttributeValue> item(BatchOperation.Put put) {
        return layout.item(hashKeyOf(put.key()), put.key(), put.value(), put.text());
    }

    /**
     * Whether {@code value} fits in {@code key}'s own item ({@code extra}: bytes a token or generation adds); a
     * put's value that does not goes in chunks, and a condition cannot name it.
     */
    boolean fitsInItem(byte[] key, byte[] value, int extra) {
        return layout.itemSize(hashKeyOf(key), key, value) + extra <= TableLayout.MAX_ITEM_BYTES;
    }

    /**
     * One page of a {@link QueryIterator}'s, at the pace of the partition key it reads (its {@code :h}), charged what
     * its items cost once they are known.
     */
    QueryResponse query(QueryRequest request, QueryBounds bounds) {
        double least = CapacityUnits.leastRead(options.consistentRead());
        return retrier.read("query " + bounds + " of " + location, request.expressionAttributeValues().get(":h").s(), least,
                override -> client.query(request.toBuilder().overrideConfiguration(override).build()),
                page -> CapacityUnits.read(page.items(), options.consistentRead()) - least);
    }

    /** The same query sent on the database's threads: an iterator's next page, asked for while it reads this one. */
    Future<QueryResponse> queryAhead(QueryRequest request, QueryBounds bounds) {
        return pool.submit(() -> query(request, bounds));
    }
}
