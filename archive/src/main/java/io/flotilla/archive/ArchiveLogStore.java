package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.client.ControlResponsePoller;
import io.aeron.archive.codecs.ControlResponseCode;
import io.aeron.archive.codecs.ControlResponseDecoder;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.ConfigurationException;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.aeron.archive.client.AeronArchive.NULL_POSITION;
import static org.agrona.concurrent.status.CountersReader.NULL_COUNTER_ID;

/**
 * The node's Raft log as one Aeron Archive recording, see docs/log-store.md.
 * <ul>
 *     <li><b>Mapping:</b> one entry frame = one Aeron message on a local {@code aeron:ipc} exclusive publication
 *     that the node's archive records, so every entry boundary is a message boundary in the recording and
 *     truncation at any index is a plain {@code truncateRecording} to that entry's end position.</li>
 *     <li><b>One recording per node:</b> found again on open by its stream id, recovered, and extended; a new
 *     recording is made only when the archive holds none.</li>
 *     <li><b>Index:</b> for each log index its term, the recording position after it and the cumulative frame
 *     bytes, off the heap in fixed chunks ({@link LogIndex}): appending allocates nothing and copies no index.</li>
 *     <li><b>Window:</b> the bytes of the most recent entries in memory; {@link #readEntries} serves them directly
 *     and reads older ones back from the archive with an asynchronous bounded replay.</li>
 *     <li><b>Durability:</b> the archive's recording position counter; with {@link Durability#FSYNC} the archive
 *     forces each block before it advances that counter, so the counter is proof of fsync.</li>
 *     <li><b>Back-pressure:</b> {@link #append} never blocks and never drops: frames the publication cannot take
 *     yet wait in the window and are offered again on every {@link #doWork()}. Entries leave the window only once
 *     durable, so the memory held is bounded by what the caller appends ahead of the archive (the leader's
 *     uncommitted limit, the follower's in-flight batches); the window grows if it must.</li>
 * </ul>
 * {@link #open(Context)} recovers the log before anyone uses it; {@link #replay(long, long, EntryBlockHandler)}
 * then hands the runtime the entries to re-apply. Single-threaded: the node's agent owns the store.
 */
public final class ArchiveLogStore implements LogStore
{
    private static final System.Logger LOGGER = System.getLogger(ArchiveLogStore.class.getName());
    private static final String IPC = "aeron:ipc";
    private static final long NOT_OFFERED = -1;
    private static final int READ_BACK_FRAGMENT_LIMIT = 64;
    private static final int KEEP_ALIVE_ENTRY_INTERVAL = 16 * 1024;

    private final Context ctx;
    private final NodeMedia media;
    private final Aeron aeron;
    private final AeronArchive archive;
    private final CountersReader counters;
    private final int streamId;
    private final long archiveId;

    private long recordingId = -1;
    private long recordingStartPosition;
    private int initialTermId;
    private int termLength;
    private int mtu;
    private int segmentFileLength;
    private ExclusivePublication publication;
    private long recordingSubscriptionId = -1;
    private int positionCounterId = NULL_COUNTER_ID;
    private long tailCutPosition = -1;
    private long recoveryWindowStart;

    // By log index; index 0 is the empty prefix (end position = recording start).
    private final LogIndex logIndex = new LogIndex();
    private long lastIndex;
    private long offeredIndex;
    private long durableIndex;

    // Window: frames of windowFirstIndex..lastIndex, contiguous from offset 0.
    private UnsafeBuffer window;
    private long windowFirstIndex = 1;

    // Read-back of older entries through a bounded replay.
    private final Subscription readBackSubscription;
    private final ExpandableDirectByteBuffer readBackBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final FragmentAssembler readBackAssembler = new FragmentAssembler(this::onReadBackFragment);
    private long readBackFirst = -1;
    private long readBackLast = -1;
    private long pendingFirst;
    private long pendingLast;
    private long pendingCorrelationId;
    private int pendingSessionId;
    private boolean pendingSessionKnown;
    private long pendingDeadlineNs;
    private int pendingLength;

    private boolean isClosed;

    private ArchiveLogStore(final Context ctx)
    {
        this.ctx = ctx;
        this.media = ctx.media();
        this.aeron = media.aeron();
        this.archive = media.aeronArchive();
        this.counters = media.countersReader();
        this.streamId = media.context().logStreamId();
        this.archiveId = media.context().archiveId();
        this.window = new UnsafeBuffer(ByteBuffer.allocateDirect(ctx.windowCapacity()));
        this.readBackSubscription = aeron.addSubscription(IPC, media.context().readBackStreamId());
    }

