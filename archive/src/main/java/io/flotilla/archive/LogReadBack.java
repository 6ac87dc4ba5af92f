package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ControlResponsePoller;
import io.aeron.archive.codecs.ControlResponseCode;
import io.aeron.archive.codecs.ControlResponseDecoder;
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
 * Either way every frame is validated again. An unanswered read-back is abandoned after {@code readBackTimeoutNs} on
 * the store's clock and asked again.
 */
final class LogReadBack implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(LogReadBack.class.getName());
    private static final int FRAGMENT_LIMIT = 64;
    // A failing read-back is asked again at once: its warning is logged at most this often.
    private static final long WARNING_INTERVAL_NS = 10_000_000_000L;

    private final Aeron aeron;
    private final AeronArchive archive;
    private final LogRecording recording;
    private final LogIndex logIndex;
    private final SyncWait syncWait;
    private final int streamId;
    private final NanoClock clock;
    private final long timeoutNs;
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

    private long lastWarningNs;
    private int warningsSuppressed = -1;

    LogReadBack(
        final NodeMedia media,
        final LogRecording recording,
        final LogIndex logIndex,
        final SyncWait syncWait,
        final NanoClock clock,
        final long timeoutNs)
    {
        this.aeron = media.aeron();
        this.archive = media.aeronArchive();
        this.recording = recording;
        this.logIndex = logIndex;
        this.syncWait = syncWait;
        this.streamId = media.context().readBackStreamId();
        this.clock = clock;
        this.timeoutNs = timeoutNs;
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
        }
    }

    /**
     * Make progress on the read-back in flight: its control response, then its replay image.
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
        if (!pendingSessionKnown)
        {
            final ControlResponsePoller poller = archive.controlResponsePoller();
            workCount += poller.poll();
            if (poller.isPollComplete() && poller.controlSessionId() == archive.controlSessionId() &&
                poller.templateId() == ControlResponseDecoder.TEMPLATE_ID && poller.correlationId() == pendingCorrelationId)
            {
                if (poller.code() == ControlResponseCode.OK)
                {
                    pendingSessionId = (int)poller.relevantId();
                    pendingSessionKnown = true;
                }
                else
                {
                    warn("read-back of entries " + pendingFirst + ".." + pendingLast + " refused by the archive: " +
                        poller.errorMessage());
                    pendingFirst = 0;
                    return workCount;
                }
            }
        }

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
            warn("read-back of entries " + pendingFirst + ".." + pendingLast + " timed out; it will be asked again");
            pendingFirst = 0;
        }

        return workCount;
    }

    /**
     * The first warning, then at most one per {@link #WARNING_INTERVAL_NS} with the number left out since.
     */
    private void warn(final String message)
    {
        final long nowNs = clock.nanoTime();
        if (warningsSuppressed < 0 || nowNs - lastWarningNs >= WARNING_INTERVAL_NS)
        {
            LOGGER.log(System.Logger.Level.WARNING, warningsSuppressed > 0 ?
                message + " (" + warningsSuppressed + " more read-back warnings since the last)" : message);
            lastWarningNs = nowNs;
            warningsSuppressed = 0;
        }
        else
        {
            warningsSuppressed++;
        }
    }

    /**
     * Forget what was read back and any read-back in flight: the log changed (truncation).
     */
    void discard()
    {
        first = -1;
        last = -1;
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
