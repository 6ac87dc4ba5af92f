package io.flotilla.archive;

/**
 * Read-only view of a node's Raft log that the consensus core consults. All answers come from memory (the
 * entry index), so every call is cheap and non-blocking. Indices start at 1; index 0 is the empty prefix.
 */
public interface LogReader
{
    /** Returned by {@link #termAt(long)} for an index the log does not hold. */
    long NO_TERM = -1;

    /**
     * @return index of the last entry in the log (durable or not), 0 when empty.
     */
    long lastIndex();

    /**
     * @return term of the last entry, 0 when empty.
     */
    long lastTerm();

    /**
     * @param index of an entry.
     * @return its term; 0 for index 0; {@link #NO_TERM} when the log does not hold that index.
     */
    long termAt(long index);

    /**
     * The end of a batch for replication: the highest index {@code i >= fromIndex} such that the frames
     * {@code fromIndex..i} together take at most {@code maxBytes}, but always at least {@code fromIndex}
     * itself (an entry larger than the limit travels alone).
     *
     * @param fromIndex first index of the batch, at most {@link #lastIndex()}.
     * @param maxBytes  limit on the total frame bytes of the batch.
     * @return the last index of the batch.
     */
    long batchEnd(long fromIndex, int maxBytes);
}
