package io.dynamodbdown.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.camel.DynamoDbDownConstants;
import io.dynamodbdown.it.infra.ConnectWorker;
import io.dynamodbdown.it.infra.DynamoDbService;
import io.dynamodbdown.kafka.connect.DynamoDbDownHeaders;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.Generation;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.WriteOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Pipeline 4: a continuous backup. A Camel route keeps writing random keys of a database, overwriting and
 * deleting existing ones, while the source in changes mode copies it into a topic and the sink writes the topic
 * into a second table. In the middle the Connect worker restarts and DynamoDB goes away for 5 seconds. When the
 * writes stop, the copy equals the original entry for entry, deletes included.
 */
class ChangeCapturePipelineTest extends PipelineTestSupport {

    private static final int KEYS = 400;

    @Test
    void theCopyEqualsTheOriginalAfterRandomWritesAWorkerRestartAndAnOutage(@TempDir Path data) throws Exception {
        Path log = Files.createTempFile("dynamodb-local-changes", ".log");
        try (DynamoDbLocalProcess process = DynamoDbLocalProcess.start(data, log.toFile());
                DynamoDbService local = DynamoDbService.local(process.endpoint(), "DynamoDB Local (child JVM, -dbPath)", null);
                DefaultCamelContext camel = new DefaultCamelContext()) {
            String original = local.newTable("p4-original");
            String copy = local.newTable("p4-copy");
            String topic = "p4-backup";
            try (Database db = DynamoDbDown.open(local.client(), original + "$orders",
                    OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
                List<BatchOperation> initial = new ArrayList<>();
                for (int i = 0; i < KEYS; i += 2) {
                    initial.add(BatchOperation.put(key(i), "initial"));
                }
                db.batch(initial);
            }

            camel.getRegistry().bind("dynamoDbClient", local.client());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:write").to("dynamodbdown:" + original + "$orders?maxAttempts=2");
                }
            });
            camel.start();
            Writer writer = new Writer(camel.createProducerTemplate());
            Thread writing = new Thread(writer, "p4-writer");
            writing.start();

            Map<String, String> source = source(original, "orders", topic);
            source.putAll(local.connectorSettings());
            source.put("mode", "changes");
            source.put("batch.max.rows", "200");
            source.put("max.retries", "3");
            Map<String, String> sink = sink(topic, copy, "orders");
            sink.putAll(local.connectorSettings());
            sink.put("max.retries", "3");
            sink.put("retry.backoff.ms", "500");
            connect.putConnector("p4-source", source);
            connect.putConnector("p4-sink", sink);
            connect.awaitRunning("p4-source", 1);
            connect.awaitRunning("p4-sink", 1);

            writer.awaitWrites(1_500);
            connect.restart();
            connect.awaitRunning("p4-source", 1);
            connect.awaitRunning("p4-sink", 1);
            writer.awaitWrites(3_000);
            process.kill();
            await("a 5 s outage").pollDelay(Duration.ofSeconds(5)).until(() -> true);
            process.startProcess();
            writer.awaitWrites(4_500);
            writer.stop.set(true);
            writing.join();

