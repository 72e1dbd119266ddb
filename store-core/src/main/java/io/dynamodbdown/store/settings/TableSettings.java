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
 */
public record TableSettings(boolean createTable, BillingMode billingMode, Long readCapacity, Long writeCapacity,
        Layout layout, boolean consistentRead, StreamViewType streamView, boolean enableStream, long maxValueSize) {

    private static final TableSettings DEFAULTS = new TableSettings(true, BillingMode.PAY_PER_REQUEST, null, null,
            Layout.AUTO, true, null, false, OpenOptions.DEFAULT_MAX_VALUE_SIZE);

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
        change.accept(f);
        return new TableSettings(f.createTable, f.billingMode, f.readCapacity, f.writeCapacity, f.layout, f.consistentRead,
                f.streamView, f.enableStream, f.maxValueSize);
    }

    public TableSettings withCreateTable(boolean value) {
        return with(f -> f.createTable = value);
    }

    public TableSettings withBilling(BillingMode mode, Long readUnits, Long writeUnits) {
        return with(f -> {
            f.billingMode = mode;
            f.readCapacity = readUnits;
            f.writeCapacity = writeUnits;
        });
    }

    public TableSettings withLayout(Layout value) {
        return with(f -> f.layout = value);
    }

    public TableSettings withConsistentRead(boolean value) {
        return with(f -> f.consistentRead = value);
    }

    public TableSettings withStream(StreamViewType view, boolean enableOnExistingTable) {
        return with(f -> {
            f.streamView = view;
            f.enableStream = enableOnExistingTable;
        });
    }

    public TableSettings withMaxValueSize(long bytes) {
        return with(f -> f.maxValueSize = bytes);
    }

    /** Everything that cannot work, each on its setting; empty when the settings are fine. */
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

    /** {@code base} with these settings applied; throws {@link InvalidSettingsException} for any problem. */
    public OpenOptions applyTo(OpenOptions base) {
        InvalidSettingsException.throwIfAny(problems());
        OpenOptions options = base.withCreateIfMissing(createTable).withLayout(layout).withConsistentRead(consistentRead)
                .withStream(streamView, enableStream).withMaxValueSize(maxValueSize);
        return billingMode == BillingMode.PROVISIONED
                ? options.withProvisionedBilling(readCapacity, writeCapacity)
                : options.withOnDemandBilling();
    }
}
