package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.BatchWriteException;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes checked, de-duplicated operations: BatchWriteItem calls of 25 sent concurrently with
 * UnprocessedItems retried, or one TransactWriteItems call for an atomic batch.
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

    BatchWriter(DynamoDbClient client, Location location, TableLayout layout, Retrier retrier, ExecutorService pool) {
        this.client = client;
        this.location = location;
        this.layout = layout;
        this.retrier = retrier;
        this.pool = pool;
    }

    /** Writes the operations (one per key); a {@link BatchWriteException} names any keys not written. */
    void write(List<BatchOperation> operations) {
        List<WriteRequest> requests = new ArrayList<>(operations.size());
        for (BatchOperation operation : operations) {
            requests.add(writeRequest(operation));
        }
        List<ChunkResult> results = Parallel.map(pool, Parallel.chunks(requests, MAX_BATCH_WRITE_ITEMS), this::writeChunk);
        List<byte[]> unwritten = new ArrayList<>();
        RuntimeException cause = null;
        boolean retryable = true;
        for (ChunkResult result : results) {
            unwritten.addAll(result.unwrittenKeys());
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
        if (!unwritten.isEmpty()) {
            String reason = cause == null
                    ? "DynamoDB left them unprocessed through " + retrier.maxAttempts() + " attempts"
                    : cause.getMessage();
            throw new BatchWriteException(reason + ", table " + location, unwritten, cause, retryable);
        }
    }

    /** Writes all operations or none, as one transaction (the caller checked the size limits). */
    void writeAtomic(List<BatchOperation> operations) {
        List<TransactWriteItem> items = new ArrayList<>(operations.size());
        for (BatchOperation operation : operations) {
            items.add(operation instanceof BatchOperation.Put put
                    ? TransactWriteItem.builder().put(p -> p.tableName(location.table())
                            .item(layout.item(location.hashKey(), put.key(), put.value(), put.text()))).build()
                    : TransactWriteItem.builder().delete(d -> d.tableName(location.table())
                            .key(layout.itemKey(location.hashKey(), operation.key()))).build());
        }
        // The same token on every attempt makes a retried transaction idempotent for DynamoDB.
        String token = UUID.randomUUID().toString();
        String what = "atomic batch of " + items.size() + " operations on " + location;
        for (int attempt = 1; ; attempt++) {
            try {
                client.transactWriteItems(b -> b.transactItems(items).clientRequestToken(token));
                return;
            } catch (TransactionCanceledException e) {
                if (!Failures.isTransientCancellation(e) || attempt >= retrier.maxAttempts()) {
                    throw Failures.wrap(what, e);
                }
                LOG.debug("{}: cancelled by throttling or a conflict (attempt {}), sending it again", what, attempt);
            } catch (SdkException e) {
                throw Failures.wrap(what, e);
            }
            retrier.pauseBeforeRetry(attempt);
        }
    }

    private WriteRequest writeRequest(BatchOperation operation) {
        return operation instanceof BatchOperation.Put put
                ? WriteRequest.builder().putRequest(PutRequest.builder()
                        .item(layout.item(location.hashKey(), put.key(), put.value(), put.text())).build()).build()
                : WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                        .key(layout.itemKey(location.hashKey(), operation.key())).build()).build();
    }

    private record ChunkResult(List<byte[]> unwrittenKeys, RuntimeException cause) {
        static final ChunkResult DONE = new ChunkResult(List.of(), null);
    }

    /** Sends one chunk until DynamoDB has processed all of it or the retries of unprocessed items run out. */
    private ChunkResult writeChunk(List<WriteRequest> chunk) {
        List<WriteRequest> pending = chunk;
        for (int attempt = 1; ; attempt++) {
            List<WriteRequest> sent = pending;
            try {
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(Map.of(location.table(), sent)));
                pending = response.unprocessedItems().getOrDefault(location.table(), List.of());
                if (pending.isEmpty()) {
                    return ChunkResult.DONE;
                }
                LOG.debug("{}: {} of {} items unprocessed (attempt {})", location, pending.size(), sent.size(), attempt);
                if (attempt >= retrier.maxAttempts()) {
                    return new ChunkResult(keysOf(pending), null);
                }
            } catch (SdkException e) {
                // the client's retry strategy has already retried the request itself
                return new ChunkResult(keysOf(sent), Failures.wrap("BatchWriteItem of " + sent.size() + " items", e));
            } catch (RuntimeException e) {
                return new ChunkResult(keysOf(sent), e); // whatever a decorated client throws: keep the exact keys
            }
            try {
                retrier.pauseBeforeRetry(attempt);
            } catch (DynamoDbDownException interrupted) {
                return new ChunkResult(keysOf(pending), interrupted);
            }
        }
    }

    private List<byte[]> keysOf(List<WriteRequest> requests) {
        List<byte[]> keys = new ArrayList<>(requests.size());
        for (WriteRequest request : requests) {
            keys.add(layout.keyOf(request.putRequest() != null ? request.putRequest().item() : request.deleteRequest().key()));
        }
        return keys;
    }
}
