package io.dynamodbdown.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a database lives: a DynamoDB table and the hash key that names the database inside it.
 *
 * <p>The string form is the one LevelDOWN users know, {@code table$hash}: split at the first
 * {@code $}; without a {@code $} the hash key is {@value #DEFAULT_HASH_KEY}. Several databases can
 * share one table under different hash keys.
 *
 * @param table the DynamoDB table: 3 to 255 characters of {@code A-Z a-z 0-9 _ - .}
 * @param hashKey the database's partition key value in that table: not empty, at most 2048 bytes in UTF-8
 */
public record Location(String table, String hashKey) {

    /** The hash key used when a location names only a table, as in the JavaScript original. */
    public static final String DEFAULT_HASH_KEY = "!";

    /**
     * Hash keys starting with this belong to the store and its adapters, not to users' databases: the shards of
     * sharded databases and their recorded counts, the chunks of large values and their registries, and the
     * adapters' own records (positions, snapshot ends). A whole-table scan leaves them out (a shard's entries
     * come out as its database's).
     */
    public static final String RESERVED_PREFIX = "__dynamodbdown.";

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    /** DynamoDB's limit for a partition key value. */
    static final int MAX_HASH_KEY_BYTES = 2048;

    /**
     * Checks the table name and hash key against DynamoDB's rules.
     *
     * @param table 3 to 255 characters of {@code A-Z a-z 0-9 _ - .}
     * @param hashKey not empty, at most 2048 bytes in UTF-8
     * @throws NullPointerException when {@code table} or {@code hashKey} is null
     * @throws IllegalArgumentException when the table name is invalid or the hash key empty or too long
     */
    public Location {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(hashKey, "hashKey");
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("Invalid table name '" + table + "': DynamoDB table names are 3 to 255"
                    + " characters of A-Z, a-z, 0-9, '_', '-' and '.' (got " + table.length() + " characters)");
        }
        if (hashKey.isEmpty()) {
            throw new IllegalArgumentException("Invalid hash key for table '" + table
                    + "': the hash key must not be empty (leave out '$' to use the default '" + DEFAULT_HASH_KEY + "')");
        }
        int hashBytes = Bytes.utf8(hashKey).length;
        if (hashBytes > MAX_HASH_KEY_BYTES) {
            throw new IllegalArgumentException("Invalid hash key for table '" + table + "': it is " + hashBytes
                    + " bytes in UTF-8, DynamoDB allows at most " + MAX_HASH_KEY_BYTES);
        }
    }

    /**
     * {@return the location {@code table$hash} names: split at the first {@code $}; without one the hash key is
     * {@value #DEFAULT_HASH_KEY}}
     *
     * @param location e.g. {@code orders$eu}, or {@code orders}
     * @throws IllegalArgumentException when the table name is invalid or the hash key after {@code $} is empty
     */
    public static Location parse(String location) {
        Objects.requireNonNull(location, "location");
        int dollar = location.indexOf('$');
        return dollar < 0
                ? new Location(location, DEFAULT_HASH_KEY)
                : new Location(location.substring(0, dollar), location.substring(dollar + 1));
    }

    /**
     * {@return a database in the same table under another hash key}
     *
     * @param otherHashKey the other database's hash key
     */
    public Location withHashKey(String otherHashKey) {
        return new Location(table, otherHashKey);
    }

    /** {@return whether the hash key is one of the store's own ({@link #RESERVED_PREFIX}), not a user's database} */
    public boolean isReserved() {
        return hashKey.startsWith(RESERVED_PREFIX);
    }

    @Override
    public String toString() {
        return table + "$" + hashKey;
    }
}
