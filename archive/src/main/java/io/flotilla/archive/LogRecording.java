package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

import static io.aeron.archive.client.AeronArchive.NULL_POSITION;
import static org.agrona.concurrent.status.CountersReader.NULL_COUNTER_ID;

/**
 * The node's one log recording and the exclusive publication that feeds it: found again or created on open,
 * extended from a position, stopped, truncated, purged. Every step is a synchronous local archive call bounded by
 * {@link SyncWait}; the purge after a compaction is also asked asynchronously ({@link LogPurge}), the recording's start
 * moving at once ({@link #startAt(long)}).
 */
final class LogRecording implements AutoCloseable
{
    /** The log and its read-backs travel over local IPC only. */
    static final String IPC = "aeron:ipc";

    private final NodeMedia media;
    private final Aeron aeron;
    private final AeronArchive archive;
    private final SyncWait syncWait;
    private final int streamId;

    private long recordingId = -1;
    private long startPosition;
    private int initialTermId;
    private int termLength;
    private int mtu;
    private int segmentFileLength;
    private ExclusivePublication publication;
    private long subscriptionId = -1;

    LogRecording(final NodeMedia media, final SyncWait syncWait)
    {
        this.media = media;
        this.aeron = media.aeron();
        this.archive = media.aeronArchive();
        this.syncWait = syncWait;
        this.streamId = media.context().logStreamId();
    }

