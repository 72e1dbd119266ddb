package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Iterates a key range of a sharded database in global key order: a lazy k-way merge of one {@link QueryIterator}
 * per shard. Each shard holds its next element in a heap ordered by key (descending in reverse); the first pages
 * of all shards are asked for at once, and each shard then reads one page ahead as it does alone, so memory stays
 * at two pages a shard. The limit is exact: it counts what this iterator yields, and each shard is limited to
 * what is left of it. Keys are distinct across shards, since a key lives in one shard only.
 */
final class MergedIterator<T> implements RangeIterator<T> {

    /** An element of a shard with the key it is ordered by. */
    private record Keyed<T>(byte[] key, T value) {
    }

    /** A shard's next element and the shard it came from. */
    private record Head<T>(Keyed<T> element, QueryIterator<Keyed<T>> shard) {
    }

    private final TableContext table;
    private final KeyRange range;
    private final QueryIterator.Projection projection;
    private final Function<Map<String, AttributeValue>, T> mapper;
    private final PriorityQueue<Head<T>> heads;
    private final List<QueryIterator<Keyed<T>>> shards = new ArrayList<>();
    private int yielded;
    /** How many shards (in list order) have put their first element in the heap, or found they have none. */
    private int primed;
    /**
     * The shard whose head {@code next} took last: it puts its next element in the heap on the following
     * {@code hasNext}, where a failed read throws and is tried again, as a single shard's iterator does.
     */
    private QueryIterator<Keyed<T>> toAdvance;
    private boolean closed;

    MergedIterator(TableContext table, KeyRange range, QueryIterator.Projection projection,
            Function<Map<String, AttributeValue>, T> mapper) {
        this.table = table;
        this.range = range;
        this.projection = projection;
        this.mapper = mapper;
        Comparator<Head<T>> byKey = (a, b) -> Bytes.compare(a.element().key(), b.element().key());
        this.heads = new PriorityQueue<>(table.shards().count(), range.isReverse() ? byKey.reversed() : byKey);
        openShards(null);
    }

    @Override
    public boolean hasNext() {
        ensureOpen();
        if (range.limit() != KeyRange.NO_LIMIT && yielded >= range.limit()) {
            return false;
        }
        if (primed < shards.size()) {
            shards.forEach(QueryIterator::prefetch); // every shard's first page on its way at once
            while (primed < shards.size()) { // a failure leaves the shards primed so far in the heap, once
                advance(shards.get(primed));
                primed++;
            }
        }
        if (toAdvance != null) {
            advance(toAdvance); // a failure leaves it to advance: the next hasNext reads it again
            toAdvance = null;
        }
        return !heads.isEmpty();
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries in the range");
        }
        Head<T> head = heads.poll();
        toAdvance = head.shard();
        yielded++;
        return head.element().value();
    }

    /** As {@link QueryIterator#seek}: every shard moves to the target; the limit keeps counting. */
    @Override
    public void seek(byte[] target) {
        ensureOpen();
        openShards(target);
    }

    @Override
    public void close() {
        closed = true;
        shards.forEach(QueryIterator::close);
        shards.clear();
        heads.clear();
        toAdvance = null;
    }

    /** Fresh iterators over every shard, limited to what is left of the limit, moved to {@code target} if given. */
    private void openShards(byte[] target) {
        shards.forEach(QueryIterator::close);
        shards.clear();
        heads.clear();
        toAdvance = null;
        KeyRange left = range.limit() == KeyRange.NO_LIMIT ? range : range.limit(Math.max(0, range.limit() - yielded));
        for (String hashKey : table.shards().hashKeys()) {
            QueryIterator<Keyed<T>> shard = new QueryIterator<>(table, hashKey, left, projection, item -> {
                byte[] key = table.layout().keyOf(item);
                T value = mapper.apply(item);
                return value == null ? null : new Keyed<>(key, value);
            });
            if (target != null) {
                shard.seek(target);
            }
            shards.add(shard);
        }
        primed = 0;
    }

    private void advance(QueryIterator<Keyed<T>> shard) {
        if (shard.hasNext()) {
            heads.add(new Head<>(shard.next(), shard));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("This iterator over " + table.location() + " is closed");
        }
        table.ensureOpen();
    }
}
