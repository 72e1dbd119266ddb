package io.dynamodbdown.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A real DynamoDB client with answers a real server will not give on demand: unprocessed batch items and
 * keys, and cancelled transactions. Everything else goes to the real server, so what does get written is
 * real. Each knob counts down: {@code unprocessedWrites(3)} makes the next three BatchWriteItem calls write
 * only the first half of their items and hand the rest back as UnprocessedItems. These are successful
 * responses, which no retry strategy retries; failed requests (throttling, server errors, no connection)
 * belong below the SDK's retries, in {@link FaultInjectingHttpClient}.
 */
public final class FaultInjectingClient implements DynamoDbClient {

    private final DynamoDbClient real;
    private final AtomicInteger unprocessedWrites = new AtomicInteger();
    private final AtomicInteger unprocessedGets = new AtomicInteger();
    private final AtomicInteger cancelledTransactions = new AtomicInteger();
    private final AtomicInteger conflictingTransactions = new AtomicInteger();
    private final AtomicInteger refusedBatchWrites = new AtomicInteger();
    private final AtomicInteger acceptedPerBatchWrite = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger batchWriteCalls = new AtomicInteger();
    private final AtomicInteger batchGetCalls = new AtomicInteger();

    public FaultInjectingClient(DynamoDbClient real) {
        this.real = real;
    }

    /** The next {@code calls} BatchWriteItem calls leave half their items unprocessed. */
    public FaultInjectingClient unprocessedWrites(int calls) {
        unprocessedWrites.set(calls);
        return this;
    }

    /**
     * From now on every BatchWriteItem call writes at most its first {@code items} items and hands the rest back
     * as UnprocessedItems, as a partition key at its limit does: 0 is a key that accepts nothing,
     * {@code Integer.MAX_VALUE} (the default) no limit.
     */
    public FaultInjectingClient acceptAtMost(int items) {
        acceptedPerBatchWrite.set(items);
        return this;
    }

    /** The next {@code calls} BatchGetItem calls leave half their keys unprocessed. */
    public FaultInjectingClient unprocessedGets(int calls) {
        unprocessedGets.set(calls);
        return this;
    }

    /**
     * The next {@code calls} TransactWriteItems calls get a condition on their last item that never holds,
     * so the real server cancels the whole transaction after seeing every item.
     */
    public FaultInjectingClient cancelTransactions(int calls) {
        cancelledTransactions.set(calls);
        return this;
    }

    /**
     * The next {@code calls} TransactWriteItems calls are cancelled because of a concurrent transaction (reason
     * TransactionConflict), as DynamoDB answers when two transactions touch one item at once; nothing is written.
     */
    public FaultInjectingClient conflictingTransactions(int calls) {
        conflictingTransactions.set(calls);
        return this;
    }

    /** The next {@code calls} BatchWriteItem calls are refused with a ValidationException (an error that repeats). */
    public FaultInjectingClient refuseBatchWrites(int calls) {
        refusedBatchWrites.set(calls);
        return this;
    }

    public int batchWriteCalls() {
        return batchWriteCalls.get();
    }

    public int batchGetCalls() {
        return batchGetCalls.get();
    }

    /** Uses up one fault of a knob: true while the knob still had some. */
    private static boolean takeOne(AtomicInteger knob) {
        return knob.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    @Override
    public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
        batchWriteCalls.incrementAndGet();
        if (takeOne(refusedBatchWrites)) {
            throw DynamoDbException.builder().statusCode(400).message("One or more parameter values were invalid (injected)")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build()).build();
        }
        Map.Entry<String, List<WriteRequest>> table = request.requestItems().entrySet().iterator().next();
        List<WriteRequest> all = table.getValue();
        boolean half = takeOne(unprocessedWrites);
        int limit = acceptedPerBatchWrite.get();
        if (!half && limit >= all.size()) {
            return real.batchWriteItem(request);
        }
        int written = Math.min(limit, half ? all.size() / 2 : all.size());
        if (written > 0) {
            real.batchWriteItem(b -> b.requestItems(Map.of(table.getKey(), all.subList(0, written))));
        }
        return BatchWriteItemResponse.builder()
                .unprocessedItems(Map.of(table.getKey(), new ArrayList<>(all.subList(written, all.size()))))
                .build();
    }

    @Override
    public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
        batchGetCalls.incrementAndGet();
        if (!takeOne(unprocessedGets)) {
            return real.batchGetItem(request);
        }
        Map.Entry<String, KeysAndAttributes> table = request.requestItems().entrySet().iterator().next();
        List<Map<String, AttributeValue>> keys = table.getValue().keys();
        int asked = keys.size() / 2;
        BatchGetItemResponse.Builder response = BatchGetItemResponse.builder()
                .unprocessedKeys(Map.of(table.getKey(),
                        table.getValue().toBuilder().keys(keys.subList(asked, keys.size())).build()));
        if (asked > 0) {
            BatchGetItemResponse part = real.batchGetItem(b -> b.requestItems(
                    Map.of(table.getKey(), table.getValue().toBuilder().keys(keys.subList(0, asked)).build())));
            response.responses(part.responses());
        }
        return response.build();
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return real.getItem(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return real.putItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        return real.deleteItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        return real.query(request);
    }

    @Override
    public ScanResponse scan(ScanRequest request) {
        return real.scan(request);
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        if (takeOne(conflictingTransactions)) {
            throw TransactionCanceledException.builder().statusCode(400)
                    .message("Transaction cancelled, please refer cancellation reasons for specific reasons (injected)")
                    .cancellationReasons(CancellationReason.builder().code("None").build(),
                            CancellationReason.builder().code("TransactionConflict").build())
                    .build();
        }
        if (!takeOne(cancelledTransactions)) {
            return real.transactWriteItems(request);
        }
        List<TransactWriteItem> items = new ArrayList<>(request.transactItems());
        TransactWriteItem last = items.remove(items.size() - 1);
        items.add(last.toBuilder().put(last.put().toBuilder()
                .conditionExpression("attribute_exists(#never)")
                .expressionAttributeNames(Map.of("#never", "injected-never-present")).build()).build());
        return real.transactWriteItems(request.toBuilder().transactItems(items).build());
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        return real.describeTable(request);
    }

    @Override
    public CreateTableResponse createTable(CreateTableRequest request) {
        return real.createTable(request);
    }

    @Override
    public DeleteTableResponse deleteTable(DeleteTableRequest request) {
        return real.deleteTable(request);
    }

    @Override
    public String serviceName() {
        return real.serviceName();
    }

    @Override
    public void close() {
        // the real client belongs to whoever made it
    }
}
