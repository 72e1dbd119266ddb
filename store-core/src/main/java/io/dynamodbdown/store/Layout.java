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
    /** This library's own: {@code db} (S), {@code key} (B), {@code value} (B); keys of any bytes. */
    NATIVE("native"),
    /** The npm {@code dynamodbdown} 2.x tables: {@code hkey} (S), {@code rkey} (S), {@code value}. */
    DYNAMODBDOWN("dynamodbdown"),
    /** The npm {@code dynamodb-leveldown} 3.x tables: {@code hash} (S), {@code range} (S), {@code data}. */
    DYNAMODB_LEVELDOWN("dynamodb-leveldown"),
    /** Older {@code dynamodb-leveldown} tables: {@code ---hash}, {@code ---range}, {@code ---data}. */
    DYNAMODB_LEVELDOWN_LEGACY("dynamodb-leveldown-legacy");

    private final String id;

    Layout(String id) {
        this.id = id;
    }

    /** {@return the name used in URIs and configs, e.g. {@code dynamodb-leveldown}} */
    public String id() {
        return id;
    }

    /**
     * {@return the layout named {@code id}}
     *
     * @param id one of {@code auto}, {@code native}, {@code dynamodbdown}, {@code dynamodb-leveldown},
     *     {@code dynamodb-leveldown-legacy}, in any case, blanks around it ignored
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
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
