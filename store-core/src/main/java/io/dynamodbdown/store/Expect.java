package io.dynamodbdown.store;

import java.util.Objects;

/**
 * What a conditional write ({@link Database#writeIf}) expects of a key at the moment it is written: DynamoDB
 * checks it and writes in one step, so no other writer can come in between.
 */
public sealed interface Expect permits Expect.Absent, Expect.Present, Expect.Value, Expect.ValuePrefix {

    /** {@return an expectation that the key has no entry} */
    static Expect absent() {
        return Absent.INSTANCE;
    }

    /** {@return an expectation that the key has an entry, whatever its value} */
    static Expect present() {
        return Present.INSTANCE;
    }

    /**
     * {@return an expectation that the key's value is exactly these bytes (a missing key does not match)}
     *
     * @param value the expected value (copied)
     */
    static Expect value(byte[] value) {
        return new Value(value.clone());
    }

    /**
     * {@return an expectation that the key's value starts with these bytes (a version stamp in front of the data,
     * say); a missing key does not match}
     *
     * @param prefix the expected first bytes (copied), not empty
     * @throws IllegalArgumentException when {@code prefix} is empty: use {@link #present()}
     */
    static Expect valueStartingWith(byte[] prefix) {
        if (prefix.length == 0) {
            throw new IllegalArgumentException("An empty prefix expects nothing: use Expect.present()");
        }
        return new ValuePrefix(prefix.clone());
    }

    /** See {@link #absent()}. */
    enum Absent implements Expect {
        /** The one instance. */
        INSTANCE
    }

    /** See {@link #present()}. */
    enum Present implements Expect {
        /** The one instance. */
        INSTANCE
    }

    /**
     * See {@link #value(byte[])}.
     *
     * @param value the expected value (not copied)
     */
    record Value(byte[] value) implements Expect {
        /**
         * Checks that the value is not null.
         *
         * @param value the expected value; not null
         * @throws NullPointerException when {@code value} is null
         */
        public Value {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "value " + Bytes.describe(value);
        }
    }

    /**
     * See {@link #valueStartingWith(byte[])}.
     *
     * @param prefix the expected first bytes (not copied)
     */
    record ValuePrefix(byte[] prefix) implements Expect {
        /**
         * Checks that the prefix is not null.
         *
         * @param prefix the expected first bytes; not null
         * @throws NullPointerException when {@code prefix} is null
         */
        public ValuePrefix {
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public String toString() {
            return "value starting with " + Bytes.describe(prefix);
        }
    }
}
