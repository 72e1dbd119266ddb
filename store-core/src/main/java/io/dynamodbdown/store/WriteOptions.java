package io.dynamodbdown.store;

/**
 * How a batch is written.
 *
 * @param atomic all-or-nothing through one DynamoDB transaction (at most
 *     {@value #MAX_ATOMIC_OPERATIONS} distinct keys); otherwise the batch is split into
 *     BatchWriteItem calls sent concurrently, and a failure names the keys not written.
 * @param generation null (none), or the generation every entry the batch puts carries: what
 *     {@link Database#clearOlderGenerations} compares. To replace what a range holds without a moment where it
 *     holds too little, write its new content in a generation higher than any before, then clear the older ones.
 */
public record WriteOptions(boolean atomic, Generation generation) {

    /** DynamoDB's limit for the items in one TransactWriteItems call. */
    public static final int MAX_ATOMIC_OPERATIONS = 100;

    /** Non-atomic: BatchWriteItem calls of 25 items sent concurrently, of any batch size. */
    public static final WriteOptions DEFAULT = new WriteOptions(false);
    /** All or nothing: one DynamoDB transaction of at most {@value #MAX_ATOMIC_OPERATIONS} keys and 4 MB. */
    public static final WriteOptions ATOMIC = new WriteOptions(true);

    /**
     * Options without a generation.
     *
     * @param atomic all or nothing
     */
    public WriteOptions(boolean atomic) {
        this(atomic, null);
    }

    /**
     * {@return the same options, writing entries in {@code generation}}
     *
     * @param generation the generation the entries carry; null for none
     */
    public WriteOptions withGeneration(Generation generation) {
        return new WriteOptions(atomic, generation);
    }
}
