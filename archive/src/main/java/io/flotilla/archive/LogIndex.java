package io.flotilla.archive;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the log store knows of every entry it holds, by log index: its term, the end of its frame in the sequence of all
 * frames (so the bytes of any run of entries are a subtraction away) and the recording position just after it; and
 * which entries it holds: {@link #firstIndex()}..{@link #lastIndex()}. The index before the first is the log's prefix
 * (empty: index 0, term 0; or compacted away), whose term and frame end are kept.
 * <p>
 * Held off the Java heap in chunks of {@link #CHUNK_ENTRIES} entries, allocated as the log grows and kept when it
 * shrinks: appending neither allocates on the heap nor copies what is already indexed, where a growing array would
 * copy the whole index (hundreds of megabytes in a long log) on the node's duty cycle and leave it to the collector.
 * Compaction ({@link #compact(long)}) frees the chunks wholly before the new prefix, so memory follows the entries
 * held. Memory is {@link #ENTRY_LENGTH} bytes an entry, counted against {@code -XX:MaxDirectMemorySize}.
 * Single-threaded.
 */
final class LogIndex
{
    /** Entries per chunk (1.5 MiB of memory a chunk). */
    static final int CHUNK_ENTRIES = 1 << 16;
    /** Bytes an entry takes. */
    static final int ENTRY_LENGTH = 3 * Long.BYTES;

    private static final int CHUNK_SHIFT = Integer.numberOfTrailingZeros(CHUNK_ENTRIES);
    private static final int CHUNK_MASK = CHUNK_ENTRIES - 1;
    private static final int TERM_OFFSET = 0;
    private static final int FRAME_END_OFFSET = Long.BYTES;
    private static final int END_POSITION_OFFSET = 2 * Long.BYTES;

    private UnsafeBuffer[] chunks = new UnsafeBuffer[8];
    private int chunkCount;
    // The index in the first slot of the first chunk: the prefix when the index began, moved on by whole chunks.
    private long baseIndex;
    private long previousIndex;
    private long lastIndex;

    /**
     * @param previousIndex index of the entry before the first, 0 for a log that begins at index 1.
     * @param previousTerm  term of that entry, 0 for a log that begins at index 1.
     */
    LogIndex(final long previousIndex, final long previousTerm)
    {
        begin(previousIndex, previousTerm);
    }

    /**
     * Forget every entry and begin again after {@code previousIndex}, whose term is {@code previousTerm} and whose
     * frame ends at 0: a log reset to an installed snapshot. Frees all chunks but the prefix's.
     *
     * @param previousIndex index of the entry before the first.
     * @param previousTerm  term of that entry.
     */
    void reset(final long previousIndex, final long previousTerm)
    {
        free(chunkCount);
        begin(previousIndex, previousTerm);
    }

    /**
     * Forget the entries up to {@code previousIndex}, which becomes the prefix (its term and frame end kept), and free
     * the chunks wholly before it.
     *
     * @param previousIndex the new prefix, in {@link #previousIndex()}..{@link #lastIndex()}.
     */
    void compact(final long previousIndex)
    {
        final int released = (int)(slot(previousIndex) >>> CHUNK_SHIFT);
        free(released);
        baseIndex += (long)released << CHUNK_SHIFT;
        this.previousIndex = previousIndex;
    }

    /**
     * @return index of the entry before the first: the prefix the log does not hold.
     */
    long previousIndex()
    {
        return previousIndex;
    }

    /**
     * @return index of the first entry, {@link #lastIndex()} + 1 when empty.
     */
    long firstIndex()
    {
        return previousIndex + 1;
    }

    /**
     * @return index of the last entry held, {@link #previousIndex()} when empty.
     */
    long lastIndex()
    {
        return lastIndex;
    }

    /**
     * Record the entry after {@link #lastIndex()}, growing the index when it is the first of a new chunk.
     *
     * @param term        of the entry.
     * @param frameLength of its frame.
     * @param endPosition recording position just after it, or a marker for "not recorded yet".
     */
    void append(final long term, final int frameLength, final long endPosition)
    {
        final long index = lastIndex + 1;
        ensureCapacity(index);
        final long frameEnd = frameEnd(lastIndex) + frameLength;
        final UnsafeBuffer chunk = chunk(index);
        final int offset = offset(index);
        chunk.putLong(offset + TERM_OFFSET, term);
        chunk.putLong(offset + FRAME_END_OFFSET, frameEnd);
        chunk.putLong(offset + END_POSITION_OFFSET, endPosition);
        lastIndex = index;
    }

    /**
     * Forget the entries after {@code index}; their memory is kept for the entries appended next.
     *
     * @param index last entry kept, in {@link #previousIndex()}..{@link #lastIndex()}.
     */
    void truncateAfter(final long index)
    {
        lastIndex = index;
    }

    long term(final long index)
    {
        return chunk(index).getLong(offset(index) + TERM_OFFSET);
    }

    long frameEnd(final long index)
    {
        return chunk(index).getLong(offset(index) + FRAME_END_OFFSET);
    }

    long endPosition(final long index)
    {
        return chunk(index).getLong(offset(index) + END_POSITION_OFFSET);
    }

    void endPosition(final long index, final long endPosition)
    {
        chunk(index).putLong(offset(index) + END_POSITION_OFFSET, endPosition);
    }

    /**
     * @param first index of a run of entries.
     * @param last  index of the run.
     * @return the bytes of their frames together.
     */
    int bytes(final long first, final long last)
    {
        return (int)(frameEnd(last) - frameEnd(first - 1));
    }

    /**
     * @param fromIndex first index searched.
     * @param toIndex   last index searched, at least {@code fromIndex}.
     * @param limit     a frame end.
     * @return the highest index in {@code fromIndex..toIndex} whose frame ends at or before {@code limit}, or
     * {@code fromIndex} when none does.
     */
    long lastFrameEndingBy(final long fromIndex, final long toIndex, final long limit)
    {
        long low = fromIndex;
        long high = toIndex;
        while (low < high)
        {
            final long mid = (low + high + 1) >>> 1;
            if (frameEnd(mid) <= limit)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    /**
     * @return entries the allocated chunks can hold, counted from the first chunk's first slot.
     */
    long capacity()
    {
        return (long)chunkCount << CHUNK_SHIFT;
    }

    private void ensureCapacity(final long index)
    {
        if (slot(index) >>> CHUNK_SHIFT < chunkCount)
        {
            return;
        }
        if (chunkCount == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        chunks[chunkCount++] = new UnsafeBuffer(ByteBuffer.allocateDirect(CHUNK_ENTRIES * ENTRY_LENGTH));
    }

    private void begin(final long previousIndex, final long previousTerm)
    {
        this.baseIndex = previousIndex;
        this.previousIndex = previousIndex;
        this.lastIndex = previousIndex;
        ensureCapacity(previousIndex);
        chunk(previousIndex).putLong(offset(previousIndex) + TERM_OFFSET, previousTerm);
        chunk(previousIndex).putLong(offset(previousIndex) + FRAME_END_OFFSET, 0);
    }

    /**
     * Free the first {@code count} chunks and move the others to the front.
     */
    private void free(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            BufferUtil.free(chunks[i]);
        }
        System.arraycopy(chunks, count, chunks, 0, chunkCount - count);
        Arrays.fill(chunks, chunkCount - count, chunkCount, null);
        chunkCount -= count;
    }

    private long slot(final long index)
    {
        return index - baseIndex;
    }

    private UnsafeBuffer chunk(final long index)
    {
        return chunks[(int)(slot(index) >>> CHUNK_SHIFT)];
    }

    private int offset(final long index)
    {
        return ((int)slot(index) & CHUNK_MASK) * ENTRY_LENGTH;
    }
}
