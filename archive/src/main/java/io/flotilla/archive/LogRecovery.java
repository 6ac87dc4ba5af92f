package io.flotilla.archive;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import org.agrona.DirectBuffer;

import java.io.File;

/**
 * Recovery on open: read the stopped recording from its start, validate every frame, rebuild the index and the
 * window, and cut a torn tail; refuse, with {@link LogCorruptionException}, damage that valid entries follow.
 */
final class LogRecovery
{
    private static final System.Logger LOGGER = System.getLogger(LogRecovery.class.getName());

    private final LogRecording recording;
    private final LogIndex logIndex;
    private final ReplicationWindow window;
    private final SyncWait syncWait;
    private final int windowCapacity;
    private long windowStartPosition;
    private long tailCutPosition = -1;

    LogRecovery(
        final LogRecording recording,
        final LogIndex logIndex,
        final ReplicationWindow window,
        final SyncWait syncWait,
        final int windowCapacity)
    {
        this.recording = recording;
        this.logIndex = logIndex;
        this.window = window;
        this.syncWait = syncWait;
        this.windowCapacity = windowCapacity;
    }

    /**
     * Recover the entries of the stopped recording into the index and the window.
     *
     * @return the recording position after the last valid entry, where the recording is to be extended.
     * @throws LogCorruptionException when the log is damaged before its last valid entry.
     */
    long recover()
    {
        final long stopPosition = recording.stopPosition();
        try (RecordingReader reader = recording.newReader())
        {
            // Only the entries near the end go into the window (recording bytes >= frame bytes, so this is enough).
            windowStartPosition = stopPosition - windowCapacity / 2;
            final long validEnd = reader.read(recording.startPosition(), stopPosition, this::onMessage);
            if (validEnd == stopPosition)
            {
                return validEnd;
            }

            final long lastIndex = logIndex.lastIndex();
            final File file = reader.segmentFile(validEnd);
            final long later = reader.findValidEntryAfter(validEnd, stopPosition, lastIndex);
            if (later >= 0)
            {
                throw new LogCorruptionException(file, validEnd, "log corrupt after entry " + lastIndex + ": " +
                    reader.failureReason() + ", yet a valid entry follows at position " + later + " in " +
                    reader.segmentFile(later));
            }

            LOGGER.log(System.Logger.Level.WARNING, "cutting the torn or corrupt tail of the log after entry " +
                lastIndex + ": recording " + recording.recordingId() + " positions " + validEnd + ".." + stopPosition +
                " in " + file + " (" + reader.failureReason() + ")");
            tailCutPosition = validEnd;
            recording.truncateTo(validEnd);
            return validEnd;
        }
    }

    /**
     * @return the recording position at which {@link #recover()} cut a torn or corrupt tail, or -1.
     */
    long tailCutPosition()
    {
        return tailCutPosition;
    }

    private String onMessage(
        final DirectBuffer buffer, final int offset, final int length, final long position, final long endPosition)
    {
        final long lastIndex = logIndex.lastIndex();
        final long index = lastIndex + 1;
        final FrameVerdict verdict = FrameValidator.validateEntries(buffer, offset, length, index);
        if (!verdict.isValid())
        {
            return "entry " + index + " is " + verdict;
        }
        if (EntryFrame.frameLength(buffer, offset) != length)
        {
            return "message holds more than one entry";
        }
        final long term = EntryFrame.term(buffer, offset);
        if (term < logIndex.term(lastIndex))
        {
            return "entry " + index + " has term " + term + " below " + logIndex.term(lastIndex);
        }

        if (endPosition <= windowStartPosition)
        {
            window.appendIndexOnly(term, length, endPosition);
        }
        else
        {
            window.append(buffer, offset, length, endPosition, lastIndex);
        }
        syncWait.keepMediaAlive(index);
        return null;
    }
}
