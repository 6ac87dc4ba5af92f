package io.flotilla.engine.node;

import io.flotilla.codecs.ReadMode;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Queries waiting for their read index (agent thread only), bounded by count and by bytes, allocation-free: each
 * query is copied into a preallocated ring of records. Every query belongs to a read batch: the queries of one read
 * mode that arrived in one duty cycle share one batch, and so one read index request, whose read id is the batch's
 * sequence number. A batch is answered as a whole once it has its read index and the state machine has applied that
 * far, or at once when it failed, or as failed when the state machine has not applied that far within the apply
 * timeout (this node stopped learning commits: cut off, or removed from the cluster just after its leader granted the
 * read); batches are answered in any order (a lease read need not wait behind a ReadIndex
 * round), their space is reclaimed in arrival order.
 */
public final class PendingQueries
{
    /** Bytes of a record before its payload. */
    public static final int RECORD_HEADER_LENGTH = 40;

    private static final int RECORD_ALIGNMENT = 8;
    private static final int PADDING = -1;
    private static final int LENGTH_OFFSET = 0;
    private static final int SLOT_OFFSET = 4;
    private static final int BATCH_OFFSET = 8;
    private static final int SESSION_OFFSET = 16;
    private static final int QUERY_ID_OFFSET = 24;
    private static final int PAYLOAD_LENGTH_OFFSET = 32;
    private static final int ANSWERED_OFFSET = 36;

    private static final byte OPEN = 0;
    private static final byte REQUESTED = 1;
    private static final byte READY = 2;
    private static final byte FAILED = 3;
    private static final byte DONE = 4;

    private static final ReadMode[] MODES = {ReadMode.READ_INDEX, ReadMode.LEASE};

    /**
     * Starts a batch's read index request.
     */
    @FunctionalInterface
    public interface Requester
    {
        /**
         * @param readId of the batch.
         * @param mode   of its queries.
         * @return false when no read can be started (the batch then fails); true when exactly one of
         * {@link #onReadIndex} and {@link #onReadIndexFailed} follows, possibly inside this call.
         */
        boolean requestReadIndex(long readId, ReadMode mode);
    }

    /**
     * Answers one query of a batch.
     */
    @FunctionalInterface
    public interface Answerer
    {
        /**
         * @param granted   true when the batch's read index is applied: answer from the state machine; false when the
         *                  batch failed.
         * @param sessionId of the client's session, when {@code slot} is -1.
         * @param queryId   the client's id of the query.
         * @param slot      of an in-process query's callback, or -1 for a client's query.
         * @param buffer    holding the query.
         * @param offset    of the query.
         * @param length    of the query.
         */
        void answer(boolean granted, long sessionId, long queryId, int slot, DirectBuffer buffer, int offset, int length);
    }

    private final int maxQueries;
    private final long applyTimeoutNs;
    private final UnsafeBuffer records;
    private final int capacity;
    private final int batchMask;
    private final long[] batchReadIds;
    private final byte[] batchStates;
    private final long[] batchReadIndexes;
    private final long[] batchDeadlinesNs;
    private final int[] batchCounts;
    private final int[] batchFirstOffsets;
    private final ReadMode[] batchModes;
    private final long[] openBatch = {-1, -1};

    private int head;
    private int tail;
    private int usedBytes;
    private int pendingQueries;
    private long batchHead;
    private long batchTail;
    private boolean resolved;
    private long lastAppliedIndex = -1;
    private long nextDeadlineNs = Long.MAX_VALUE;

    /**
     * @param maxQueries     queries waiting at once, at most.
     * @param maxBytes       bytes of waiting queries (each with a {@link #RECORD_HEADER_LENGTH} header), at most.
     * @param applyTimeoutNs how long a batch with its read index waits for the state machine to apply that far.
     */
    public PendingQueries(final int maxQueries, final int maxBytes, final long applyTimeoutNs)
    {
        this.maxQueries = maxQueries;
        this.applyTimeoutNs = applyTimeoutNs;
        capacity = maxBytes & ~(RECORD_ALIGNMENT - 1);
        records = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        final int batches = BitUtil.findNextPositivePowerOfTwo(maxQueries);
        batchMask = batches - 1;
        batchReadIds = new long[batches];
        batchStates = new byte[batches];
        batchReadIndexes = new long[batches];
        batchDeadlinesNs = new long[batches];
        batchCounts = new int[batches];
        batchFirstOffsets = new int[batches];
        batchModes = new ReadMode[batches];
    }

