package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

@ExtendWith(DynamoDbLocalExtension.class)
class OpenCloseTest {

    @Test
    void locationSplitsAtTheFirstDollar() {
        assertEquals(new Location("table", "!"), Location.parse("table"));
        assertEquals(new Location("table", "hash"), Location.parse("table$hash"));
        assertEquals(new Location("table", "a$b"), Location.parse("table$a$b"));
        assertEquals("table$hash", Location.parse("table$hash").toString());
    }

    @Test
    void invalidTableNamesAndHashKeysAreExplained() {
        for (String bad : List.of("ab", "has space", "ta/ble", "x".repeat(256), "$hash")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Location.parse(bad));
            assertTrue(e.getMessage().contains("3 to 255"), e.getMessage());
        }
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Location.parse("table$"));
        assertTrue(empty.getMessage().contains("hash key must not be empty"), empty.getMessage());
        IllegalArgumentException longHash = assertThrows(IllegalArgumentException.class,
                () -> Location.parse("table$" + "h".repeat(2049)));
        assertTrue(longHash.getMessage().contains("2049 bytes"), longHash.getMessage());
    }

    @Test
    void createsAMissingTableOnDemandWithTheNativeLayout(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("open");
        try (Database db = DynamoDbDown.open(client, table)) {
            assertEquals(new Location(table, "!"), db.location());
            TableDescription description = client.describeTable(b -> b.tableName(table)).table();
            assertEquals(BillingMode.PAY_PER_REQUEST, description.billingModeSummary().billingMode());
            assertEquals(ScalarAttributeType.B, description.attributeDefinitions().stream()
                    .filter(d -> d.attributeName().equals("key")).findFirst().orElseThrow().attributeType());
            db.put("k", "v");
        }
        try (Database again = DynamoDbDown.open(client, table)) {
            assertEquals("v", again.getString("k"), "reopening finds the data");
            again.dropTable();
        }
    }

    @Test
    void provisionedBillingUsesTheGivenCapacity(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("provisioned");
        try (Database db = DynamoDbDown.open(client, table, OpenOptions.defaults().withProvisionedBilling(3, 4))) {
            TableDescription description = client.describeTable(b -> b.tableName(table)).table();
            assertEquals(3L, description.provisionedThroughput().readCapacityUnits());
            assertEquals(4L, description.provisionedThroughput().writeCapacityUnits());
            db.dropTable();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenOptions.defaults().withProvisionedBilling(0, 1));
        assertTrue(e.getMessage().contains("PROVISIONED"), e.getMessage());
    }

    @Test
    void errorIfExistsAndCreateIfMissing(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("exists");
        DynamoDbDownException missing = assertThrows(DynamoDbDownException.class,
                () -> DynamoDbDown.open(client, table, OpenOptions.defaults().withCreateIfMissing(false)));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        try (Database db = DynamoDbDown.open(client, table)) {
            DynamoDbDownException exists = assertThrows(DynamoDbDownException.class,
                    () -> DynamoDbDown.open(client, table, OpenOptions.defaults().withErrorIfExists(true)));
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            db.dropTable();
        }
    }

    @Test
    void aTableWithAnotherKeySchemaIsRefused(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("foreign");
        client.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build()));
        DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> DynamoDbDown.open(client, table));
        assertTrue(e.getMessage().contains("id (S, HASH)") && e.getMessage().contains("key (B, RANGE)"), e.getMessage());
        assertFalse(e.isRetryable(), "a wrong table stays wrong");
        client.deleteTable(b -> b.tableName(table));
    }

    @Test
    void databasesUnderDifferentHashKeysOfOneTableAreSeparate(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("shared");
        try (Database a = DynamoDbDown.open(client, table + "$a"); Database b = DynamoDbDown.open(client, table + "$b")) {
            a.put("k", "from a");
            b.put("k", "from b");
            assertEquals("from a", a.getString("k"));
            assertEquals(1, DatabaseTestSupport.drain(b.iterator(KeyRange.all())).size());
            assertEquals(1, b.clear(KeyRange.all()));
            assertEquals("from a", a.getString("k"));
            a.dropTable();
        }
    }

    @Test
    void everyCallAfterCloseFailsClearly(DynamoDbClient client) {
        Database db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("closed"));
        RangeIterator<Entry> open = db.iterator(KeyRange.all());
        db.close();
        db.close(); // closing twice is fine
        assertTrue(db.isClosed());
        DatabaseClosedException e = assertThrows(DatabaseClosedException.class, () -> db.get("k"));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertThrows(DatabaseClosedException.class, () -> db.put("k", "v"));
        assertThrows(DatabaseClosedException.class, () -> db.del("k"));
        assertThrows(DatabaseClosedException.class, () -> db.has("k"));
        assertThrows(DatabaseClosedException.class, () -> db.getMany(List.of()));
        assertThrows(DatabaseClosedException.class, db::batch);
        assertThrows(DatabaseClosedException.class, () -> db.batch(List.of()));
        assertThrows(DatabaseClosedException.class, () -> db.iterator(KeyRange.all()));
        assertThrows(DatabaseClosedException.class, () -> db.clear(KeyRange.all()));
        assertThrows(DatabaseClosedException.class, open::hasNext, "iterators of a closed database fail too");
        db.dropTable();
    }

    @Test
    void dropTableDeletesTheTable(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("drop");
        Database db = DynamoDbDown.open(client, table);
        db.dropTable();
        assertTrue(db.isClosed());
        assertTrue(client.listTables().tableNames().stream().noneMatch(table::equals));
    }

    @Test
    void aTableThatNeverBecomesActiveFailsTheOpenAfterActiveTimeout(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("creating");
        DynamoDbClient stuck = new DynamoDbClient() { // a table DynamoDB keeps CREATING
            @Override
            public DescribeTableResponse describeTable(DescribeTableRequest request) {
                return DescribeTableResponse.builder().table(client.describeTable(request).table().toBuilder()
                        .tableStatus(TableStatus.CREATING).build()).build();
            }

            @Override
            public String serviceName() {
                return client.serviceName();
            }

            @Override
            public void close() {
            }
        };
        try (Database db = DynamoDbDown.open(client, table)) {
            long start = System.nanoTime();
            DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                    () -> DynamoDbDown.open(stuck, table, OpenOptions.defaults().withActiveTimeout(Duration.ofMillis(500))));
            assertTrue(e.getMessage().contains("still CREATING after PT0.5S") && e.getMessage().contains("activeTimeout"),
                    e.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "gave up at the timeout, not later");
            db.dropTable();
        }
    }

    @Test
    void aServerErrorWhileWaitingForActiveIsRetriedThenReportedAsRetryable(DynamoDbLocal local) {
        String table = DynamoDbLocal.uniqueTableName("waiting");
        ClientSettings twoAttempts = local.settings().withMaxAttempts(2).withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5));
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient client = DynamoDbClients.builder(twoAttempts).httpClient(http).build()) {
            DynamoDbDown.open(client, table).close();
            http.fail("DescribeTable", Fault.SERVER_ERROR, 1, 1); // the waiter's first look, retried by the client
            DynamoDbDown.open(client, table).close();
            http.fail("DescribeTable", Fault.SERVER_ERROR, 1, 2); // the waiter's look and its retry
            DynamoDbDownException e = assertThrows(DynamoDbDownException.class, () -> DynamoDbDown.open(client, table));
            assertTrue(e.isRetryable(), "a server error may be gone later: " + e.getMessage());
            assertTrue(e.getMessage().contains("waiting for table") && e.getMessage().contains("Internal server error"),
                    e.getMessage());
            client.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void optionsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withPageSize(-1));
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withWriteConcurrency(0));
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withActiveTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
    }
}
