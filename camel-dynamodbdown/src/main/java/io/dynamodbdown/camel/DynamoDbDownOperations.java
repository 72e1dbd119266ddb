package io.dynamodbdown.camel;

/** What a producer does with a message. */
public enum DynamoDbDownOperations {
    /** Stores the body as the value of the key. */
    put,
    /** Sets the body to the key's value (byte[]), or null with header CamelDynamoDbDownFound=false. */
    get,
    /** Deletes the key. */
    del,
    /** Writes a Map or a List of Map.Entry: a null value deletes the key. */
    batch,
    /** Reads a List of keys into a List of values in the same order, null for missing keys. */
    getMany,
    /** Sets the body to a Boolean: whether the key exists. */
    has,
    /** Sets the body to the range's entries (or an Iterator with streamResult=true). */
    range,
    /** Deletes the range; the body becomes the number of keys deleted. */
    clear
}
