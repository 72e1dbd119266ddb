package io.dynamodbdown.it.bench;

import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;

/**
 * Counts the DynamoDB Streams requests (GetRecords, GetShardIterator, DescribeStream) sent from the benchmark's
 * JVM, whoever sends them: registered as a global SDK interceptor as {@link CapacityMeter} is, so it sees the
 * clients a connector builds inside the embedded worker. Each attempt counts, retries included. A row reads it
 * around one trial at a time: trials of a row run one after another, never at once.
 */
public final class StreamRequestMeter implements ExecutionInterceptor {

    private static final LongAdder GET_RECORDS = new LongAdder();
    private static final LongAdder GET_SHARD_ITERATOR = new LongAdder();
    private static final LongAdder DESCRIBE_STREAM = new LongAdder();

    /** The requests counted so far, by operation. */
    record Count(long getRecords, long getShardIterator, long describeStream) {

        long total() {
            return getRecords + getShardIterator + describeStream;
        }

        Count since(Count before) {
            return new Count(getRecords - before.getRecords, getShardIterator - before.getShardIterator,
                    describeStream - before.describeStream);
        }
    }

    static Count now() {
        return new Count(GET_RECORDS.sum(), GET_SHARD_ITERATOR.sum(), DESCRIBE_STREAM.sum());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (context.request() instanceof GetRecordsRequest) {
            GET_RECORDS.increment();
        } else if (context.request() instanceof GetShardIteratorRequest) {
            GET_SHARD_ITERATOR.increment();
        } else if (context.request() instanceof DescribeStreamRequest) {
            DESCRIBE_STREAM.increment();
        }
    }
}
