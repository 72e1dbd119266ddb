package io.dynamodbdown.store;

import java.util.Locale;

/**
 * How a table stores entries: this library's own layout, or one of the JavaScript DynamoDbDown family's,
 * so that their existing tables are read and written as they are.
 *
 * <table>
 * <caption>Layouts</caption>
 * <tr><th>layout</th><th>hash key</th><th>range key</th><th>value</th></tr>
 * <tr><td>native</td><td>db (S)</td><td>key (B)</td><td>value (B)</td></tr>
 * <tr><td>dynamodbdown (npm 2.x)</td><td>hkey (S)</td><td>rkey (S)</td><td>value (S, B or NULL)</td></tr>
 * <tr><td>dynamodb-leveldown (3.x)</td><td>hash (S)</td><td>range (S)</td><td>data (S, B or NULL; markers)</td></tr>
 * <tr><td>dynamodb-leveldown-legacy</td><td>---hash (S)</td><td>---range (S)</td><td>---data (as 3.x)</td></tr>
 * </table>
 */
public enum Layout {
    /** Detect an existing table's layout from its key schema; a new table gets {@link #NATIVE}. */
    AUTO("auto"),
    NATIVE("native"),
    DYNAMODBDOWN("dynamodbdown"),
    DYNAMODB_LEVELDOWN("dynamodb-leveldown"),
    DYNAMODB_LEVELDOWN_LEGACY("dynamodb-leveldown-legacy");

    private final String id;

    Layout(String id) {
        this.id = id;
    }

    /** The name used in URIs and configs, e.g. {@code dynamodb-leveldown}. */
    public String id() {
        return id;
    }

    public static Layout parse(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (Layout layout : values()) {
            if (layout.id.equals(wanted)) {
                return layout;
            }
        }
        throw new IllegalArgumentException("Unknown layout '" + id
                + "': use auto, native, dynamodbdown, dynamodb-leveldown or dynamodb-leveldown-legacy");
    }

    @Override
    public String toString() {
        return id;
    }
}
