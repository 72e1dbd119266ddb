package io.dynamodbdown.store.settings;

import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.OpenOptions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * How a database's table is found or created, as an adapter's options give it: checked by the rules of
 * {@link OpenOptions} and reported on each setting ({@link #problems()}), then mapped onto OpenOptions. The
 * defaults are the adapter's own (those of {@link OpenOptions#defaults()}).
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

    /** The setting that gives each option {@link OpenOptions#tableProblems} checks. */
    private static final Map<String, Setting> SETTING_OF_OPTION = Map.of("billingMode", Setting.BILLING_MODE,
            "readCapacity", Setting.READ_CAPACITY, "writeCapacity", Setting.WRITE_CAPACITY, "layout", Setting.LAYOUT,
            "streamView", Setting.STREAM_VIEW, "enableStream", Setting.ENABLE_STREAM, "maxValueSize", Setting.MAX_VALUE_SIZE,
            "shards", Setting.SHARDS);
    private static final Pattern MENTION = Pattern.compile("\\{([A-Za-z]+)}");

    /**
     * Checks the settings without contacting DynamoDB, by the rules {@link OpenOptions} keeps.
     *
     * @return everything that cannot work, each on its setting; empty when the settings are fine
     */
    public List<SettingProblem> problems() {
        return OpenOptions.tableProblems(billingMode, readCapacity, writeCapacity, layout, streamView, enableStream,
                maxValueSize, shards).stream().map(TableSettings::onSetting).toList();
    }

    /** An option's problem on the setting that gives it, other options it mentions as settings too. */
    private static SettingProblem onSetting(OpenOptions.Problem problem) {
        return new SettingProblem(settingOf(problem.option()), MENTION.matcher(problem.message())
                .replaceAll(mention -> Matcher.quoteReplacement("{" + settingOf(mention.group(1)).name() + "}")));
    }

    private static Setting settingOf(String option) {
        Setting setting = SETTING_OF_OPTION.get(option);
        if (setting == null) {
            throw new IllegalStateException("No setting gives the option " + option + "; this is a bug, please report it");
        }
        return setting;
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
