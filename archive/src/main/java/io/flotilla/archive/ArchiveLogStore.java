package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.exceptions.ConfigurationException;
import io.flotilla.codecs.EntryFrame;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's Raft log as one Aeron Archive recording, see docs/log-store.md. A facade: each job is a class of its own.
 * <ul>
 *     <li><b>Mapping:</b> one entry frame = one Aeron message on a local {@code aeron:ipc} exclusive publication
 *     that the node's archive records, so every entry boundary is a message boundary in the recording and
 *     truncation at any index is a plain {@code truncateRecording} to that entry's end position.</li>
 *     <li><b>One recording per node</b> ({@link LogRecording}): found again on open by its stream id, recovered
 *     ({@link LogRecovery}) and extended; a new recording is made only when the archive holds none.</li>
 *     <li><b>Index</b> ({@link LogIndex}): for each log index its term, the recording position after it and the
 *     cumulative frame bytes, off the heap in fixed chunks: appending allocates nothing and copies no index.</li>
 *     <li><b>Start:</b> a new log begins after {@link Context#logStart(long, long)} (default: index 0, term 0), the
 *     prefix a snapshot would hold; the recording's first entry is the one after it. Once the log has been compacted
 *     ({@link #compact(long)}) or reset ({@link #reset(long, long)}) its start is in a log-start record
 *     ({@link LogStartFile}) that overrides the Context, and open completes a purge or reset a crash interrupted.</li>
 *     <li><b>Purge</b> ({@link LogPurge}): compaction moves the start at once; the archive purges the segments
 *     before it afterwards, asked without blocking and followed up on every {@link #doWork()}. The blocking
 *     operations on the recording (truncation, reset) complete a purge in flight first.</li>
 *     <li><b>Window</b> ({@link ReplicationWindow}): the bytes of the most recent entries in memory;
 *     {@link #readEntries} serves them directly and reads older ones back from the archive with an asynchronous
 *     bounded replay ({@link LogReadBack}). Its answers and the purge's come through one poller
 *     ({@link ArchiveResponses}).</li>
 *     <li><b>Durability</b> ({@link DurabilityTracker}): the archive's recording position counter; with
 *     {@link Durability#FSYNC} the archive forces each block before it advances that counter, so the counter is
 *     proof of fsync.</li>
 *     <li><b>Back-pressure</b> ({@link LogPublisher}): {@link #append} never blocks and never drops: frames the
 *     publication cannot take yet wait in the window and are offered again on every {@link #doWork()}. Entries
 *     leave the window only once durable, so the memory held is bounded by what the caller appends ahead of the
 *     archive (the leader's uncommitted limit, the follower's in-flight batches); the window grows if it must.</li>
 * </ul>
 * {@link #open(Context)} recovers the log before anyone uses it; {@link #replay(long, long, EntryBlockHandler)}
 * then hands the runtime the entries to re-apply. Single-threaded: the node's agent owns the store.
 */
public final class ArchiveLogStore implements LogStore
{
    private static final System.Logger LOGGER = System.getLogger(ArchiveLogStore.class.getName());

    private final Context ctx;
    private final NodeMedia media;
    private final Aeron aeron;
    private final SyncWait syncWait;
    private final LogIndex logIndex;
    private final LogRecording recording;
    private final ReplicationWindow window;
    private final LogPublisher publisher;
    private final DurabilityTracker durability;
    private final ArchiveResponses responses;
    private final LogReadBack readBack;
    private final LogPurge purge;
    private final LogStartFile logStartFile;
    private final Object logStartLock = new Object();
    private int resetGeneration;
    private long tailCutPosition = -1;
    private boolean isClosed;

    private ArchiveLogStore(final Context ctx)
    {
        this.ctx = ctx;
        this.media = ctx.media();
        this.aeron = media.aeron();
        this.syncWait = new SyncWait(media, ctx.nanoClock(), ctx.syncTimeoutNs());
        this.logStartFile = new LogStartFile(media.context().dataDirectory());
        this.logIndex = logStartFile.exists() ?
            new LogIndex(logStartFile.previousIndex(), logStartFile.previousTerm()) :
            new LogIndex(ctx.logStartPreviousIndex(), ctx.logStartPreviousTerm());
        this.recording = new LogRecording(media, syncWait);
        this.window = new ReplicationWindow(logIndex, ctx.windowCapacity());
        this.publisher = new LogPublisher(recording, window, logIndex);
        this.durability = new DurabilityTracker(media, recording, logIndex);
        this.responses = new ArchiveResponses(media.aeronArchive());
        this.readBack = new LogReadBack(
            media, recording, logIndex, responses, syncWait, ctx.nanoClock(), ctx.readBackTimeoutNs());
        this.purge = new LogPurge(media, recording, responses, ctx.nanoClock(), ctx.readBackTimeoutNs());
    }

    /**
     * Open the node's log: find its recording (or create it), recover it (validate every frame, rebuild the
     * index, cut a torn tail), and extend it for new appends.
     *
     * @param ctx configuration; concluded here.
     * @return the recovered store.
     * @throws LogCorruptionException when the log is damaged before its last valid entry, or its recording begins
     *                                 after the position the log-start record holds.
     * @throws ConfigurationException  when the recording does not begin where {@link Context#logStart} says.
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
        return recording.recordingId();
    }

    /**
     * @return the recording position at which recovery cut a torn or corrupt tail on open, or -1 when it cut nothing.
     */
    public long tailCutPosition()
    {
        return tailCutPosition;
    }

    /**
     * @param index of an entry in the log, or {@link #firstIndex()} - 1 (the recording's start).
     * @return the recording position just after that entry, or -1 when it has not reached the publication yet.
     */
    public long endPosition(final long index)
    {
        checkIndex(index, logIndex.previousIndex());
        return logIndex.endPosition(index);
    }

    public long firstIndex()
    {
        return logIndex.firstIndex();
    }

    public long lastIndex()
    {
        return logIndex.lastIndex();
    }

    public long lastTerm()
    {
        return logIndex.term(logIndex.lastIndex());
    }

    public long termAt(final long index)
    {
        return index < logIndex.previousIndex() || index > logIndex.lastIndex() ? NO_TERM : logIndex.term(index);
    }

    public long batchEnd(final long fromIndex, final int maxBytes)
    {
        checkIndex(fromIndex, logIndex.firstIndex());
        return logIndex.lastFrameEndingBy(fromIndex, logIndex.lastIndex(), logIndex.frameEnd(fromIndex - 1) + maxBytes);
    }

    public long durableIndex()
    {
        return durability.durableIndex();
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        final int maxMessageLength = recording.publication().maxMessageLength();
        for (int position = offset, end = offset + length; position < end; )
        {
            final int frameLength = EntryFrame.frameLength(buffer, position);
            final long index = EntryFrame.index(buffer, position);
            final long nextIndex = logIndex.lastIndex() + 1;
            if (index != nextIndex || frameLength > end - position)
            {
                throw new IllegalArgumentException("append expects complete frames from index " + nextIndex +
                    ", got index " + index + " with frame length " + frameLength + " at offset " + position);
            }
            if (frameLength > maxMessageLength)
            {
                throw new IllegalArgumentException("entry " + index + " of " + frameLength + " bytes exceeds the log's " +
                    "largest message of " + maxMessageLength + " bytes: raise ArchiveLogStore.Context.termLength");
            }

            window.append(buffer, position, frameLength, LogPublisher.NOT_OFFERED, durability.durableIndex());
            position += frameLength;
        }

        publisher.offerPending();
    }

    public void truncateAfter(final long index)
    {
        if (index < logIndex.previousIndex())
        {
            throw new IllegalArgumentException("cannot truncate after index " + index + ": the log begins after index " +
                logIndex.previousIndex());
        }
        if (index >= logIndex.lastIndex())
        {
            return;
        }

        readBack.discard();
        final long recorded = index < publisher.offeredIndex() ? truncateRecording(index) : index;
        logIndex.truncateAfter(index);
        publisher.truncateAfter(index, recorded);
        durability.truncateAfter(recorded);
        window.truncateAfter(index);
        publisher.offerPending();
    }

    public int readEntries(final long fromIndex, final int maxBytes, final EntryBlockHandler handler)
    {
        if (fromIndex < logIndex.firstIndex() || fromIndex > logIndex.lastIndex())
        {
            return 0;
        }

        final long end = batchEnd(fromIndex, maxBytes);
        if (fromIndex >= window.firstIndex())
        {
            handler.onEntries(
                window.buffer(), window.offset(fromIndex), logIndex.bytes(fromIndex, end), fromIndex, end);
            return (int)(end - fromIndex + 1);
        }

        final int delivered = readBack.deliver(fromIndex, end, handler);
        if (0 == delivered && !purge.isStoppingReplays())
        {
            readBack.request(fromIndex, Math.min(end, window.firstIndex() - 1));
        }

        return delivered;
    }

    public int doWork()
    {
        return publisher.offerPending() + durability.poll(publisher.offeredIndex()) + responses.poll() +
            purge.poll() + readBack.poll();
    }

    /**
     * @return true while the archive has not been seen to purge the segments of a compaction.
     */
    boolean isPurging()
    {
        return purge.isPurging();
    }

    /**
     * Deliver the entries {@code fromIndex..toIndex} in order, each exactly once, blocking until done: for startup,
     * to apply entries up to the recovered commit hint before the node talks to anyone. Entries older than the
     * window are read from the recording's segment files (all of them durable, so stable) and validated again.
     *
     * @param fromIndex first index, at least {@link #firstIndex()}.
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
        checkIndex(fromIndex, logIndex.firstIndex());
        checkIndex(toIndex, logIndex.firstIndex());

        long next = fromIndex;
        if (next < window.firstIndex())
        {
            final long last = Math.min(toIndex, window.firstIndex() - 1);
            readBack.replayFromFiles(next, last, handler);
            next = last + 1;
        }

        if (next <= toIndex)
        {
            handler.onEntries(window.buffer(), window.offset(next), logIndex.bytes(next, toIndex), next, toIndex);
        }
    }

    /**
     * Release the entries before {@code firstIndexToKeep} (a snapshot holds them), as far as whole archive segments
     * allow: the index and the window forget the entries before the one that becomes the first, and the segments
     * wholly before it are purged afterwards with Aeron Archive's {@code purgeSegments}, asked without waiting and
     * followed up by {@link #doWork()} (refusals and lost answers asked again). Segment boundaries are term
     * boundaries, which no Aeron message crosses, so an entry begins at the new start position of the recording: that
     * entry becomes {@link #firstIndex()}, at most {@code firstIndexToKeep}, and {@link #termAt(long)} still answers
     * for the one before it. Only durable entries are released, and the archive never purges the segment it is
     * writing, so the first index may not move at all. Durability tracking, pending appends and the recent entries
     * are unaffected; a read-back in flight is abandoned and asked again by the next {@link #readEntries}.
     * <p>
     * The new start is made durable in the log-start record before the purge is asked, so a crash before the archive
     * has done it is completed on the next open. Forces that record: a caller that must not block does the same in
     * steps, forcing on another thread ({@link #planCompaction}, {@link Compaction#persist()},
     * {@link #compact(Compaction)}).
     *
     * @param firstIndexToKeep lowest index the caller still needs.
     * @return the log's first index after compaction.
     */
    public long compact(final long firstIndexToKeep)
    {
        final Compaction compaction = planCompaction(firstIndexToKeep);
        if (null == compaction || !compaction.persist())
        {
            return logIndex.firstIndex();
        }
        return compact(compaction);
    }

    /**
     * The first step of {@link #compact(long)}, so that the caller can force the log-start record on another thread
     * ({@link Compaction#persist()}) and release the entries afterwards ({@link #compact(Compaction)}, which does not
     * block) on this one.
     *
     * @param firstIndexToKeep lowest index the caller still needs.
     * @return what would be released, or null when no whole segment lies before it.
     */
    public Compaction planCompaction(final long firstIndexToKeep)
    {
        final long limit = Math.min(firstIndexToKeep, durability.durableIndex() + 1);
        if (limit <= logIndex.firstIndex())
        {
            return null;
        }

        final long newStartPosition = recording.segmentBasePosition(logIndex.endPosition(limit - 1));
        if (newStartPosition <= recording.startPosition())
        {
            return null;
        }

        final long newPreviousIndex = firstEntryEndingAfter(newStartPosition, limit) - 1;
        return new Compaction(this, newStartPosition, newPreviousIndex, logIndex.term(newPreviousIndex), resetGeneration);
    }

    /**
     * Release what a persisted {@link Compaction} planned, without blocking: forget the entries before its first
     * index and move the recording's start at once, and ask the archive to purge the segments before it; the purge
     * is followed up by {@link #doWork()} and logged when done. Read-backs asked afterwards read at or after the new
     * start only, which the purge leaves alone. Nothing happens if the log was reset since the plan, or if the plan
     * was not persisted.
     *
     * @param compaction planned by {@link #planCompaction(long)} and persisted.
     * @return the log's first index after compaction.
     */
    public long compact(final Compaction compaction)
    {
        if (compaction.generation != resetGeneration || !compaction.persisted ||
            compaction.startPosition <= recording.startPosition())
        {
            return logIndex.firstIndex();
        }

        readBack.discard();
        window.dropBefore(compaction.previousIndex + 1);
        logIndex.compact(compaction.previousIndex);
        logIndex.endPosition(compaction.previousIndex, compaction.startPosition);
        recording.startAt(compaction.startPosition);
        purge.purgeTo(compaction.startPosition);

        return compaction.previousIndex + 1;
    }

    /**
     * Discard every entry and begin the log after {@code previousIndex}: a snapshot was installed that the log does
     * not continue. Afterwards {@link #firstIndex()} is {@code previousIndex + 1}, {@link #lastIndex()} and
     * {@link #durableIndex()} are {@code previousIndex}, {@link #termAt(long)} of it is {@code previousTerm}, and the
     * next append must be entry {@code previousIndex + 1}. Pending appends and read-backs in flight are discarded.
     * <p>
     * The recording is stopped, truncated to its start position and extended again. The reset is decided by writing
     * the log-start record with a pending mark before the recording is touched, and done by clearing the mark: after
     * a crash before that write the log is the old one; after it, open completes the reset. Blocks for the archive,
     * and completes a purge in flight first.
     *
     * @param previousIndex index of the last entry the installed snapshot holds.
     * @param previousTerm  term of that entry.
     */
    public void reset(final long previousIndex, final long previousTerm)
    {
        if (previousIndex < 0 || previousTerm < 0 || (0 == previousIndex && 0 != previousTerm))
        {
            throw new IllegalArgumentException("reset(" + previousIndex + ", " + previousTerm + ") is not a log " +
                "prefix: index and term at least 0, term 0 after index 0");
        }

        final long startPosition = recording.startPosition();
        synchronized (logStartLock)
        {
            // A compaction planned before this reset must not record its start any more.
            resetGeneration++;
            logStartFile.write(startPosition, previousIndex, previousTerm, LogStartFile.RESET_PENDING);
        }

        readBack.discard();
        purge.complete();
        recording.stop();
        emptyRecording();
        recording.extend(startPosition);

        logIndex.reset(previousIndex, previousTerm);
        logIndex.endPosition(previousIndex, startPosition);
        window.clear();
        publisher.offeredUpTo(previousIndex);
        durability.durableUpTo(previousIndex);

        synchronized (logStartLock)
        {
            logStartFile.write(startPosition, previousIndex, previousTerm, 0);
        }
    }

    /**
     * Offer what is still pending, wait (bounded by {@link Context#syncTimeoutNs()}) until the archive has it,
     * stop the recording and release the store's publication and subscription. Does not close the media. A purge in
     * flight is left as it is: the archive may still do it, and otherwise the next open completes it from the
     * log-start record.
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
                final boolean flushed = syncWait.awaitQuietly(
                    () -> 0 == publisher.offerPending() + durability.poll(publisher.offeredIndex()) &&
                    durability.durableIndex() == logIndex.lastIndex());
                if (!flushed)
                {
                    LOGGER.log(System.Logger.Level.WARNING, "log closed with entries " + (durability.durableIndex() + 1) +
                        ".." + logIndex.lastIndex() + " not yet recorded by the archive");
                }
                recording.stop();
            }
        }
        finally
        {
            releaseResources();
        }
    }

    private void releaseResources()
    {
        CloseHelper.quietCloseAll(recording, readBack, window);
    }

    private void openRecording()
    {
        if (!recording.find())
        {
            if (logStartFile.exists())
            {
                throw new LogCorruptionException(logStartFile.file(), logStartFile.startPosition(), "the log-start " +
                    "record has the log begin after entry " + logStartFile.previousIndex() + ", but the archive in " +
                    media.context().archiveDirectory() + " holds no log recording: the log is lost; wipe this node's " +
                    "data directory and let it rejoin from its peers");
            }
            recording.create(ctx.termLength(), ctx.mtu());
            logIndex.endPosition(logIndex.previousIndex(), recording.startPosition());
            return;
        }

        if (logStartFile.exists())
        {
            completeLogStart();
        }
        logIndex.endPosition(logIndex.previousIndex(), recording.startPosition());
        final LogRecovery recovery = new LogRecovery(recording, logIndex, window, syncWait, ctx.windowCapacity());
        final long validEnd = recovery.recover();
        tailCutPosition = recovery.tailCutPosition();
        if (durability() == Durability.FSYNC)
        {
            recording.forceSegmentFiles();
        }
        publisher.offeredUpTo(logIndex.lastIndex());
        durability.durableUpTo(logIndex.lastIndex());
        recording.extend(validEnd);
    }

    /**
     * Bring the stopped recording to the start the log-start record holds: finish a purge or a reset that a crash
     * interrupted.
     */
    private void completeLogStart()
    {
        final long recordedStart = logStartFile.startPosition();
        final long startPosition = recording.startPosition();
        if (startPosition > recordedStart)
        {
            throw new LogCorruptionException(logStartFile.file(), startPosition, "the log recording " +
                recording.recordingId() + " begins at position " + startPosition + ", after the position " +
                recordedStart + " at which the log-start record has entry " + (logStartFile.previousIndex() + 1) +
                ": segments holding needed entries were removed; wipe this node's data directory and let it rejoin");
        }
        if (startPosition < recordedStart)
        {
            LOGGER.log(System.Logger.Level.INFO, "completing an interrupted compaction of the log: purging recording " +
                recording.recordingId() + " up to position " + recordedStart);
            recording.purgeTo(recordedStart);
        }
        if (logStartFile.isResetPending())
        {
            LOGGER.log(System.Logger.Level.INFO, "completing an interrupted reset of the log to begin after entry " +
                logStartFile.previousIndex());
            emptyRecording();
            logStartFile.write(recordedStart, logStartFile.previousIndex(), logStartFile.previousTerm(), 0);
        }
    }

    /**
     * Truncate the stopped recording to its start position, unless it is empty already.
     */
    private void emptyRecording()
    {
        if (recording.stopPosition() > recording.startPosition())
        {
            recording.truncateTo(recording.startPosition());
        }
    }

    /**
     * @param position a segment boundary inside the recorded entries.
     * @param limit    an entry at or after the one beginning at that boundary.
     * @return the first entry in {@link #firstIndex()}..{@code limit} that ends after {@code position}, that is the
     * one that begins there (an entry ending before the boundary may be followed by the padding of its term).
     */
    private long firstEntryEndingAfter(final long position, final long limit)
    {
        long low = logIndex.firstIndex();
        long high = limit;
        while (low < high)
        {
            final long mid = (low + high) >>> 1;
            if (logIndex.endPosition(mid) > position)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }

    /**
     * Remove entries after {@code index} from the recording: stop it, cut it at the end of the last entry it both
     * holds and keeps, and extend it again. Kept entries the archive had not recorded yet are offered again. A purge
     * in flight is completed first, as for a reset: these blocking calls would take its answers, and the recording
     * is then the truncation's alone.
     *
     * @return the last entry the recording keeps.
     */
    private long truncateRecording(final long index)
    {
        purge.complete();
        recording.stop();
        final long stopPosition = recording.stopPosition();
        final long recorded = publisher.lastRecordedBy(index, stopPosition);
        final long truncatePosition = logIndex.endPosition(recorded);
        if (stopPosition > truncatePosition)
        {
            recording.truncateTo(truncatePosition);
        }
        recording.extend(truncatePosition);

        return recorded;
    }

    private void checkIndex(final long index, final long lowest)
    {
        if (index < lowest || index > logIndex.lastIndex())
        {
            throw new IllegalArgumentException("index " + index + " outside " + lowest + ".." + logIndex.lastIndex());
        }
    }

    /**
     * A compaction planned on the node thread ({@link #planCompaction(long)}): where the recording will begin and
     * the entry before it. Its log-start record may be forced on any thread ({@link #persist()}); the purge is then
     * done on the node thread ({@link #compact(Compaction)}).
     */
    public static final class Compaction
    {
        private final ArchiveLogStore store;
        private final long startPosition;
        private final long previousIndex;
        private final long previousTerm;
        private final int generation;
        private volatile boolean persisted;

        private Compaction(
            final ArchiveLogStore store,
            final long startPosition,
            final long previousIndex,
            final long previousTerm,
            final int generation)
        {
            this.store = store;
            this.startPosition = startPosition;
            this.previousIndex = previousIndex;
            this.previousTerm = previousTerm;
            this.generation = generation;
        }

        /**
         * @return the log's first index once the compaction is done.
         */
        public long firstIndex()
        {
            return previousIndex + 1;
        }

        /**
         * Any thread: write and force the log-start record of the new start, so that a crash after the purge
         * reopens the log there (and a crash before it completes the purge on open).
         *
         * @return false, with nothing written, if the log was reset since the plan (its record must stand).
         */
        public boolean persist()
        {
            synchronized (store.logStartLock)
            {
                if (generation != store.resetGeneration)
                {
                    return false;
                }
                store.logStartFile.write(startPosition, previousIndex, previousTerm, 0);
                persisted = true;
                return true;
            }
        }
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
        /** Every property this context reads. */
        public static final List<String> PROPERTIES = Settings.names(TERM_LENGTH_PROP, MTU_PROP, WINDOW_PROP);

        private NodeMedia media;
        private int termLength = Settings.sizeAsInt(TERM_LENGTH_PROP, 16 * 1024 * 1024);
        private int mtu = Settings.sizeAsInt(MTU_PROP, 8 * 1024);
        private int windowCapacity = Settings.sizeAsInt(WINDOW_PROP, 16 * 1024 * 1024);
        private long syncTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private long readBackTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private long logStartPreviousIndex;
        private long logStartPreviousTerm;
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

            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
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
            if (logStartPreviousIndex < 0 || logStartPreviousTerm < 0 ||
                (0 == logStartPreviousIndex && 0 != logStartPreviousTerm))
            {
                throw new ConfigurationException("ArchiveLogStore.Context.logStart(" + logStartPreviousIndex + ", " +
                    logStartPreviousTerm + ") is not a log prefix: index and term at least 0, term 0 after index 0");
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
         * @param readBackTimeoutNs after which an unanswered read-back or purge is asked again.
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

        /**
         * @param nanoClock measuring every timeout of the store ({@link #syncTimeoutNs}, {@link #readBackTimeoutNs}),
         *                  so a test can drive time; default {@link SystemNanoClock}.
         * @return this.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * Where a new log begins: after a prefix it does not hold (compacted into a snapshot). A new recording's first
         * entry must be {@code previousIndex + 1}; an existing recording must begin with that entry, or open fails
         * naming this setting. Default: after index 0 of term 0, a log that begins at index 1. Once the log has been
         * compacted or reset, the log-start record in the data directory says where it begins and this setting is
         * not used.
         *
         * @param previousIndex index of the entry before the log's first.
         * @param previousTerm  term of that entry, answered by {@code termAt(previousIndex)}.
         * @return this.
         */
        public Context logStart(final long previousIndex, final long previousTerm)
        {
            this.logStartPreviousIndex = previousIndex;
            this.logStartPreviousTerm = previousTerm;
            return this;
        }

        /**
         * @return index of the entry before the log's first, see {@link #logStart(long, long)}.
         */
        public long logStartPreviousIndex()
        {
            return logStartPreviousIndex;
        }

        /**
         * @return term of the entry before the log's first, see {@link #logStart(long, long)}.
         */
        public long logStartPreviousTerm()
        {
            return logStartPreviousTerm;
        }
    }
}
