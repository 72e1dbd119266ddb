package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.DynamoDbDownException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/** Which failures are worth trying again later (the sink redelivers), and which need the configuration fixed. */
class FailuresTest {

    @Test
    void throttlingServerErrorsTimeoutsAndNoConnectionAreTransient() {
        assertTrue(Failures.isTransient(ProvisionedThroughputExceededException.builder().statusCode(400).build()));
        assertTrue(Failures.isTransient(DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").build()).build()));
        assertTrue(Failures.isTransient(DynamoDbException.builder().statusCode(503).build()));
        assertTrue(Failures.isTransient(TransactionConflictException.builder().statusCode(400).build()));
        assertTrue(Failures.isTransient(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"))));
        assertTrue(Failures.isTransient(ApiCallTimeoutException.create(1000)));
        assertTrue(Failures.isTransient(ApiCallAttemptTimeoutException.create(1000)));
        assertTrue(Failures.isTransient(cancelled("ConditionalCheckFailed", "TransactionConflict")));
    }

    @Test
    void missingCredentialsOrRegionAndErrorsThatRepeatAreNot() {
        assertFalse(Failures.isTransient(SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain")));
        assertFalse(Failures.isTransient(SdkClientException.create("Unable to load region from any of the providers")));
        assertFalse(Failures.isTransient(ResourceNotFoundException.builder().statusCode(400).build()));
        assertFalse(Failures.isTransient(DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build()).build()));
        assertFalse(Failures.isTransient(cancelled("ConditionalCheckFailed", "None")));
        assertFalse(Failures.isTransient(SdkClientException.create("Received an UnknownHostException",
                new UnknownHostException("dynamodb.eu-west1.amazonaws.com"))), "a mistyped region or endpoint");
        assertFalse(Failures.isTransient(SdkClientException.create("Unable to execute HTTP request",
                new SSLException("Unsupported or unrecognized SSL message"))), "https against a plain endpoint");
    }

    @Test
    void theStreamsThrottlingAnswerIsRecognisedByItsCodeAlone() {
        DynamoDbException limitExceeded = (DynamoDbException) DynamoDbException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("LimitExceededException").build()).build();
        assertTrue(Failures.isStreamsLimitExceeded(limitExceeded));
        assertTrue(Failures.isTransient(limitExceeded), "the client retries it; the sink redelivers past that");
        assertFalse(Failures.isStreamsLimitExceeded(ProvisionedThroughputExceededException.builder().statusCode(400).build()));
    }

    @Test
    void aCancelledTransactionSaysWhichItemFailedItsCondition() {
        assertEquals(1, Failures.failedConditionIndex(new DynamoDbDownException("t", cancelled("None", "ConditionalCheckFailed"), false)));
        assertEquals(-1, Failures.failedConditionIndex(new DynamoDbDownException("t", cancelled("ThrottlingError"), true)));
        assertEquals(-1, Failures.failedConditionIndex(new DynamoDbDownException("t", null, false)));
    }

    private static TransactionCanceledException cancelled(String... codes) {
        return TransactionCanceledException.builder().statusCode(400)
                .cancellationReasons(List.of(codes).stream().map(c -> CancellationReason.builder().code(c).build()).toList())
                .build();
    }
}
