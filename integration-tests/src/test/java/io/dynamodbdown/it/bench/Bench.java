package io.dynamodbdown.it.bench;

import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import io.dynamodbdown.testing.DynamoDbLocalProcess;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What every row group works with: the scale, the long-lived DynamoDB Local process and its client, tables, the
 * side-by-side measuring, the report the rows go into, the embedded Kafka Connect (started by the first group that
 * needs it) and the raw ceilings that later groups measure again.
 */
final class Bench implements AutoCloseable {

    /** Thread counts tried for the raw write and get ceilings. */
    static final int[] THREADS = {1, 4, 8, 16};
    /** Items per Query page; 0 is no item limit, DynamoDB's 1 MB pages only (about 7,000 of these entries). */
    static final int[] PAGE_SIZES = {0, 1_000, 5_000, 10_000};
    /** Fewer settings for the ceilings with Kafka in the loop (slower runs): the ones that won without Kafka here. */
    static final int[] WITH_KAFKA_THREADS = {4, 8, 16};
    static final int[] WITH_KAFKA_PAGE_SIZES = {1_000, 5_000, 10_000};

    private final double scale;
    private final int runs;
    private final File log;
    private final DynamoDbLocalProcess dynamo;
    private final DynamoDbClient client;
    private final Report report = new Report();
    private final SideBySide sideBySide = new SideBySide(this::serverCpuNanos);
    /** The DynamoDB Local process of the trial running now, if it has one of its own (see {@link #onFreshServer}). */
    private volatile DynamoDbLocalProcess freshServer;
    private long retiredServersCpuNanos;
    private int tables;
    private String scratch;
    private ConnectWorkloads connect;
    /** The raw ceilings the connector and Camel rows measure again: the settings that won, once known. */
    private Trial writeCeiling;
    private Trial readCeiling;
    /** A table of {@link #entries()} entries for the read rows. */
    private String filled;

    Bench(File log, double scale, int runs) {
        this.scale = scale;
        this.runs = runs;
        this.log = log;
        this.dynamo = DynamoDbLocalProcess.start(null, log);
        this.client = dynamo.newClient();
    }

    double scale() {
        return scale;
    }

    int runs() {
        return runs;
    }

    /** {@code full} (the size of the issue) at this run's scale, at least one. */
    int size(int full) {
        return Math.max(1, (int) Math.round(full * scale));
    }

    /** The rows' usual count of entries: 100,000 at full scale. */
    int entries() {
        return size(100_000);
    }

    DynamoDbLocalProcess dynamo() {
        return dynamo;
    }

    /** The client of the long-lived server, shared by the rows; do not close it. */
    DynamoDbClient client() {
        return client;
    }

    /** A number for a new table or topic name, unique in the run. */
    int nextNumber() {
        return ++tables;
    }

    // ---- tables

    /**
     * A new table that stays for the whole run. Created through another database than {@code bench}: a database
     * records its shard count when first opened, and the rows give {@code bench} theirs (1, 4 or 16) when they write.
     */
    String freshTable() {
        String table = "bench-" + nextNumber();
        try (Database db = DynamoDbDown.open(client, table + "$" + Location.DEFAULT_HASH_KEY)) {
            return table;
        }
    }

    /**
     * A new table for one trial; the previous trial's is dropped first. DynamoDB Local slows down as it holds
     * more rows (its heap fills), so without this whatever runs later would be measured on a slower server.
     */
    String scratchTable() {
        if (scratch != null) {
            client.deleteTable(delete -> delete.tableName(scratch));
        }
        scratch = freshTable();
        return scratch;
    }

    /** The table of {@link #entries()} entries that the read rows share, filled when a row first asks for it. */
    String filledTable() {
        if (filled == null) {
            filled = freshTable();
            Core.write(client, filled, entries());
        }
        return filled;
    }

    // ---- ceilings carried from one row group to the next

    Trial writeCeiling() {
        return writeCeiling;
    }

    void writeCeiling(Trial trial) {
        writeCeiling = trial;
    }

    Trial readCeiling() {
        return readCeiling;
    }

    void readCeiling(Trial trial) {
        readCeiling = trial;
    }

    // ---- measuring

    /** The trials of one row side by side, in {@link #runs()} rounds after a warm-up each. */
    Map<Trial, Measured> sideBySide(List<Trial> trials) throws Exception {
        return sideBySide.measure(trials, false, runs);
    }

    /** The same in {@code rounds} rounds, for rows whose pace is not the machine's. */
    Map<Trial, Measured> sideBySide(List<Trial> trials, int rounds) throws Exception {
        return sideBySide.measure(trials, false, rounds);
    }

    /** One trial alone, with the live heap measured too (forced collections: for the memory rows only). */
    Measured measureLiveHeap(String label, Callable<Sample> run) throws Exception {
        Trial trial = new Trial(label, run);
        return sideBySide.measure(List.of(trial), true, runs).get(trial);
    }

    /** What a trial does on a server of its own. */
    @FunctionalInterface
    interface OnServer {
        Sample run(DynamoDbLocalProcess server) throws Exception;
    }

    /** Runs {@code trial} on a new DynamoDB Local process, stopped afterwards; its CPU counts as the server's. */
    Sample onFreshServer(OnServer trial) throws Exception {
        DynamoDbLocalProcess server = DynamoDbLocalProcess.start(null, log);
        freshServer = server;
        try {
            return trial.run(server);
        } finally {
            retiredServersCpuNanos += server.cpuTime().toNanos();
            freshServer = null;
            server.close();
        }
    }

    /** CPU used so far by the benchmark's DynamoDB Local processes: the long-lived one and those of single trials. */
    private long serverCpuNanos() {
        DynamoDbLocalProcess fresh = freshServer;
        return dynamo.cpuTime().toNanos() + retiredServersCpuNanos + (fresh == null ? 0 : fresh.cpuTime().toNanos());
    }

    // ---- rows

    Report report() {
        return report;
    }

    void add(String workload, Measured ours, Measured ceiling, Measured naive) {
        report.add(workload, ours, ceiling, naive, null);
    }

    void add(String workload, Measured ours, Measured ceiling, Measured naive, Measured kafkaCeiling) {
        report.add(workload, ours, ceiling, naive, kafkaCeiling);
    }

    // ---- Kafka Connect

    /** The embedded broker and worker with the connector workloads, started by the first row that needs them. */
    ConnectWorkloads connect() {
        if (connect == null) {
            connect = new ConnectWorkloads(this);
        }
        return connect;
    }

    /** Waits for every task, rethrowing the first failure. */
    static void awaitAll(List<? extends Future<?>> tasks) throws Exception {
        for (Future<?> task : tasks) {
            task.get();
        }
    }

    @Override
    public void close() {
        if (connect != null) {
            connect.close();
        }
        client.close();
        dynamo.close();
    }
}
