package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.ControlResponseCode;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * Entries older than the window, read back from the archive: for catch-up without blocking, one bounded replay at a
 * time whose batch is then served from memory; and for the startup replay, blocking, straight from the segment files.
 * Either way every frame is validated again. The replay's control response comes through {@link ArchiveResponses}; an
 * unanswered read-back is abandoned after {@code readBackTimeoutNs} on the store's clock and asked again.
 */
final class LogReadBack implements AutoCloseable, ArchiveResponses.Listener
{
    private static final System.Logger LOGGER = System.getLogger(LogReadBack.class.getName());
    private static final int FRAGMENT_LIMIT = 64;
    // A failing read-back is asked again at once: its warning is logged at most this often.
    private static final long WARNING_INTERVAL_NS = 10_000_000_000L;

    private final Aeron aeron;
    private final AeronArchive archive;
    private final LogRecording recording;
    private final LogIndex logIndex;
    private final ArchiveResponses responses;
    private final SyncWait syncWait;
    private final int streamId;
    private final NanoClock clock;
    private final long timeoutNs;
    private final ThrottledWarning warning;
    private final Subscription subscription;
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    // The batch read back and served from memory.
    private long first = -1;
    private long last = -1;

    // The replay in flight; 0 == pendingFirst when none.
    private long pendingFirst;
    private long pendingLast;
    private long pendingCorrelationId;
    private int pendingSessionId;
    private boolean pendingSessionKnown;
    private long pendingDeadlineNs;
    private int pendingLength;

    LogReadBack(
        final NodeMedia media,
        final LogRecording recording,
        final LogIndex logIndex,
        final ArchiveResponses responses,
        final SyncWait syncWait,
        final NanoClock clock,
        final long timeoutNs)
    {
        this.aeron = media.aeron();
        this.archive = media.aeronArchive();
        this.recording = recording;
        this.logIndex = logIndex;
        this.responses = responses;
        this.syncWait = syncWait;
        this.streamId = media.context().readBackStreamId();
        this.clock = clock;
        this.timeoutNs = timeoutNs;
        this.warning = new ThrottledWarning(LOGGER, "read-back", clock, WARNING_INTERVAL_NS);
        this.subscription = aeron.addSubscription(LogRecording.IPC, streamId);
    }

    /**
     * Deliver what the last read-back holds from {@code fromIndex} on.
     *
     * @param fromIndex first index wanted.
     * @param toIndex   last index wanted.
     * @param handler   to receive the block.
     * @return the number of entries delivered, 0 when the read-back does not hold {@code fromIndex}.
     */
    int deliver(final long fromIndex, final long toIndex, final EntryBlockHandler handler)
    {
        if (first <= fromIndex && fromIndex <= last)
        {
            final long lastDelivered = Math.min(toIndex, last);
            final int offset = (int)(logIndex.frameEnd(fromIndex - 1) - logIndex.frameEnd(first - 1));
            handler.onEntries(buffer, offset, logIndex.bytes(fromIndex, lastDelivered), fromIndex, lastDelivered);
            return (int)(lastDelivered - fromIndex + 1);
        }

        return 0;
    }

    /**
     * Ask the archive for the entries {@code fromIndex..toIndex}, all of them durable, unless a read-back is in
     * flight already. Does not wait: {@link #poll()} collects them.
     *
     * @param fromIndex first index.
     * @param toIndex   last index.
     */
    void request(final long fromIndex, final long toIndex)
    {
        if (0 != pendingFirst)
        {
            return;
        }

        final long position = logIndex.endPosition(fromIndex - 1);
        final long length = logIndex.endPosition(toIndex) - position;
        final long correlationId = aeron.nextCorrelationId();
        if (archive.archiveProxy().replay(recording.recordingId(), position, length, LogRecording.IPC, streamId,
            correlationId, archive.controlSessionId()))
        {
            first = -1;
            last = -1;
            pendingFirst = fromIndex;
            pendingLast = toIndex;
            pendingCorrelationId = correlationId;
            pendingSessionKnown = false;
            pendingLength = 0;
            pendingDeadlineNs = clock.nanoTime() + timeoutNs;
            responses.await(correlationId, this);
        }
    }