    /**
     * Open the node's log: find its recording (or create it), recover it (validate every frame, rebuild the
     * index, cut a torn tail), and extend it for new appends.
     *
     * @param ctx configuration; concluded here.
     * @return the recovered store.
     * @throws LogCorruptionException when the log is damaged before its last valid entry.
     */
    public static ArchiveLogStore open(final Context ctx)
    {
        ctx.conclude();
        final ArchiveLogStore store = new ArchiveLogStore(ctx);
        try
        {
            store.openRecording();
            return store;
        }
        catch (final RuntimeException ex)
        {
            store.releaseResources();
            throw ex;
        }
    }

    /**
     * @return the durability mode, from the node's media configuration.
     */
    public Durability durability()
    {
        return media.context().durability();
    }

    /**
     * @return the id of the recording holding the log.
     */
    public long recordingId()
    {
        return recordingId;
    }

    /**
     * @return the recording position at which recovery cut a torn or corrupt tail on open, or -1 when it cut nothing.
     */
    public long tailCutPosition()
    {
        return tailCutPosition;
    }

    /**
     * @param index of an entry in the log, or 0.
     * @return the recording position just after that entry, or -1 when it has not reached the publication yet.
     */
    public long endPosition(final long index)
    {
        checkIndex(index, 0);
        return logIndex.endPosition(index);
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    public long lastTerm()
    {
        return logIndex.term(lastIndex);
    }

    public long termAt(final long index)
    {
        return index < 0 || index > lastIndex ? NO_TERM : logIndex.term(index);
    }

    public long batchEnd(final long fromIndex, final int maxBytes)
    {
        checkIndex(fromIndex, 1);
        return logIndex.lastFrameEndingBy(fromIndex, lastIndex, logIndex.frameEnd(fromIndex - 1) + maxBytes);
    }

    public long durableIndex()
    {
        return durableIndex;
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        final int maxMessageLength = publication.maxMessageLength();
        for (int position = offset, end = offset + length; position < end; )
        {
            final int frameLength = EntryFrame.frameLength(buffer, position);
            final long index = EntryFrame.index(buffer, position);
            if (index != lastIndex + 1 || frameLength > end - position)
            {
                throw new IllegalArgumentException("append expects complete frames from index " + (lastIndex + 1) +
                    ", got index " + index + " with frame length " + frameLength + " at offset " + position);
            }
            if (frameLength > maxMessageLength)
            {
                throw new IllegalArgumentException("entry " + index + " of " + frameLength + " bytes exceeds the log's " +
                    "largest message of " + maxMessageLength + " bytes: raise ArchiveLogStore.Context.termLength");
            }

            addEntry(buffer, position, frameLength, NOT_OFFERED);
            position += frameLength;
        }

        offerPending();
    }

    public void truncateAfter(final long index)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("cannot truncate after index " + index);
        }
        if (index >= lastIndex)
        {
            return;
        }

        discardReadBack();
        if (index < offeredIndex)
        {
            truncateRecording(index);
        }

