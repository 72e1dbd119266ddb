package io.dynamodbdown.store;

import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;

/**
 * Immutable options for {@link DynamoDbDown#open}. Start from {@link #defaults()} and change what you need:
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
 * @param writeConcurrency concurrent requests a batch or getMany may have in flight (default 8)
 * @param retryPolicy retries of unprocessed batch items and keys and of cancelled transactions (failed requests
 *     are retried by the client's retry strategy)
 * @param layout how entries are stored; {@link Layout#AUTO} (default) detects an existing table's layout
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
        Layout layout) {

    public static final int DEFAULT_PAGE_SIZE = 10_000;

    private static final OpenOptions DEFAULTS = new OpenOptions(true, false, BillingMode.PAY_PER_REQUEST, 5, 5,
            Duration.ofSeconds(60), true, DEFAULT_PAGE_SIZE, 8, RetryPolicy.DEFAULT, Layout.AUTO);

    public OpenOptions {
        Objects.requireNonNull(billingMode, "billingMode");
        Objects.requireNonNull(activeTimeout, "activeTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(layout, "layout");
        if (billingMode == BillingMode.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("billingMode must be PAY_PER_REQUEST or PROVISIONED");
        }
        if (billingMode == BillingMode.PROVISIONED && (readCapacity < 1 || writeCapacity < 1)) {
            throw new IllegalArgumentException("PROVISIONED billing needs readCapacity and writeCapacity of at least 1, got "
                    + readCapacity + " and " + writeCapacity);
        }
        if (activeTimeout.isNegative() || activeTimeout.isZero()) {
            throw new IllegalArgumentException("activeTimeout must be positive, got " + activeTimeout);
        }
        if (pageSize < 0) {
            throw new IllegalArgumentException("pageSize must be 0 (no item limit, DynamoDB's 1 MB pages only) or positive, got " + pageSize);
        }
        if (writeConcurrency < 1) {
            throw new IllegalArgumentException("writeConcurrency must be at least 1, got " + writeConcurrency);
        }
    }

    public static OpenOptions defaults() {
        return DEFAULTS;
    }

    public OpenOptions withCreateIfMissing(boolean value) {
        return new OpenOptions(value, errorIfExists, billingMode, readCapacity, writeCapacity, activeTimeout,
                consistentRead, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withErrorIfExists(boolean value) {
        return new OpenOptions(createIfMissing, value, billingMode, readCapacity, writeCapacity, activeTimeout,
                consistentRead, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withOnDemandBilling() {
        return new OpenOptions(createIfMissing, errorIfExists, BillingMode.PAY_PER_REQUEST, readCapacity,
                writeCapacity, activeTimeout, consistentRead, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withProvisionedBilling(long readUnits, long writeUnits) {
        return new OpenOptions(createIfMissing, errorIfExists, BillingMode.PROVISIONED, readUnits, writeUnits,
                activeTimeout, consistentRead, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withActiveTimeout(Duration value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity, value,
                consistentRead, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withConsistentRead(boolean value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity,
                activeTimeout, value, pageSize, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withPageSize(int value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity,
                activeTimeout, consistentRead, value, writeConcurrency, retryPolicy, layout);
    }

    public OpenOptions withWriteConcurrency(int value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity,
                activeTimeout, consistentRead, pageSize, value, retryPolicy, layout);
    }

    public OpenOptions withLayout(Layout value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity,
                activeTimeout, consistentRead, pageSize, writeConcurrency, retryPolicy, value);
    }

    public OpenOptions withRetryPolicy(RetryPolicy value) {
        return new OpenOptions(createIfMissing, errorIfExists, billingMode, readCapacity, writeCapacity,
                activeTimeout, consistentRead, pageSize, writeConcurrency, value, layout);
    }
}