    /**
     * @param payloadLength of a query.
     * @return the bytes it takes in the store.
     */
    public static int recordLength(final int payloadLength)
    {
        return BitUtil.align(RECORD_HEADER_LENGTH + payloadLength, RECORD_ALIGNMENT);
    }

    /**
     * Copy a query into this duty cycle's batch of its mode.
     *
     * @return false when the store is full (by count, bytes, or batches waiting to be reclaimed): refuse the query.
     */
    public boolean add(
        final ReadMode mode,
        final long sessionId,
        final long queryId,
        final int slot,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int modeIndex = mode.ordinal();
        final boolean newBatch = openBatch[modeIndex] < 0;
        if (pendingQueries >= maxQueries || (newBatch && batchTail - batchHead > batchMask))
        {
            return false;
        }
        final int recordLength = recordLength(length);
        final int recordOffset = reserve(recordLength);
        if (recordOffset < 0)
        {
            return false;
        }

        if (newBatch)
        {
            final long readId = batchTail++;
            final int i = (int)(readId & batchMask);
            batchReadIds[i] = readId;
            batchStates[i] = OPEN;
            batchReadIndexes[i] = 0;
            batchCounts[i] = 0;
            batchFirstOffsets[i] = recordOffset;
            batchModes[i] = mode;
            openBatch[modeIndex] = readId;
        }
        final long readId = openBatch[modeIndex];
        batchCounts[(int)(readId & batchMask)]++;
        pendingQueries++;

        records.putInt(recordOffset + LENGTH_OFFSET, recordLength);
        records.putInt(recordOffset + SLOT_OFFSET, slot);
        records.putLong(recordOffset + BATCH_OFFSET, readId);
        records.putLong(recordOffset + SESSION_OFFSET, sessionId);
        records.putLong(recordOffset + QUERY_ID_OFFSET, queryId);
        records.putInt(recordOffset + PAYLOAD_LENGTH_OFFSET, length);
        records.putInt(recordOffset + ANSWERED_OFFSET, 0);
        records.putBytes(recordOffset + RECORD_HEADER_LENGTH, buffer, offset, length);
        return true;
    }

    /**
     * Close this duty cycle's batches: one read index request each.
     *
     * @return the number of batches requested.
     */
    public int requestOpenBatches(final Requester requester)
    {
        int requested = 0;
        for (final ReadMode mode : MODES)
        {
            final long readId = openBatch[mode.ordinal()];
            if (readId >= 0)
            {
                openBatch[mode.ordinal()] = -1;
                final int i = (int)(readId & batchMask);
                batchStates[i] = REQUESTED;
                resolved = true;
                if (!requester.requestReadIndex(readId, mode) && REQUESTED == batchStates[i])
                {
                    batchStates[i] = FAILED;
                }
                requested++;
            }
        }
        return requested;
    }

    /**
     * A batch has its read index.
     *
     * @param nowNs when it arrived: the apply timeout runs from then.
     * @return false when no requested batch has the read id (answered already, or never requested here).
     */
    public boolean onReadIndex(final long readId, final long readIndex, final long nowNs)
    {
        if (!isRequested(readId))
        {
            return false;
        }
        final int i = (int)(readId & batchMask);
        batchStates[i] = READY;
        batchReadIndexes[i] = readIndex;
        batchDeadlinesNs[i] = nowNs + applyTimeoutNs;
        resolved = true;
        return true;
    }

    /**
     * A batch cannot have a read index (leadership lost, refused, timed out).
     *
     * @return false when no requested batch has the read id.
     */
    public boolean onReadIndexFailed(final long readId)
    {
        if (!isRequested(readId))
        {
            return false;
        }
        batchStates[(int)(readId & batchMask)] = FAILED;
        resolved = true;
        return true;
    }

    /**
     * Answer every batch whose read index is applied, every failed one and every one past its apply timeout (as
     * failed), then reclaim the space of answered queries at the head of the store.
     *
     * @param appliedIndex the state machine's applied index now.
     * @param nowNs        the time now.
     * @param answerer     of each query.
     * @return the number of queries answered.
     */
    public int answerResolved(final long appliedIndex, final long nowNs, final Answerer answerer)
    {
        if (!resolved && appliedIndex == lastAppliedIndex && nowNs < nextDeadlineNs)
        {
            return 0;
        }
        resolved = false;
        lastAppliedIndex = appliedIndex;

        int answered = 0;
        long nextDeadline = Long.MAX_VALUE;
        for (long readId = batchHead; readId < batchTail; readId++)
        {
            final int i = (int)(readId & batchMask);
            final byte state = batchStates[i];
            if (FAILED == state || (READY == state && batchReadIndexes[i] <= appliedIndex))
            {
                answered += answerBatch(i, READY == state, answerer);
            }
            else if (READY == state && nowNs - batchDeadlinesNs[i] >= 0)
            {
                answered += answerBatch(i, false, answerer);
            }
            else if (READY == state)
            {
                nextDeadline = Math.min(nextDeadline, batchDeadlinesNs[i]);
            }
        }
        nextDeadlineNs = nextDeadline;
        reclaim();
        return answered;
    }

