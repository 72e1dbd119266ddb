package io.dynamodbdown.it.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rows measured so far and the cost lines after them: printed as a table and written as JSON. */
final class Report {

    /**
     * One line of the results; ceiling and naive are null where a workload has none. For the connector rows,
     * kafkaCeiling is the raw SDK with a raw Kafka client in the loop (what the connector's job costs here at
     * least), null elsewhere. A row group that failed is one row with its error and nothing measured.
     */
    record Row(String workload, Measured ours, Double ceiling, Double naive, Double kafkaCeiling, String error) {
        Row(String workload, Measured ours, Double ceiling, Double naive, Double kafkaCeiling) {
            this(workload, ours, ceiling, naive, kafkaCeiling, null);
        }

        Double ratio() {
            return over(ceiling);
        }

        Double naiveRatio() {
            return over(naive);
        }

        Double kafkaRatio() {
            return over(kafkaCeiling);
        }

        private Double over(Double baseline) {
            return baseline == null || ours == null ? null : ours.perSecond() / baseline;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    /** JSON objects of the figures that are not rates (read units, redeliveries), after the rows'. */
    private final List<String> costs = new ArrayList<>();
    /** The same figures as lines, printed after the table. */
    private final List<String> costLines = new ArrayList<>();

    void add(String workload, Measured ours, Measured ceiling, Measured naive, Measured kafkaCeiling) {
        rows.add(new Row(workload, ours, perSecond(ceiling), perSecond(naive), perSecond(kafkaCeiling)));
        System.out.println("  done: " + workload);
    }

    /** A row measured against a limit (items a second) rather than a raw ceiling. */
    void addAgainstLimit(String workload, Measured ours, double limit) {
        rows.add(new Row(workload, ours, limit, null, null));
        System.out.println("  done: " + workload);
    }

    /** A row group that failed: one row with its error, and the error printed with its stack trace. */
    void addFailed(String group, Throwable e) {
        String error = e.toString();
        rows.add(new Row(group + " (row group failed)", null, null, null, null, error));
        System.out.println("  FAILED: " + group + ": " + error);
        e.printStackTrace(System.out);
    }

    /** A figure that is not a rate: {@code line} printed after the table, {@code json} an object in the JSON. */
    void addCost(String line, String json) {
        costLines.add(line);
        costs.add(json);
    }

    private static Double perSecond(Measured measured) {
        return measured == null ? null : measured.perSecond();
    }

    String table() {
        StringBuilder out = new StringBuilder(String.format("%n%-52s %12s %12s %12s %10s %10s %12s %10s %8s %8s %6s %7s%n",
                "workload", "ours/s", "ceiling/s", "naive/s", "ours/ceil", "ours/naive", "w/ Kafka/s", "ours/w K", "peak MB",
                "live MB", "cores", "server"));
        for (Row row : rows) {
            Measured ours = row.ours();
            if (row.error() != null) {
                out.append(String.format(Locale.ROOT, "%-52s FAILED: %s%n", row.workload(), row.error()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-52s %,12.0f %12s %12s %10s %10s %12s %10s %8.0f %8s %6.2f %6.0f%%%n",
                    row.workload(), ours.perSecond(), rate(row.ceiling()), rate(row.naive()), times(row.ratio()),
                    times(row.naiveRatio()), rate(row.kafkaCeiling()), times(row.kafkaRatio()),
                    ours.peakHeapMb(), ours.liveHeapMb() == null ? "-" : String.format("%.0f", ours.liveHeapMb()),
                    ours.coresBusy(), 100 * ours.serverCpuShare()));
        }
        costLines.forEach(line -> out.append(line).append(System.lineSeparator()));
        return out.toString();
    }

    private static String rate(Double perSecond) {
        return perSecond == null ? "-" : String.format("%,.0f", perSecond);
    }

    private static String times(Double ratio) {
        return ratio == null ? "-" : String.format("%.2fx", ratio);
    }

    String json() {
        List<String> objects = new ArrayList<>();
        for (Row row : rows) {
            if (row.error() != null) {
                objects.add(String.format(Locale.ROOT, "  {\"workload\": %s, \"error\": %s}", quoted(row.workload()),
                        quoted(row.error())));
                continue;
            }
            objects.add(String.format(Locale.ROOT,
                    "  {\"workload\": %s, \"ours\": %.1f, \"ceiling\": %s, \"naive\": %s, \"ratio\": %s, \"peakHeapMb\": %.1f,"
                            + " \"liveHeapMb\": %s, \"coresBusy\": %.2f, \"serverCpuShare\": %.2f, \"kafkaCeiling\": %s, \"kafkaRatio\": %s}",
                    quoted(row.workload()), row.ours().perSecond(), number(row.ceiling()), number(row.naive()), number(row.ratio()),
                    row.ours().peakHeapMb(), number(row.ours().liveHeapMb()), row.ours().coresBusy(), row.ours().serverCpuShare(),
                    number(row.kafkaCeiling()), number(row.kafkaRatio())));
        }
        objects.addAll(costs);
        return "[\n" + String.join(",\n", objects) + "\n]\n";
    }

    /** A JSON string. */
    static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    private static String number(Double value) {
        return value == null ? "null" : String.format(Locale.ROOT, "%.3f", value);
    }

    /** "1 shard", "4 shards". */
    static String counted(int count, String thing) {
        return count + " " + thing + (count == 1 ? "" : "s");
    }
}
