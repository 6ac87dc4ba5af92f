package io.flotilla.archive;

import org.agrona.DirectBuffer;

/**
 * A node's Raft log: an append-only sequence of entry frames (see {@code io.flotilla.codecs.EntryFrame}) with a
 * durable prefix. Single-threaded: owned by the node agent, which gives the consensus core its port over it. Reads
 * are answered from memory (the entry index), so they are cheap and never block. The log holds
 * {@link #firstIndex()}..{@link #lastIndex()}; the index before the first is a prefix it does not hold (empty:
 * index 0, term 0; or compacted), whose term is kept.
 */
public interface LogStore extends AutoCloseable
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

    /**
     * Append a block of complete, validated frames whose first index is {@link #lastIndex()} + 1 and whose
     * indices are consecutive. On return {@link #lastIndex()} and {@link #termAt(long)} include them; they
     * become durable later, see {@link #durableIndex()}. The bytes are copied; the caller keeps its buffer.
     *
     * @param buffer holding the frames.
     * @param offset of the first frame.
     * @param length of the block in bytes.
     */
    void append(DirectBuffer buffer, int offset, int length);

    /**
     * Remove every entry after {@code index} (a follower whose log conflicts with its leader's). Entries at or
     * below the commit index are never truncated by a correct caller.
     *
     * @param index last index to keep, at least {@link #firstIndex()} - 1.
     */
    void truncateAfter(long index);

    /**
     * @return the highest index such that it and every entry before it are durable under the store's
     * durability mode; never greater than {@link #lastIndex()}.
     */
    long durableIndex();

    /**
     * Deliver a block of frames starting at {@code fromIndex} of at most {@code maxBytes} (but at least one
     * entry) to the handler, without blocking. When the entries are not available in memory this starts an
     * asynchronous read-back and returns 0: call again on a later duty cycle.
     *
     * @param fromIndex first index wanted, in {@link #firstIndex()}..{@link #lastIndex()}.
     * @param maxBytes  limit on the block's size.
     * @param handler   to receive the block.
     * @return the number of entries delivered, 0 when not available yet.
     */
    int readEntries(long fromIndex, int maxBytes, EntryBlockHandler handler);

    /**
     * Make progress on asynchronous work (durability tracking, read-backs). Called on every duty cycle.
     *
     * @return the amount of work done, 0 when idle.
     */
    int doWork();

    /**
     * Release the store's resources.
     */
    void close();
}
