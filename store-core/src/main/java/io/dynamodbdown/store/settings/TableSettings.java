package io.dynamodbdown.store.settings;

import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * How a database's table is found or created, as the adapters' options give it: mapped onto
 * {@link OpenOptions} once validated.
 *
 * @param createTable create the table when it does not exist
 * @param billingMode billing of a table this creates: PAY_PER_REQUEST or PROVISIONED
 * @param readCapacity read capacity units of a PROVISIONED table this creates; null when not given
 * @param writeCapacity write capacity units of a PROVISIONED table this creates; null when not given
 * @param layout how entries are stored; {@link Layout#AUTO} detects an existing table's layout
 * @param consistentRead strongly consistent reads
 * @param streamView the change stream of a table this creates (NEW_IMAGE or NEW_AND_OLD_IMAGES), null for none
 * @param enableStream give an existing table without a change stream one of {@code streamView}
 * @param maxValueSize the largest value a put accepts, in bytes (values past DynamoDB's 400 KB item limit are
 *     kept as chunks)
 * @param shards how many partition keys the database spreads over, 1 to {@value OpenOptions#MAX_SHARDS}; 0 for the
 *     count recorded with the database (1 for a new one)
 */
public record TableSettings(boolean createTable, BillingMode billingMode, Long readCapacity, Long writeCapacity,
        Layout layout, boolean consistentRead, StreamViewType streamView, boolean enableStream, long maxValueSize,
        int shards) {

    private static final TableSettings DEFAULTS = new TableSettings(true, BillingMode.PAY_PER_REQUEST, null, null,
            Layout.AUTO, true, null, false, OpenOptions.DEFAULT_MAX_VALUE_SIZE, 0);

    /**
     * {@return the defaults, those of {@link OpenOptions#defaults()}: create a missing table, on-demand billing,
     * {@link Layout#AUTO}, consistent reads, no change stream, values up to 16 MiB}
     */
    public static TableSettings defaults() {
        return DEFAULTS;
    }

    /** The settings' fields, changed one at a time by the {@code with} methods. */
    private static final class Fields {
        boolean createTable;
        BillingMode billingMode;
        Long readCapacity;
        Long writeCapacity;
        Layout layout;
        boolean consistentRead;
        StreamViewType streamView;
        boolean enableStream;
        long maxValueSize;
        int shards;
    }

    private TableSettings with(Consumer<Fields> change) {
        Fields f = new Fields();
        f.createTable = createTable;
        f.billingMode = billingMode;
        f.readCapacity = readCapacity;
        f.writeCapacity = writeCapacity;
        f.layout = layout;
        f.consistentRead = consistentRead;
        f.streamView = streamView;
        f.enableStream = enableStream;
        f.maxValueSize = maxValueSize;
        f.shards = shards;
        change.accept(f);
        return new TableSettings(f.createTable, f.billingMode, f.readCapacity, f.writeCapacity, f.layout, f.consistentRead,
                f.streamView, f.enableStream, f.maxValueSize, f.shards);
    }

    /**
     * Sets whether a missing table is created.
     *
     * @param value true (the default) to create it; false to fail on a missing table
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withCreateTable(boolean value) {
        return with(f -> f.createTable = value);
    }

    /**
     * Sets the billing of a table this creates; an existing table keeps its own.
     *
     * @param mode PAY_PER_REQUEST (the default) or PROVISIONED
     * @param readUnits read capacity units, at least 1; required for PROVISIONED, else null
     * @param writeUnits write capacity units, at least 1; required for PROVISIONED, else null
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withBilling(BillingMode mode, Long readUnits, Long writeUnits) {
        return with(f -> {
            f.billingMode = mode;
            f.readCapacity = readUnits;
            f.writeCapacity = writeUnits;
        });
    }

    /**
     * Sets how entries are stored.
     *
     * @param value {@link Layout#AUTO} (the default) to detect an existing table's layout, or the layout to use
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withLayout(Layout value) {
        return with(f -> f.layout = value);
    }

    /**
     * Sets whether reads are strongly consistent.
     *
     * @param value true (the default) for strongly consistent reads, false for eventually consistent ones
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withConsistentRead(boolean value) {
        return with(f -> f.consistentRead = value);
    }

    /**
     * Sets the change stream, as {@link OpenOptions#withStream} does.
     *
     * @param view NEW_IMAGE or NEW_AND_OLD_IMAGES for a table this creates; null for none
     * @param enableOnExistingTable true to also give an existing table without a stream one
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withStream(StreamViewType view, boolean enableOnExistingTable) {
        return with(f -> {
            f.streamView = view;
            f.enableStream = enableOnExistingTable;
        });
    }

    /**
     * Sets the largest value a put accepts.
     *
     * @param bytes 0 to {@value OpenOptions#MAX_VALUE_SIZE_LIMIT} (default {@value OpenOptions#DEFAULT_MAX_VALUE_SIZE})
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withMaxValueSize(long bytes) {
        return with(f -> f.maxValueSize = bytes);
    }

    /**
     * Sets how many partition keys the database spreads over (see {@link OpenOptions#withShards}).
     *
     * @param count 1 to {@value OpenOptions#MAX_SHARDS}, or 0 (default) for the count recorded with the database
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public TableSettings withShards(int count) {
        return with(f -> f.shards = count);
    }

    /**
     * Checks the settings without contacting DynamoDB.
     *
     * @return everything that cannot work, each on its setting; empty when the settings are fine
     */
    public List<SettingProblem> problems() {
        List<SettingProblem> problems = new ArrayList<>();
        if (billingMode != BillingMode.PAY_PER_REQUEST && billingMode != BillingMode.PROVISIONED) {
            problems.add(new SettingProblem(Setting.BILLING_MODE, "must be PAY_PER_REQUEST or PROVISIONED, got " + billingMode));
        }
        checkCapacity(Setting.READ_CAPACITY, readCapacity, problems);
        checkCapacity(Setting.WRITE_CAPACITY, writeCapacity, problems);
        if (streamView != null && streamView != StreamViewType.NEW_IMAGE && streamView != StreamViewType.NEW_AND_OLD_IMAGES) {
            problems.add(new SettingProblem(Setting.STREAM_VIEW, "must be NEW_IMAGE or NEW_AND_OLD_IMAGES (changes are read"
                    + " with their new values), got " + streamView));
        }
        if (enableStream && streamView == null) {
            problems.add(new SettingProblem(Setting.ENABLE_STREAM, "needs {STREAM_VIEW}: NEW_IMAGE or NEW_AND_OLD_IMAGES"));
        }
        if (maxValueSize < 0 || maxValueSize > OpenOptions.MAX_VALUE_SIZE_LIMIT) {
            problems.add(new SettingProblem(Setting.MAX_VALUE_SIZE, "must be between 0 and " + OpenOptions.MAX_VALUE_SIZE_LIMIT
                    + " bytes (256 MiB: a value is held in memory whole), got " + maxValueSize));
        }
        if (shards < 0 || shards > OpenOptions.MAX_SHARDS) {
            problems.add(new SettingProblem(Setting.SHARDS, "must be between 1 and " + OpenOptions.MAX_SHARDS
                    + " (or 0: the count recorded with the database), got " + shards));
        }
        if (layout == null) {
            problems.add(new SettingProblem(Setting.LAYOUT, "is required: auto, native, dynamodbdown, dynamodb-leveldown"
                    + " or dynamodb-leveldown-legacy"));
        }
        return problems;
    }

    private void checkCapacity(Setting setting, Long units, List<SettingProblem> problems) {
        if (units == null) {
            if (billingMode == BillingMode.PROVISIONED) {
                problems.add(new SettingProblem(setting, "required when {BILLING_MODE} is PROVISIONED"));
            }
        } else if (units < 1) {
            problems.add(new SettingProblem(setting, "must be at least 1 capacity unit, got " + units));
        }
    }

    /**
     * {@return {@code base} with these settings applied (its other options, such as the page size, kept)}
     *
     * @param base the options to start from, e.g. {@link OpenOptions#defaults()}
     * @throws InvalidSettingsException for any problem
     */
    public OpenOptions applyTo(OpenOptions base) {
        InvalidSettingsException.throwIfAny(problems());
        OpenOptions options = base.withCreateIfMissing(createTable).withLayout(layout).withConsistentRead(consistentRead)
                .withStream(streamView, enableStream).withMaxValueSize(maxValueSize).withShards(shards);
        return billingMode == BillingMode.PROVISIONED
                ? options.withProvisionedBilling(readCapacity, writeCapacity)
                : options.withOnDemandBilling();
    }
}