            List<Entry> expected = local.entries(original + "$orders");
            awaitUntil(() -> local.entries(copy + "$orders").equals(expected), () -> "the copy to equal the original ("
                    + expected.size() + " entries); it holds " + local.count(copy + "$orders") + "; connectors: "
                    + connect.status("p4-source") + ", " + connect.status("p4-sink"));
            System.out.printf("continuous backup: %,d writes (%,d deletes, %,d failed in the outage), %,d entries in both tables%n",
                    writer.writes.get(), writer.deletes.get(), writer.failures.get(), expected.size());
            assertTrue(writer.deletes.get() > 500 && writer.failures.get() > 0,
                    "deletes and the outage happened: " + writer.deletes + " deletes, " + writer.failures + " failed writes");
            connect.deleteConnector("p4-source");
            connect.deleteConnector("p4-sink");
        }
    }

    /**
     * Exactly-once: a worker with exactly.once.source.support=enabled runs the source in changes mode (offsets and
     * records committed in one transaction per poll) and restarts while changes stream in. A read_committed
     * consumer then sees every change exactly once: as many records as there were changes, each put's value once.
     */
    @Test
    void withExactlyOnceAReadCommittedConsumerSeesEveryChangeOnceAcrossAWorkerRestart() throws Exception {
        String table = dynamo.newTable("p4-eos");
        String topic = "p4-eos-backup";
        try (ConnectWorker eos = ConnectWorker.startSeparate(kafka.bootstrapServers(), "eos",
                Map.of("exactly.once.source.support", "enabled"));
                Database db = DynamoDbDown.open(dynamo.client(), table + "$orders",
                        OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false))) {
            Map<String, String> source = source(table, "orders", topic);
            source.put("mode", "changes");
            source.put("batch.max.rows", "50");
            source.put("exactly.once.support", "required");
            source.put("transaction.boundary", "poll");
            eos.putConnector("p4-eos", source);
            eos.awaitRunning("p4-eos", 1);
            // its snapshot (of an empty table) done, every change comes from the stream: once each
            kafka.consumeUntil(topic, r -> r.stream().anyMatch(ChangeCapturePipelineTest::isSnapshotEnd), "the snapshot's end",
                    TIMEOUT);

            Random random = new Random(44);
            Set<String> present = new HashSet<>();
            int changes = 0;
            for (int i = 0; i < 3_000; i++) {
                if (i == 1_500) {
                    eos.restart();
                }
                String key = key(random.nextInt(300));
                if (random.nextInt(4) == 0) {
                    db.del(key);
                    changes += present.remove(key) ? 1 : 0; // a delete of a missing key is no change
                } else {
                    db.put(key, "w" + i);
                    present.add(key);
                    changes++;
                }
            }
            eos.awaitRunning("p4-eos", 1);
            int expected = changes;
            Map<String, String> state = new TreeMap<>();
            db.stream(KeyRange.all()).forEach(e -> state.put(new String(e.getKey()), new String(e.getValue())));
            kafka.consumeUntil(topic, r -> r.size() >= expected, expected + " changes", TIMEOUT);
            List<List<ConsumerRecord<byte[], byte[]>>> reads = new ArrayList<>();
            await("the topic to stop growing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                reads.add(kafka.consumeAll(topic, TIMEOUT));
                return reads.size() >= 2 && reads.get(reads.size() - 1).size() == reads.get(reads.size() - 2).size();
            });
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(reads.get(reads.size() - 1));

            Map<String, String> replayed = new TreeMap<>();
            Set<String> values = new HashSet<>();
            records.removeIf(ChangeCapturePipelineTest::isSnapshotEnd); // a marker, not a change
            for (ConsumerRecord<byte[], byte[]> record : records) {
                String value = record.value() == null ? null : new String(record.value());
                if (value == null) {
                    replayed.remove(new String(record.key()));
                } else {
                    replayed.put(new String(record.key()), value);
                    assertTrue(values.add(value), "put " + value + " arrived twice (" + records.size() + " records for "
                            + expected + " changes)");
                }
            }
            assertEquals(state, replayed, "the replay equals the table");
            assertEquals(expected, records.size(), "one record per change: none twice, read_committed");
            assertTrue(kafka.endOffsets(topic, TIMEOUT) > records.size() + 1, "the records were written in transactions"
                    + " (their commit markers take offsets)");
            System.out.printf("exactly-once changes: %,d changes, %,d records read_committed across a worker restart%n",
                    expected, records.size());
            eos.deleteConnector("p4-eos");
        }
    }

    /**
     * Issue #24, 4: a backup that needed a resnapshot equals its source. The source is stopped, the table's stream
     * turned off; 100 keys are deleted, 100 overwritten and 50 added (some past 400 KB); the stream is turned on
     * again and the source resumed. Its checkpoint is in the old stream, so it takes a new snapshot; the sink (two
     * tasks, a topic of three partitions) deletes from the copy what the new snapshot did not send once all three
     * partitions' snapshot-end markers are reached. The source database has 4 shards, the copy 2. The copy is watched
     * all along: at no moment does it lose a key it held that the source still holds.
     */
    @Test
    void afterAResnapshotTheCopyEqualsTheSourceWithTheKeysDeletedInTheGapGone() throws Exception {
        String original = dynamo.newTable("p4-resnapshot");
        String copy = dynamo.newTable("p4-resnapshot-copy");
        String topic = "p4-resnapshot-backup";
        Random random = new Random(24);
        try (Database db = DynamoDbDown.open(dynamo.client(), original + "$orders",
                OpenOptions.defaults().withShards(4).withStream(StreamViewType.NEW_IMAGE, false));
                Database target = DynamoDbDown.open(dynamo.client(), copy + "$orders", OpenOptions.defaults().withShards(2))) {
            List<BatchOperation> initial = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                initial.add(BatchOperation.put(Bytes.utf8(key(i)), value(random, i % 50 == 0)));
            }
            db.batch(initial);

            Map<String, String> source = resnapshottingSource(original, "orders", topic);
            Map<String, String> sink = sink(topic, copy, "orders");
            sink.put("tasks.max", "2");
            sink.put("shards", "2");
            startPair("p4-resnapshot", source, sink);
            awaitCopyEquals(original, copy, "the first snapshot");

            stopFollowing("p4-resnapshot-source", original);
            List<BatchOperation> gap = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                gap.add(BatchOperation.del(key(i)));                                      // deleted: no record says so
                gap.add(BatchOperation.put(Bytes.utf8(key(100 + i)), value(random, i % 25 == 0))); // overwritten
            }
            for (int i = 300; i < 350; i++) {
                gap.add(BatchOperation.put(Bytes.utf8(key(i)), value(random, i % 25 == 0)));       // added
            }
            db.batch(gap);
            resumeFollowing("p4-resnapshot-source", original);

            // the keys the copy holds and the source still holds: the copy must never lose one of them
            Set<String> held = new TreeSet<>();
            db.keys(KeyRange.all()).forEachRemaining(k -> held.add(new String(k)));
            Set<String> watched = new TreeSet<>();
            target.keys(KeyRange.all()).forEachRemaining(k -> watched.add(new String(k)));
            watched.retainAll(held);
            List<String> lost = new ArrayList<>();
            awaitUntil(() -> {
                Set<String> inCopy = new HashSet<>();
                target.keys(KeyRange.all()).forEachRemaining(k -> inCopy.add(new String(k)));
                watched.stream().filter(k -> !inCopy.contains(k)).forEach(lost::add);
                return dynamo.entries(copy + "$orders").equals(dynamo.entries(original + "$orders"));
            }, () -> "the copy to equal the source after the resnapshot; it holds " + dynamo.count(copy + "$orders")
                    + " of " + held.size() + "; connectors: " + connect.status("p4-resnapshot-source") + ", "
                    + connect.status("p4-resnapshot-sink"));
            assertEquals(List.of(), lost, "keys the copy and the source held, missing from the copy while it was watched");
            assertEquals(250, held.size());
            assertEquals(200, watched.size(), "the keys neither deleted nor added in the gap");
            connect.deleteConnector("p4-resnapshot-source");
            connect.deleteConnector("p4-resnapshot-sink");
        }
    }

    /**
     * Issue #25: one table of three databases, keys overlapping, one of them sharded with large values. One changes
     * source of two of them (a list) and one of the whole table ({@code hash.key=*}), two tasks each, into a topic
     * each; a sink per topic writes each record into the database its {@code dynamodbdown.hash.key} header names.
     * Writes go on through a worker restart; when they stop, each copy holds each database entry for entry.
     */
    @Test
    void databasesOfOneTableArriveAsCopiesOfEachFromAListAndFromTheWholeTableThroughAWorkerRestart() throws Exception {
        String original = dynamo.newTable("p4-many");
        String listed = dynamo.newTable("p4-many-listed");
        String whole = dynamo.newTable("p4-many-whole");
        Random random = new Random(25);
        OpenOptions stream = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);
        try (Database dba = DynamoDbDown.open(dynamo.client(), original + "$dba", stream);
                Database dbb = DynamoDbDown.open(dynamo.client(), original + "$dbb", stream);
                Database sharded = DynamoDbDown.open(dynamo.client(), original + "$dbs", stream.withShards(4))) {
            List<Database> databases = List.of(dba, dbb, sharded);
            for (int i = 0; i < 150; i++) {
                databases.get(i % 3).put(Bytes.utf8(key(i % 60)), value(random, i % 3 == 2 && i % 20 == 2));
            }
            Map<String, String> listSource = source(original, "dba,dbb", "p4-many-listed", 2);
            Map<String, String> wholeSource = source(original, "*", "p4-many-whole", 2);
            for (Map<String, String> source : List.of(listSource, wholeSource)) {
                source.put("mode", "changes");
                source.put("tasks.max", "2");
                source.put("heartbeat.interval.ms", "1000");
            }
            Map<String, String> listSink = sink("p4-many-listed", listed, "unused");
            Map<String, String> wholeSink = sink("p4-many-whole", whole, "unused");
            listSink.put("hash.key.header", DynamoDbDownHeaders.HASH_KEY);
            wholeSink.put("hash.key.header", DynamoDbDownHeaders.HASH_KEY);
            connect.putConnector("p4-many-listed-source", listSource);
            connect.putConnector("p4-many-whole-source", wholeSource);
            connect.putConnector("p4-many-listed-sink", listSink);
            connect.putConnector("p4-many-whole-sink", wholeSink);
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 150; i++) {
                    Database db = databases.get(random.nextInt(3));
                    String key = key(random.nextInt(60));
                    if (random.nextInt(4) == 0) {
                        db.del(key);
                    } else {
                        db.put(Bytes.utf8(key), value(random, db == sharded && random.nextInt(15) == 0));
                    }
                }
                if (round == 0) {
                    connect.restart();
                }
            }
            for (String name : List.of("dba", "dbb", "dbs")) {
                awaitUntil(() -> dynamo.entries(whole + "$" + name).equals(dynamo.entries(original + "$" + name)),
                        () -> "the whole table's copy of " + name + " to equal it; it holds " + dynamo.count(whole + "$" + name)
                                + " of " + dynamo.count(original + "$" + name) + "; " + connect.status("p4-many-whole-source"));
            }
            for (String name : List.of("dba", "dbb")) {
                awaitUntil(() -> dynamo.entries(listed + "$" + name).equals(dynamo.entries(original + "$" + name)),
                        () -> "the listed copy of " + name + " to equal it; it holds " + dynamo.count(listed + "$" + name)
                                + " of " + dynamo.count(original + "$" + name) + "; " + connect.status("p4-many-listed-source"));
            }
            assertEquals(0, dynamo.count(listed + "$dbs"), "the list names two databases: nothing of the third");
            assertEquals(0, dynamo.count(listed + "$unused") + dynamo.count(whole + "$unused"), "every record went where its header says");
            for (String connector : List.of("p4-many-listed-source", "p4-many-whole-source", "p4-many-listed-sink", "p4-many-whole-sink")) {
                connect.deleteConnector(connector);
            }
        }
    }

    /**
     * Issue #25: a whole table's backup ({@code hash.key=*}, the sink writing by header) that needed a resnapshot equals
     * its source. The source is stopped and the table's stream turned off; 20 keys of dba and 20 of the sharded dbs
     * are deleted, dbc is emptied entirely, 10 keys are added to dba; the stream is turned on again and the source
     * resumed: a new snapshot, whose end markers name every database, clears what it did not send from every copy,
     * dbc's included, which no snapshot segment holds any more. A database of the copy written by another source
     * table, and an entry written without a generation, are left alone.
     */
    @Test
    void afterAWholeTablesResnapshotEveryCopyEqualsItsDatabaseAndAnEmptiedOneIsEmpty() throws Exception {
        Random random = new Random(2525);
        String topic = "p4-whole-resnapshot-backup";
        String original = dynamo.newTable("p4-whole-resnapshot");
        String copy = dynamo.newTable("p4-whole-resnapshot-copy");
        OpenOptions stream = OpenOptions.defaults().withStream(StreamViewType.NEW_IMAGE, false);
        try (Database dba = DynamoDbDown.open(dynamo.client(), original + "$dba", stream);
                Database dbs = DynamoDbDown.open(dynamo.client(), original + "$dbs", stream.withShards(3));
                Database dbc = DynamoDbDown.open(dynamo.client(), original + "$dbc", stream);
                Database foreign = DynamoDbDown.open(dynamo.client(), copy + "$foreign")) {
            List<Database> databases = List.of(dba, dbs, dbc);
            for (Database db : databases) {
                List<BatchOperation> puts = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    puts.add(BatchOperation.put(Bytes.utf8(key(i)), value(random, db == dbs && i % 20 == 0)));
                }
                db.batch(puts);
            }
            foreign.batch(List.of(BatchOperation.put("f1", "another table's")),
                    WriteOptions.DEFAULT.withGeneration(new Generation("p4-elsewhere$foreign", 1)));
            foreign.put("f2", "written without a generation");

            Map<String, String> sink = sink(topic, copy, "unused");
            sink.putAll(Map.of("hash.key.header", DynamoDbDownHeaders.HASH_KEY, "tasks.max", "2"));
            Map<String, String> source = resnapshottingSource(original, "*", topic);
            source.put("tasks.max", "2");
            startPair("p4-whole-resnapshot", source, sink);
            awaitCopiesEqual(original, copy, "the first snapshot");

            stopFollowing("p4-whole-resnapshot-source", original);
            List<BatchOperation> deleted = IntStream.range(0, 20).<BatchOperation>mapToObj(i -> BatchOperation.del(key(3 * i))).toList();
            dba.batch(deleted);                                                                  // no record says so
            dbs.batch(deleted);
            dbc.clear(KeyRange.all());                                                           // a database gone
            for (int i = 60; i < 70; i++) {
                dba.put(Bytes.utf8(key(i)), value(random, false));                              // added
            }
            resumeFollowing("p4-whole-resnapshot-source", original);

            awaitCopiesEqual(original, copy, "the resnapshot");
            assertEquals(50, dynamo.count(original + "$dba"));
            assertEquals(0, dynamo.count(copy + "$dbc"), "the emptied database's copy is empty");
            assertEquals("another table's", foreign.getString("f1"));
            assertEquals("written without a generation", foreign.getString("f2"));
            connect.deleteConnector("p4-whole-resnapshot-source");
            connect.deleteConnector("p4-whole-resnapshot-sink");
        }
    }

    /** Waits until the copies of dba, dbs and dbc equal their databases. */
    private void awaitCopiesEqual(String original, String copy, String what) {
        for (String name : List.of("dba", "dbs", "dbc")) {
            awaitUntil(() -> dynamo.entries(copy + "$" + name).equals(dynamo.entries(original + "$" + name)),
                    () -> "the copy of " + name + " to equal it after " + what + "; it holds " + dynamo.count(copy + "$" + name)
                            + " of " + dynamo.count(original + "$" + name) + "; connectors: "
                            + connect.status("p4-whole-resnapshot-source") + ", " + connect.status("p4-whole-resnapshot-sink"));
        }
    }

    /** A changes source into a topic of three partitions that takes a new snapshot when it can no longer follow the stream. */
    private Map<String, String> resnapshottingSource(String table, String hashKey, String topic) {
        Map<String, String> source = source(table, hashKey, topic, 3);
        source.put("mode", "changes");
        source.put("changes.on.trimmed", "resnapshot");
        source.put("heartbeat.interval.ms", "1000");
        return source;
    }

    /** Starts the source {@code <name>-source} and the sink {@code <name>-sink}. */
    private void startPair(String name, Map<String, String> source, Map<String, String> sink) {
        connect.putConnector(name + "-source", source);
        connect.putConnector(name + "-sink", sink);
    }

    /** Stops the source and turns the table's stream off: what is written now is in no stream record. */
    private void stopFollowing(String connector, String table) {
        connect.stopConnector(connector);
        dynamo.client().updateTable(b -> b.tableName(table).streamSpecification(spec -> spec.streamEnabled(false)));
    }

    /** Turns the stream on again and resumes the source: its checkpoint is in the old stream, so it takes a new snapshot. */
    private void resumeFollowing(String connector, String table) {
        dynamo.client().updateTable(b -> b.tableName(table).streamSpecification(spec -> spec
                .streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        connect.resumeConnector(connector);
    }

    private void awaitCopyEquals(String original, String copy, String what) {
        awaitUntil(() -> dynamo.entries(copy + "$orders").equals(dynamo.entries(original + "$orders")),
                () -> "the copy to equal the source after " + what + "; it holds " + dynamo.count(copy + "$orders"));
    }

    /** A random value, past 400 KB (kept in chunks) when {@code large}. */
    private static byte[] value(Random random, boolean large) {
        byte[] value = new byte[large ? 450 * 1024 : 20 + random.nextInt(200)];
        random.nextBytes(value);
        return value;
    }

    private static String key(int i) {
        return String.format("order-%04d", i);
    }

    private static boolean isSnapshotEnd(ConsumerRecord<byte[], byte[]> record) {
        var change = record.headers().lastHeader(DynamoDbDownHeaders.CHANGE);
        return change != null && DynamoDbDownHeaders.SNAPSHOT_END.equals(new String(change.value()));
    }

    /** Writes random keys through the route: a put of a new value, or (a quarter of the time) a delete. */
    private static final class Writer implements Runnable {
        final ProducerTemplate route;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger deletes = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final Random random = new Random(4);

        Writer(ProducerTemplate route) {
            this.route = route;
        }

        @Override
        public void run() {
            for (int i = 0; !stop.get(); i++) {
                String key = key(random.nextInt(KEYS));
                boolean delete = random.nextInt(4) == 0;
                try {
                    if (delete) {
                        route.sendBodyAndHeaders("direct:write", null, Map.of(DynamoDbDownConstants.OPERATION, "del",
                                DynamoDbDownConstants.KEY, key));
                        deletes.incrementAndGet();
                    } else {
                        route.sendBodyAndHeader("direct:write", "v" + i + "-" + "x".repeat(random.nextInt(200)),
                                DynamoDbDownConstants.KEY, key);
                    }
                    writes.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.incrementAndGet(); // DynamoDB is away: the route fails this write and goes on
                }
            }
        }

        void awaitWrites(int count) {
            awaitUntil(() -> writes.get() >= count, () -> count + " writes; " + writes + " so far, " + failures + " failed");
        }
    }
}
