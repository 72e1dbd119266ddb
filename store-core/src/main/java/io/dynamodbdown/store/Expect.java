package io.dynamodbdown.store;

import java.util.Objects;

/**
 * What a conditional write ({@link Database#writeIf}) expects of a key at the moment it is written: DynamoDB
 * checks it and writes in one step, so no other writer can come in between.
 */
public sealed interface Expect permits Expect.Absent, Expect.Present, Expect.Value, Expect.ValuePrefix {

    /** The key has no entry. */
    static Expect absent() {
        return Absent.INSTANCE;
    }

    /** The key has an entry, whatever its value. */
    static Expect present() {
        return Present.INSTANCE;
    }

    /** The key's value is exactly these bytes. */
    static Expect value(byte[] value) {
        return new Value(value.clone());
    }

    /** The key's value starts with these bytes (a version stamp in front of the data, say). */
    static Expect valueStartingWith(byte[] prefix) {
        if (prefix.length == 0) {
            throw new IllegalArgumentException("An empty prefix expects nothing: use Expect.present()");
        }
        return new ValuePrefix(prefix.clone());
    }

    /** See {@link #absent()}. */
    enum Absent implements Expect {
        INSTANCE
    }

    /** See {@link #present()}. */
    enum Present implements Expect {
        INSTANCE
    }

    /** See {@link #value(byte[])}. */
    record Value(byte[] value) implements Expect {
        public Value {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "value " + Bytes.describe(value);
        }
    }

    /** See {@link #valueStartingWith(byte[])}. */
    record ValuePrefix(byte[] prefix) implements Expect {
        public ValuePrefix {
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public String toString() {
            return "value starting with " + Bytes.describe(prefix);
        }
    }
}
