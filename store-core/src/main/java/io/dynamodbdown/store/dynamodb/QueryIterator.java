package io.dynamodbdown.store.dynamodb;

import io.dynamodbdown.store.DatabaseClosedException;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.RangeIterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Iterates a key range with Query pages (LastEvaluatedKey): while the caller reads one page the next is
 * already being fetched, so DynamoDB's work and the caller's overlap, and memory holds two pages at most
 * whatever the range size. The range is exact in the key condition ({@link QueryBounds}) and the limit is
 * exact through Query's Limit, so no item is read only to be thrown away (but the page fetched ahead, when
 * the caller stops early).
 */
final class QueryIterator<T> implements RangeIterator<T> {

    /**
     * What an iterator yields and which attributes it needs (values with the references of large ones; the
     * references of large ones alone; those and the generation an entry was written in).
     */
    enum Projection {
        ENTRIES, KEYS, VALUES, REFERENCES, GENERATIONS
    }

    private final TableContext table;
    private final String hashKey;
    private final KeyRange range;
    private final QueryBounds rangeBounds;
    private final boolean reverse;
    private final int limit;
    private final Projection projection;
    private final Function<Map<String, AttributeValue>, T> mapper;

    private QueryBounds bounds;
    private List<Map<String, AttributeValue>> page = List.of();
    private int position;
    /** The next element, mapped already (hasNext maps it: an entry deleted while it was read is skipped). */
    private T prepared;
    private Map<String, AttributeValue> lastEvaluatedKey;
    private boolean lastPage;
    private int yielded;
    /** Items received in pages so far, yielded or not: what the next request's Limit counts from. */
    private int fetched;
    /** The next page, asked for already; null when none is on its way. */
    private Future<QueryResponse> ahead;
    private boolean closed;

    /** Iterates the range in the partition of {@code hashKey}: the database's, or one of its shards. */
    QueryIterator(TableContext table, String hashKey, KeyRange range, Projection projection,
            Function<Map<String, AttributeValue>, T> mapper) {
        this.table = table;
        this.hashKey = hashKey;
        this.range = range;
        this.rangeBounds = QueryBounds.of(range, table.layout().keySpace());
        this.reverse = range.isReverse();
        this.limit = range.limit();
        this.projection = projection;
        this.mapper = mapper;
        restartAt(rangeBounds);
    }

    @Override
    public boolean hasNext() {
        ensureOpen();
        if (limitReached()) {
            return false;
        }
        while (prepared == null) {
            while (position >= page.size()) {
                if (lastPage) {
                    return false;
                }
                fetchPage();
            }
            // mapped before it counts as read: a mapping that fails (a chunk read) is tried again, not skipped
            prepared = mapper.apply(page.get(position));
            position++;
            if (prepared == null) {
                // deleted while it was read (a large value whose chunks went with it): it counts for no limit
                fetched--;
                lastPage = lastPage && lastEvaluatedKey == null;
            }
        }
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries in the range");
        }
        yielded++;
        T next = prepared;
        prepared = null;
        return next;
    }

    /** As abstract-level: a target outside the range ends the iteration, one inside moves within it. */
    @Override
    public void seek(byte[] target) {
        ensureOpen();
        restartAt(range.contains(target)
                ? rangeBounds.seek(target.clone(), reverse, table.layout().keySpace())
                : QueryBounds.EMPTY);
    }

    @Override
    public void close() {
        closed = true;
        prepared = null;
        page = List.of();
        dropAhead();
    }

    /** Asks for the first page now, on the database's pool, unless it is known already or on its way. */
    void prefetch() {
        if (ahead == null && page.isEmpty() && !lastPage && lastEvaluatedKey == null && !closed) {
            try {
                ahead = table.queryAhead(request(), bounds);
            } catch (RejectedExecutionException closing) {
                // the database is closing: the fetch fails as closed
            }
        }
    }

    private void restartAt(QueryBounds newBounds) {
        dropAhead();
        bounds = newBounds;
        prepared = null;
        page = List.of();
        position = 0;
        lastEvaluatedKey = null;
        lastPage = newBounds.empty();
        fetched = yielded;
    }

    private void dropAhead() {
        if (ahead != null) {
            ahead.cancel(false);
            ahead = null;
        }
    }

    private boolean limitReached() {
        return limit != KeyRange.NO_LIMIT && yielded >= limit;
    }

    private void fetchPage() {
        QueryResponse response = ahead == null ? table.query(request(), bounds) : awaitAhead();
        page = response.items();
        position = 0;
        fetched += page.size();
        lastEvaluatedKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? response.lastEvaluatedKey() : null;
        lastPage = lastEvaluatedKey == null || (limit != KeyRange.NO_LIMIT && fetched >= limit);
        if (!lastPage) {
            try {
                ahead = table.queryAhead(request(), bounds);
            } catch (RejectedExecutionException closing) {
                // the database is closing: the next fetch, if any, fails as closed
            }
        }
    }

    private QueryResponse awaitAhead() {
        Future<QueryResponse> page = ahead;
        ahead = null; // failed or not, it is spent: a retry sends the same request again
        return Parallel.await(page, "read " + table.location());
    }

    private QueryRequest request() {
        TableLayout layout = table.layout();
        Map<String, String> names = new HashMap<>(layout.keyExpressionNames());
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":h", layout.hashValue(hashKey));
        StringBuilder condition = new StringBuilder(TableLayout.HASH + " = :h");
        if (bounds.lower() != null && bounds.upper() != null) {
            condition.append(" AND ").append(TableLayout.RANGE).append(" BETWEEN :lo AND :hi");
        } else if (bounds.lower() != null) {
            condition.append(" AND ").append(TableLayout.RANGE).append(" >= :lo");
        } else if (bounds.upper() != null) {
            condition.append(" AND ").append(TableLayout.RANGE).append(" <= :hi");
        }
        if (bounds.lower() != null) {
            values.put(":lo", layout.rangeValue(bounds.lower()));
        }
        if (bounds.upper() != null) {
            values.put(":hi", layout.rangeValue(bounds.upper()));
        }
        String projectionExpression = TableLayout.RANGE;
        if (projection == Projection.ENTRIES || projection == Projection.VALUES) {
            projectionExpression += ", " + TableLayout.VALUE;
            names.put(TableLayout.VALUE, layout.valueAttribute());
        }
        if (projection != Projection.KEYS) {
            projectionExpression += ", " + LargeValues.REFERENCE_PROJECTION;
            names.putAll(LargeValues.referenceNames());
        }
        if (projection == Projection.GENERATIONS) {
            projectionExpression += ", " + TableLayout.GENERATION + ", " + TableLayout.GENERATION_ORIGIN;
            names.put(TableLayout.GENERATION, TableLayout.GENERATION_ATTRIBUTE);
            names.put(TableLayout.GENERATION_ORIGIN, TableLayout.GENERATION_ORIGIN_ATTRIBUTE);
        }
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table.location().table())
                .keyConditionExpression(condition.toString())
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .projectionExpression(projectionExpression)
                .scanIndexForward(!reverse)
                .consistentRead(table.options().consistentRead())
                .exclusiveStartKey(lastEvaluatedKey);
        int pageLimit = table.options().pageSize();
        if (limit != KeyRange.NO_LIMIT) {
            int remaining = limit - fetched;
            pageLimit = pageLimit == 0 ? remaining : Math.min(pageLimit, remaining);
        }
        if (pageLimit > 0) {
            request.limit(pageLimit);
        }
        return request.build();
    }

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseClosedException("This iterator over " + table.location() + " is closed");
        }
        table.ensureOpen();
    }
}
