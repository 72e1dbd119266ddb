package io.dynamodbdown.store;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An iterator over a {@link KeyRange} that fetches pages lazily, so memory stays flat for any range
 * size. Not thread-safe. Close it when done; {@link #stream()} closes it with the stream.
 *
 * @param <T> entries, keys or values
 */
public interface RangeIterator<T> extends Iterator<T>, AutoCloseable {

    /**
     * Moves to the first key at or after {@code target} (at or before it, in reverse), within the range.
     * A target outside the range ends the iteration. Works after the iterator was exhausted; a limit
     * keeps counting what was already yielded.
     *
     * @param target the key to move to; it need not exist
     */
    void seek(byte[] target);

    /**
     * Moves to the first key at or after {@code target} given as text (at or before it, in reverse); see
     * {@link #seek(byte[])}.
     *
     * @param target the key to move to, as its UTF-8 bytes
     */
    default void seek(String target) {
        seek(Bytes.utf8(target));
    }

    @Override
    void close();

    /** {@return a sequential, ordered stream over the rest of this iterator; closing the stream closes the iterator} */
    default Stream<T> stream() {
        Spliterator<T> spliterator = Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(spliterator, false).onClose(this::close);
    }
}
