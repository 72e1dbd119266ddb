package io.dynamodbdown.camel;

/** What a consumer follows. */
public enum DynamoDbDownConsumerMode {
    /** The range in key order, and keys added beyond (or shortly behind) the last one: an append-only keyspace. */
    tail,
    /**
     * Every put, overwrite and delete in the range, from the table's change stream, in order for each key:
     * what a copy of a changing database needs.
     */
    changes
}
