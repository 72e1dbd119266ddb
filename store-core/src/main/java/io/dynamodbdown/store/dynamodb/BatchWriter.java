package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchWriteException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes checked, de-duplicated requests: BatchWriteItem calls of 25 sent concurrently with UnprocessedItems
 * sent again, or one TransactWriteItems call for an atomic batch. Every request goes out at the pace its
 * partition keys accept ({@link Retrier#writes()}), so a batch into a key at its limit slows down to it instead
 * of failing: only attempts in a row that DynamoDB accepted nothing of count against the retry budget.
 */
final class BatchWriter {

    /** DynamoDB's limit for the items in one BatchWriteItem call. */
    static final int MAX_BATCH_WRITE_ITEMS = 25;

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    private final DynamoDbClient client;
    private final Location location;
    private final TableLayout layout;
    private final Retrier retrier;
    private final ExecutorService pool;

    BatchWriter(TableContext table) {
        this.client = table.client();
        this.location = table.location();
        this.layout = table.layout();
        this.retrier = table.retrier();
        this.pool = table.pool();
    }

    /** Writes the requests, items of this database (one per key); a {@link BatchWriteException} names any keys not written. */
    void write(List<WriteRequest> requests) {
        Outcome outcome = send(requests);
        if (!outcome.unwritten().isEmpty()) {
            String reason = outcome.cause() == null
                    ? "DynamoDB left them unprocessed, accepting none of them in " + retrier.maxAttempts()
                            + " attempts in a row"
                    : outcome.cause().getMessage();
            throw new BatchWriteException(reason + ", table " + location, keysOf(outcome.unwritten()), outcome.cause(),
                    outcome.retryable());
        }
    }

    /** Writes requests that are not entries of the database (the chunks of large values): all of them, or throws. */
    void writeAll(List<WriteRequest> requests, String what) {
        Outcome outcome = send(requests);
        if (!outcome.unwritten().isEmpty()) {
            String reason = outcome.cause() == null
                    ? "DynamoDB left " + outcome.unwritten().size() + " items unprocessed, accepting none of them in "
                            + retrier.maxAttempts() + " attempts in a row"
                    : outcome.cause().getMessage();
            throw new DynamoDbDownException(what + " failed: " + reason, outcome.cause(), outcome.retryable());
        }
    }

    /** What was not written, and why: the failure to report and whether writing it again may succeed. */
    private record Outcome(List<WriteRequest> unwritten, RuntimeException cause, boolean retryable) {
    }

    private Outcome send(List<WriteRequest> requests) {
        List<ChunkResult> results = Parallel.map(pool, Parallel.chunksByKey(requests, MAX_BATCH_WRITE_ITEMS, this::partitionOf),
                this::writeChunk);
        List<WriteRequest> unwritten = new ArrayList<>();
        RuntimeException cause = null;
        boolean retryable = true;
        for (ChunkResult result : results) {
            unwritten.addAll(result.unwritten());
            RuntimeException failure = result.cause();
            if (failure == null) {
                continue;
            }
            // the batch is worth writing again only if every part that failed may succeed later
            boolean transientFailure = failure instanceof DynamoDbDownException store && store.isRetryable();
            if (cause == null || (retryable && !transientFailure)) {
                cause = failure; // the first failure, or the first that retrying cannot fix: the one to report
            }
            retryable &= transientFailure;
        }
        return new Outcome(unwritten, cause, retryable);
    }

    /** Writes all items or none, as one transaction (the caller checked the size limits). */
    void writeAtomic(List<TransactWriteItem> items) {
        writeAtomic(items, "atomic batch of " + items.size() + " operations on " + location);
    }

    /**
     * The same, {@code what} naming it in errors. The same token on every attempt, and on the client's own
     * retries of a request, makes the transaction run once however often it is sent. A transaction is all or
     * nothing, so every attempt cancelled by throttling or a conflict is one without progress.
     */
    void writeAtomic(List<TransactWriteItem> items, String what) {
        String token = UUID.randomUUID().toString();
        Map<String, Double> costs = new HashMap<>();
        for (TransactWriteItem item : items) { // a transactional write costs twice a plain one
            costs.merge(partitionOf(item), 2 * writeUnitsOf(item), Double::sum);
        }
        for (int attempt = 1; ; attempt++) {
            List<Pacer.Ticket> tickets = retrier.writes().await(costs);
            Attempts attempts = new Attempts();
            try {
                client.transactWriteItems(b -> b.transactItems(items).clientRequestToken(token)
                        .overrideConfiguration(attempts.override()));
                retrier.writes().answered(tickets, Map.of(), attempts.throttled());
                retrier.throttled(attempts.throttled());
                return;
            } catch (TransactionCanceledException e) {
                boolean throttled = Failures.isThrottlingCancellation(e);
                retrier.writes().failed(tickets, attempts.throttled() + (throttled ? 1 : 0));
                retrier.throttled(attempts.throttled() + (throttled ? 1 : 0));
                if (!Failures.isTransientCancellation(e) || attempt >= retrier.maxAttempts()) {
                    throw Failures.wrap(what, e);
                }
                LOG.debug("{}: cancelled by throttling or a conflict (attempt {}), sending it again", what, attempt);
            } catch (SdkException e) {
                retrier.writes().failed(tickets, attempts.throttled());
                retrier.throttled(attempts.throttled());
                throw Failures.wrap(what, e);
            }
            retrier.pauseBeforeRetry(attempt);
        }
    }

    /** The partition key a transaction's item writes to or checks. */
    private String partitionOf(TransactWriteItem item) {
        Map<String, AttributeValue> key = item.put() != null ? item.put().item()
                : item.delete() != null ? item.delete().key()
                : item.update() != null ? item.update().key() : item.conditionCheck().key();
        return key.get(layout.hashAttribute()).s();
    }

    private static double writeUnitsOf(TransactWriteItem item) {
        return item.put() != null ? CapacityUnits.write(item.put().item()) : 1;
    }

    static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    static WriteRequest delete(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
    }

    TransactWriteItem transactPut(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(p -> p.tableName(location.table()).item(item)).build();
    }

    TransactWriteItem transactDelete(Map<String, AttributeValue> key) {
        return TransactWriteItem.builder().delete(d -> d.tableName(location.table()).key(key)).build();
    }

    private record ChunkResult(List<WriteRequest> unwritten, RuntimeException cause) {
        static final ChunkResult DONE = new ChunkResult(List.of(), null);
    }

    /**
     * Sends one chunk, at its partition keys' pace, until DynamoDB has accepted all of it or, {@code maxAttempts}
     * times in a row, none of what was left.
     */
    private ChunkResult writeChunk(List<WriteRequest> chunk) {
        List<WriteRequest> pending = chunk;
        for (int stalled = 0; ; ) {
            List<WriteRequest> sent = pending;
            List<Pacer.Ticket> tickets;
            try {
                tickets = retrier.writes().await(writeUnitsByPartition(sent));
            } catch (DynamoDbDownException interrupted) {
                return new ChunkResult(sent, interrupted);
            }
            Attempts attempts = new Attempts();
            try {
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(Map.of(location.table(), sent))
                        .overrideConfiguration(attempts.override()));
                pending = response.unprocessedItems().getOrDefault(location.table(), List.of());
            } catch (SdkException e) {
                // the client's retry strategy has already retried the request itself
                retrier.writes().failed(tickets, attempts.throttled());
                retrier.throttled(attempts.throttled());
                return new ChunkResult(sent, Failures.wrap("BatchWriteItem of " + sent.size() + " items", e));
            } catch (RuntimeException e) {
                return new ChunkResult(sent, e); // whatever a decorated client throws: keep the exact requests
            }
            retrier.writes().answered(tickets, writeUnitsByPartition(pending), attempts.throttled());
            retrier.throttled(attempts.throttled() + (pending.isEmpty() ? 0 : 1));
            if (pending.isEmpty()) {
                return ChunkResult.DONE;
            }
            stalled = pending.size() < sent.size() ? 0 : stalled + 1;
            LOG.debug("{}: {} of {} items unprocessed ({} attempt(s) in a row without progress)", location,
                    pending.size(), sent.size(), stalled);
            if (stalled >= retrier.maxAttempts()) {
                return new ChunkResult(pending, null);
            }
            if (stalled > 0) { // after progress, the pace alone sets when the rest goes
                try {
                    retrier.pauseBeforeRetry(stalled);
                } catch (DynamoDbDownException interrupted) {
                    return new ChunkResult(pending, interrupted);
                }
            }
        }
    }

    /** What the requests cost, in write units per partition key (a delete: one, as its item's size is not known). */
    private Map<String, Double> writeUnitsByPartition(List<WriteRequest> requests) {
        Map<String, Double> units = new HashMap<>();
        for (WriteRequest request : requests) {
            units.merge(partitionOf(request), request.putRequest() != null ? CapacityUnits.write(request.putRequest().item())
                    : 1.0, Double::sum);
        }
        return units;
    }

    private String partitionOf(WriteRequest request) {
        Map<String, AttributeValue> item = request.putRequest() != null ? request.putRequest().item()
                : request.deleteRequest().key();
        return item.get(layout.hashAttribute()).s();
    }

    private List<byte[]> keysOf(List<WriteRequest> requests) {
        List<byte[]> keys = new ArrayList<>(requests.size());
        for (WriteRequest request : requests) {
            keys.add(layout.keyOf(request.putRequest() != null ? request.putRequest().item() : request.deleteRequest().key()));
        }
        return keys;
    }
}
