package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import io.dynamodbdown.testing.JsTables.Variant;
import io.dynamodbdown.testing.JsTables;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** writeIf: the key checked and written in one step; a retried put recognises its own first attempt. */
@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class ConditionalWriteTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private static byte[] b(String text) {
        return Bytes.utf8(text);
    }

    @Test
    void eachExpectationHoldsOrNothingIsWritten(DynamoDbClient client) {
        try (Database db = DatabaseTestSupport.openFresh(client, "conditional", OpenOptions.defaults().withShards(shards))) {
            assertTrue(db.putIfAbsent(b("k"), b("v1")));
            assertFalse(db.putIfAbsent(b("k"), b("v2")), "present: untouched");
            assertEquals("v1", db.getString("k"));

            assertFalse(db.writeIf(BatchOperation.put("k", "v2"), Expect.value(b("other"))));
            assertTrue(db.writeIf(BatchOperation.put("k", "v2"), Expect.value(b("v1"))));
            assertEquals("v2", db.getString("k"));
            assertTrue(db.writeIf(BatchOperation.put("k", "stamp1:data"), Expect.valueStartingWith(b("v"))));
            assertFalse(db.writeIf(BatchOperation.put("k", "stamp2:data"), Expect.valueStartingWith(b("stamp0:"))));
            assertTrue(db.writeIf(BatchOperation.put("k", "stamp2:data"), Expect.valueStartingWith(b("stamp1:"))));

            assertFalse(db.writeIf(BatchOperation.del("k"), Expect.value(b("stamp1:data"))), "changed since it was read");
            assertTrue(db.writeIf(BatchOperation.del("k"), Expect.present()));
            assertNull(db.get("k"));
            assertFalse(db.writeIf(BatchOperation.del("k"), Expect.present()), "nothing left to delete");
            assertFalse(db.writeIf(BatchOperation.put("k", "x"), Expect.present()));
            assertTrue(db.writeIf(BatchOperation.put("k", ""), Expect.absent()));
            assertTrue(db.writeIf(BatchOperation.del("k"), Expect.value(new byte[0])), "the empty value");
            assertThrows(InvalidEntryException.class, () -> db.writeIf(BatchOperation.put(new byte[0], new byte[0]), Expect.absent()));
            db.dropTable();
        }
    }

    @Test
    void aPutWhoseAnswerWasLostIsNotMistakenForSomeoneElsesWrite() {
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbClient client = DynamoDbClients.builder(DynamoDbLocalExtension.get().settings()
                        .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5))).httpClient(http).build();
                Database db = DatabaseTestSupport.openFresh(client, "lost-answer", OpenOptions.defaults().withShards(shards))) {
            int before = http.requests("PutItem"); // a sharded database recorded its shard count
            http.fail("PutItem", Fault.ANSWER_LOST, 0, 1); // applied, then the client sends it again
            assertTrue(db.putIfAbsent(b("id-1"), b("seen")), "its own first attempt, not a duplicate");
            assertEquals(before + 2, http.requests("PutItem"));
            assertFalse(db.putIfAbsent(b("id-1"), b("seen")), "a second call is a duplicate");

            http.fail("PutItem", Fault.ANSWER_LOST, 0, 1);
            assertTrue(db.writeIf(BatchOperation.put("id-1", "v2"), Expect.value(b("seen"))));
            assertEquals("v2", db.getString("id-1"));
            db.dropTable();
        }
    }

    @Test
    void aValueAnotherToolStoredInAFormThisLayoutDoesNotWriteIsExpectedAsStored(DynamoDbClient client) {
        Assumptions.assumeTrue(shards == 1, "another tool writes under the database's own hash key: one shard");
        try (Database db = DatabaseTestSupport.openFresh(client, "conditional-foreign", OpenOptions.defaults().withShards(shards))) {
            client.putItem(b -> b.tableName(db.location().table()).item(java.util.Map.of(
                    "db", AttributeValue.fromS("db"), "key", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromUtf8String("s")),
                    "value", AttributeValue.fromS("hello")))); // S, where this layout writes B
            assertEquals("hello", db.getString("s"));
            assertFalse(db.writeIf(BatchOperation.del("s"), Expect.value(b("hell"))));
            assertTrue(db.writeIf(BatchOperation.del("s"), Expect.value(b("hello"))), "read as hello, deleted as hello");
            db.dropTable();
        }
    }

    @Test
    void onTablesOfTheJavaScriptLayoutsAValueIsExpectedHoweverItWasStored(DynamoDbClient client) {
        for (Variant variant : List.of(Variant.DYNAMODBDOWN, Variant.LEVELDOWN)) {
            String table = DynamoDbLocal.uniqueTableName("conditional-js");
            JsTables.create(client, table, variant);
            JsTables.put(client, table, variant, "!", "text", AttributeValue.fromS("hello"));
            JsTables.put(client, table, variant, "!", "bytes", JsTables.bytes("raw"));
            JsTables.put(client, table, variant, "!", "null", AttributeValue.fromNul(true));
            JsTables.put(client, table, variant, "!", "number", AttributeValue.fromN("42"));
            if (variant == Variant.LEVELDOWN) {
                JsTables.put(client, table, variant, "!", "marker", JsTables.bytes("EMPTY_STRING"));
            }
            try (Database db = DynamoDbDown.open(client, table)) {
                assertFalse(db.writeIf(BatchOperation.del("text"), Expect.value(b("hell"))), variant.toString());
                assertTrue(db.writeIf(BatchOperation.del("text"), Expect.value(b("hello"))), "S: " + variant);
                assertTrue(db.writeIf(BatchOperation.del("bytes"), Expect.value(b("raw"))), "B: " + variant);
                assertTrue(db.writeIf(BatchOperation.del("null"), Expect.value(new byte[0])), "NULL: " + variant);
                assertFalse(db.writeIf(BatchOperation.del("number"), Expect.value(b("43"))));
                assertTrue(db.writeIf(BatchOperation.del("number"), Expect.value(b("42"))), "N, as stored: " + variant);
                if (variant == Variant.LEVELDOWN) {
                    assertTrue(db.writeIf(BatchOperation.del("marker"), Expect.value(new byte[0])), "a 3.x marker");
                }
                assertEquals(0, db.stream(KeyRange.all()).count(), variant.toString());
                db.dropTable();
            }
        }
    }
}
