package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

/**
 * Turns what the SDK throws into the store's {@link DynamoDbDownException}: what was being done, DynamoDB's
 * reason, and whether trying again later may help. Requests are sent once from here: retrying a failed
 * request is the client's retry strategy's job, so the store never stacks a second layer on top of it.
 *
 * <p>The one place that reads DynamoDB's error codes: what is worth trying again, what a cancelled transaction
 * says, and which failures the clients {@link DynamoDbClients} builds send a request again for.
 */
final class Failures {

    private Failures() {
    }

    /** Sends one request; an SDK failure comes out as a {@link DynamoDbDownException} saying {@code what} failed. */
    static <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw wrap(what, e);
        }
    }

    static DynamoDbDownException wrap(String what, SdkException e) {
        return new DynamoDbDownException(what + " failed: " + e.getMessage(), e, isTransient(e));
    }

    /**
     * Whether the same request may succeed later, once the client's own retries are spent: throttling, a
     * server error, a transaction cancelled by throttling or a conflict (or still in progress), a timeout, or no answer at all (the
     * endpoint unreachable). Missing credentials or region, access denied and validation errors repeat until
     * someone changes the configuration, so they are not transient; nor is a host that does not resolve (a
     * mistyped region or endpoint) or a TLS failure (https against a plain endpoint).
     */
    static boolean isTransient(Throwable e) {
        if (e instanceof TransactionCanceledException cancelled) {
            return isTransientCancellation(cancelled);
        }
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500 || isStreamsLimitExceeded(e)
                    || e instanceof ProvisionedThroughputExceededException || e instanceof RequestLimitExceededException
                    || e instanceof TransactionConflictException || e instanceof TransactionInProgressException;
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        if (e instanceof SdkClientException) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof UnknownHostException || cause instanceof SSLException) {
                    return false; // a wrong region or endpoint, or https against a plain server: fix the configuration
                }
                if (cause instanceof IOException || cause instanceof UncheckedIOException) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * DynamoDB Streams' throttling answer (too many GetRecords or DescribeStream calls on a shard or stream),
     * which the SDK's standard retry conditions do not count as throttling.
     *
     * @param e a failure of a request
     * @return true when {@code e} is DynamoDB Streams' {@code LimitExceededException}
     */
    static boolean isStreamsLimitExceeded(Throwable e) {
        return e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && "LimitExceededException".equals(service.awsErrorDetails().errorCode());
    }

    /**
     * Which item of a cancelled transaction failed its condition: its index, or -1 when {@code e} is no transaction
     * cancelled by a failed condition.
     */
    static int failedConditionIndex(DynamoDbDownException e) {
        if (e.getCause() instanceof TransactionCanceledException cancelled && cancelled.hasCancellationReasons()) {
            for (int i = 0; i < cancelled.cancellationReasons().size(); i++) {
                if ("ConditionalCheckFailed".equals(cancelled.cancellationReasons().get(i).code())) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** A transaction DynamoDB cancelled because of throttling or a concurrent transaction: worth sending again. */
    static boolean isTransientCancellation(TransactionCanceledException cancelled) {
        return hasCancellationReason(cancelled, "ThrottlingError") || hasCancellationReason(cancelled, "TransactionConflict");
    }

    /** A transaction DynamoDB cancelled because a partition it writes was over its throughput. */
    static boolean isThrottlingCancellation(TransactionCanceledException cancelled) {
        return hasCancellationReason(cancelled, "ThrottlingError");
    }

    private static boolean hasCancellationReason(TransactionCanceledException cancelled, String code) {
        return cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream().anyMatch(r -> code.equals(r.code()));
    }
}
