package io.flotilla.archive;

/**
 * Read-only view of a node's Raft log that the consensus core consults. All answers come from memory (the
 * entry index), so every call is cheap and non-blocking. The log holds {@link #firstIndex()}..{@link #lastIndex()};
 * the index before the first is a prefix it does not hold (empty: index 0, term 0; or compacted), whose term is kept.
 */
public interface LogReader
{
    /** Returned by {@link #termAt(long)} for an index the log does not hold. */
    long NO_TERM = -1;

    /**
     * @return index of the first entry the log holds; {@link #lastIndex()} + 1 when it holds none.
     */
    long firstIndex();

    /**
     * @return index of the last entry in the log (durable or not), {@link #firstIndex()} - 1 when empty.
     */
    long lastIndex();

    /**
     * @return term of the last entry; the prefix's term when empty (0 for a log that begins at index 1).
     */
    long lastTerm();

    /**
     * @param index of an entry, or {@link #firstIndex()} - 1 for the prefix.
     * @return its term (the prefix's: 0 for index 0 of a log that begins at index 1); {@link #NO_TERM} when the
     * log does not know that index.
     */
    long termAt(long index);

    /**
     * The end of a batch for replication: the highest index {@code i >= fromIndex} such that the frames
     * {@code fromIndex..i} together take at most {@code maxBytes}, but always at least {@code fromIndex}
     * itself (an entry larger than the limit travels alone).
     *
     * @param fromIndex first index of the batch, in {@link #firstIndex()}..{@link #lastIndex()}.
     * @param maxBytes  limit on the total frame bytes of the batch.
     * @return the last index of the batch.
     */
    long batchEnd(long fromIndex, int maxBytes);
}
