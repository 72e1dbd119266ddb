package io.dynamodbdown.kafka.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Changes mode: one piece of the snapshot, read by one task: a listed database's configured range (its source
 * partition the one of {@link RangePartition#changesPartition}, ended with snapshot-end markers so the sink can
 * delete what the snapshot did not send), or, with {@code hash.key=*}, one segment of a parallel Scan of the whole
 * table ({@code {stream: table, segment: "i/n"}}). Piece {@code i} belongs to task {@code i % tasks}.
 *
 * @param database the listed database's hash key, or null for a table segment
 * @param segment the segment, 0 to {@code segments - 1}; 0 for a database
 * @param segments how many segments the table is scanned in; 0 for a database
 */
record SnapshotPiece(String database, int segment, int segments) {

    private static final String SEGMENT_FIELD = "segment";

    /** The pieces of a snapshot of {@code config}'s databases: one per listed database, or {@code segments} for all. */
    static List<SnapshotPiece> of(DynamoDbDownSourceConfig config, int segments) {
        List<SnapshotPiece> pieces = new ArrayList<>();
        if (config.allDatabases()) {
            for (int segment = 0; segment < segments; segment++) {
                pieces.add(new SnapshotPiece(null, segment, segments));
            }
        } else {
            config.getList(DynamoDbDownSourceConfig.HASH_KEY).forEach(hashKey -> pieces.add(new SnapshotPiece(hashKey, 0, 0)));
        }
        return pieces;
    }

    boolean isSegment() {
        return database == null;
    }

    /** The source partition of the piece's offsets ({@link PieceOffset}). */
    Map<String, String> partition(DynamoDbDownSourceConfig config) {
        if (isSegment()) {
            return RangePartition.inJsonOrder(Map.of(RangePartition.STREAM_FIELD, config.table(), SEGMENT_FIELD,
                    segment + "/" + segments));
        }
        return new RangePartition(database, config.range()).changesPartition(config.table());
    }

    @Override
    public String toString() {
        return isSegment() ? "segment " + (segment + 1) + " of " + segments + " of the table" : "database " + database;
    }
}
