package io.dynamodbdown.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import io.dynamodbdown.store.dynamodb.DynamoDbClients;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocal;
import io.dynamodbdown.testing.DynamoDbLocalExtension;
import io.dynamodbdown.testing.FaultInjectingHttpClient.Fault;
import io.dynamodbdown.testing.FaultInjectingHttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Change capture from DynamoDB Local's streams: over HTTP as a client meets them, and on the embedded server
 * for what only it can provoke (shard rollovers, a clock moved past iterator expiry and record retention).
 */
@ExtendWith(DynamoDbLocalExtension.class)
@ParameterizedClass(name = "shards={0}")
@ValueSource(ints = {1, 3, 16})
class ChangeReaderTest {

    /** The conformance family: every test on a database of one shard, of three, and of sixteen. */
    @Parameter
    int shards;

    private static final OpenOptions STREAM = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);

    private static DynamoDbStreamsClient streams;
    private static AmazonDynamoDBLocal embedded;

    /** Each invocation its own embedded server: some tests move its stream's clock, which would age the next's. */
    @BeforeParameterizedClassInvocation(injectArguments = false)
    static void start(DynamoDbLocal local) {
        streams = local.newStreamsClient();
        embedded = DynamoDBEmbedded.create();
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    static void stop() {
        streams.close();
        embedded.shutdownNow();
    }

    /** Polls until {@code count} changes came, each poll up to 100. */
    private static List<Change> read(ChangeReader reader, int count) {
        List<Change> changes = new ArrayList<>();
        await(count + " changes").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            changes.addAll(reader.poll(100));
            return changes.size() >= count;
        });
        return changes;
    }

    /**
     * Polls until a poll fails, as a read of the stream failing makes it: reads run in the background at the pace
     * the stream allows, so the failure may come a poll or two later, and no change may come before it.
     */
    private static <T extends Throwable> T failureOf(ChangeReader reader, Class<T> type) {
        AtomicReference<T> failure = new AtomicReference<>();
        await("a poll that fails").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                assertEquals(List.of(), text(reader.poll(100)), "no change before the failure");
                return false;
            } catch (Throwable e) {
                if (!type.isInstance(e)) {
                    throw e;
                }
                failure.set(type.cast(e));
                return true;
            }
        });
        return failure.get();
    }

    private static List<String> text(List<Change> changes) {
        return changes.stream().map(c -> new String(c.key()) + (c.isDelete() ? " deleted" : "=" + new String(c.value())))
                .collect(Collectors.toList());
    }

    @Test
    void putsOverwritesAndDeletesComeInOrderForTheDatabaseAndRangeOnly(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("changes");
        try (Database db = DynamoDbDown.open(client, table + "$a", STREAM.withShards(shards));
                Database other = DynamoDbDown.open(client, table + "$b", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all().lt("y"), ChangeCheckpoint.since(null))) {
            db.put("k1", "v1");
            db.put("k2", "v1");
            other.put("k1", "another database");
            db.put("k1", "v2");
            db.put("zzz", "outside the range");
            db.del("k2");
            db.batch(List.of(BatchOperation.put("k3", "v1"), BatchOperation.del("k1")));
            List<Change> changes = read(reader, 6);
            assertEquals(List.of("k1=v1", "k2=v1", "k1=v2", "k2 deleted"), text(changes).subList(0, 4));
            assertEquals(List.of("k1 deleted", "k3=v1"), text(changes).subList(4, 6).stream().sorted().toList());
            assertEquals(List.of(), reader.poll(100), "nothing else: not b's change, not the key outside the range");

            // a reader from the checkpoint of the third change goes on exactly after it
            try (ChangeReader resumed = DynamoDbDown.changes(streams, db, KeyRange.all().lt("y"), changes.get(2).checkpoint())) {
                assertEquals(text(changes).subList(3, 6), text(read(resumed, 3)));
            }
            ChangeCheckpoint decoded = ChangeCheckpoint.decode(reader.checkpoint().encode());
            assertEquals(reader.checkpoint(), decoded, "the checkpoint survives its text form");
            db.dropTable();
        }
    }

    @Test
    void aChangeMadeJustAfterSinceIsReadThoughTheStreamRoundsItsTimeDown(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("changes-since");
        Instant since = Instant.now();
        try (Database db = DynamoDbDown.open(client, table + "$a", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), ChangeCheckpoint.since(since))) {
            db.put("k", "made after since");
            // stamped with its time rounded down (DynamoDB Local: to the minute), so a stamp earlier than since
            assertEquals(List.of("k=made after since"), text(read(reader, 1)));
            db.dropTable();
        }
    }

    @Test
    void streamsThrottlingIsRetriedAndReportedAsTransient(DynamoDbLocal local, DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("streams-limit");
        AtomicInteger turnedAway = new AtomicInteger();
        try (FaultInjectingHttpClient http = new FaultInjectingHttpClient();
                DynamoDbStreamsClient throttled = DynamoDbClients.streamsBuilder(local.settings().withMaxAttempts(3)
                        .withRetryDelays(Duration.ofMillis(1), Duration.ofMillis(5))).httpClient(http).build();
                Database db = DynamoDbDown.open(client, table + "$db", STREAM.withShards(shards)
                        .withThrottleListener(turnedAway::addAndGet));
                ChangeReader reader = DynamoDbDown.changes(throttled, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
            db.put("k1", "v1");
            http.fail("GetRecords", Fault.STREAMS_LIMIT, 0, 2);
            assertEquals(List.of("k1=v1"), text(read(reader, 1)), "two throttled answers, then the client's third attempt");
            assertEquals(2, turnedAway.get(), "the throttled attempts are counted");
            db.put("k2", "v2");
            http.failAlways("GetRecords", Fault.STREAMS_LIMIT);
            DynamoDbDownException e = failureOf(reader, DynamoDbDownException.class);
            assertTrue(e.isRetryable(), "throttling passes: worth polling again");
            assertEquals(2 + 3, turnedAway.get(), "a call throttled on all its 3 attempts counts 3");
            http.heal();
            assertEquals(List.of("k2=v2"), text(read(reader, 1)));
            assertTrue(http.injected() >= 5, "the faults happened: " + http.injected());
            db.dropTable();
        }
    }

    @Test
    void aTableWithoutAStreamSaysHowToGetOneAndOpeningCanEnableIt(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("no-stream");
        try (Database plain = DynamoDbDown.open(client, table)) {
            DynamoDbDownException e = assertThrows(DynamoDbDownException.class,
                    () -> DynamoDbDown.changes(streams, plain, KeyRange.all(), ChangeCheckpoint.since(null)));
            assertTrue(e.getMessage().contains("has no change stream") && e.getMessage().contains("withStream(NEW_IMAGE, true)"),
                    e.getMessage());
            try (Database enabled = DynamoDbDown.open(client, table, OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, true));
                    ChangeReader reader = DynamoDbDown.changes(streams, enabled, KeyRange.all(), ChangeCheckpoint.since(null))) {
                enabled.put("k", "v");
                assertEquals(List.of("k=v"), text(read(reader, 1)));
            }
            plain.dropTable();
        }
    }

    @Test
    void shardRolloversAreReadParentsFirstSoEachKeysChangesStayInOrder() {
        DynamoDbClient client = embedded.dynamoDbClient();
        try (Database db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("rollover") + "$db", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(),
                        ChangeCheckpoint.since(null))) {
            List<String> expected = new ArrayList<>();
            for (int version = 1; version <= 3; version++) {
                for (int key = 0; key < 5; key++) {
                    db.put("k" + key, "v" + version);
                    expected.add("k" + key + "=v" + version);
                }
                embedded.triggerShardRollovers(); // the shard closes; the next writes go to its child
            }
            List<Change> changes = read(reader, 15);
            assertEquals(expected, text(changes));
            assertTrue(changes.get(14).checkpoint().shards().size() <= 2,
                    "the checkpoint keeps the frontier, not every shard read: " + changes.get(14).checkpoint());
            try (ChangeReader resumed = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(),
                    changes.get(7).checkpoint())) {
                assertEquals(expected.subList(8, 15), text(read(resumed, 7)), "resumed in the second shard, nothing twice");
            }
        }
    }

    @Test
    void expiredIteratorsAreRenewedAndACheckpointTheStreamNoLongerCoversIsReported() {
        AmazonDynamoDBLocal embedded = DynamoDBEmbedded.create(); // its clock moves: not shared with other tests
        DynamoDbClient client = embedded.dynamoDbClient();
        try (Database db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("expiry") + "$db", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(),
                        ChangeCheckpoint.since(null))) {
            db.put("k1", "v1");
            assertEquals(List.of("k1=v1"), text(read(reader, 1)));
            embedded.dilateEventTimes(Duration.ofMinutes(20).toMillis()); // shard iterators live 15 minutes
            db.put("k2", "v1");
            assertEquals(List.of("k2=v1"), text(read(reader, 1)), "the reader asked for a new iterator and went on");
            ChangeCheckpoint old = reader.checkpoint();

            embedded.dilateEventTimes(Duration.ofHours(25).toMillis()); // past the 24 hours a stream keeps records
            db.put("k3", "v1");
            ChangesLostException lost = assertThrows(ChangesLostException.class, () -> {
                try (ChangeReader late = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(), old)) {
                    read(late, 1);
                }
            });
            assertTrue(lost.getMessage().contains("new snapshot"), lost.getMessage());
        } finally {
            embedded.shutdownNow();
        }
    }

    @Test
    void aReadFailingAfterOneShardHandsOverWhatWasReadAndTheNextPollGoesOnWithoutAGap() {
        DynamoDbClient client = embedded.dynamoDbClient();
        FailingStreams failing = new FailingStreams(embedded.dynamoDbStreamsClient());
        try (Database db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("mid-poll") + "$db", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(failing, db, KeyRange.all(), ChangeCheckpoint.since(null))) {
            List<String> expected = new ArrayList<>();
            for (int shard = 1; shard <= 3; shard++) {
                for (int key = 0; key < 4; key++) {
                    db.put("k" + key, "v" + shard);
                    expected.add("k" + key + "=v" + shard);
                }
                embedded.triggerShardRollovers();
            }
            failing.failGetRecordsAfter(1); // the first shard reads, the second fails
            List<Change> first = reader.poll(100);
            assertEquals(expected.subList(0, 4), text(first), "the changes read before the failure are handed over");
            assertThrows(DynamoDbDownException.class, () -> reader.poll(100), "and the failure comes with the next poll");
            failing.failGetRecordsAfter(0);
            failureOf(reader, DynamoDbDownException.class); // a failure before anything was read surfaces
            failing.heal();
            List<Change> all = new ArrayList<>(first);
            all.addAll(read(reader, 8));
            assertEquals(expected, text(all), "nothing lost, nothing twice");
        }
    }

    @Test
    void aStreamTurnedOffAndOnWhileReadingIsReportedAsLostChanges() {
        DynamoDbClient client = embedded.dynamoDbClient();
        String table = DynamoDbLocal.uniqueTableName("replaced");
        try (Database db = DynamoDbDown.open(client, table + "$db", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(),
                        ChangeCheckpoint.since(null))) {
            db.put("k1", "v1");
            assertEquals(List.of("k1=v1"), text(read(reader, 1)));
            client.updateTable(b -> b.tableName(table).streamSpecification(spec -> spec.streamEnabled(false)));
            client.updateTable(b -> b.tableName(table).streamSpecification(spec -> spec.streamEnabled(true)
                    .streamViewType(StreamViewType.NEW_IMAGE)));
            db.put("k2", "v2"); // in the new stream: the reader of the old one must not go quiet
            AtomicReference<ChangesLostException> lost = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    assertEquals(List.of(), reader.poll(100), "nothing more from the old stream");
                } catch (ChangesLostException e) {
                    lost.set(e);
                }
                return lost.get() != null;
            });
            assertTrue(lost.get().getMessage().contains("turned off"), lost.get().getMessage());
        }
    }

    @Test
    void aShardWhoseFirstRecordsWereTrimmedBeforeTheyWereReadIsReportedNotSkipped() {
        AmazonDynamoDBLocal embedded = DynamoDBEmbedded.create(); // its clock moves: not shared with other tests
        DynamoDbClient client = embedded.dynamoDbClient();
        try (Database db = DynamoDbDown.open(client, DynamoDbLocal.uniqueTableName("trimmed-child") + "$db", STREAM.withShards(shards));
                ChangeReader reader = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(),
                        ChangeCheckpoint.since(null))) {
            db.put("k1", "v1");
            assertEquals(List.of("k1=v1"), text(read(reader, 1)));
            embedded.triggerShardRollovers();
            assertEquals(List.of(), reader.poll(100)); // the parent is read to its end; its child has nothing yet
            ChangeCheckpoint stored = reader.checkpoint();
            db.put("k2", "written while the reader was away"); // into the child, which the checkpoint has not read
            embedded.dilateEventTimes(Duration.ofHours(25).toMillis()); // k2 is past the stream's 24 hours
            db.put("k3", "v3");
            assertThrows(ChangesLostException.class, () -> {
                try (ChangeReader resumed = DynamoDbDown.changes(embedded.dynamoDbStreamsClient(), db, KeyRange.all(), stored)) {
                    read(resumed, 1);
                }
            }, "k2 was lost: the reader must say so, not start the child at its oldest record kept");
        } finally {
            embedded.shutdownNow();
        }
    }

    @Test
    void checkpointsTheStreamCannotContinueAreReportedAsLostChanges(DynamoDbClient client) {
        String table = DynamoDbLocal.uniqueTableName("lost");
        try (Database db = DynamoDbDown.open(client, table + "$db", STREAM.withShards(shards))) {
            String stream = streamOf(client, table);
            List<ChangeCheckpoint> lost = List.of(
                    ChangeCheckpoint.since(null).inStream(stream + "-replaced"),
                    ChangeCheckpoint.since(Instant.now().minus(Duration.ofHours(25))),
                    ChangeCheckpoint.since(null).inStream(stream).at("shardId-gone-and-unfinished", "000000000000000000001"),
                    ChangeCheckpoint.since(null).inStream(stream).at("shardId-gone-and-finished", ChangeCheckpoint.SHARD_DONE));
            for (ChangeCheckpoint checkpoint : lost) {
                ChangesLostException e = assertThrows(ChangesLostException.class, () -> {
                    try (ChangeReader reader = DynamoDbDown.changes(streams, db, KeyRange.all(), checkpoint)) {
                        reader.poll(10);
                    }
                }, checkpoint.toString());
                assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
            }
            db.dropTable();
        }
    }

    private static String streamOf(DynamoDbClient client, String table) {
        return client.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    }

    /** The embedded server's streams, whose GetRecords fails on demand: an outage in the middle of a poll. */
    private static final class FailingStreams implements DynamoDbStreamsClient {
        private final DynamoDbStreamsClient real;
        private int succeedFirst = Integer.MAX_VALUE;

        FailingStreams(DynamoDbStreamsClient real) {
            this.real = real;
        }

        void failGetRecordsAfter(int calls) {
            succeedFirst = calls;
        }

        void heal() {
            succeedFirst = Integer.MAX_VALUE;
        }

        @Override
        public GetRecordsResponse getRecords(GetRecordsRequest request) {
            if (succeedFirst-- <= 0) {
                throw SdkClientException.create("Unable to execute HTTP request: Connection refused (injected)");
            }
            return real.getRecords(request);
        }

        @Override
        public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
            return real.getShardIterator(request);
        }

        @Override
        public DescribeStreamResponse describeStream(DescribeStreamRequest request) {
            return real.describeStream(request);
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
            // the embedded server's client stays open for the other tests
        }
    }
}
