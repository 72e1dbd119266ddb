package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.Generation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A condition expression with the names and values it uses; the conditions the store's conditional writes send
 * are all built here, and {@link #matches} checks an expectation on a value read, where no condition can name it.
 *
 * @param expression the condition expression, attributes named through placeholders ({@link TableLayout#RANGE}, ...)
 * @param names the attribute each placeholder stands for
 * @param values the values the expression compares with; empty for none
 */
record Condition(String expression, Map<String, String> names, Map<String, AttributeValue> values) {

    /** The condition for {@code expect}, naming every way {@code layout} may have stored the value it expects. */
    static Condition expecting(TableLayout layout, Expect expect) {
        Map<String, String> names = new HashMap<>(Map.of(TableLayout.RANGE, layout.rangeAttribute()));
        Map<String, AttributeValue> values = new HashMap<>();
        String expression;
        if (expect instanceof Expect.Absent) {
            expression = "attribute_not_exists(" + TableLayout.RANGE + ")";
        } else if (expect instanceof Expect.Present) {
            expression = "attribute_exists(" + TableLayout.RANGE + ")";
        } else {
            names.put(TableLayout.VALUE, layout.valueAttribute());
            List<String> alternatives = new ArrayList<>();
            if (expect instanceof Expect.ValuePrefix prefix) {
                for (AttributeValue stored : layout.storedForms(prefix.prefix())) {
                    values.put(":p" + values.size(), stored);
                    alternatives.add("begins_with(" + TableLayout.VALUE + ", :p" + (values.size() - 1) + ")");
                }
            } else {
                byte[] value = ((Expect.Value) expect).value();
                for (AttributeValue stored : layout.storedForms(value)) {
                    values.put(":v" + values.size(), stored);
                    alternatives.add(TableLayout.VALUE + " = :v" + (values.size() - 1));
                }
                if (value.length == 0) {
                    values.put(":null", AttributeValue.fromS("NULL"));
                    alternatives.add("attribute_type(" + TableLayout.VALUE + ", :null)");
                    // no value attribute is the empty value, unless the item refers to a large value in chunks
                    names.put(TableLayout.LARGE, LargeValues.VERSION);
                    alternatives.add("(attribute_not_exists(" + TableLayout.VALUE + ") AND attribute_not_exists("
                            + TableLayout.LARGE + "))");
                }
            }
            expression = "attribute_exists(" + TableLayout.RANGE + ") AND (" + String.join(" OR ", alternatives) + ")";
        }
        return new Condition(expression, names, values);
    }

    /**
     * A condition that holds while the key is stored as {@code current} holds it (null: absent). Not {@code exact}:
     * only that it refers to the same large value, or to none.
     */
    static Condition storedAs(TableLayout layout, Map<String, AttributeValue> current, boolean exact) {
        LargeValues.Reference reference = LargeValues.referenceOf(current);
        if (reference != null) {
            return new Condition(TableLayout.LARGE + " = :stored", Map.of(TableLayout.LARGE, LargeValues.VERSION),
                    Map.of(":stored", AttributeValue.fromS(reference.version())));
        }
        if (!exact) {
            return new Condition("attribute_not_exists(" + TableLayout.LARGE + ")", Map.of(TableLayout.LARGE, LargeValues.VERSION),
                    Map.of());
        }
        if (current == null) {
            return new Condition("attribute_not_exists(" + TableLayout.RANGE + ")", Map.of(TableLayout.RANGE, layout.rangeAttribute()),
                    Map.of());
        }
        AttributeValue value = current.get(layout.valueAttribute());
        if (value == null) {
            return new Condition("attribute_exists(" + TableLayout.RANGE + ") AND attribute_not_exists(" + TableLayout.VALUE
                    + ") AND attribute_not_exists(" + TableLayout.LARGE + ")", Map.of(TableLayout.RANGE, layout.rangeAttribute(),
                            TableLayout.VALUE, layout.valueAttribute(), TableLayout.LARGE, LargeValues.VERSION), Map.of());
        }
        return new Condition(TableLayout.VALUE + " = :stored", Map.of(TableLayout.VALUE, layout.valueAttribute()),
                Map.of(":stored", value));
    }

    /** A condition that holds while the entry is of an older generation of the same origin as {@code generation}. */
    static Condition olderGeneration(Generation generation) {
        return new Condition(TableLayout.GENERATION_ORIGIN + " = :o AND " + TableLayout.GENERATION + " < :g",
                Map.of(TableLayout.GENERATION, TableLayout.GENERATION_ATTRIBUTE,
                        TableLayout.GENERATION_ORIGIN, TableLayout.GENERATION_ORIGIN_ATTRIBUTE),
                Map.of(":g", AttributeValue.fromN(Long.toString(generation.number())), ":o", AttributeValue.fromS(generation.origin())));
    }

    /** Whether {@code value} (null: absent) meets {@code expect}: what its condition checks, checked on a value read. */
    static boolean matches(Expect expect, byte[] value) {
        if (expect instanceof Expect.Absent) {
            return value == null;
        }
        if (value == null) {
            return false;
        }
        if (expect instanceof Expect.Value expected) {
            return Arrays.equals(expected.value(), value);
        }
        if (expect instanceof Expect.ValuePrefix prefix) {
            return value.length >= prefix.prefix().length
                    && Arrays.equals(prefix.prefix(), 0, prefix.prefix().length, value, 0, prefix.prefix().length);
        }
        return true;
    }

    /** The values for a request: null for none, as DynamoDB refuses an empty map. */
    Map<String, AttributeValue> valuesOrNull() {
        return values.isEmpty() ? null : values;
    }
}
