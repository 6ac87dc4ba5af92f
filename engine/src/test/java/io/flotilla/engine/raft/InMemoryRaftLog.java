package io.flotilla.engine.raft;

import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.codecs.EntryFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The core's {@link RaftLog} in memory, for the simulator, the core's tests and the benchmarks (shipped in the
 * engine's test jar, never in a main jar). Durability is explicit: entries become
 * durable only when {@link #markDurable(long)} says so, and {@link #crash()} keeps only the durable prefix, as a
 * real store would after losing power. Truncation takes effect at once (it lowers the durable index too).
 * <p>
 * Frames are kept back to back in one growable buffer with a position and a term per entry. A caller that no
 * longer needs a prefix (covered by a snapshot, or applied everywhere) releases it with {@link #compact(long)}, so a
 * long run stays in bounded memory; the space is reclaimed when the buffer fills, so steady-state appends allocate
 * nothing. {@link #reset(long, long)} discards everything, as installing a snapshot does. Single-threaded.
 */
public final class InMemoryRaftLog implements RaftLog
{
    private static final int MIN_ENTRY_CAPACITY = 64;
    private static final int MIN_BYTE_CAPACITY = 64 * 1024;

    private final UnsafeBuffer data = new UnsafeBuffer(new byte[0]);
    private int dataEnd;
    private int[] positions;
    private long[] terms;
    private int startSlot;
    private int endSlot;
    private long firstIndex;
    private long baseTerm;
    private long durableIndex;

    /**
     * An empty log with default initial capacity.
     */
    public InMemoryRaftLog()
    {
        this(MIN_ENTRY_CAPACITY, MIN_BYTE_CAPACITY);
    }

    /**
     * An empty log sized for a working set, so a bounded run never grows it.
     *
     * @param entryCapacity initial number of entries held before growing.
     * @param byteCapacity  initial number of frame bytes held before growing.
     */
    public InMemoryRaftLog(final int entryCapacity, final int byteCapacity)
    {
        this(0, 0, entryCapacity, byteCapacity);
    }

    /**
     * An empty log that begins after a compacted prefix (as a node restored from a snapshot would): its first index
     * is {@code prefixIndex + 1}, {@link #termAt(long)} answers {@code prefixTerm} for {@code prefixIndex}, and the
     * prefix counts as durable.
     *
     * @param prefixIndex   last index of the compacted prefix, 0 for none.
     * @param prefixTerm    term of that entry (0 when prefixIndex is 0).
     * @param entryCapacity initial number of entries held before growing.
     * @param byteCapacity  initial number of frame bytes held before growing.
     */
    public InMemoryRaftLog(final long prefixIndex, final long prefixTerm, final int entryCapacity, final int byteCapacity)
    {
        if (prefixIndex < 0 || prefixTerm < 0 || (0 == prefixIndex && 0 != prefixTerm))
        {
            throw new IllegalArgumentException(
                "a compacted prefix ends at an index >= 0 with a term >= 0 (0 at index 0): " + prefixIndex + "/" +
                prefixTerm);
        }
        positions = new int[Math.max(entryCapacity, 1)];
        terms = new long[Math.max(entryCapacity, 1)];
        data.wrap(new byte[Math.max(byteCapacity, EntryFrame.HEADER_LENGTH)]);
        firstIndex = prefixIndex + 1;
        baseTerm = prefixTerm;
        durableIndex = prefixIndex;
    }

    public long lastIndex()
    {
        return firstIndex + (endSlot - startSlot) - 1;
    }

    public long lastTerm()
    {
        return endSlot > startSlot ? terms[endSlot - 1] : baseTerm;
    }

    public long termAt(final long index)
    {
        if (index == firstIndex - 1)
        {
            return baseTerm;
        }
        if (index < firstIndex || index > lastIndex())
        {
            return NO_TERM;
        }

        return terms[slot(index)];
    }

    public long batchEnd(final long fromIndex, final int maxBytes)
    {
        checkHeld(fromIndex);
        final int startPosition = positions[slot(fromIndex)];
        // The largest slot whose frame ends within maxBytes of the start: frame ends are increasing.
        int lo = slot(fromIndex);
        int hi = endSlot - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (frameEnd(mid) - startPosition <= maxBytes)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return firstIndex + (lo - startSlot);
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int count = 0;
        int position = offset;
        long expectedIndex = lastIndex() + 1;
        while (position < end)
        {
            final long index = EntryFrame.index(buffer, position);
            if (index != expectedIndex)
            {
                throw new IllegalArgumentException(
                    "frame index " + index + " where " + expectedIndex + " was expected");
            }
            position += EntryFrame.frameLength(buffer, position);
            expectedIndex++;
            count++;
        }
        if (position != end)
        {
            throw new IllegalArgumentException("block of " + length + " bytes ends inside a frame");
        }

        ensureCapacity(count, length);
        final int base = dataEnd;
        data.putBytes(base, buffer, offset, length);
        position = offset;
        for (int i = 0; i < count; i++)
        {
            positions[endSlot] = base + (position - offset);
            terms[endSlot] = EntryFrame.term(buffer, position);
            endSlot++;
            position += EntryFrame.frameLength(buffer, position);
        }
        dataEnd = base + length;
    }

    public void truncateAfter(final long index)
    {
        if (index < firstIndex - 1)
        {
            throw new IllegalArgumentException(
                "cannot truncate after " + index + ": entries up to " + (firstIndex - 1) + " were discarded");
        }
        if (index >= lastIndex())
        {
            return;
        }

        final int newEnd = slot(index + 1);
        dataEnd = positions[newEnd];
        endSlot = newEnd;
        durableIndex = Math.min(durableIndex, index);
    }

    public long durableIndex()
    {
        return durableIndex;
    }

    /**
     * Declare entries durable up to an index (the simulated disk caught up).
     *
     * @param index last durable index; clamped to {@link #lastIndex()}; never lowers the durable index.
     */
    public void markDurable(final long index)
    {
        final long durable = Math.min(index, lastIndex());
        if (durable > durableIndex)
        {
            durableIndex = durable;
        }
    }

    /**
     * Lose everything that is not durable, as a crash would.
     */
    public void crash()
    {
        truncateAfter(durableIndex);
    }

    /**
     * Release the entries before {@code firstIndexToKeep}, which the caller no longer needs. {@link #termAt(long)}
     * still answers for {@code firstIndexToKeep - 1} (the new base), and {@link #lastIndex()} is unchanged. A first
     * index at or below the current one changes nothing.
     *
     * @param firstIndexToKeep the new first index; the entries before it must be durable
     *                         ({@code firstIndexToKeep - 1 <= durableIndex()}).
     */
    public void compact(final long firstIndexToKeep)
    {
        final long index = firstIndexToKeep - 1;
        if (index > durableIndex)
        {
            throw new IllegalArgumentException(
                "cannot compact up to " + index + " beyond the durable index " + durableIndex);
        }
        if (index < firstIndex)
        {
            return;
        }

        baseTerm = terms[slot(index)];
        startSlot = slot(firstIndexToKeep);
        firstIndex = firstIndexToKeep;
    }

    public void reset(final long previousIndex, final long previousTerm)
    {
        if (previousIndex < 0 || previousTerm < 0 || (0 == previousIndex && 0 != previousTerm))
        {
            throw new IllegalArgumentException(
                "a log begins after an index >= 0 with a term >= 0 (0 at index 0): " + previousIndex + "/" +
                previousTerm);
        }
        startSlot = 0;
        endSlot = 0;
        dataEnd = 0;
        firstIndex = previousIndex + 1;
        baseTerm = previousTerm;
        durableIndex = previousIndex;
    }

    /**
     * @return the first index still held (one past the discarded prefix).
     */
    public long firstIndex()
    {
        return firstIndex;
    }

    public int readEntries(final long fromIndex, final int maxBytes, final EntryBlockHandler handler)
    {
        final long toIndex = batchEnd(fromIndex, maxBytes);
        readRange(fromIndex, toIndex, handler);

        return (int)(toIndex - fromIndex + 1);
    }

    /**
     * Deliver exactly the frames {@code fromIndex..toIndex} as one block.
     *
     * @param fromIndex first index, held by the log.
     * @param toIndex   last index, held by the log, at least fromIndex.
     * @param handler   to receive the block.
     */
    public void readRange(final long fromIndex, final long toIndex, final EntryBlockHandler handler)
    {
        checkHeld(fromIndex);
        checkHeld(toIndex);
        if (toIndex < fromIndex)
        {
            throw new IllegalArgumentException("empty range " + fromIndex + ".." + toIndex);
        }
        final int start = positions[slot(fromIndex)];
        handler.onEntries(data, start, frameEnd(slot(toIndex)) - start, fromIndex, toIndex);
    }

    /**
     * @return the number of bytes the frames {@code fromIndex..toIndex} take.
     */
    public int rangeLength(final long fromIndex, final long toIndex)
    {
        checkHeld(fromIndex);
        checkHeld(toIndex);
        return frameEnd(slot(toIndex)) - positions[slot(fromIndex)];
    }

    public String toString()
    {
        return "InMemoryRaftLog{firstIndex=" + firstIndex + ", lastIndex=" + lastIndex() + ", lastTerm=" +
            lastTerm() + ", durableIndex=" + durableIndex + '}';
    }

    private int slot(final long index)
    {
        return startSlot + (int)(index - firstIndex);
    }

    private int frameEnd(final int slot)
    {
        return slot + 1 < endSlot ? positions[slot + 1] : dataEnd;
    }

    private void checkHeld(final long index)
    {
        if (index < firstIndex || index > lastIndex())
        {
            throw new IllegalArgumentException(
                "index " + index + " not held: log holds " + firstIndex + ".." + lastIndex());
        }
    }

    private void ensureCapacity(final int entries, final int bytes)
    {
        if (endSlot + entries <= positions.length && dataEnd + bytes <= data.capacity())
        {
            return;
        }

        reclaim();

        if (endSlot + entries > positions.length)
        {
            final int capacity = Math.max(positions.length * 2, endSlot + entries);
            positions = Arrays.copyOf(positions, capacity);
            terms = Arrays.copyOf(terms, capacity);
        }
        if (dataEnd + bytes > data.capacity())
        {
            final byte[] bigger = new byte[(int)Math.min(Integer.MAX_VALUE - 8,
                Math.max(2L * data.capacity(), (long)dataEnd + bytes))];
            data.getBytes(0, bigger, 0, dataEnd);
            data.wrap(bigger);
        }
    }

    /**
     * Move the held entries to the front, reclaiming the space of the compacted prefix.
     */
    private void reclaim()
    {
        if (0 == startSlot)
        {
            return;
        }

        final int held = endSlot - startSlot;
        final int shift = held > 0 ? positions[startSlot] : dataEnd;
        if (held > 0)
        {
            data.putBytes(0, data, shift, dataEnd - shift);
            for (int i = 0; i < held; i++)
            {
                positions[i] = positions[startSlot + i] - shift;
                terms[i] = terms[startSlot + i];
            }
        }
        dataEnd -= shift;
        endSlot = held;
        startSlot = 0;
    }
}
