package io.dynamodbdown.store;

/**
 * How a batch is written.
 *
 * @param atomic all-or-nothing through one DynamoDB transaction (at most
 *     {@value #MAX_ATOMIC_OPERATIONS} distinct keys); otherwise the batch is split into
 *     BatchWriteItem calls sent concurrently, and a failure names the keys not written.
 */
public record WriteOptions(boolean atomic) {

    /** DynamoDB's limit for the items in one TransactWriteItems call. */
    public static final int MAX_ATOMIC_OPERATIONS = 100;

    /** Non-atomic: BatchWriteItem calls of 25 items sent concurrently, of any batch size. */
    public static final WriteOptions DEFAULT = new WriteOptions(false);
    /** All or nothing: one DynamoDB transaction of at most {@value #MAX_ATOMIC_OPERATIONS} keys and 4 MB. */
    public static final WriteOptions ATOMIC = new WriteOptions(true);
}
