package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DynamoDbDownException;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.Generation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Writes that hold only while the key is as expected, in one step with DynamoDB's check: {@link
 * io.dynamodbdown.store.Database#writeIf}, and the entry of every value kept in chunks, which is a compare-and-set
 * on what the key held so the version it replaces is known exactly. Operations come here checked.
 */
final class ConditionalWriter {

    private final TableContext table;
    private final EntryReader entries;
    private final LargeValues large;
    private final BatchWriter writer;

    ConditionalWriter(TableContext table, EntryReader entries, LargeValues large, BatchWriter writer) {
        this.table = table;
        this.entries = entries;
        this.large = large;
        this.writer = writer;
    }

    /** Writes the operation if the key meets {@code expect}; false if it did not, and nothing was written. */
    boolean writeIf(BatchOperation operation, Expect expect) {
        if (operation instanceof BatchOperation.Put put && !table.fitsInItem(put.key(), put.value(), TableLayout.TOKEN_BYTES)) {
            return putInChunks(put, expect, null);
        }
        String what = operation + " if " + expect + " in " + table.location();
        String token = operation instanceof BatchOperation.Put ? UUID.randomUUID().toString() : null;
        if (conditionCanName(operation.key(), expect)) {
            return writeIfCondition(operation, Condition.expecting(table.layout(), expect), expect, token, what);
        }
        // No item holds such a value inline: compare it here, then write only if the key is stored as it was read.
        Map<String, AttributeValue> current = entries.item(operation.key(), true);
        return Condition.matches(expect, current == null ? null : entries.currentValueOf(operation.key(), current))
                && writeIfStored(operation, current, token, what);
    }

    /**
     * Writes a put's value in chunks, then its entry: a compare-and-set on what the key holds, so the version it
     * replaces is known exactly, in one transaction with the new version's fence, so it cannot refer to chunks
     * removed meanwhile (nor be applied twice). With {@code expect}, only if the key's value meets it; false if not,
     * and the new chunks are removed. The entry is stamped with {@code generation}, if any.
     */
    boolean putInChunks(BatchOperation.Put put, Expect expect, Generation generation) {
        LargeValues.Reference written = large.writeChunks(put.key(), put.value());
        String what = "put the " + put.value().length + "-byte value of " + Bytes.describe(put.key()) + " into " + table.location();
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> current = entries.item(put.key(), true);
            if (expect != null && !Condition.matches(expect, current == null ? null : entries.currentValueOf(put.key(), current))) {
                large.discard(written);
                return false;
            }
            try {
                Map<String, AttributeValue> entry = TableLayout.stamped(large.entryItem(put.key(), written), generation);
                Condition unchanged = Condition.storedAs(table.layout(), current, expect != null);
                TransactWriteItem entryIfUnchanged = TransactWriteItem.builder().put(p -> p.tableName(table.location().table())
                        .item(entry).conditionExpression(unchanged.expression()).expressionAttributeNames(unchanged.names())
                        .expressionAttributeValues(unchanged.valuesOrNull())).build();
                writer.writeAtomic(List.of(large.fence(written.version()), entryIfUnchanged), what);
                large.discardReplaced(current, written);
                return true;
            } catch (DynamoDbDownException e) {
                int failed = Failures.failedConditionIndex(e);
                if (failed == 0) {
                    throw new DynamoDbDownException(what + " failed: its chunks were taken for left behind and removed (the"
                            + " write took longer than the sweep waits); nothing was written, write it again", e, true);
                }
                if (failed != 1) {
                    throw e; // what happened is not known: the chunks stay for the sweep
                }
                if (attempt >= table.retrier().maxAttempts()) {
                    throw new DynamoDbDownException(what + " failed: the key changed under it " + attempt + " times", e, true);
                }
                // the key changed between reading and writing it: read it again
            }
        }
    }

    /** Whether a condition can name the value or prefix {@code expect} compares with: an item could hold it. */
    private boolean conditionCanName(byte[] key, Expect expect) {
        byte[] expected = expect instanceof Expect.Value value ? value.value()
                : expect instanceof Expect.ValuePrefix prefix ? prefix.prefix() : null;
        return expected == null || table.fitsInItem(key, expected, 0);
    }

    /** Writes if the condition holds; when it fails only because of how the value is stored, compares it here. */
    private boolean writeIfCondition(BatchOperation operation, Condition condition, Expect expect, String token, String what) {
        try {
            large.discardReplaced(sendIf(operation, condition, token, what), null);
            return true;
        } catch (DynamoDbDownException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException failed)) {
                throw e;
            }
            Map<String, AttributeValue> current = failed.hasItem() && !failed.item().isEmpty() ? failed.item() : null;
            if (isOwnWrite(current, token)) {
                return true; // the client sent it again after an answer got lost: the first attempt did write it
            }
            boolean storedOtherwise = current != null && (LargeValues.referenceOf(current) != null
                    || current.get(table.layout().valueAttribute()) != null);
            if ((expect instanceof Expect.Value || expect instanceof Expect.ValuePrefix) && storedOtherwise
                    && Condition.matches(expect, entries.currentValueOf(operation.key(), current))) {
                // kept in chunks, or in a form this layout does not write (another writer's S on a native table, an
                // N, a BOOL...), but read as the expected bytes: expect it exactly as it is stored
                return writeIfStored(operation, current, token, what);
            }
            return false;
        }
    }

    /** Whether {@code current}, the item a conditional put met, is that put's own earlier attempt (its token). */
    private static boolean isOwnWrite(Map<String, AttributeValue> current, String token) {
        return token != null && current != null && current.get(TableLayout.TOKEN_ATTRIBUTE) != null
                && token.equals(current.get(TableLayout.TOKEN_ATTRIBUTE).s());
    }

    /** Writes the operation if the key is still stored exactly as {@code current} holds it (null: absent). */
    private boolean writeIfStored(BatchOperation operation, Map<String, AttributeValue> current, String token, String what) {
        try {
            large.discardReplaced(sendIf(operation, Condition.storedAs(table.layout(), current, true), token, what), null);
            return true;
        } catch (DynamoDbDownException e) {
            if (e.getCause() instanceof ConditionalCheckFailedException failed) {
                return isOwnWrite(failed.hasItem() ? failed.item() : null, token);
            }
            throw e;
        }
    }

    /** Sends the conditional write (a put's value fits in its item); returns the item it replaced. */
    private Map<String, AttributeValue> sendIf(BatchOperation operation, Condition condition, String token, String what) {
        String tableName = table.location().table();
        return Failures.call(what, () -> {
            if (operation instanceof BatchOperation.Put put) {
                Map<String, AttributeValue> item = new HashMap<>(table.item(put));
                item.put(TableLayout.TOKEN_ATTRIBUTE, AttributeValue.fromS(token));
                return table.client().putItem(b -> b.tableName(tableName).item(item)
                        .conditionExpression(condition.expression()).expressionAttributeNames(condition.names())
                        .expressionAttributeValues(condition.valuesOrNull()).returnValues(ReturnValue.ALL_OLD)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            }
            return table.client().deleteItem(b -> b.tableName(tableName).key(table.itemKey(operation.key()))
                    .conditionExpression(condition.expression()).expressionAttributeNames(condition.names())
                    .expressionAttributeValues(condition.valuesOrNull()).returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
        });
    }
}
