package io.dynamodbdown.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The stream simulator as the SDK's DynamoDB Streams client meets it: the real stream's records re-partitioned by
 * key, shards that split and roll over, AWS's limits and errors. Each test has a table of its own (hash key
 * {@code h} S, range key {@code r} B, NEW_IMAGE stream) on the run's DynamoDB Local.
 */
@ExtendWith(DynamoDbLocalExtension.class)
class StreamSimulatorTest {

    private static DynamoDbLocal local;
    private static DynamoDbClient client;
    /** A client of the real stream, to compare with. */
    private static DynamoDbStreamsClient realStreams;

    @BeforeAll
    static void start(DynamoDbLocal shared) {
        local = shared;
        client = shared.client();
        realStreams = shared.newStreamsClient();
    }

    @AfterAll
    static void stop() {
        realStreams.close();
    }

    private static String newTable() {
        return createTable(client, DynamoDbLocal.uniqueTableName("simulated"));
    }

    private static String createTable(DynamoDbClient tables, String table) {
        tables.createTable(b -> b.tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName("h").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("r").keyType(KeyType.RANGE).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("h").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("r").attributeType(ScalarAttributeType.B).build())
                .billingMode("PAY_PER_REQUEST")
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        return table;
    }

    /** A client of the simulator without retries, so each throttled or expired call is seen. */
    private static DynamoDbStreamsClient clientOf(StreamSimulator simulator) {
        return DynamoDbClients.buildStreams(local.settings().withEndpoint(simulator.endpoint().toString()).withMaxAttempts(1));
    }

