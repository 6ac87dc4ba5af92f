package io.flotilla.archive;

import org.agrona.DirectBuffer;

/**
 * A node's Raft log: an append-only sequence of entry frames (see {@code io.flotilla.codecs.EntryFrame}) with a
 * durable prefix. Single-threaded: owned by the node agent. Two implementations: one recording into Aeron
 * Archive, one in memory for the simulator.
 */
public interface LogStore extends LogReader, AutoCloseable
{
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
