package io.dynamodbdown.it.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * Counts the read capacity units DynamoDB reports for the Query requests against one table, whoever sends them:
 * registered as a global SDK interceptor in the benchmark's JVM only (src/bench/resources/software/amazon/awssdk/
 * global/handlers, on the classpath of the {@code bench} profile's run, not the tests'), so it sees the clients a
 * connector builds inside the embedded worker too. Does nothing until a table is watched.
 */
public final class CapacityMeter implements ExecutionInterceptor {

    private static volatile String watched;
    private static final DoubleAdder READ_UNITS = new DoubleAdder();
    private static final AtomicLong QUERIES = new AtomicLong();

    /** Starts counting (from zero) the Query requests against {@code table}. */
    static void watch(String table) {
        READ_UNITS.reset();
        QUERIES.set(0);
        watched = table;
    }

    static void stop() {
        watched = null;
    }

    static double readUnits() {
        return READ_UNITS.sum();
    }

    static long queries() {
        return QUERIES.get();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (context.request() instanceof QueryRequest query && query.tableName().equals(watched)) {
            return query.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        return context.request();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof QueryRequest query && query.tableName().equals(watched)
                && context.response() instanceof QueryResponse response && response.consumedCapacity() != null) {
            READ_UNITS.add(response.consumedCapacity().capacityUnits());
            QUERIES.incrementAndGet();
        }
    }
}
