package io.dynamodbdown.camel;

import org.apache.camel.spi.Metadata;

/** Message headers of the dynamodbdown component. */
public final class DynamoDbDownConstants {

    /** Header: the operation to perform (a {@link DynamoDbDownOperations} name), overriding the endpoint option op. */
    @Metadata(description = "The operation to perform, overriding the endpoint option op: put, get, del, batch,"
            + " getMany, has, range or clear.", javaType = "String")
    public static final String OPERATION = "CamelDynamoDbDownOperation";

    /** Header: the key, a String (its UTF-8 bytes) or a byte[]; the consumer sets it to each entry's key as byte[]. */
    @Metadata(description = "The key: a String (its UTF-8 bytes) or a byte[]. The consumer sets it to the key"
            + " of each entry as byte[].", javaType = "Object")
    public static final String KEY = "CamelDynamoDbDownKey";

    /** Header set by a consumer in mode=changes: put (the body is the new value) or delete (the body is null). */
    @Metadata(label = "consumer", description = "Set by a consumer in mode=changes: put (the body is the new value)"
            + " or delete (the body is null).", javaType = "String")
    public static final String CHANGE = "CamelDynamoDbDownChange";

    /** Header set by get: whether the key was found (Boolean). */
    @Metadata(label = "producer", description = "Set by get: whether the key was found.", javaType = "Boolean")
    public static final String FOUND = "CamelDynamoDbDownFound";

    /** Header: true makes a batch all-or-nothing (at most 100 keys), overriding the endpoint option atomic. */
    @Metadata(label = "producer", description = "true makes a batch all-or-nothing (at most 100 keys).",
            javaType = "Boolean")
    public static final String ATOMIC = "CamelDynamoDbDownAtomic";

    /** Header: the range's exclusive lower bound, a byte[] or a String read with keyEncoding. */
    @Metadata(label = "producer", description = "Range lower bound, exclusive: byte[], or a String read with"
            + " keyEncoding.", javaType = "Object")
    public static final String GT = "CamelDynamoDbDownGt";

    /** Header: the range's inclusive lower bound, a byte[] or a String read with keyEncoding. */
    @Metadata(label = "producer", description = "Range lower bound, inclusive: byte[], or a String read with"
            + " keyEncoding.", javaType = "Object")
    public static final String GTE = "CamelDynamoDbDownGte";

    /** Header: the range's exclusive upper bound, a byte[] or a String read with keyEncoding. */
    @Metadata(label = "producer", description = "Range upper bound, exclusive: byte[], or a String read with"
            + " keyEncoding.", javaType = "Object")
    public static final String LT = "CamelDynamoDbDownLt";

    /** Header: the range's inclusive upper bound, a byte[] or a String read with keyEncoding. */
    @Metadata(label = "producer", description = "Range upper bound, inclusive: byte[], or a String read with"
            + " keyEncoding.", javaType = "Object")
    public static final String LTE = "CamelDynamoDbDownLte";

    /** Header: whether the range is read backwards (Boolean), overriding the endpoint option reverse. */
    @Metadata(label = "producer", description = "Whether the range is read backwards.", javaType = "Boolean")
    public static final String REVERSE = "CamelDynamoDbDownReverse";

    /** Header: at most this many entries of the range (Integer); negative for no limit. */
    @Metadata(label = "producer", description = "At most this many entries of the range; negative for no limit.",
            javaType = "Integer")
    public static final String LIMIT = "CamelDynamoDbDownLimit";

    private DynamoDbDownConstants() {
    }
}
