package io.flotilla.engine.raft;

import org.agrona.DirectBuffer;

/**
 * The port through which the consensus core reads and changes its log. The core owns this contract; the runtime
 * implements it over the archive log store and the simulator over an in-memory log. Every call is made on the
 * core's thread and must not block; reads are answered from memory.
 * <p>
 * The log holds the entries {@link #firstIndex()}..{@link #lastIndex()}. Everything before the first index is a
 * compacted prefix whose last term is still known: {@code termAt(firstIndex() - 1)} answers it. An empty log that
 * has never been compacted has first index 1 and last index 0.
 */
public interface RaftLog
{
    /** Returned by {@link #termAt(long)} for an index the log does not know. */
    long NO_TERM = -1;

    /**
     * @return index of the first entry held; {@link #lastIndex()} + 1 when no entry is held.
     */
    long firstIndex();

    /**
     * @return index of the last entry (durable or not); {@link #firstIndex()} - 1 when no entry is held.
     */
    long lastIndex();

    /**
     * @return term of the last entry, or of the compacted prefix when no entry is held (0 for an empty log).
     */
    long lastTerm();

    /**
     * @param index of an entry.
     * @return its term for {@code firstIndex() - 1 <= index <= lastIndex()} (0 for index 0), otherwise
     * {@link #NO_TERM}.
     */
    long termAt(long index);

    /**
     * The end of a batch for replication: the highest index {@code i >= fromIndex} such that the frames
     * {@code fromIndex..i} together take at most {@code maxBytes}, but always at least {@code fromIndex} itself
     * (an entry larger than the limit travels alone).
     *
     * @param fromIndex first index of the batch, in {@link #firstIndex()}..{@link #lastIndex()}.
     * @param maxBytes  limit on the total frame bytes of the batch.
     * @return the last index of the batch.
     */
    long batchEnd(long fromIndex, int maxBytes);

    /**
     * @return the highest index such that it and every entry before it are durable; at most {@link #lastIndex()}.
     */
    long durableIndex();

    /**
     * Append a block of complete, validated frames whose first index is {@link #lastIndex()} + 1 and whose indices
     * are consecutive. On return {@link #lastIndex()} and {@link #termAt(long)} include them; they become durable
     * later. The bytes are copied; the caller keeps its buffer.
     */
    void append(DirectBuffer buffer, int offset, int length);

    /**
     * Remove every entry after {@code index}; the core never asks for an index below its commit index.
     */
    void truncateAfter(long index);

    /**
     * Discard every entry: the log now begins after {@code previousIndex}, covered by an installed snapshot. On
     * return {@link #firstIndex()} is {@code previousIndex + 1}, {@link #lastIndex()} and {@link #durableIndex()} are
     * {@code previousIndex} (the snapshot covering it is durable) and {@code termAt(previousIndex)} is
     * {@code previousTerm}. The core calls it only for a snapshot that its log does not already hold.
     *
     * @param previousIndex last index covered by the snapshot.
     * @param previousTerm  term of that entry.
     */
    void reset(long previousIndex, long previousTerm);
}