    private static Map<String, AttributeValue> key(String hash, int range) {
        return Map.of("h", AttributeValue.fromS(hash), "r", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {(byte) range, 7})));
    }

    private static void put(String table, String hash, int range, String value) {
        Map<String, AttributeValue> item = new HashMap<>(key(hash, range));
        item.put("v", AttributeValue.fromS(value));
        client.putItem(b -> b.tableName(table).item(item));
    }

    /** Puts of {@code count} items (ranges 0 to count - 1) under hash key {@code hash}, each value {@code size} bytes. */
    private static void putMany(String table, String hash, int count, int size) {
        String value = "x".repeat(size);
        for (int first = 0; first < count; first += 25) {
            List<WriteRequest> writes = new ArrayList<>();
            for (int range = first; range < Math.min(count, first + 25); range++) {
                Map<String, AttributeValue> item = new HashMap<>(Map.of("h", AttributeValue.fromS(hash),
                        "r", AttributeValue.fromB(SdkBytes.fromUtf8String("r" + range)), "v", AttributeValue.fromS(value)));
                writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
            }
            client.batchWriteItem(b -> b.requestItems(Map.of(table, writes)));
        }
    }

    /** Every record of a shard from TRIM_HORIZON, as far as it goes now. */
    private static List<Record> readShard(DynamoDbStreamsClient streams, String arn, String shardId) {
        List<Record> records = new ArrayList<>();
        String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        while (iterator != null) {
            String from = iterator;
            GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(from));
            records.addAll(page.records());
            iterator = page.records().isEmpty() ? null : page.nextShardIterator();
        }
        return records;
    }

    private static List<Shard> shards(DynamoDbStreamsClient streams, String arn) {
        List<Shard> shards = new ArrayList<>();
        String start = null;
        do {
            String from = start;
            StreamDescription page = streams.describeStream(b -> b.streamArn(arn).exclusiveStartShardId(from)).streamDescription();
            shards.addAll(page.shards());
            start = page.lastEvaluatedShardId();
        } while (start != null);
        return shards;
    }

    private static String describe(Record record) {
        return record.eventName() + " " + record.dynamodb().keys() + " " + record.dynamodb().newImage();
    }

    @Test
    void theRealStreamsRecordsAreSpreadOverTheShardsByKeyEachKeyInOrder() {
        String table = newTable();
        for (int version = 1; version <= 4; version++) {
            for (int range = 0; range < 40; range++) {
                put(table, "db", range, "v" + version);
            }
        }
        for (int range = 0; range < 40; range += 3) {
            Map<String, AttributeValue> deleted = key("db", range);
            client.deleteItem(b -> b.tableName(table).key(deleted));
        }
        String arn = client.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        List<Record> real = readShard(realStreams, arn, shards(realStreams, arn).get(0).shardId());
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(4).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            assertEquals(arn, simulator.streamArn(), "the real stream's ARN, as DescribeTable gives it");
            StreamDescription description = streams.describeStream(b -> b.streamArn(arn)).streamDescription();
            assertEquals(table, description.tableName());
            assertEquals(StreamViewType.NEW_IMAGE, description.streamViewType());
            assertEquals(4, description.shards().size());
            assertTrue(description.shards().stream().allMatch(s -> s.parentShardId() == null
                    && s.sequenceNumberRange().startingSequenceNumber() != null && s.sequenceNumberRange().endingSequenceNumber() == null));
            assertEquals(List.of(arn), streams.listStreams(b -> b.tableName(table)).streams().stream()
                    .map(s -> s.streamArn()).toList());

            Map<Map<String, AttributeValue>, String> shardOfKey = new HashMap<>();
            Map<Map<String, AttributeValue>, List<String>> simulatedByKey = new LinkedHashMap<>();
            for (Shard shard : description.shards()) {
                List<Record> records = readShard(streams, arn, shard.shardId());
                assertFalse(records.isEmpty(), "40 keys over 4 shards: each holds some");
                BigInteger previous = BigInteger.ZERO;
                for (Record record : records) {
                    BigInteger sequence = new BigInteger(record.dynamodb().sequenceNumber());
                    assertTrue(sequence.compareTo(previous) > 0, "sequence numbers increase within a shard");
                    previous = sequence;
                    String before = shardOfKey.putIfAbsent(record.dynamodb().keys(), shard.shardId());
                    assertTrue(before == null || before.equals(shard.shardId()), "a key's records stay in one shard");
                    simulatedByKey.computeIfAbsent(record.dynamodb().keys(), k -> new ArrayList<>()).add(describe(record));
                }
            }
            Map<Map<String, AttributeValue>, List<String>> realByKey = real.stream().collect(Collectors.groupingBy(
                    r -> r.dynamodb().keys(), Collectors.mapping(StreamSimulatorTest::describe, Collectors.toList())));
            assertEquals(realByKey, simulatedByKey, "every real record once, in the table's order for each key");
            assertEquals(real.size(), simulator.recordsPulled());

            Record first = real.get(0);
            Record simulated = readShard(streams, arn, shardOfKey.get(first.dynamodb().keys())).stream()
                    .filter(r -> r.eventID().equals(first.eventID())).findFirst().orElseThrow();
            assertEquals(first.eventName(), simulated.eventName());
            assertEquals(OperationType.INSERT, simulated.eventName());
            assertEquals(first.dynamodb().approximateCreationDateTime(), simulated.dynamodb().approximateCreationDateTime());
            assertEquals(first.dynamodb().sizeBytes(), simulated.dynamodb().sizeBytes());
            assertEquals(StreamViewType.NEW_IMAGE, simulated.dynamodb().streamViewType());
            assertEquals(first.dynamodb().newImage(), simulated.dynamodb().newImage());
            assertEquals(first.awsRegion(), simulated.awsRegion());
        }
    }

    @Test
    void theRealStreamsRolloversAreFollowedParentFirstSoEachKeyStaysInOrder() {
        AmazonDynamoDBLocal embedded = DynamoDBEmbedded.create(); // only the embedded server rolls its shards over
        DynamoDbClient tables = embedded.dynamoDbClient();
        String table = createTable(tables, DynamoDbLocal.uniqueTableName("simulated-rollover"));
        try (StreamSimulator simulator = StreamSimulator.of(tables, embedded.dynamoDbStreamsClient(), table).shards(3).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            for (int version = 1; version <= 3; version++) {
                for (int range = 0; range < 10; range++) {
                    Map<String, AttributeValue> item = new HashMap<>(key("db", range));
                    item.put("v", AttributeValue.fromS("v" + version));
                    tables.putItem(b -> b.tableName(table).item(item));
                }
                embedded.triggerShardRollovers(); // the real shard closes; the next writes go to its child
            }
            simulator.catchUp();
            Map<Map<String, AttributeValue>, List<String>> values = new HashMap<>();
            for (String shardId : simulator.openShardIds()) {
                for (Record record : readShard(streams, simulator.streamArn(), shardId)) {
                    values.computeIfAbsent(record.dynamodb().keys(), k -> new ArrayList<>())
                            .add(record.dynamodb().newImage().get("v").s());
                }
            }
            assertEquals(10, values.size());
            assertTrue(values.values().stream().allMatch(List.of("v1", "v2", "v3")::equals), values.toString());
        } finally {
            embedded.shutdownNow();
        }
    }

    @Test
    void aSplitClosesTheParentAndItsTwoChildrenTakeHalfItsHashRangeEachARolloverOne() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(2).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            for (int range = 0; range < 20; range++) {
                put(table, "db", range, "before");
            }
            simulator.catchUp();
            String[] first = simulator.openShardIds().toArray(String[]::new);
            List<String> children = simulator.split(first[0]);
            String successor = simulator.rollover(first[1]);
            for (int range = 0; range < 20; range++) {
                put(table, "db", range, "after");
            }
            simulator.catchUp();

            Map<String, StreamSimulator.ShardInfo> info = simulator.shards().stream()
                    .collect(Collectors.toMap(StreamSimulator.ShardInfo::shardId, s -> s));
            StreamSimulator.ShardInfo parent = info.get(first[0]);
            StreamSimulator.ShardInfo lower = info.get(children.get(0));
            StreamSimulator.ShardInfo upper = info.get(children.get(1));
            assertEquals(parent.hashKeyStart(), lower.hashKeyStart());
            assertEquals(lower.hashKeyEnd() + 1, upper.hashKeyStart());
            assertEquals(parent.hashKeyEnd(), upper.hashKeyEnd());
            assertEquals(info.get(first[1]).hashKeyStart(), info.get(successor).hashKeyStart());
            assertEquals(info.get(first[1]).hashKeyEnd(), info.get(successor).hashKeyEnd());

            Map<String, Shard> described = shards(streams, arn).stream().collect(Collectors.toMap(Shard::shardId, s -> s));
            assertEquals(5, described.size());
            for (String closed : first) {
                assertNotNull(described.get(closed).sequenceNumberRange().endingSequenceNumber(), "a closed shard has an end");
            }
            assertEquals(first[0], described.get(children.get(0)).parentShardId());
            assertEquals(first[0], described.get(children.get(1)).parentShardId());
            assertEquals(first[1], described.get(successor).parentShardId());
            BigInteger parentEnd = new BigInteger(described.get(first[0]).sequenceNumberRange().endingSequenceNumber());
            assertTrue(new BigInteger(described.get(children.get(0)).sequenceNumberRange().startingSequenceNumber())
                    .compareTo(parentEnd) > 0, "a child's sequence numbers follow its parent's");

            for (String closed : first) {
                List<Record> before = readShard(streams, arn, closed);
                assertTrue(before.stream().allMatch(r -> r.dynamodb().newImage().get("v").s().equals("before")));
                String last = before.get(before.size() - 1).dynamodb().sequenceNumber();
                GetRecordsResponse end = streams.getRecords(b -> b.shardIterator(streams.getShardIterator(i -> i.streamArn(arn)
                        .shardId(closed).shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(last))
                        .shardIterator()));
                assertEquals(List.of(), end.records());
                assertNull(end.nextShardIterator(), "a closed shard read to its end has no next iterator");
            }
            int after = 0;
            for (String child : List.of(children.get(0), children.get(1), successor)) {
                List<Record> records = readShard(streams, arn, child);
                assertTrue(records.stream().allMatch(r -> r.dynamodb().newImage().get("v").s().equals("after")));
                after += records.size();
            }
            assertEquals(20, after, "every write after the split and rollover went to a child");
        }
    }

    @Test
    void shardsSplitAndRollOverEveryKRecordsOnTheirOwn() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).splitEvery(100).rolloverEvery(70).start()) {
            putMany(table, "db", 300, 10);
            simulator.catchUp();
            List<StreamSimulator.ShardInfo> shards = simulator.shards();
            // splits at records 100, 200 and 300; rollovers at 70, 140, 210 and 280
            assertEquals(1 + 3 * 2 + 4, shards.size(), shards.toString());
            assertEquals(300, shards.stream().mapToInt(StreamSimulator.ShardInfo::records).sum());
            assertEquals(4, simulator.openShardIds().size(), "three splits of one shard leave four open");
        }
    }

    @Test
    void describeStreamPagesThroughTheShardsParentsFirst() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(5).describeStreamPageSize(2).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            simulator.splitAll();
            String arn = simulator.streamArn();
            StreamDescription page = streams.describeStream(b -> b.streamArn(arn)).streamDescription();
            assertEquals(2, page.shards().size());
            assertEquals(page.shards().get(1).shardId(), page.lastEvaluatedShardId());
            StreamDescription limited = streams.describeStream(b -> b.streamArn(arn).limit(1)).streamDescription();
            assertEquals(1, limited.shards().size(), "the request's Limit, when smaller");
            List<Shard> all = shards(streams, arn);
            assertEquals(15, all.size());
            assertEquals(15, all.stream().map(Shard::shardId).distinct().count(), "each shard once");
            Set<String> seen = new HashSet<>();
            for (Shard shard : all) {
                assertTrue(shard.parentShardId() == null || seen.contains(shard.parentShardId()), "parents first");
                seen.add(shard.shardId());
            }
            DynamoDbException wrong = assertThrows(DynamoDbException.class,
                    () -> streams.describeStream(b -> b.streamArn(arn + "-other")));
            assertEquals("ResourceNotFoundException", wrong.awsErrorDetails().errorCode());
        }
    }

    @Test
    void shardIteratorsOfEachTypeStartWhereTheySay() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            String shardId = simulator.openShardIds().get(0);
            for (int range = 0; range < 5; range++) {
                put(table, "db", range, "v");
            }
            simulator.catchUp();
            String latest = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                    .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
            put(table, "db", 5, "v");
            simulator.catchUp();
            List<Record> all = readShard(streams, arn, shardId);
            assertEquals(6, all.size());
            assertEquals(List.of(all.get(5).eventID()), streams.getRecords(b -> b.shardIterator(latest)).records().stream()
                    .map(Record::eventID).toList(), "LATEST: only what came after");
            String third = all.get(2).dynamodb().sequenceNumber();
            assertEquals(all.get(2).eventID(), firstAt(streams, arn, shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, third));
            assertEquals(all.get(3).eventID(), firstAt(streams, arn, shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, third));
            String start = simulator.shards().get(0).startingSequenceNumber();
            assertEquals(all.get(0).eventID(), firstAt(streams, arn, shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, start),
                    "the shard's starting sequence number is a position before its first record");
            GetRecordsResponse two = streams.getRecords(b -> b.shardIterator(streams.getShardIterator(i -> i.streamArn(arn)
                    .shardId(shardId).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator()).limit(2));
            assertEquals(2, two.records().size(), "the call's Limit");
            assertNotNull(two.nextShardIterator(), "an open shard always has a next iterator");
            DynamoDbException unknown = assertThrows(DynamoDbException.class, () -> streams.getShardIterator(b -> b.streamArn(arn)
                    .shardId("shardId-unknown").shardIteratorType(ShardIteratorType.TRIM_HORIZON)));
            assertEquals("ResourceNotFoundException", unknown.awsErrorDetails().errorCode());
        }
    }

    private static String firstAt(DynamoDbStreamsClient streams, String arn, String shardId, ShardIteratorType type, String sequence) {
        String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId).shardIteratorType(type)
                .sequenceNumber(sequence)).shardIterator();
        return streams.getRecords(b -> b.shardIterator(iterator)).records().get(0).eventID();
    }

    @Test
    void aSixthGetRecordsCallInASecondOnAShardIsThrottledAsAwsAnswersIt() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(2).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            List<String> shardIds = simulator.openShardIds();
            String busy = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardIds.get(0))
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            for (int call = 0; call < 5; call++) {
                streams.getRecords(b -> b.shardIterator(busy));
            }
            DynamoDbException throttled = assertThrows(DynamoDbException.class, () -> streams.getRecords(b -> b.shardIterator(busy)));
            assertEquals(400, throttled.statusCode());
            assertEquals("LimitExceededException", throttled.awsErrorDetails().errorCode());
            assertEquals(1, simulator.throttledCalls());
            String other = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardIds.get(1))
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            streams.getRecords(b -> b.shardIterator(other)); // the limit is per shard
            assertEquals(List.of(6L, 1L), simulator.shards().stream().map(StreamSimulator.ShardInfo::getRecordsCalls).toList(),
                    "calls are counted per shard, the throttled one too");
            await("the next second").atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(DynamoDbException.class)
                    .until(() -> streams.getRecords(b -> b.shardIterator(busy)) != null);

            DynamoDbException overLimit = assertThrows(DynamoDbException.class,
                    () -> streams.getRecords(b -> b.shardIterator(other).limit(1001)));
            assertEquals("LimitExceededException", overLimit.awsErrorDetails().errorCode(), "Limit over 1,000, as AWS documents");
        }
    }

    @Test
    void aCallReturnsAtMost1000RecordsOr1MegabyteWhicheverComesFirst() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled().start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            String shardId = simulator.openShardIds().get(0);
            putMany(table, "small", 1100, 10);
            putMany(table, "large", 15, 100_000);
            simulator.catchUp();
            List<Integer> counts = new ArrayList<>();
            List<Long> bytes = new ArrayList<>();
            String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (true) {
                String from = iterator;
                GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(from));
                if (page.records().isEmpty()) {
                    break;
                }
                counts.add(page.records().size());
                bytes.add(page.records().stream().mapToLong(r -> r.dynamodb().sizeBytes()).sum());
                iterator = page.nextShardIterator();
            }
            assertEquals(1115, counts.stream().mapToInt(Integer::intValue).sum());
            assertEquals(1000, counts.get(0), "1,000 records a call at most");
            assertTrue(bytes.stream().allMatch(b -> b <= 1024 * 1024), "1 MB a call at most: " + bytes);
            assertTrue(counts.size() >= 1 + 2, "15 values of 100 KB take two calls or more: " + counts);
            assertEquals(1115, simulator.recordsServed());
        }
    }

    @Test
    void iteratorsExpireAfterTheirLifetimeOrOnDemand() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).unthrottled()
                .iteratorLifetime(Duration.ofMillis(300)).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            String shardId = simulator.openShardIds().get(0);
            String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            String next = streams.getRecords(b -> b.shardIterator(iterator)).nextShardIterator();
            AtomicReference<DynamoDbException> expired = new AtomicReference<>();
            await("the iterator's 300 ms").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    streams.getRecords(b -> b.shardIterator(next));
                } catch (DynamoDbException e) {
                    expired.set(e);
                }
                return expired.get() != null;
            });
            assertEquals(400, expired.get().statusCode());
            assertEquals("ExpiredIteratorException", expired.get().awsErrorDetails().errorCode());
        }
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            String arn = simulator.streamArn();
            String iterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(simulator.openShardIds().get(0))
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            simulator.expireIterators();
            DynamoDbException expired = assertThrows(DynamoDbException.class, () -> streams.getRecords(b -> b.shardIterator(iterator)));
            assertEquals("ExpiredIteratorException", expired.awsErrorDetails().errorCode());
        }
    }

    @Test
    void latencyIsAddedToEveryStreamsCall() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).latency(Duration.ofMillis(40)).start();
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            streams.describeStream(b -> b.streamArn(simulator.streamArn())); // the connection is open: only the latency is left
            long started = System.nanoTime();
            streams.describeStream(b -> b.streamArn(simulator.streamArn()));
            assertTrue(System.nanoTime() - started >= Duration.ofMillis(40).toNanos());
        }
    }

    @Test
    void otherRequestsGoToTheTablesEndpointSoOneEndpointServesBoth() {
        String table = newTable();
        try (StreamSimulator simulator = StreamSimulator.of(local, table).shards(1).start();
                DynamoDbClient tables = DynamoDbLocal.clientFor(simulator.endpoint());
                DynamoDbStreamsClient streams = clientOf(simulator)) {
            Map<String, AttributeValue> item = new HashMap<>(key("db", 1));
            item.put("v", AttributeValue.fromS("through the simulator"));
            tables.putItem(b -> b.tableName(table).item(item));
            assertEquals(item, client.getItem(b -> b.tableName(table).key(key("db", 1))).item());
            simulator.catchUp();
            assertEquals(List.of("through the simulator"), readShard(streams, simulator.streamArn(), simulator.openShardIds().get(0))
                    .stream().map(r -> r.dynamodb().newImage().get("v").s()).toList());
            assertEquals(0, simulator.requests("PutItem"), "only the streams calls are its own");
            assertTrue(simulator.requests("GetRecords") > 0);
        }
    }
}
