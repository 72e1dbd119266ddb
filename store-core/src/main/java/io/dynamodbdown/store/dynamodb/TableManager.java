package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Layout;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import java.time.Duration;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/** Creates, checks, waits for and deletes the DynamoDB table behind a database. */
final class TableManager {

    private static final Logger LOG = LoggerFactory.getLogger(TableManager.class);
    private static final Duration POLL_DELAY = Duration.ofMillis(200);

    private final DynamoDbClient client;

    TableManager(DynamoDbClient client) {
        this.client = client;
    }
    /**
     * Makes sure the table exists and is ACTIVE, and returns its layout: the one asked for, or for
     * {@link Layout#AUTO} the one an existing table was written with (native for a new table).
     */
    TableLayout prepare(Location location, OpenOptions options) {
        String table = location.table();
        TableDescription existing = describe(table);
        TableLayout layout;
        if (existing == null) {
            if (!options.createIfMissing()) {
                throw new DynamoDbDownException("Table '" + table + "' does not exist and createIfMissing is off");
            }
            layout = TableLayout.of(options.layout());
            create(table, layout, options);
        } else if (options.errorIfExists()) {
            throw new DynamoDbDownException("Table '" + table + "' already exists and errorIfExists is on");
        } else {
            layout = existingLayout(existing, options.layout());
            if (options.enableStream() && !hasStream(existing)) {
                enableStream(table, options);
            }
        }
        awaitStatus(table, options.activeTimeout(), true);
        return layout;
    }

    static boolean hasStream(TableDescription table) {
        return table.streamSpecification() != null && Boolean.TRUE.equals(table.streamSpecification().streamEnabled())
                && table.latestStreamArn() != null;
    }

    /** Gives an existing table a change stream, as the caller asked (OpenOptions.withStream(view, true)). */
    private void enableStream(String table, OpenOptions options) {
        Failures.call("enable the change stream of table '" + table + "'", () -> client.updateTable(b -> b.tableName(table)
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(options.streamView()))));
        LOG.info("Enabled a {} change stream on DynamoDB table '{}'", options.streamView(), table);
    }

    /**
     * The layout of a table that must exist ({@link Layout#AUTO}: the one it was written with), for readers that
     * neither create nor change a table, nor wait for it.
     */
    TableLayout existingLayout(String table, Layout wanted, String why) {
        TableDescription existing = describe(table);
        if (existing == null) {
            throw new DynamoDbDownException("Table '" + table + "' does not exist: " + why);
        }
        return existingLayout(existing, wanted);
    }

    /** The table's description, or null when there is no such table: for readers that need its stream. */
    TableDescription describeTable(String table) {
        return describe(table);
    }

    private static TableLayout existingLayout(TableDescription table, Layout wanted) {
        if (wanted == Layout.AUTO) {
            TableLayout detected = TableLayout.detect(table);
            if (detected == null) {
                throw new DynamoDbDownException("Table '" + table.tableName() + "' has key schema " + describeSchema(table)
                        + ", which is none of the known layouts (native: " + TableLayout.of(Layout.NATIVE).describeSchema()
                        + "; or those of the JavaScript DynamoDbDown family): is it another application's table?");
            }
            LOG.debug("Table '{}' has the {} layout", table.tableName(), detected.layout());
            return detected;
        }
        TableLayout layout = TableLayout.of(wanted);
        if (!layout.matches(table)) {
            throw new DynamoDbDownException("Table '" + table.tableName() + "' has key schema " + describeSchema(table)
                    + ", but the " + wanted + " layout needs " + layout.describeSchema()
                    + " (use layout auto to detect the table's own layout)");
        }
        return layout;
    }

    void drop(String table, Duration timeout) {
        try {
            Failures.call("delete table '" + table + "'", () -> client.deleteTable(b -> b.tableName(table)));
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ResourceNotFoundException)) {
                throw e;
            }
        }
        awaitStatus(table, timeout, false);
    }

    private void create(String table, TableLayout layout, OpenOptions options) {
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(table)
                .keySchema(layout.keySchema())
                .attributeDefinitions(layout.attributeDefinitions())
                .billingMode(options.billingMode());
        if (options.billingMode() == BillingMode.PROVISIONED) {
            request.provisionedThroughput(ProvisionedThroughput.builder()
                    .readCapacityUnits(options.readCapacity()).writeCapacityUnits(options.writeCapacity()).build());
        }
        if (options.streamView() != null) {
            request.streamSpecification(s -> s.streamEnabled(true).streamViewType(options.streamView()));
        }
        try {
            Failures.call("create table '" + table + "'", () -> client.createTable(request.build()));
            LOG.info("Created DynamoDB table '{}' ({} billing)", table, options.billingMode());
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ResourceInUseException)) {
                throw e;
            }
            LOG.debug("Table '{}' is being created by someone else; waiting for it", table);
        }
    }

    /** The table's description, or null when there is no such table. */
    private TableDescription describe(String table) {
        try {
            return Failures.call("describe table '" + table + "'",
                    () -> client.describeTable(b -> b.tableName(table)).table());
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ResourceNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** Waits until the table is ACTIVE ({@code present}) or gone, within the timeout, with the SDK's waiter. */
    private void awaitStatus(String table, Duration timeout, boolean present) {
        try (DynamoDbWaiter waiter = DynamoDbWaiter.builder().client(client)
                .overrideConfiguration(o -> o.waitTimeout(timeout).maxAttempts(Integer.MAX_VALUE)
                        .backoffStrategy(FixedDelayBackoffStrategy.create(POLL_DELAY)))
                .build()) {
            if (present) {
                waiter.waitUntilTableExists(b -> b.tableName(table));
            } else {
                waiter.waitUntilTableNotExists(b -> b.tableName(table));
            }
        } catch (SdkException e) {
            if (e.getCause() instanceof SdkException failed) {
                // a request of the waiter failed (throttled, a server error...) after the client's own retries
                throw Failures.wrap("waiting for table '" + table + "' to be " + (present ? "ACTIVE" : "deleted"), failed);
            }
            TableDescription now = describe(table);
            String status = now == null ? "missing" : String.valueOf(now.tableStatus());
            throw new DynamoDbDownException("Table '" + table + "' is still " + status + " after " + timeout
                    + (present ? "; waited for ACTIVE" : "; waited for it to be deleted")
                    + " (raise the open option activeTimeout if the table is large)", e, true);
        }
    }

    private static String describeSchema(TableDescription table) {
        return table.keySchema().stream()
                .map(k -> k.attributeName() + " (" + table.attributeDefinitions().stream()
                        .filter(d -> d.attributeName().equals(k.attributeName()))
                        .map(d -> d.attributeTypeAsString()).findFirst().orElse("?") + ", " + k.keyTypeAsString() + ")")
                .collect(Collectors.joining(" and "));
    }
}
