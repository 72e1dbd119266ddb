package io.dynamodbdown.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a real stream (DynamoDB Local's) for {@link StreamSimulator}: every record once, each shard only after its
 * parent was read to its end, so each key's records come in the order the table made them. It keeps, per real
 * shard, the sequence number of the last record taken: an expired iterator or a failed call is simply asked
 * again from there. Not thread-safe: the simulator calls it from one thread at a time.
 */
final class RealStreamReader {

    /** How often the real shards are listed again while none ended (DynamoDB Local rolls shards over rarely). */
    private static final long LIST_EVERY_NANOS = 1_000_000_000L;
    private static final int MAX_RECORDS_PER_CALL = 1000;

    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    /** The real shards in the order to read them: parents before children. */
    private final Map<String, RealShard> shards = new LinkedHashMap<>();
    private volatile StreamDescription description;
    private long listedAt;

    private static final class RealShard {
        final Shard shard;
        String lastSequence;
        String iterator;
        boolean ended;

        RealShard(Shard shard) {
            this.shard = shard;
        }
    }

    RealStreamReader(DynamoDbStreamsClient streams, String streamArn) {
        this.streams = streams;
        this.streamArn = streamArn;
        list();
    }

    /** The real stream as last listed (its label, status, key schema...), its shards left out; any thread may ask. */
    StreamDescription description() {
        return description;
    }

    /**
     * Hands every record the real stream holds beyond those taken before to {@code sink}, in order, children of a
     * shard that ended included; returns how many.
     */
    int pull(Consumer<Record> sink) {
        if (System.nanoTime() - listedAt > LIST_EVERY_NANOS) {
            list();
        }
        int taken = 0;
        while (true) {
            boolean someEnded = false;
            for (RealShard real : shards.values()) {
                RealShard parent = real.shard.parentShardId() == null ? null : shards.get(real.shard.parentShardId());
                if (real.ended || (parent != null && !parent.ended)) {
                    continue;
                }
                taken += readToItsEnd(real, sink);
                someEnded |= real.ended;
            }
            if (!someEnded) {
                return taken;
            }
            list(); // their children may be listed now
        }
    }

    /** Reads a shard as far as it goes now; marks it ended once it is closed and read whole. */
    private int readToItsEnd(RealShard real, Consumer<Record> sink) {
        int taken = 0;
        GetRecordsResponse page;
        do {
            page = nextPage(real);
            for (Record record : page.records()) {
                sink.accept(record);
                real.lastSequence = record.dynamodb().sequenceNumber();
                taken++;
            }
            real.iterator = page.nextShardIterator();
        } while (real.iterator != null && !page.records().isEmpty());
        real.ended = real.iterator == null;
        return taken;
    }

    private GetRecordsResponse nextPage(RealShard real) {
        if (real.iterator == null) {
            real.iterator = iterator(real);
        }
        try {
            return getRecords(real.iterator);
        } catch (AwsServiceException e) {
            if (!"ExpiredIteratorException".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())) {
                real.iterator = null; // ask again from the last record taken next time
                throw e;
            }
            real.iterator = iterator(real);
            return getRecords(real.iterator);
        }
    }

    private GetRecordsResponse getRecords(String iterator) {
        return streams.getRecords(b -> b.shardIterator(iterator).limit(MAX_RECORDS_PER_CALL));
    }

    private String iterator(RealShard real) {
        String shardId = real.shard.shardId();
        return streams.getShardIterator(b -> {
            b.streamArn(streamArn).shardId(shardId);
            if (real.lastSequence == null) {
                b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            } else {
                b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(real.lastSequence);
            }
        }).shardIterator();
    }

    /** Lists the real shards again; new ones are placed after their parents. */
    private void list() {
        List<Shard> found = new ArrayList<>();
        String start = null;
        do {
            String from = start;
            StreamDescription page = streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(from))
                    .streamDescription();
            description = page.toBuilder().shards(List.of()).lastEvaluatedShardId(null).build();
            found.addAll(page.shards());
            start = page.lastEvaluatedShardId();
        } while (start != null);
        Map<String, Shard> byId = new LinkedHashMap<>();
        found.forEach(shard -> byId.put(shard.shardId(), shard));
        for (Shard shard : found) {
            place(shard, byId);
        }
        listedAt = System.nanoTime();
    }

    private void place(Shard shard, Map<String, Shard> listed) {
        if (shards.containsKey(shard.shardId())) {
            return;
        }
        Shard parent = shard.parentShardId() == null ? null : listed.get(shard.parentShardId());
        if (parent != null) {
            place(parent, listed);
        }
        shards.put(shard.shardId(), new RealShard(shard));
    }
}