        lastIndex = index;
        durableIndex = Math.min(durableIndex, index);
        offeredIndex = Math.min(offeredIndex, index);
        if (windowFirstIndex > index + 1)
        {
            windowFirstIndex = index + 1;
        }
        offerPending();
    }

    public int readEntries(final long fromIndex, final int maxBytes, final EntryBlockHandler handler)
    {
        if (fromIndex < 1 || fromIndex > lastIndex)
        {
            return 0;
        }

        final long end = batchEnd(fromIndex, maxBytes);
        if (fromIndex >= windowFirstIndex)
        {
            handler.onEntries(window, windowOffset(fromIndex), bytesBetween(fromIndex, end), fromIndex, end);
            return (int)(end - fromIndex + 1);
        }

        if (readBackFirst <= fromIndex && fromIndex <= readBackLast)
        {
            final long last = Math.min(end, readBackLast);
            final int offset = (int)(logIndex.frameEnd(fromIndex - 1) - logIndex.frameEnd(readBackFirst - 1));
            handler.onEntries(readBackBuffer, offset, bytesBetween(fromIndex, last), fromIndex, last);
            return (int)(last - fromIndex + 1);
        }

        if (0 == pendingFirst)
        {
            startReadBack(fromIndex, Math.min(end, windowFirstIndex - 1));
        }

        return 0;
    }

    public int doWork()
    {
        return offerPending() + trackDurability() + pollReadBack();
    }

    /**
     * Deliver the entries {@code fromIndex..toIndex} in order, each exactly once, blocking until done: for startup,
     * to apply entries up to the recovered commit hint before the node talks to anyone. Entries older than the
     * window are read from the recording's segment files (all of them durable, so stable) and validated again.
     *
     * @param fromIndex first index, at least 1.
     * @param toIndex   last index, at most {@link #lastIndex()}; nothing is delivered when below fromIndex.
     * @param handler   receiving blocks of frames.
     * @throws LogCorruptionException when the recording no longer holds a valid entry where the index says.
     */
    public void replay(final long fromIndex, final long toIndex, final EntryBlockHandler handler)
    {
        if (toIndex < fromIndex)
        {
            return;
        }
        checkIndex(fromIndex, 1);
        checkIndex(toIndex, 1);

        long next = fromIndex;
        if (next < windowFirstIndex)
        {
            final long last = Math.min(toIndex, windowFirstIndex - 1);
            final long[] expected = { next };
            try (RecordingReader reader = newReader())
            {
                final long reached = reader.read(logIndex.endPosition(next - 1), logIndex.endPosition(last),
                    (buffer, offset, length, position, endPosition) ->
                    {
                        final FrameVerdict verdict = FrameValidator.validateEntries(buffer, offset, length, expected[0]);
                        if (!verdict.isValid())
                        {
                            return "entry " + expected[0] + " is " + verdict;
                        }
                        handler.onEntries(buffer, offset, length, expected[0], expected[0]);
                        keepMediaAlive(expected[0]++);
                        return null;
                    });
                if (reached != logIndex.endPosition(last))
                {
                    throw new LogCorruptionException(reader.segmentFile(reader.failurePosition()),
                        reader.failurePosition(), "replay of entries " + next + ".." + last + " failed: " +
                        reader.failureReason());
                }
            }
            next = last + 1;
        }

        if (next <= toIndex)
        {
            handler.onEntries(window, windowOffset(next), bytesBetween(next, toIndex), next, toIndex);
        }
    }

    /**
     * Offer what is still pending, wait (bounded by {@link Context#syncTimeoutNs()}) until the archive has it,
     * stop the recording and release the store's publication and subscription. Does not close the media.
     */
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        try
        {
            if (!aeron.isClosed())
            {
                final boolean flushed = awaitQuietly(
                    () -> 0 == offerPending() + trackDurability() && durableIndex == lastIndex);
                if (!flushed)
                {
                    LOGGER.log(System.Logger.Level.WARNING, "log closed with entries " + (durableIndex + 1) + ".." +
                        lastIndex + " not yet recorded by the archive");
                }
                stopRecording();
            }
        }
        finally
        {
            releaseResources();
        }
    }

    private void releaseResources()
    {
        CloseHelper.quietCloseAll(publication, readBackSubscription);
        BufferUtil.free(window.byteBuffer());
    }

    private void openRecording()
    {
        final RecordingDescriptor descriptor = findRecording();
        if (null == descriptor)
        {
            createRecording();
            return;
        }

        recordingId = descriptor.recordingId;
        recordingStartPosition = descriptor.startPosition;
        initialTermId = descriptor.initialTermId;
        termLength = descriptor.termBufferLength;
        mtu = descriptor.mtuLength;
        segmentFileLength = descriptor.segmentFileLength;
        logIndex.endPosition(0, recordingStartPosition);
        if (NULL_POSITION == descriptor.stopPosition)
        {
            throw new IllegalStateException("the log recording " + recordingId + " in " +
                media.context().archiveDirectory() + " is already being recorded: is another store open on it?");
        }

        final long validEnd = recover(descriptor);
        if (durability() == Durability.FSYNC)
        {
            forceSegmentFiles();
        }
        extendRecording(validEnd);
    }

    private long recover(final RecordingDescriptor descriptor)
    {
        final long stopPosition = descriptor.stopPosition;
        try (RecordingReader reader = newReader())
        {
            // Only the entries near the end go into the window (recording bytes >= frame bytes, so this is enough).
            recoveryWindowStart = stopPosition - window.capacity() / 2;
            final long validEnd = reader.read(recordingStartPosition, stopPosition, this::onRecoveredMessage);
            if (validEnd == stopPosition)
            {
                return validEnd;
            }

            final File file = reader.segmentFile(validEnd);
            final long later = reader.findValidEntryAfter(validEnd, stopPosition, lastIndex);
            if (later >= 0)
            {
                throw new LogCorruptionException(file, validEnd, "log corrupt after entry " + lastIndex + ": " +
                    reader.failureReason() + ", yet a valid entry follows at position " + later + " in " +
                    reader.segmentFile(later));
            }

            LOGGER.log(System.Logger.Level.WARNING, "cutting the torn or corrupt tail of the log after entry " +
                lastIndex + ": recording " + recordingId + " positions " + validEnd + ".." + stopPosition + " in " +
                file + " (" + reader.failureReason() + ")");
            tailCutPosition = validEnd;
            truncateRecordingTo(validEnd);
            return validEnd;
        }
    }

    private String onRecoveredMessage(
        final DirectBuffer buffer, final int offset, final int length, final long position, final long endPosition)
    {
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
        if (EntryFrame.term(buffer, offset) < lastTerm())
        {
            return "entry " + index + " has term " + EntryFrame.term(buffer, offset) + " below " + lastTerm();
        }

        if (endPosition <= recoveryWindowStart)
        {
            indexEntry(buffer, offset, length, endPosition); // far from the end: the window would drop it anyway
            windowFirstIndex = index + 1;
        }
        else
        {
            addEntry(buffer, offset, length, endPosition);
        }
        offeredIndex = index;
        durableIndex = index;
        keepMediaAlive(index);
        return null;
    }

    /**
     * In COMPACT mode nothing else drives the driver and the clients: a long recovery or replay must keep them
     * serviced or the client would exceed its service interval and the driver would time it out.
     */
    private void keepMediaAlive(final long index)
    {
        if (0 == (index & (KEEP_ALIVE_ENTRY_INTERVAL - 1)))
        {
            media.doWork();
        }
    }

    private void createRecording()
    {
        termLength = ctx.termLength();
        mtu = ctx.mtu();
        segmentFileLength = media.context().segmentFileLength();
        newPublication(new ChannelUriStringBuilder().media("ipc").termLength(termLength).mtu(mtu).build());
        initialTermId = publication.initialTermId();
        final int sessionId = publication.sessionId();
        recordingSubscriptionId = archive.startRecording(IPC + "?session-id=" + sessionId, streamId, SourceLocation.LOCAL, true);

        final int[] counterId = { NULL_COUNTER_ID };
        await(() -> NULL_COUNTER_ID != (counterId[0] = RecordingPos.findCounterIdBySession(counters, sessionId, archiveId)),
            "the archive to start recording the log");
        recordingId = RecordingPos.getRecordingId(counters, counterId[0]);
        positionCounterId = counterId[0];
        recordingStartPosition = 0;
        logIndex.endPosition(0, 0);
    }

    private void extendRecording(final long position)
    {
        newPublication(new ChannelUriStringBuilder().media("ipc").mtu(mtu)
            .initialPosition(position, initialTermId, termLength).build());
        final String channel = IPC + "?session-id=" + publication.sessionId();
        // The archive deletes truncated segments asynchronously and refuses to extend until it is done: retry briefly.
        final long deadlineNs = System.nanoTime() + ctx.syncTimeoutNs();
        while (true)
        {
            try
            {
                recordingSubscriptionId = archive.extendRecording(recordingId, channel, streamId, SourceLocation.LOCAL, true);
                break;
            }
            catch (final ArchiveException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                idle(media.doWork());
            }
        }
        positionCounterId = NULL_COUNTER_ID;
    }

    private void newPublication(final String channel)
    {
        CloseHelper.close(publication);
        publication = aeron.addExclusivePublication(channel, streamId);
    }

    private void stopRecording()
    {
        if (-1 != recordingSubscriptionId)
        {
            archive.tryStopRecording(recordingSubscriptionId);
            recordingSubscriptionId = -1;
            CloseHelper.close(publication);
            publication = null;
            positionCounterId = NULL_COUNTER_ID;
            await(() -> NULL_POSITION != archive.getStopPosition(recordingId), "the log recording to stop");
        }
    }

    /**
     * Remove entries after {@code index} from the recording: stop it, cut it at the end of the last entry it both
     * holds and keeps, and extend it again. Kept entries the archive had not recorded yet are offered again.
     */
    private void truncateRecording(final long index)
    {
        stopRecording();
        final long stopPosition = archive.getStopPosition(recordingId);
        long keep = Math.min(index, offeredIndex);
        while (keep > 0 && logIndex.endPosition(keep) > stopPosition)
        {
            keep--;
        }

        final long truncatePosition = logIndex.endPosition(keep);
        if (stopPosition > truncatePosition)
        {
            truncateRecordingTo(truncatePosition);
        }

        for (long i = keep + 1; i <= index; i++)
        {
            logIndex.endPosition(i, NOT_OFFERED);
        }
        offeredIndex = keep;
        durableIndex = Math.min(durableIndex, keep);
        extendRecording(truncatePosition);
    }

    private void truncateRecordingTo(final long position)
    {
        // A replay of the recording that is still closing makes the archive refuse the truncation: retry briefly.
        archive.stopAllReplays(recordingId);
        final long deadlineNs = System.nanoTime() + ctx.syncTimeoutNs();
        while (true)
        {
            try
            {
                archive.truncateRecording(recordingId, position);
                return;
            }
            catch (final AeronException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                idle(media.doWork());
            }
        }
    }

    private RecordingDescriptor findRecording()
    {
        final RecordingDescriptor[] found = { null };
        final int[] count = { 0 };
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, IPC, streamId,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) ->
            {
                count[0]++;
                found[0] = new RecordingDescriptor(recordingId, startPosition, stopPosition, initialTermId,
                    segmentFileLength, termBufferLength, mtuLength);
            });
        if (count[0] > 1)
        {
            throw new IllegalStateException("the archive in " + media.context().archiveDirectory() + " holds " + count[0] +
                " recordings of log stream " + streamId + ": expected one per node");
        }

        return found[0];
    }

    private void forceSegmentFiles()
    {
        final File[] files = media.context().archiveDirectory().listFiles(
            (dir, name) -> name.startsWith(recordingId + "-") && name.endsWith(".rec"));
        if (null == files)
        {
            return;
        }
        for (final File file : files)
        {
            try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
            {
                channel.force(false); // what a crashed process left in the page cache is on disk before we count it
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to force " + file, ex);
            }
        }
    }

    private void addEntry(final DirectBuffer buffer, final int offset, final int frameLength, final long endPosition)
    {
        final int windowOffset = makeRoom(frameLength);
        window.putBytes(windowOffset, buffer, offset, frameLength);
        indexEntry(buffer, offset, frameLength, endPosition);
    }

    private void indexEntry(final DirectBuffer buffer, final int offset, final int frameLength, final long endPosition)
    {
        final long index = lastIndex + 1;
        logIndex.put(index, EntryFrame.term(buffer, offset), logIndex.frameEnd(lastIndex) + frameLength, endPosition);
        lastIndex = index;
    }

    /**
     * Make room at the end of the window for a frame: drop the oldest durable entries down to half the capacity
     * (so compaction is amortized), and grow only when entries not yet durable fill it.
     *
     * @return the offset at which the frame goes.
     */
    private int makeRoom(final int frameLength)
    {
        final int capacity = window.capacity();
        int used = windowUsed();
        if (used + frameLength <= capacity)
        {
            return used;
        }

        final long target = capacity / 2 - frameLength;
        long first = windowFirstIndex;
        while (first <= durableIndex && logIndex.frameEnd(lastIndex) - logIndex.frameEnd(first - 1) > target)
        {
            first++;
        }
        if (first > windowFirstIndex)
        {
            final int dropped = (int)(logIndex.frameEnd(first - 1) - logIndex.frameEnd(windowFirstIndex - 1));
            used -= dropped;
            window.putBytes(0, window, dropped, used);
            windowFirstIndex = first;
        }
        if (used + frameLength > capacity)
        {
            final UnsafeBuffer larger = new UnsafeBuffer(
                ByteBuffer.allocateDirect(Math.max(capacity * 2, used + frameLength)));
            larger.putBytes(0, window, 0, used);
            BufferUtil.free(window.byteBuffer());
            window = larger;
        }

        return used;
    }

    private int offerPending()
    {
        int workCount = 0;
        while (offeredIndex < lastIndex)
        {
            final long index = offeredIndex + 1;
            final long result = publication.offer(window, windowOffset(index), bytesBetween(index, index));
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

    private int trackDurability()
    {
        if (NULL_COUNTER_ID == positionCounterId)
        {
            // By session, not by recording id: the counter of the session stopped by a truncation may not be freed yet.
            if (-1 == recordingSubscriptionId || NULL_COUNTER_ID ==
                (positionCounterId = RecordingPos.findCounterIdBySession(counters, publication.sessionId(), archiveId)))
            {
                return 0;
            }
        }

        final long recordedPosition = counters.getCounterValue(positionCounterId);
        if (!RecordingPos.isActive(counters, positionCounterId, recordingId))
        {
            positionCounterId = NULL_COUNTER_ID;
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

    private void startReadBack(final long first, final long last)
    {
        final long position = logIndex.endPosition(first - 1);
        final long length = logIndex.endPosition(last) - position;
        final long correlationId = aeron.nextCorrelationId();
        if (archive.archiveProxy().replay(recordingId, position, length, IPC, media.context().readBackStreamId(),
            correlationId, archive.controlSessionId()))
        {
            readBackFirst = -1;
            readBackLast = -1;
            pendingFirst = first;
            pendingLast = last;
            pendingCorrelationId = correlationId;
            pendingSessionKnown = false;
            pendingLength = 0;
            pendingDeadlineNs = System.nanoTime() + ctx.readBackTimeoutNs();
        }
    }

    private int pollReadBack()
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
                    LOGGER.log(System.Logger.Level.WARNING, "read-back of entries " + pendingFirst + ".." + pendingLast +
                        " refused by the archive: " + poller.errorMessage());
                    pendingFirst = 0;
                    return workCount;
                }
            }
        }

        final Image image = pendingSessionKnown ? readBackSubscription.imageBySessionId(pendingSessionId) : null;
        if (null != image)
        {
            workCount += image.poll(readBackAssembler, READ_BACK_FRAGMENT_LIMIT);
            if (pendingLength == bytesBetween(pendingFirst, pendingLast))
            {
                final FrameVerdict verdict = FrameValidator.validateEntries(readBackBuffer, 0, pendingLength, pendingFirst);
                if (!verdict.isValid())
                {
                    final long position = logIndex.endPosition(pendingFirst - 1);
                    try (RecordingReader reader = newReader())
                    {
                        throw new LogCorruptionException(reader.segmentFile(position), position, "read-back of entries " +
                            pendingFirst + ".." + pendingLast + " from the archive is " + verdict);
                    }
                }
                readBackFirst = pendingFirst;
                readBackLast = pendingLast;
                pendingFirst = 0;
                return workCount + 1;
            }
        }

        if (System.nanoTime() > pendingDeadlineNs)
        {
            LOGGER.log(System.Logger.Level.WARNING, "read-back of entries " + pendingFirst + ".." + pendingLast +
                " timed out; it will be asked again");
            pendingFirst = 0;
        }

        return workCount;
    }

    private void onReadBackFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (0 != pendingFirst && pendingLength + length <= bytesBetween(pendingFirst, pendingLast))
        {
            readBackBuffer.putBytes(pendingLength, buffer, offset, length);
            pendingLength += length;
        }
    }

    private void discardReadBack()
    {
        readBackFirst = -1;
        readBackLast = -1;
        pendingFirst = 0;
    }

    private RecordingReader newReader()
    {
        return new RecordingReader(
            media.context().archiveDirectory(), recordingId, recordingStartPosition, termLength, segmentFileLength);
    }

    private int windowUsed()
    {
        return (int)(logIndex.frameEnd(lastIndex) - logIndex.frameEnd(windowFirstIndex - 1));
    }

    private int windowOffset(final long index)
    {
        return (int)(logIndex.frameEnd(index - 1) - logIndex.frameEnd(windowFirstIndex - 1));
    }

    private int bytesBetween(final long first, final long last)
    {
        return (int)(logIndex.frameEnd(last) - logIndex.frameEnd(first - 1));
    }

    private void checkIndex(final long index, final long lowest)
    {
        if (index < lowest || index > lastIndex)
        {
            throw new IllegalArgumentException("index " + index + " outside " + lowest + ".." + lastIndex);
        }
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        if (!awaitQuietly(condition))
        {
            throw new IllegalStateException("timed out after " + TimeUnit.NANOSECONDS.toMillis(ctx.syncTimeoutNs()) +
                " ms waiting for " + what + " (ArchiveLogStore.Context.syncTimeoutNs)");
        }
    }

    private boolean awaitQuietly(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + ctx.syncTimeoutNs();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                return false;
            }
            idle(media.doWork());
        }

        return true;
    }

    private static void idle(final int workCount)
    {
        if (0 == workCount)
        {
            Thread.yield();
        }
    }

    private record RecordingDescriptor(long recordingId, long startPosition, long stopPosition, int initialTermId,
        int segmentFileLength, int termBufferLength, int mtuLength)
    {
    }

    /**
     * Configuration of the log store. Defaults come from {@code flotilla.*} system properties.
     */
    public static final class Context
    {
        /** Term length of the log publication (largest entry = term length / 8): {@code flotilla.log.term.length}. */
        public static final String TERM_LENGTH_PROP = "flotilla.log.term.length";
        /** MTU of the log publication: {@code flotilla.log.mtu}. */
        public static final String MTU_PROP = "flotilla.log.mtu";
        /** Initial bytes of recent entries kept in memory: {@code flotilla.log.window.bytes}. */
        public static final String WINDOW_PROP = "flotilla.log.window.bytes";

        private NodeMedia media;
        private int termLength = Integer.getInteger(TERM_LENGTH_PROP, 16 * 1024 * 1024);
        private int mtu = Integer.getInteger(MTU_PROP, 8 * 1024);
        private int windowCapacity = Integer.getInteger(WINDOW_PROP, 16 * 1024 * 1024);
        private long syncTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private long readBackTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private boolean isConcluded;

        /**
         * Check the settings.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("ArchiveLogStore.Context already concluded: use a new Context per store");
            }
            isConcluded = true;

            if (null == media)
            {
                throw new ConfigurationException("ArchiveLogStore.Context.media must be set to the node's NodeMedia");
            }
            if (media.context().segmentFileLength() < termLength)
            {
                throw new ConfigurationException("ArchiveLogStore.Context.termLength " + termLength +
                    " exceeds the archive segment length " + media.context().segmentFileLength() +
                    ": lower termLength (" + TERM_LENGTH_PROP + ") or raise NodeMedia.Context.segmentFileLength");
            }
            if (windowCapacity < 2 * EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH))
            {
                throw new ConfigurationException("ArchiveLogStore.Context.windowCapacity must hold two of the largest " +
                    "entries: at least " + 2 * EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH) + " (" + WINDOW_PROP + ")");
            }

            return this;
        }

        /**
         * @param media the node's media stack; its archive holds the log and its durability applies.
         * @return this.
         */
        public Context media(final NodeMedia media)
        {
            this.media = media;
            return this;
        }

        public NodeMedia media()
        {
            return media;
        }

        /**
         * @param termLength of the log publication when the recording is created; an existing recording keeps its own.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        public int termLength()
        {
            return termLength;
        }

        /**
         * @param mtu of the log publication when the recording is created; an existing recording keeps its own.
         * @return this.
         */
        public Context mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        public int mtu()
        {
            return mtu;
        }

        /**
         * @param windowCapacity initial bytes of recent entries kept in memory for {@link #readEntries}.
         * @return this.
         */
        public Context windowCapacity(final int windowCapacity)
        {
            this.windowCapacity = windowCapacity;
            return this;
        }

        public int windowCapacity()
        {
            return windowCapacity;
        }

        /**
         * @param syncTimeoutNs bound on the blocking steps: open, truncation, close.
         * @return this.
         */
        public Context syncTimeoutNs(final long syncTimeoutNs)
        {
            this.syncTimeoutNs = syncTimeoutNs;
            return this;
        }

        public long syncTimeoutNs()
        {
            return syncTimeoutNs;
        }

        /**
         * @param readBackTimeoutNs after which an unanswered read-back is asked again.
         * @return this.
         */
        public Context readBackTimeoutNs(final long readBackTimeoutNs)
        {
            this.readBackTimeoutNs = readBackTimeoutNs;
            return this;
        }

        public long readBackTimeoutNs()
        {
            return readBackTimeoutNs;
        }
    }
}