    /**
     * Find the node's recording of the log stream in the archive.
     *
     * @return true when found (and then stopped, ready to be read and extended), false when the archive holds none.
     * @throws IllegalStateException when the archive holds more than one, or the one is still being recorded.
     */
    boolean find()
    {
        final int[] count = { 0 };
        final long[] listedStopPosition = { NULL_POSITION };
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, IPC, streamId,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) ->
            {
                count[0]++;
                listedStopPosition[0] = stopPosition;
                this.recordingId = recordingId;
                this.startPosition = startPosition;
                this.initialTermId = initialTermId;
                this.termLength = termBufferLength;
                this.mtu = mtuLength;
                this.segmentFileLength = segmentFileLength;
            });
        if (count[0] > 1)
        {
            throw new IllegalStateException("the archive in " + media.context().archiveDirectory() + " holds " + count[0] +
                " recordings of log stream " + streamId + ": expected one per node");
        }
        if (1 == count[0] && NULL_POSITION == listedStopPosition[0])
        {
            throw new IllegalStateException("the log recording " + recordingId + " in " +
                media.context().archiveDirectory() + " is already being recorded: is another store open on it?");
        }

        return 1 == count[0];
    }

    /**
     * Create the recording, starting at position 0, and the publication it records.
     *
     * @param termLength of the publication, kept by the recording for good.
     * @param mtu        of the publication, kept by the recording for good.
     */
    void create(final int termLength, final int mtu)
    {
        this.termLength = termLength;
        this.mtu = mtu;
        segmentFileLength = media.context().segmentFileLength();
        newPublication(new ChannelUriStringBuilder().media("ipc").termLength(termLength).mtu(mtu).build());
        initialTermId = publication.initialTermId();
        final int sessionId = publication.sessionId();
        subscriptionId = archive.startRecording(IPC + "?session-id=" + sessionId, streamId, SourceLocation.LOCAL, true);

        final CountersReader counters = media.countersReader();
        final long archiveId = media.context().archiveId();
        final int[] counterId = { NULL_COUNTER_ID };
        syncWait.await(
            () -> NULL_COUNTER_ID != (counterId[0] = RecordingPos.findCounterIdBySession(counters, sessionId, archiveId)),
            "the archive to start recording the log");
        recordingId = RecordingPos.getRecordingId(counters, counterId[0]);
        startPosition = 0;
    }

    /**
     * Extend the stopped recording from {@code position} with a new publication that starts there.
     *
     * @param position the recording's stop position after any truncation.
     */
    void extend(final long position)
    {
        newPublication(new ChannelUriStringBuilder().media("ipc").mtu(mtu)
            .initialPosition(position, initialTermId, termLength).build());
        final String channel = IPC + "?session-id=" + publication.sessionId();
        // The archive deletes truncated segments asynchronously and refuses to extend until it is done: retry briefly.
        subscriptionId = syncWait.retry(
            () -> archive.extendRecording(recordingId, channel, streamId, SourceLocation.LOCAL, true),
            ArchiveException.class);
    }

    /**
     * Stop recording, close the publication and wait until the catalog holds the stop position.
     */
    void stop()
    {
        if (isRecording())
        {
            archive.tryStopRecording(subscriptionId);
            subscriptionId = -1;
            CloseHelper.close(publication);
            publication = null;
            syncWait.await(() -> NULL_POSITION != stopPosition(), "the log recording to stop");
        }
    }

    /**
     * @param position to cut the stopped recording at, an entry's end position.
     */
    void truncateTo(final long position)
    {
        // A replay of the recording that is still closing makes the archive refuse the truncation: retry briefly.
        archive.stopAllReplays(recordingId);
        syncWait.retry(() -> archive.truncateRecording(recordingId, position), AeronException.class);
    }

    /**
     * Detach and delete the segments before {@code newStartPosition}, which becomes the recording's start. The archive
     * accepts a segment boundary above the first segment and at most the base of the segment holding the recorded
     * (or stop) position: the segment being written is never purged. It refuses while a replay of a purged segment is
     * open or another deletion of this recording is still running, so replays are stopped and the call retried.
     * Nothing is purged when the archive's start is there already (an asynchronous purge got there first).
     *
     * @param newStartPosition a segment boundary, see {@link #segmentBasePosition(long)}.
     */
    void purgeTo(final long newStartPosition)
    {
        archive.stopAllReplays(recordingId);
        if (archive.getStartPosition(recordingId) < newStartPosition)
        {
            syncWait.retry(() -> archive.purgeSegments(recordingId, newStartPosition), ArchiveException.class);
        }
        startPosition = newStartPosition;
    }

    /**
     * Have the recording begin at {@code newStartPosition} for the store before the archive purged what lies before
     * it ({@link LogPurge}): the store reads and plans from there, and never below it again.
     *
     * @param newStartPosition a segment boundary, see {@link #segmentBasePosition(long)}.
     */
    void startAt(final long newStartPosition)
    {
        startPosition = newStartPosition;
    }

    /**
     * @param position in the recording.
     * @return the position at which the segment file holding it begins.
     */
    long segmentBasePosition(final long position)
    {
        return AeronArchive.segmentFileBasePosition(startPosition, position, termLength, segmentFileLength);
    }

    /**
     * Force every segment file of the recording to disk: what a crashed process left in the page cache is on disk
     * before recovery counts it durable.
     */
    void forceSegmentFiles()
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
                channel.force(false);
            }
            catch (final NoSuchFileException ignore)
            {
                // a purged or truncated segment the archive deleted meanwhile
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("failed to force " + file, ex);
            }
        }
    }

    /**
     * @return a reader of the stopped recording's segment files.
     */
    RecordingReader newReader()
    {
        return new RecordingReader(
            media.context().archiveDirectory(), recordingId, startPosition, termLength, segmentFileLength);
    }

    /**
     * @param position in the recording.
     * @return the segment file holding it, to name in a {@link LogCorruptionException}.
     */
    File segmentFile(final long position)
    {
        try (RecordingReader reader = newReader())
        {
            return reader.segmentFile(position);
        }
    }

    long recordingId()
    {
        return recordingId;
    }

    long startPosition()
    {
        return startPosition;
    }

    long stopPosition()
    {
        return archive.getStopPosition(recordingId);
    }

    /**
     * @return the publication the archive records, null while the recording is stopped.
     */
    ExclusivePublication publication()
    {
        return publication;
    }

    boolean isRecording()
    {
        return -1 != subscriptionId;
    }

    public void close()
    {
        CloseHelper.close(publication);
    }

    private void newPublication(final String channel)
    {
        CloseHelper.close(publication);
        publication = aeron.addExclusivePublication(channel, streamId);
    }
}
