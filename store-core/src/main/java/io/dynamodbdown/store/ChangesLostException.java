package io.dynamodbdown.store;

/**
 * The change stream no longer holds everything after a checkpoint: it is older than the stream keeps records
 * (24 hours), a shard it was reading is gone, or the table's stream was replaced. Changes were lost to the
 * reader; only a new snapshot of the database brings a copy up to date again.
 */
public class ChangesLostException extends DynamoDbDownException {

    /**
     * Lost changes; never retryable, since reading again cannot bring them back.
     *
     * @param message which checkpoint could not be continued, and why
     * @param cause DynamoDB Streams' exception behind it (e.g. a trimmed shard's), or null
     */
    public ChangesLostException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
