package io.flotilla.archive;

import io.flotilla.codecs.EntryFrame;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The frames of the most recent entries, {@link #firstIndex()}..{@code lastIndex}, contiguous in a direct buffer
 * from offset 0: replication batches and offers to the publication are served from here without a copy. An entry
 * enters the log's memory here (frame and index together) and leaves the window only once durable; the window
 * grows when entries not yet durable fill it.
 */
final class ReplicationWindow implements AutoCloseable
{
    private final LogIndex logIndex;
    private UnsafeBuffer buffer;
    private long firstIndex;

    ReplicationWindow(final LogIndex logIndex, final int capacity)
    {
        this.logIndex = logIndex;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        this.firstIndex = logIndex.lastIndex() + 1;
    }

    /**
     * Copy the frame of the entry after the last into the window and index it.
     *
     * @param frames       holding the frame.
     * @param offset       of the frame.
     * @param frameLength  of the frame.
     * @param endPosition  recording position just after it, or a marker for "not offered yet".
     * @param durableIndex entries up to which may leave the window to make room.
     */
    void append(
        final DirectBuffer frames, final int offset, final int frameLength, final long endPosition, final long durableIndex)
    {
        buffer.putBytes(makeRoom(frameLength, durableIndex), frames, offset, frameLength);
        logIndex.append(EntryFrame.term(frames, offset), frameLength, endPosition);
    }

    /**
     * Index the entry after the last without keeping its frame: for recovered entries far from the end, which the
     * window would drop again anyway. Only while the window holds nothing.
     *
     * @param term        of the entry.
     * @param frameLength of its frame.
     * @param endPosition recording position just after it.
     */
    void appendIndexOnly(final long term, final int frameLength, final long endPosition)
    {
        logIndex.append(term, frameLength, endPosition);
        firstIndex = logIndex.lastIndex() + 1;
    }

    /**
     * Follow a truncation of the log to {@code index}.
     *
     * @param index last entry kept.
     */
    void truncateAfter(final long index)
    {
        firstIndex = Math.min(firstIndex, index + 1);
    }

    /**
     * Drop the frames of the entries before {@code index} (compacted away; all durable).
     *
     * @param index the log's new first index.
     */
    void dropBefore(final long index)
    {
        if (firstIndex < index)
        {
            final long lastIndex = logIndex.lastIndex();
            final long keptFirst = Math.min(index, lastIndex + 1);
            final int dropped = logIndex.bytes(firstIndex, keptFirst - 1);
            buffer.putBytes(0, buffer, dropped, logIndex.bytes(keptFirst, lastIndex));
            firstIndex = keptFirst;
        }
    }

    /**
     * Follow a reset of the log: the window holds nothing.
     */
    void clear()
    {
        firstIndex = logIndex.lastIndex() + 1;
    }

    /**
     * @return the oldest entry in the window; {@code lastIndex + 1} when it holds none.
     */
    long firstIndex()
    {
        return firstIndex;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @param index of an entry in the window.
     * @return the offset of its frame in {@link #buffer()}.
     */
    int offset(final long index)
    {
        return (int)(logIndex.frameEnd(index - 1) - logIndex.frameEnd(firstIndex - 1));
    }

    public void close()
    {
        BufferUtil.free(buffer.byteBuffer());
    }

    /**
     * Make room at the end of the window for a frame: drop the oldest durable entries down to half the capacity
     * (so compaction is amortized), and grow only when entries not yet durable fill it.
     *
     * @return the offset at which the frame goes.
     */
    private int makeRoom(final int frameLength, final long durableIndex)
    {
        final long lastIndex = logIndex.lastIndex();
        final int capacity = buffer.capacity();
        int used = logIndex.bytes(firstIndex, lastIndex);
        if (used + frameLength <= capacity)
        {
            return used;
        }

        final long target = capacity / 2 - frameLength;
        long first = firstIndex;
        while (first <= durableIndex && logIndex.bytes(first, lastIndex) > target)
        {
            first++;
        }
        if (first > firstIndex)
        {
            final int dropped = logIndex.bytes(firstIndex, first - 1);
            used -= dropped;
            buffer.putBytes(0, buffer, dropped, used);
            firstIndex = first;
        }
        if (used + frameLength > capacity)
        {
            final UnsafeBuffer larger = new UnsafeBuffer(
                ByteBuffer.allocateDirect(Math.max(capacity * 2, used + frameLength)));
            larger.putBytes(0, buffer, 0, used);
            BufferUtil.free(buffer.byteBuffer());
            buffer = larger;
        }

        return used;
    }
}
