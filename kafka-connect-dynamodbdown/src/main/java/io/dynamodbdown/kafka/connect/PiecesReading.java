package io.dynamodbdown.kafka.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes mode: the snapshot phase of one {@link ChangesEpoch} in one task, for {@link ChangesReading}. The snapshot
 * is cut in {@link SnapshotPiece}s; this task reads every {@code tasks}-th, from its index, one {@link PieceReading}
 * at a time, each from where the epoch's stored offset left it. Whether every piece, of every task, is complete is
 * read from the offsets ({@link #incomplete}).
 */
final class PiecesReading implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PiecesReading.class);

    private final ChangesTaskContext task;
    private final DynamoDbDownSourceConfig config;
    private final ChangesEpoch epoch;
    /** How many partitions of each topic records were seen in, kept by the task across epochs. */
    private final Map<String, Integer> partitionsSeen;
    /** The epoch's pieces, this task's and the others'. */
    private final List<SnapshotPiece> pieces;
    /** This task's pieces not begun yet, and the one being read. */
    private final List<SnapshotPiece> ahead = new ArrayList<>();
    private final int owned;
    private volatile PieceReading run;
    /** The source partitions of this task's pieces whose completion the worker wrote. */
    private final Set<Map<String, ?>> completed = ConcurrentHashMap.newKeySet();

    PiecesReading(ChangesTaskContext task, ChangesEpoch epoch, Map<String, Integer> partitionsSeen) {
        this.task = task;
        this.config = task.config();
        this.epoch = epoch;
        this.partitionsSeen = partitionsSeen;
        this.pieces = SnapshotPiece.of(config, epoch.segments() > 0 ? epoch.segments() : task.tasks());
        for (int i = task.index(); i < pieces.size(); i += task.tasks()) {
            ahead.add(pieces.get(i));
        }
        this.owned = ahead.size();
    }

    /** How many pieces the snapshot is cut in. */
    int count() {
        return pieces.size();
    }

    /** How many of them are this task's. */
    int owned() {
        return owned;
    }

    /** Adds up to {@code wanted} records of this task's pieces; returns whether they are all complete. */
    boolean read(int wanted, List<SourceRecord> out) {
        int added = 0;
        while (added < wanted) {
            if (run == null) {
                if (ahead.isEmpty()) {
                    return true;
                }
                run = begin(ahead.remove(0));
            } else if (!run.scanned()) {
                int read = run.read(wanted - added, out);
                added += read;
                task.metrics().recordsPolled.addAndGet(read);
                if (read == 0 && !run.scanned()) {
                    return false;
                }
            } else if (run.written()) {
                run.end(out);
                run.close();
                run = null;
            } else {
                return false; // the end waits until the worker wrote every record of the piece
            }
        }
        return false;
    }

    /** A reading of {@code piece} from where the epoch's stored offset left it; null when it is complete. */
    private PieceReading begin(SnapshotPiece piece) {
        Map<String, String> partition = piece.partition(config);
        PieceOffset stored = PieceOffset.of(task.offsets().offset(partition));
        if (stored != null) {
            // an earlier epoch's records were seen there too: the end markers go to those partitions as well
            stored.seen(piece.isSegment() ? null : config.topicFor(piece.database()))
                    .forEach((topic, count) -> partitionsSeen.merge(topic, count, Math::max));
        }
        if (stored != null && !stored.of(epoch)) {
            stored = null;
        }
        if (stored != null && stored.done()) {
            completed.add(partition);
            return null;
        }
        LOG.info("{} the snapshot of {} of {}", stored != null && stored.key() != null ? "Resuming" : "Beginning", piece,
                config.table());
        String position = stored == null ? null : stored.key();
        return piece.isSegment()
                ? PieceReading.ofSegment(piece, task.client(), task.options(), epoch, position, config, partitionsSeen,
                        task.metrics())
                : PieceReading.ofDatabase(piece, task.databases().apply(piece.database()), epoch, position, config,
                        partitionsSeen, task.metrics());
    }

    /** Ends a whole table's snapshot, every piece of it complete: its markers for every database ({@link TableSnapshotEnd}). */
    void endTable(List<SourceRecord> out) {
        TableSnapshotEnd.send(config, epoch, pieces, task.offsets(), partitionsSeen, out);
    }

    /** The pieces of the snapshot, this task's and the others', not complete yet (as their stored offsets say). */
    List<SnapshotPiece> incomplete() {
        Map<Map<String, String>, SnapshotPiece> others = new LinkedHashMap<>();
        for (SnapshotPiece piece : pieces) {
            Map<String, String> partition = piece.partition(config);
            if (!completed.contains(partition)) {
                others.put(partition, piece);
            }
        }
        if (others.isEmpty()) {
            return List.of();
        }
        Map<Map<String, String>, Map<String, Object>> stored = task.offsets().offsets(others.keySet());
        List<SnapshotPiece> incomplete = new ArrayList<>();
        others.forEach((partition, piece) -> {
            PieceOffset offset = PieceOffset.of(stored.get(partition));
            if (offset == null || !offset.of(epoch) || !offset.done()) {
                incomplete.add(piece);
            }
        });
        return incomplete;
    }

    /** The pieces named for a log, each with the task that reads it (up to ten of them). */
    String describe(List<SnapshotPiece> some) {
        StringBuilder named = new StringBuilder();
        for (SnapshotPiece piece : some.subList(0, Math.min(10, some.size()))) {
            named.append(named.length() == 0 ? "" : ", ").append(piece).append(" (task ")
                    .append(pieces.indexOf(piece) % task.tasks()).append(')');
        }
        return some.size() > 10 ? named + " and " + (some.size() - 10) + " more" : named.toString();
    }

    /** The worker wrote one of this task's records, maybe of a piece of this epoch. */
    void acked(SourceRecord record) {
        Map<String, ?> offset = record.sourceOffset();
        if (offset == null || offset.get(PieceOffset.SINCE) == null
                || !Long.toString(epoch.generation()).equals(offset.get(PieceOffset.GENERATION))) {
            return; // not a piece's record, or one of another epoch
        }
        PieceReading current = run;
        if (current != null && current.partition.equals(record.sourcePartition())) {
            current.acked(record);
        }
        if ("true".equals(offset.get(PieceOffset.DONE))) {
            completed.add(record.sourcePartition());
        }
    }

    @Override
    public void close() {
        if (run != null) {
            run.close();
            run = null;
        }
    }
}