    /**
     * Answer every query still waiting, open batches included, as failed (the node closes), and empty the store.
     *
     * @param answerer of each query.
     */
    public void clear(final Answerer answerer)
    {
        for (long readId = batchHead; readId < batchTail; readId++)
        {
            final int i = (int)(readId & batchMask);
            if (DONE != batchStates[i])
            {
                answerBatch(i, false, answerer);
            }
        }
        openBatch[0] = -1;
        openBatch[1] = -1;
        reclaim();
    }

    /**
     * @return queries waiting.
     */
    public int pendingQueries()
    {
        return pendingQueries;
    }

    /**
     * @return batches not yet reclaimed (answered ones behind a waiting one included).
     */
    public int pendingBatches()
    {
        return (int)(batchTail - batchHead);
    }

    /**
     * @return bytes of the store in use (padding at its end included).
     */
    public int usedBytes()
    {
        return usedBytes;
    }

    private boolean isRequested(final long readId)
    {
        return readId >= batchHead && readId < batchTail && REQUESTED == batchStates[(int)(readId & batchMask)];
    }

    private int answerBatch(final int i, final boolean granted, final Answerer answerer)
    {
        final long readId = batchReadIds[i];
        final int count = batchCounts[i];
        // Done before answering: nothing an answer does can see the batch as waiting.
        batchStates[i] = DONE;
        batchCounts[i] = 0;
        int recordOffset = batchFirstOffsets[i];
        for (int remaining = count; remaining > 0; )
        {
            final int recordLength = records.getInt(recordOffset + LENGTH_OFFSET);
            if (PADDING == recordLength)
            {
                recordOffset = 0;
                continue;
            }
            if (records.getLong(recordOffset + BATCH_OFFSET) == readId)
            {
                records.putInt(recordOffset + ANSWERED_OFFSET, 1);
                pendingQueries--;
                remaining--;
                answerer.answer(
                    granted,
                    records.getLong(recordOffset + SESSION_OFFSET),
                    records.getLong(recordOffset + QUERY_ID_OFFSET),
                    records.getInt(recordOffset + SLOT_OFFSET),
                    records,
                    recordOffset + RECORD_HEADER_LENGTH,
                    records.getInt(recordOffset + PAYLOAD_LENGTH_OFFSET));
            }
            recordOffset = next(recordOffset + recordLength);
        }
        return count;
    }

    /**
     * @return the offset of a free, contiguous run of {@code recordLength} bytes, now taken, or -1 when there is none.
     */
    private int reserve(final int recordLength)
    {
        if (0 == usedBytes)
        {
            head = 0;
            tail = 0;
        }
        else if (head == tail)
        {
            return -1;
        }

        final int recordOffset;
        if (tail >= head)
        {
            if (capacity - tail >= recordLength)
            {
                recordOffset = tail;
            }
            else if (head >= recordLength)
            {
                // The rest of the ring is too short: skip it (a record never wraps).
                records.putInt(tail + LENGTH_OFFSET, PADDING);
                usedBytes += capacity - tail;
                recordOffset = 0;
            }
            else
            {
                return -1;
            }
        }
        else if (head - tail >= recordLength)
        {
            recordOffset = tail;
        }
        else
        {
            return -1;
        }
        tail = next(recordOffset + recordLength);
        usedBytes += recordLength;
        return recordOffset;
    }

    private void reclaim()
    {
        while (usedBytes > 0)
        {
            final int recordLength = records.getInt(head + LENGTH_OFFSET);
            if (PADDING == recordLength)
            {
                usedBytes -= capacity - head;
                head = 0;
            }
            else if (0 != records.getInt(head + ANSWERED_OFFSET))
            {
                usedBytes -= recordLength;
                head = next(head + recordLength);
            }
            else
            {
                break;
            }
        }
        while (batchHead < batchTail && DONE == batchStates[(int)(batchHead & batchMask)])
        {
            batchHead++;
        }
    }

    private int next(final int offset)
    {
        return offset == capacity ? 0 : offset;
    }
}
