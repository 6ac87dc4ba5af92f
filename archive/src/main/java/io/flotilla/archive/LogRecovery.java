package io.flotilla.archive;

import io.aeron.exceptions.ConfigurationException;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import org.agrona.DirectBuffer;

import java.io.File;

/**
 * Recovery on open: read the stopped recording from its start, validate every frame, rebuild the index and the
 * window, and cut a torn tail; refuse, with {@link LogCorruptionException}, damage that valid entries follow. The
 * first entry must follow the log's configured start ({@link ArchiveLogStore.Context#logStart(long, long)}).
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
        if (lastIndex == logIndex.previousIndex())
        {
            checkLogStart(buffer, offset, length);
        }
        final String problem = checkEntry(buffer, offset, length, index, logIndex.term(lastIndex));
        if (null != problem)
        {
            return problem;
        }

        final long term = EntryFrame.term(buffer, offset);
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

    /**
     * What recovery requires of every message of the recording.
     *
     * @param buffer       holding the message.
     * @param offset       of the message.
     * @param length       of the message.
     * @param index        the entry expected: the one after the last accepted.
     * @param previousTerm term of the entry before it (the prefix's for the first).
     * @return null when the message is exactly one intact entry {@code index} of a term not below
     * {@code previousTerm}, otherwise why it is not.
     */
    static String checkEntry(
        final DirectBuffer buffer, final int offset, final int length, final long index, final long previousTerm)
    {
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
        if (term < previousTerm)
        {
            return "entry " + index + " has term " + term + " below " + previousTerm;
        }
        return null;
    }

    /**
     * A first entry that is intact but does not follow the configured start is a wrong setting, not damage: neither
     * cut as a torn tail nor reported as corruption.
     */
    private void checkLogStart(final DirectBuffer buffer, final int offset, final int length)
    {
        final long previousIndex = logIndex.previousIndex();
        final String mismatch = logStartMismatch(buffer, offset, length, previousIndex, logIndex.term(previousIndex));
        if (null != mismatch)
        {
            final long index = EntryFrame.index(buffer, offset);
            throw new ConfigurationException("the log recording " + recording.recordingId() + " " + mismatch +
                ": open it with logStart(" + (index - 1) + ", <term of entry " + (index - 1) + ">)");
        }
    }

    /**
     * @param buffer        holding the recording's first message.
     * @param offset        of the message.
     * @param length        of the message.
     * @param previousIndex the entry the log begins after.
     * @param previousTerm  its term.
     * @return null unless the message is an intact entry that does not follow the start, and then what is wrong.
     */
    static String logStartMismatch(
        final DirectBuffer buffer, final int offset, final int length, final long previousIndex, final long previousTerm)
    {
        if (FrameValidator.validateEntries(buffer, offset, length, -1).isValid() &&
            (EntryFrame.index(buffer, offset) != previousIndex + 1 || EntryFrame.term(buffer, offset) < previousTerm))
        {
            return "begins with entry " + EntryFrame.index(buffer, offset) + " of term " +
                EntryFrame.term(buffer, offset) + ", but ArchiveLogStore.Context.logStart has the log begin after " +
                "entry " + previousIndex + " of term " + previousTerm;
        }
        return null;
    }
}
