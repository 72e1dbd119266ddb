package io.dynamodbdown.kafka.connect;

/**
 * The headers the source connector puts on its records, and the sink reads. A consumer of the topic other than
 * the sink needs only {@link #CHANGE}: it skips records whose value there is {@link #SNAPSHOT_END} (markers, with an
 * empty key and no value) and reads the rest as entries (a {@link #DELETE} is a tombstone).
 */
public final class DynamoDbDownHeaders {

    /**
     * What a record is, in changes mode: {@value #PUT}, {@value #DELETE} or {@value #SNAPSHOT_END}. Snapshot and tail
     * mode records have none: they are all entries.
     */
    public static final String CHANGE = "dynamodbdown.change";
    /** {@value #CHANGE} of a record carrying an entry's value: a put, or an entry a snapshot read. */
    public static final String PUT = "put";
    /** {@value #CHANGE} of a record for a delete: a tombstone (null value). */
    public static final String DELETE = "delete";
    /**
     * {@value #CHANGE} of a marker the source sends to every partition of the topic it has seen records in, once
     * every record of a snapshot of a database's range is in the topic: the sink then deletes from its copy of that
     * range what the snapshot did not send, among the entries it wrote in older generations (keys deleted while
     * the source could not follow the table, before a new snapshot). Its key is empty and its value null. A snapshot of
     * a whole table ({@code hash.key=*}) ends with markers whose {@value #HASH_KEY} is {@value #ALL_DATABASES}, to
     * every partition of every topic its records went to: the sink then deletes those entries from every database
     * of its target table, databases the source no longer holds included.
     */
    public static final String SNAPSHOT_END = "snapshot-end";
    /** {@value #HASH_KEY} of a record about every database of the table: a whole table's snapshot-end markers, heartbeats. */
    public static final String ALL_DATABASES = "*";
    /** The database (hash key) a record is of, on every record the source sends, heartbeats included. */
    public static final String HASH_KEY = "dynamodbdown.hash.key";
    /**
     * The table a record's database is in, on every record the source sends: with {@value #HASH_KEY}, the origin the
     * sink writes a generation's entries for, so that a copy fed by several databases tells them apart.
     */
    public static final String TABLE = "dynamodbdown.table";
    /**
     * Changes mode: the generation of a record, a number that grows with each snapshot of a database's range (the
     * time it began, in epoch milliseconds); the records of a snapshot and the changes after it share it. The sink
     * writes entries in it ({@code WriteOptions.withGeneration}).
     */
    public static final String GENERATION = "dynamodbdown.generation";
    /** On a {@value #SNAPSHOT_END} marker: the range the snapshot read, as the source partition names it. */
    public static final String RANGE = "dynamodbdown.range";
    /**
     * On a {@value #SNAPSHOT_END} marker: how many markers of the snapshot went out: a database's to that many
     * partitions of its topic (0 up to it), a whole table's to every partition of each topic its records were seen in.
     */
    public static final String PARTITIONS = "dynamodbdown.partitions";

    private DynamoDbDownHeaders() {
    }
}
