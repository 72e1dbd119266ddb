package io.dynamodbdown.testing;

/**
 * An error answer of {@link StreamSimulator}, with the HTTP status and exception name AWS's DynamoDB Streams API
 * reference gives for it (all of them 400 except InternalServerError), so the SDK throws what it would throw
 * against AWS.
 */
final class StreamsError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String type;

    StreamsError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    static StreamsError validation(String message) {
        return new StreamsError(400, "ValidationException", message);
    }

    static StreamsError notFound(String message) {
        return new StreamsError(400, "ResourceNotFoundException", message);
    }

    /** Throttling: too many calls a second on a shard (GetRecords) or stream (DescribeStream), or Limit over 1,000. */
    static StreamsError limitExceeded(String message) {
        return new StreamsError(400, "LimitExceededException", message);
    }

    static StreamsError expiredIterator(String message) {
        return new StreamsError(400, "ExpiredIteratorException", message);
    }
}
