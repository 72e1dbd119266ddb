package io.dynamodbdown.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dynamodbdown.kafka.connect.DynamoDbDownHeaders;
import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Entry;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The pipeline's model-based checker (issue #24, 6): random puts, overwrites and deletes, small values and ones past
 * 400 KB, into a live database of several shards -> the source connector in changes mode (of the database, or, as the
 * seed picks, of the whole table: {@code hash.key=*}) -> a topic of three
 * partitions -> the sink connector (two tasks) -> a copy of two shards. Meanwhile, at points the seed picks, the
 * Connect worker restarts, the sink stops and resumes, and once the table's stream is turned off and on again while
 * the writes go on (keys deleted then are in no stream record): the source's checkpoint is gone, it takes a new
 * snapshot, and the sink deletes from the copy what that snapshot did not send. When the writes stop, the copy must
 * equal the model, entry for entry, and so must the source.
 *
 * <p>It prints its seed and what it did; {@code -Dpipeline.check.seed=N} replays the same writes and events (their
 * timing against the worker differs), {@code -Dpipeline.check.seconds=S} sets how long writes go on (90 by default;
 * the {@code soak} profile runs 15 minutes).
 */
class PipelineModelCheckTest extends PipelineTestSupport {

    private static final int KEYS = 500;

    private final long seed = Long.getLong("pipeline.check.seed", System.nanoTime());
    private final long seconds = Long.getLong("pipeline.check.seconds", 90);

    @Test
    void randomWritesWorkerRestartsAndAForcedResnapshotEndWithTheCopyEqualToTheModel() throws Exception {
        Random random = new Random(seed);
        int shards = 2 + random.nextInt(3);
        int sourceTasks = 1 + random.nextInt(3);
        boolean byHeader = random.nextBoolean();
        boolean wholeTable = random.nextBoolean(); // hash.key=*: the resnapshot's end clears through a Scan of the copy
        System.out.printf("pipeline model check: seed %d (-Dpipeline.check.seed=%d replays it), source of %d shards read by"
                + " %d tasks%s, sink writing %s, %d s%n", seed, seed, shards, sourceTasks, wholeTable ? " as a whole table" : "",
                byHeader ? "where each record's header says" : "into its hash.key", seconds);
        String original = dynamo.newTable("check-original");
        String copy = dynamo.newTable("check-copy");
        String topic = "check-backup-" + Math.abs(seed % 100_000);
        Map<String, Integer> events = new TreeMap<>();
        try (Database db = DynamoDbDown.open(dynamo.client(), original + "$orders",
                OpenOptions.defaults().withShards(shards).withStream(StreamViewType.NEW_IMAGE, false));
                Database target = DynamoDbDown.open(dynamo.client(), copy + "$orders", OpenOptions.defaults().withShards(2))) {
            Writer writer = new Writer(db, new Random(random.nextLong()));
            Map<String, String> source = source(original, wholeTable ? "*" : "orders", topic, 3);
            source.put("mode", "changes");
            source.put("changes.on.trimmed", "resnapshot");
            source.put("heartbeat.interval.ms", "1000");
            source.put("batch.max.rows", "200");
            source.put("tasks.max", Integer.toString(sourceTasks));
            Map<String, String> sink = sink(topic, copy, byHeader ? "unused" : "orders");
            if (byHeader) {
                sink.put("hash.key.header", DynamoDbDownHeaders.HASH_KEY);
            }
            sink.put("tasks.max", "2");
            sink.put("shards", "2");
            connect.putConnector("check-source", source);
            connect.putConnector("check-sink", sink);
            Thread writing = new Thread(writer, "check-writer");
            writing.start();
            try {
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                boolean resnapshotted = false;
                while (System.nanoTime() < deadline) {
                    writer.awaitWrites(writer.writes.get() + 300 + random.nextInt(600));
                    int event = random.nextInt(4);
                    boolean late = System.nanoTime() > deadline - seconds * 500_000_000L;
                    if (!resnapshotted && (late || event == 0)) {
                        forceResnapshot(original, writer);
                        resnapshotted = true;
                        events.merge("forced resnapshots", 1, Integer::sum);
                    } else if (event == 1) {
                        connect.restart();
                        events.merge("worker restarts", 1, Integer::sum);
                    } else if (event == 2) { // a rebalance onto another number of tasks, mid-snapshot or mid-stream
                        source.put("tasks.max", Integer.toString(1 + (Integer.parseInt(source.get("tasks.max")) + random.nextInt(2)) % 3));
                        connect.putConnector("check-source", source);
                        events.merge("source task count changes", 1, Integer::sum);
                    } else {
                        connect.stopConnector("check-sink");
                        writer.awaitWrites(writer.writes.get() + 100);
                        connect.resumeConnector("check-sink");
                        events.merge("sink stops", 1, Integer::sum);
                    }
                }
                if (!resnapshotted) {
                    forceResnapshot(original, writer);
                    events.merge("forced resnapshots", 1, Integer::sum);
                }
            } finally {
                writer.stop.set(true);
                writing.join();
            }
            if (writer.failed != null) {
                throw new AssertionError("A write of the source failed", writer.failed);
            }
            List<Entry> expected = writer.modelEntries();
            assertEquals(expected, dynamo.entries(original + "$orders"), "the source holds what the model says");
            awaitUntil(() -> dynamo.entries(copy + "$orders").equals(expected), () -> "the copy to equal the model ("
                    + expected.size() + " entries); it holds " + dynamo.count(copy + "$orders") + "; seed " + seed
                    + "; connectors: " + connect.status("check-source") + ", " + connect.status("check-sink"));
            System.out.printf("pipeline model check passed: seed %d, %,d writes (%,d deletes, %,d large values), events %s,"
                    + " %,d entries compared%n", seed, writer.writes.get(), writer.deletes.get(), writer.large.get(), events,
                    expected.size());
        } catch (Throwable e) {
            throw new AssertionError("Pipeline model check failed: seed " + seed + " (-Dpipeline.check.seed=" + seed
                    + " replays it); events " + events, e);
        } finally {
            connect.deleteConnector("check-source");
            connect.deleteConnector("check-sink");
        }
    }

