package io.dynamodbdown.kafka.connect;

import io.dynamodbdown.store.KeyRange;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes mode with {@code hash.key=*}: the end of a whole table's snapshot. No segment holds a whole database, so
 * the snapshot ends once every segment is complete (the worker wrote every record of it): task 0 then sends a
 * snapshot-end marker ({@link DynamoDbDownHeaders#HASH_KEY} {@value DynamoDbDownHeaders#ALL_DATABASES}, the whole
 * range, the epoch's generation) to every partition of every topic the segments' records were seen in (the union of
 * what their offsets keep, and of its own), each naming how many went out. The sink, once it reached them all, deletes
 * from every database of its target table the entries of that source table's databases in an older generation: what
 * the snapshot did not send, databases the source no longer holds included.
 *
 * <p>Restart-safe as a database's markers are: all but the last carry the offset {@code {generation, done: false}}
 * under {@link ChangesEpoch#snapshotEnded}, the last {@code done: true}; a task 0 restarted before the worker stored
 * that sends them all again, and the sink clears again, harmlessly.
 */
final class TableSnapshotEnd {

    private static final Logger LOG = LoggerFactory.getLogger(TableSnapshotEnd.class);
    private static final String DONE = "done";

    private TableSnapshotEnd() {
    }

    /**
     * Adds the markers of {@code epoch}'s snapshot, every piece of it complete, unless the worker stored them already.
     *
     * @param seen how many partitions of each topic this task's records were seen in
     */
    static void send(DynamoDbDownSourceConfig config, ChangesEpoch epoch, List<SnapshotPiece> pieces,
            OffsetStorageReader offsets, Map<String, Integer> seen, List<SourceRecord> out) {
        Map<String, String> partition = ChangesEpoch.snapshotEnded(config.table());
        Map<String, Object> stored = offsets.offset(partition);
        String generation = Long.toString(epoch.generation());
        if (stored != null && generation.equals(stored.get(ChangesEpoch.GENERATION)) && "true".equals(stored.get(DONE))) {
            return;
        }
        Map<String, Integer> topics = new TreeMap<>(seen);
        offsets.offsets(pieces.stream().map(piece -> piece.partition(config)).toList()).values().forEach(offset -> {
            PieceOffset piece = PieceOffset.of(offset);
            if (piece != null) {
                piece.seen(null).forEach((topic, count) -> topics.merge(topic, count, Math::max));
            }
        });
        topics.remove(config.heartbeatTopic());
        topics.values().removeIf(count -> count < 1);
        String topic = config.getString(DynamoDbDownSourceConfig.TOPIC);
        if (topics.isEmpty() && !topic.contains(DynamoDbDownSourceConfig.HASH_KEY_PLACEHOLDER)) {
            topics.put(topic, 1); // an empty table: the copy is emptied too
        }
        int markers = topics.values().stream().mapToInt(Integer::intValue).sum();
        if (markers == 0) {
            LOG.warn("The snapshot of every database of {} (generation {}) sent no record, and its topic names a database:"
                    + " there is no topic to end it in, so the copy keeps what it holds", config.table(), generation);
            return;
        }
        String rangeId = KeyRange.all().boundsId();
        int sent = 0;
        for (Map.Entry<String, Integer> counted : topics.entrySet()) {
            SourceRecords records = new SourceRecords(partition, config.table(), DynamoDbDownHeaders.ALL_DATABASES,
                    counted.getKey(), config.heartbeatTopic());
            for (int p = 0; p < counted.getValue(); p++) {
                sent++;
                out.add(records.snapshotEnd(Map.of(ChangesEpoch.GENERATION, generation, DONE, Boolean.toString(sent == markers)),
                        rangeId, epoch.generation(), p, markers));
            }
        }
        LOG.info("Snapshot of every database of {} (generation {}) is complete: end markers to {} partitions of {}",
                config.table(), generation, markers, topics.keySet());
    }
}
