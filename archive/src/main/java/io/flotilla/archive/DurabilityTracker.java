package io.flotilla.archive;

import io.aeron.ExclusivePublication;
import io.aeron.archive.status.RecordingPos;
import org.agrona.concurrent.status.CountersReader;

import static org.agrona.concurrent.status.CountersReader.NULL_COUNTER_ID;

/**
 * The durable index: the highest offered entry whose end position the archive's recording position counter has
 * reached. With {@link Durability#FSYNC} the archive forces each block before it advances that counter, so the
 * counter is proof of fsync; with {@link Durability#ASYNC} it says what the archive has written.
 */
final class DurabilityTracker
{
    private final LogRecording recording;
    private final LogIndex logIndex;
    private final CountersReader counters;
    private final long archiveId;
    private int counterId = NULL_COUNTER_ID;
    private int counterSessionId;
    private long durableIndex;

    DurabilityTracker(final NodeMedia media, final LogRecording recording, final LogIndex logIndex)
    {
        this.recording = recording;
        this.logIndex = logIndex;
        this.counters = media.countersReader();
        this.archiveId = media.context().archiveId();
        this.durableIndex = logIndex.lastIndex();
    }

    long durableIndex()
    {
        return durableIndex;
    }

    /**
     * @param index up to which every entry is durable (recovered, and forced when FSYNC).
     */
    void durableUpTo(final long index)
    {
        durableIndex = index;
    }

    /**
     * @param index last entry the log keeps after a truncation.
     */
    void truncateAfter(final long index)
    {
        durableIndex = Math.min(durableIndex, index);
    }

    /**
     * Advance the durable index as far as the recording position allows.
     *
     * @param offeredIndex highest entry taken by the publication.
     * @return the number of entries that became durable.
     */
    int poll(final long offeredIndex)
    {
        if (!recording.isRecording())
        {
            return 0;
        }
        final ExclusivePublication publication = recording.publication();
        if (NULL_COUNTER_ID == counterId || counterSessionId != publication.sessionId())
        {
            // By session, not by recording id: the counter of the session stopped by a truncation may not be freed yet.
            counterSessionId = publication.sessionId();
            if (NULL_COUNTER_ID == (counterId = RecordingPos.findCounterIdBySession(counters, counterSessionId, archiveId)))
            {
                return 0;
            }
        }

        final long recordedPosition = counters.getCounterValue(counterId);
        if (!RecordingPos.isActive(counters, counterId, recording.recordingId()))
        {
            counterId = NULL_COUNTER_ID;
            return 0;
        }

        int workCount = 0;
        while (durableIndex < offeredIndex && logIndex.endPosition(durableIndex + 1) <= recordedPosition)
        {
            durableIndex++;
            workCount++;
        }

        return workCount;
    }
}
