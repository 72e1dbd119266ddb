package io.dynamodbdown.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Immutable options for {@code DynamoDbDown.open}. Start from {@link #defaults()} and change what you need:
 * {@code OpenOptions.defaults().withPageSize(100)}.
 *
 * @param createIfMissing create the table when it does not exist (default true)
 * @param errorIfExists fail when the table already exists (default false)
 * @param billingMode {@code PAY_PER_REQUEST} (default) or {@code PROVISIONED} for a table this creates
 * @param readCapacity read capacity units of a {@code PROVISIONED} table this creates
 * @param writeCapacity write capacity units of a {@code PROVISIONED} table this creates
 * @param activeTimeout how long opening waits for a table to become ACTIVE (default 60 s)
 * @param consistentRead strongly consistent reads (default true)
 * @param pageSize items per Query page at most, 0 for no item limit (DynamoDB still ends every page at 1 MB).
 *     Default {@value #DEFAULT_PAGE_SIZE}: about 1 MB of 100-byte entries, so real DynamoDB's pages stay as
 *     full as they can be, while DynamoDB Local, which without a limit reads every remaining row of the range
 *     for each page, stays linear instead of quadratic (18x faster on a 400,000-entry range)
 * @param writeConcurrency concurrent requests a batch or getMany may have in flight (default 16)
 * @param retryPolicy how many attempts in a row without progress (unprocessed batch items and keys, cancelled
 *     transactions) end an operation; failed requests are retried by the client's retry strategy
 * @param layout how entries are stored; {@link Layout#AUTO} (default) detects an existing table's layout
 * @param streamView the change stream a table this creates gets (NEW_IMAGE is what a change reader needs;
 *     NEW_AND_OLD_IMAGES keeps old values too); null (default) for none
 * @param enableStream give an existing table without a change stream one of {@code streamView} (default false:
 *     an existing table is never changed unless asked)
 * @param maxValueSize the largest value a put accepts, in bytes (default {@value #DEFAULT_MAX_VALUE_SIZE}, 16 MiB;
 *     at most {@value #MAX_VALUE_SIZE_LIMIT}, 256 MiB). Values whose item would pass DynamoDB's 400 KB limit are
 *     kept as chunks in the same table; a value is always read and written whole, so it is held in memory once
 * @param shards how many DynamoDB partition keys the database's entries spread over, 1 to {@value #MAX_SHARDS};
 *     0 (default) for the count recorded with the database, or 1 for a new one. One partition key serves about
 *     1,000 writes and 3,000 reads a second on DynamoDB: n shards serve n times that. A database with more than
 *     one shard records its count in the table; opening it with another count fails
 * @param throttleListener told whenever DynamoDB turns requests away for throughput (default
 *     {@link ThrottleListener#NONE})
 */
public record OpenOptions(
        boolean createIfMissing,
        boolean errorIfExists,
        BillingMode billingMode,
        long readCapacity,
        long writeCapacity,
        Duration activeTimeout,
        boolean consistentRead,
        int pageSize,
        int writeConcurrency,
        RetryPolicy retryPolicy,
        Layout layout,
        StreamViewType streamView,
        boolean enableStream,
        long maxValueSize,
        int shards,
        ThrottleListener throttleListener) {

    /** The most {@code shards} a database may have: each is read by every iterator, so more only costs. */
    public static final int MAX_SHARDS = 256;
    /** The default {@code pageSize}: at most this many items per Query page. */
    public static final int DEFAULT_PAGE_SIZE = 10_000;
    /** The default {@code maxValueSize} in bytes: 16 MiB. */
    public static final long DEFAULT_MAX_VALUE_SIZE = 16L * 1024 * 1024;
    /** The largest {@code maxValueSize} allowed, in bytes: 256 MiB, since a value is held in memory whole. */
    public static final long MAX_VALUE_SIZE_LIMIT = 256L * 1024 * 1024;

    private static final OpenOptions DEFAULTS = new OpenOptions(true, false, BillingMode.PAY_PER_REQUEST, 5, 5,
            Duration.ofSeconds(60), true, DEFAULT_PAGE_SIZE, 16, RetryPolicy.DEFAULT, Layout.AUTO, null, false, DEFAULT_MAX_VALUE_SIZE, 0,
            ThrottleListener.NONE);

    /**
     * Checks the options; prefer {@link #defaults()} and the {@code with} methods.
     *
     * @param createIfMissing create the table when it does not exist
     * @param errorIfExists fail when the table already exists
     * @param billingMode PAY_PER_REQUEST or PROVISIONED; not null
     * @param readCapacity at least 1 with PROVISIONED billing, unused otherwise
     * @param writeCapacity at least 1 with PROVISIONED billing, unused otherwise
     * @param activeTimeout positive; not null
     * @param consistentRead strongly consistent reads
     * @param pageSize 0 (DynamoDB's 1 MB pages only) or more items per Query page
     * @param writeConcurrency at least 1
     * @param retryPolicy not null
     * @param layout not null
     * @param streamView NEW_IMAGE, NEW_AND_OLD_IMAGES, or null for none
     * @param enableStream true only with a {@code streamView}
     * @param maxValueSize 0 to {@value #MAX_VALUE_SIZE_LIMIT} bytes
     * @param shards 0 (the recorded count) or 1 to {@value #MAX_SHARDS}
     * @param throttleListener not null
     * @throws NullPointerException when {@code billingMode}, {@code activeTimeout}, {@code retryPolicy},
     *     {@code layout} or {@code throttleListener} is null
     * @throws IllegalArgumentException when an option is outside what is given here
     */
    public OpenOptions {
        Objects.requireNonNull(billingMode, "billingMode");
        Objects.requireNonNull(activeTimeout, "activeTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(throttleListener, "throttleListener");
        boolean provisioned = billingMode == BillingMode.PROVISIONED; // capacities count only then
        List<Problem> problems = new ArrayList<>(tableProblems(billingMode, provisioned ? readCapacity : null,
                provisioned ? writeCapacity : null, layout, streamView, enableStream, maxValueSize, shards));
        if (activeTimeout.isNegative() || activeTimeout.isZero()) {
            problems.add(new Problem("activeTimeout", "must be positive, got " + activeTimeout));
        }
        if (pageSize < 0) {
            problems.add(new Problem("pageSize", "must be 0 (no item limit, DynamoDB's 1 MB pages only) or positive, got " + pageSize));
        }
        if (writeConcurrency < 1) {
            problems.add(new Problem("writeConcurrency", "must be at least 1, got " + writeConcurrency));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(Problem::describe).collect(Collectors.joining("; ")));
        }
    }

    /**
     * An option that breaks a rule: what {@link #tableProblems} reports.
     *
     * @param option the option as these options name it, such as {@code maxValueSize}
     * @param message what is wrong with it; another option it mentions stands in braces, as {@code {streamView}}
     */
    public record Problem(String option, String message) {

        private static final Pattern MENTION = Pattern.compile("\\{([A-Za-z]+)}");

        /** {@return {@code option message}, a mentioned option by its bare name} */
        String describe() {
            return option + " " + MENTION.matcher(message).replaceAll("$1");
        }
    }

    /**
     * The rules of the options that say how a table is found or created, stated once: the constructor enforces
     * them, and the adapters' settings ({@code io.dynamodbdown.store.settings.TableSettings}) report them on their
     * own names.
     *
     * @param billingMode PAY_PER_REQUEST or PROVISIONED
     * @param readCapacity read capacity units, at least 1; needed with PROVISIONED billing; null when not given
     * @param writeCapacity write capacity units, at least 1; needed with PROVISIONED billing; null when not given
     * @param layout not null
     * @param streamView NEW_IMAGE, NEW_AND_OLD_IMAGES, or null for none
     * @param enableStream true only with a {@code streamView}
     * @param maxValueSize 0 to {@value #MAX_VALUE_SIZE_LIMIT} bytes
     * @param shards 0 (the recorded count) or 1 to {@value #MAX_SHARDS}
     * @return every rule these values break, empty when they keep them all
     */
    public static List<Problem> tableProblems(BillingMode billingMode, Long readCapacity, Long writeCapacity, Layout layout,
            StreamViewType streamView, boolean enableStream, long maxValueSize, int shards) {
        List<Problem> problems = new ArrayList<>();
        if (billingMode != BillingMode.PAY_PER_REQUEST && billingMode != BillingMode.PROVISIONED) {
            problems.add(new Problem("billingMode", "must be PAY_PER_REQUEST or PROVISIONED, got " + billingMode));
        }
        capacityProblem("readCapacity", readCapacity, billingMode).ifPresent(problems::add);
        capacityProblem("writeCapacity", writeCapacity, billingMode).ifPresent(problems::add);
        if (layout == null) {
            problems.add(new Problem("layout", "is required: auto, native, dynamodbdown, dynamodb-leveldown or"
                    + " dynamodb-leveldown-legacy"));
        }
        if (streamView != null && streamView != StreamViewType.NEW_IMAGE && streamView != StreamViewType.NEW_AND_OLD_IMAGES) {
            problems.add(new Problem("streamView", "must be NEW_IMAGE or NEW_AND_OLD_IMAGES (changes are read with their"
                    + " new values), got " + streamView));
        }
        if (enableStream && streamView == null) {
            problems.add(new Problem("enableStream", "needs {streamView}: NEW_IMAGE or NEW_AND_OLD_IMAGES"));
        }
        if (maxValueSize < 0 || maxValueSize > MAX_VALUE_SIZE_LIMIT) {
            problems.add(new Problem("maxValueSize", "must be between 0 and " + MAX_VALUE_SIZE_LIMIT
                    + " bytes (256 MiB: a value is held in memory whole), got " + maxValueSize));
        }
        if (shards < 0 || shards > MAX_SHARDS) {
            problems.add(new Problem("shards", "must be between 1 and " + MAX_SHARDS
                    + " (or 0: the count recorded with the database), got " + shards));
        }
        return problems;
    }

    private static Optional<Problem> capacityProblem(String option, Long units, BillingMode billingMode) {
        if (units == null) {
            return billingMode == BillingMode.PROVISIONED
                    ? Optional.of(new Problem(option, "required when {billingMode} is PROVISIONED")) : Optional.empty();
        }
        return units < 1 ? Optional.of(new Problem(option, "must be at least 1 capacity unit (PROVISIONED billing), got "
                + units)) : Optional.empty();
    }

    /**
     * {@return the defaults: create a missing table with on-demand billing, wait 60 s for ACTIVE, consistent reads,
     * pages of {@value #DEFAULT_PAGE_SIZE} items, 16 requests in flight, {@link RetryPolicy#DEFAULT},
     * {@link Layout#AUTO}, no change stream, values up to 16 MiB}
     */
    public static OpenOptions defaults() {
        return DEFAULTS;
    }

    /** The options' fields, changed one at a time by the {@code with} methods. */
    private static final class Fields {
        boolean createIfMissing;
        boolean errorIfExists;
        BillingMode billingMode;
        long readCapacity;
        long writeCapacity;
        Duration activeTimeout;
        boolean consistentRead;
        int pageSize;
        int writeConcurrency;
        RetryPolicy retryPolicy;
        Layout layout;
        StreamViewType streamView;
        boolean enableStream;
        long maxValueSize;
        int shards;
        ThrottleListener throttleListener;
    }

    private OpenOptions with(Consumer<Fields> change) {
        Fields f = new Fields();
        f.createIfMissing = createIfMissing;
        f.errorIfExists = errorIfExists;
        f.billingMode = billingMode;
        f.readCapacity = readCapacity;
        f.writeCapacity = writeCapacity;
        f.activeTimeout = activeTimeout;
        f.consistentRead = consistentRead;
        f.pageSize = pageSize;
        f.writeConcurrency = writeConcurrency;
        f.retryPolicy = retryPolicy;
        f.layout = layout;
        f.streamView = streamView;
        f.enableStream = enableStream;
        f.maxValueSize = maxValueSize;
        f.shards = shards;
        f.throttleListener = throttleListener;
        change.accept(f);
        return new OpenOptions(f.createIfMissing, f.errorIfExists, f.billingMode, f.readCapacity, f.writeCapacity,
                f.activeTimeout, f.consistentRead, f.pageSize, f.writeConcurrency, f.retryPolicy, f.layout, f.streamView,
                f.enableStream, f.maxValueSize, f.shards, f.throttleListener);
    }

    /**
     * Sets whether opening creates a table that does not exist; without, opening a missing table fails.
     *
     * @param value true to create a missing table (the default)
     * @return new options with this change
     */
    public OpenOptions withCreateIfMissing(boolean value) {
        return with(f -> f.createIfMissing = value);
    }

    /**
     * Sets whether opening fails when the table already exists.
     *
     * @param value true to fail on an existing table (default false)
     * @return new options with this change
     */
    public OpenOptions withErrorIfExists(boolean value) {
        return with(f -> f.errorIfExists = value);
    }

    /**
     * Bills a table this creates per request (PAY_PER_REQUEST, the default); an existing table keeps its billing.
     *
     * @return new options with this change
     */
    public OpenOptions withOnDemandBilling() {
        return with(f -> f.billingMode = BillingMode.PAY_PER_REQUEST);
    }

    /**
     * Gives a table this creates provisioned capacity (PROVISIONED); an existing table keeps its billing.
     *
     * @param readUnits read capacity units, at least 1
     * @param writeUnits write capacity units, at least 1
     * @return new options with this change
     * @throws IllegalArgumentException when a capacity is below 1
     */
    public OpenOptions withProvisionedBilling(long readUnits, long writeUnits) {
        return with(f -> {
            f.billingMode = BillingMode.PROVISIONED;
            f.readCapacity = readUnits;
            f.writeCapacity = writeUnits;
        });
    }

    /**
     * Sets how long opening (and {@link Database#dropTable()}) waits for the table to become ACTIVE (or gone).
     *
     * @param value the longest wait, positive (default 60 s); past it, opening fails with a
     *     {@link DynamoDbDownException}
     * @return new options with this change
     */
    public OpenOptions withActiveTimeout(Duration value) {
        return with(f -> f.activeTimeout = value);
    }

    /**
     * Sets whether reads are strongly consistent (twice the read units of eventually consistent ones).
     *
     * @param value true (the default) to see every write acknowledged before the read; false for eventually
     *     consistent reads
     * @return new options with this change
     */
    public OpenOptions withConsistentRead(boolean value) {
        return with(f -> f.consistentRead = value);
    }

    /**
     * Sets the most items per Query page an iterator asks for.
     *
     * @param value items per page, 0 for DynamoDB's 1 MB pages only (default {@value #DEFAULT_PAGE_SIZE})
     * @return new options with this change
     */
    public OpenOptions withPageSize(int value) {
        return with(f -> f.pageSize = value);
    }

    /**
     * Sets how many requests a batch, {@code getMany} or {@code clear} may have in flight at once.
     *
     * @param value at least 1 (default 16); also the size of the database's thread pool
     * @return new options with this change
     */
    public OpenOptions withWriteConcurrency(int value) {
        return with(f -> f.writeConcurrency = value);
    }

    /**
     * Sets how entries are stored in the table.
     *
     * @param value {@link Layout#AUTO} (the default) to detect an existing table's layout, or the layout to create a
     *     table with and to require of an existing one
     * @return new options with this change
     */
    public OpenOptions withLayout(Layout value) {
        return with(f -> f.layout = value);
    }

    /**
     * Sets the store's own retries of unprocessed batch items and keys and of cancelled transactions: how many
     * attempts in a row without progress end an operation (while DynamoDB accepts part of each request, it goes
     * on at the pace DynamoDB accepts). Failed requests are the client's to retry.
     *
     * @param value the policy, not null (default {@link RetryPolicy#DEFAULT})
     * @return new options with this change
     */
    public OpenOptions withRetryPolicy(RetryPolicy value) {
        return with(f -> f.retryPolicy = value);
    }

    /**
     * A change stream of {@code view} for a table this creates, and, with {@code enableOnExistingTable}, for an
     * existing table that has none (that table is updated; nothing else about it changes).
     *
     * @param view NEW_IMAGE (what a change reader needs) or NEW_AND_OLD_IMAGES; null for no stream
     * @param enableOnExistingTable true to also give an existing table without a stream one
     * @return new options with this change
     * @throws IllegalArgumentException for another view, or {@code enableOnExistingTable} without a view
     */
    public OpenOptions withStream(StreamViewType view, boolean enableOnExistingTable) {
        return with(f -> {
            f.streamView = view;
            f.enableStream = enableOnExistingTable;
        });
    }

    /**
     * Sets the largest value a put accepts; values past DynamoDB's 400 KB item limit are kept as chunks.
     *
     * @param bytes the limit in bytes, 0 to {@value #MAX_VALUE_SIZE_LIMIT} (default {@value #DEFAULT_MAX_VALUE_SIZE})
     * @return new options with this change
     * @throws IllegalArgumentException when {@code bytes} is outside that range
     */
    public OpenOptions withMaxValueSize(long bytes) {
        return with(f -> f.maxValueSize = bytes);
    }

    /**
     * Spreads the database's entries over {@code count} DynamoDB partition keys, by a hash of each key, so it
     * serves {@code count} times one partition key's throughput (about 1,000 writes and 3,000 reads a second
     * each on DynamoDB); iterators merge the shards in key order. A database keeps the count it was created
     * with: opening it with another fails, and 0 opens it with the recorded one.
     *
     * @param count 1 to {@value #MAX_SHARDS}, or 0 (default) for the recorded count (1 for a new database)
     * @return new options with this change
     * @throws IllegalArgumentException when {@code count} is outside that range
     */
    public OpenOptions withShards(int count) {
        return with(f -> f.shards = count);
    }

    /**
     * Sets who is told when DynamoDB turns requests of the database away for throughput (throttled attempts, items
     * or keys handed back): for a metric. The store slows down to what DynamoDB accepts either way.
     *
     * @param value the listener, not null (default {@link ThrottleListener#NONE})
     * @return new options with this change
     */
    public OpenOptions withThrottleListener(ThrottleListener value) {
        return with(f -> f.throttleListener = value);
    }
}