    /**
     * Stops the source, turns the table's stream off, lets writes go on (nothing records them), turns the stream on
     * again and resumes the source: its checkpoint is in a stream that is gone, so it takes a new snapshot.
     */
    private void forceResnapshot(String table, Writer writer) {
        connect.stopConnector("check-source");
        dynamo.client().updateTable(b -> b.tableName(table).streamSpecification(spec -> spec.streamEnabled(false)));
        writer.awaitWrites(writer.writes.get() + 300);
        dynamo.client().updateTable(b -> b.tableName(table).streamSpecification(spec -> spec
                .streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        connect.resumeConnector("check-source");
    }

    /** Writes at random through the store and keeps the model: what the database holds after each write. */
    private static final class Writer implements Runnable {
        final Database db;
        final Random random;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger deletes = new AtomicInteger();
        final AtomicInteger large = new AtomicInteger();
        private final TreeMap<ByteBuffer, byte[]> model = new TreeMap<>((a, b) -> Bytes.compare(a.array(), b.array()));

        Writer(Database db, Random random) {
            this.db = db;
            this.random = random;
        }

        /** A write that failed: the model no longer knows what the database holds, so the check ends there. */
        volatile RuntimeException failed;

        @Override
        public void run() {
            try {
                write();
            } catch (RuntimeException e) {
                failed = e;
            }
        }

        private void write() {
            while (!stop.get()) {
                int kind = random.nextInt(100);
                if (kind < 70) {
                    byte[] key = key();
                    byte[] value = value();
                    db.put(key, value);
                    synchronized (this) {
                        model.put(ByteBuffer.wrap(key), value);
                    }
                } else if (kind < 92) {
                    byte[] key = key();
                    db.del(key);
                    deletes.incrementAndGet();
                    synchronized (this) {
                        model.remove(ByteBuffer.wrap(key));
                    }
                } else {
                    List<BatchOperation> batch = new ArrayList<>();
                    Map<ByteBuffer, byte[]> last = new HashMap<>();
                    for (int i = 0; i < 10; i++) {
                        byte[] key = key();
                        byte[] value = random.nextInt(3) == 0 ? null : value();
                        batch.add(value == null ? BatchOperation.del(key) : BatchOperation.put(key, value));
                        last.put(ByteBuffer.wrap(key), value);
                    }
                    db.batch(batch);
                    synchronized (this) {
                        last.forEach((key, value) -> {
                            if (value == null) {
                                model.remove(key);
                            } else {
                                model.put(key, value);
                            }
                        });
                    }
                }
                writes.incrementAndGet();
            }
        }

        private byte[] key() {
            return Bytes.utf8(String.format("order-%04d", random.nextInt(KEYS)));
        }

        private byte[] value() {
            boolean isLarge = random.nextInt(40) == 0;
            byte[] value = new byte[isLarge ? 420 * 1024 + random.nextInt(300 * 1024) : 1 + random.nextInt(300)];
            random.nextBytes(value);
            if (isLarge) {
                large.incrementAndGet();
            }
            return value;
        }

        synchronized List<Entry> modelEntries() {
            List<Entry> entries = new ArrayList<>();
            model.forEach((key, value) -> entries.add(new Entry(key.array(), value)));
            return entries;
        }

        void awaitWrites(int count) {
            awaitUntil(() -> {
                if (failed != null) {
                    throw new AssertionError("A write of the source failed", failed);
                }
                return writes.get() >= count || stop.get();
            }, () -> count + " writes; " + writes + " so far");
        }

    }
}
