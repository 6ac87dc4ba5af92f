package io.flotilla.archive;

import io.aeron.Publication;

/**
 * Offers the entries of the window to the recording's publication, one message each, in order, and records each
 * one's end position in the index. Never blocks and never drops: what the publication does not take yet (not
 * connected, back-pressured, admin action) stays pending in the window and is offered again on the next duty cycle.
 */
final class LogPublisher
{
    /** The end position of an entry not offered yet. */
    static final long NOT_OFFERED = -1;

    private final LogRecording recording;
    private final ReplicationWindow window;
    private final LogIndex logIndex;
    private long offeredIndex;

    LogPublisher(final LogRecording recording, final ReplicationWindow window, final LogIndex logIndex)
    {
        this.recording = recording;
        this.window = window;
        this.logIndex = logIndex;
        this.offeredIndex = logIndex.lastIndex();
    }

    /**
     * @return the highest index the publication has taken; every entry before it was taken too.
     */
    long offeredIndex()
    {
        return offeredIndex;
    }

    /**
     * @param index up to which every entry is in the recording already (recovered).
     */
    void offeredUpTo(final long index)
    {
        offeredIndex = index;
    }

    /**
     * Offer the pending entries until the publication stops taking them.
     *
     * @return the number of entries offered.
     * @throws IllegalStateException when the publication is closed or full for good.
     */
    int offerPending()
    {
        int workCount = 0;
        final Publication publication = recording.publication();
        while (offeredIndex < logIndex.lastIndex())
        {
            final long index = offeredIndex + 1;
            final long result = publication.offer(window.buffer(), window.offset(index), logIndex.bytes(index, index));
            if (result > 0)
            {
                logIndex.endPosition(index, result);
                offeredIndex = index;
                workCount++;
            }
            else if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("log publication unusable (" + Publication.errorString(result) +
                    ") at entry " + index);
            }
            else
            {
                break; // not connected yet, back-pressured or admin action: retried on the next duty cycle
            }
        }

        return workCount;
    }

    /**
     * After the recording stopped for a truncation to {@code index}: the last entry it both holds and keeps.
     *
     * @param index        last index the log keeps.
     * @param stopPosition of the stopped recording.
     * @return the highest offered index up to {@code index} whose end position the recording reached.
     */
    long lastRecordedBy(final long index, final long stopPosition)
    {
        long keep = Math.min(index, offeredIndex);
        while (keep > logIndex.previousIndex() && logIndex.endPosition(keep) > stopPosition)
        {
            keep--;
        }

        return keep;
    }

    /**
     * Follow a truncation of the log to {@code index} in which the recording was cut to the end of {@code recorded}:
     * the kept entries after it are offered again.
     *
     * @param index    last entry the log keeps.
     * @param recorded last entry the recording keeps, at most {@code index}.
     */
    void truncateAfter(final long index, final long recorded)
    {
        for (long i = recorded + 1; i <= index; i++)
        {
            logIndex.endPosition(i, NOT_OFFERED);
        }
        offeredIndex = Math.min(offeredIndex, recorded);
    }
}