    public void onResponse(
        final long correlationId, final ControlResponseCode code, final long relevantId, final String errorMessage)
    {
        if (ControlResponseCode.OK == code)
        {
            pendingSessionId = (int)relevantId;
            pendingSessionKnown = true;
        }
        else
        {
            warning.warn("read-back of entries " + pendingFirst + ".." + pendingLast + " refused by the archive: " +
                errorMessage);
            pendingFirst = 0;
        }
    }

    /**
     * Make progress on the read-back in flight: its replay image, once its control response has come.
     *
     * @return the amount of work done.
     * @throws LogCorruptionException when the archive returns entries that are not valid.
     */
    int poll()
    {
        if (0 == pendingFirst)
        {
            return 0;
        }

        int workCount = 0;
        final Image image = pendingSessionKnown ? subscription.imageBySessionId(pendingSessionId) : null;
        if (null != image)
        {
            workCount += image.poll(assembler, FRAGMENT_LIMIT);
            if (pendingLength == logIndex.bytes(pendingFirst, pendingLast))
            {
                final FrameVerdict verdict = FrameValidator.validateEntries(buffer, 0, pendingLength, pendingFirst);
                if (!verdict.isValid())
                {
                    final long position = logIndex.endPosition(pendingFirst - 1);
                    throw new LogCorruptionException(recording.segmentFile(position), position, "read-back of entries " +
                        pendingFirst + ".." + pendingLast + " from the archive is " + verdict);
                }
                first = pendingFirst;
                last = pendingLast;
                pendingFirst = 0;
                return workCount + 1;
            }
        }

        if (clock.nanoTime() > pendingDeadlineNs)
        {
            warning.warn("read-back of entries " + pendingFirst + ".." + pendingLast +
                " timed out; it will be asked again");
            abandon();
        }

        return workCount;
    }

    /**
     * Forget what was read back and any read-back in flight: the log changed (truncation).
     */
    void discard()
    {
        first = -1;
        last = -1;
        abandon();
    }

    private void abandon()
    {
        responses.cancel(pendingCorrelationId);
        pendingFirst = 0;
    }

    /**
     * Deliver the entries {@code fromIndex..toIndex} from the stopped recording's segment files, one entry a block,
     * blocking until done.
     *
     * @param fromIndex first index.
     * @param toIndex   last index, below the window.
     * @param handler   receiving the entries.
     * @throws LogCorruptionException when the recording no longer holds a valid entry where the index says.
     */
    void replayFromFiles(final long fromIndex, final long toIndex, final EntryBlockHandler handler)
    {
        final long[] expected = { fromIndex };
        try (RecordingReader reader = recording.newReader())
        {
            final long reached = reader.read(logIndex.endPosition(fromIndex - 1), logIndex.endPosition(toIndex),
                (buffer, offset, length, position, endPosition) ->
                {
                    final FrameVerdict verdict = FrameValidator.validateEntries(buffer, offset, length, expected[0]);
                    if (!verdict.isValid())
                    {
                        return "entry " + expected[0] + " is " + verdict;
                    }
                    handler.onEntries(buffer, offset, length, expected[0], expected[0]);
                    syncWait.keepMediaAlive(expected[0]++);
                    return null;
                });
            if (reached != logIndex.endPosition(toIndex))
            {
                throw new LogCorruptionException(reader.segmentFile(reader.failurePosition()),
                    reader.failurePosition(), "replay of entries " + fromIndex + ".." + toIndex + " failed: " +
                    reader.failureReason());
            }
        }
    }

    public void close()
    {
        CloseHelper.close(subscription);
    }

    private void onFragment(final DirectBuffer fragment, final int offset, final int length, final Header header)
    {
        if (0 != pendingFirst && pendingLength + length <= logIndex.bytes(pendingFirst, pendingLast))
        {
            buffer.putBytes(pendingLength, fragment, offset, length);
            pendingLength += length;
        }
    }
}
