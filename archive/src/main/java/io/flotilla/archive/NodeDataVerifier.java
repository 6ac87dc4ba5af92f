package io.flotilla.archive;

import io.aeron.archive.CatalogView;
import io.flotilla.codecs.EntryFrame;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.aeron.archive.client.AeronArchive.NULL_POSITION;

/**
 * Checks a stopped node's data directory the way a restart would, and changes nothing in it: the node state file, the
 * log-start record, every frame of the log recording (read from its segment files with the checks of recovery on
 * open, see docs/log-store.md) and every snapshot file (both checksums, as a restart verifies the one it loads). It
 * holds the data directory's lock while it reads, so a running node is refused and no node starts meanwhile.
 * <p>
 * What a restart would refuse, or could not repair from the node's own files, is a {@link Report#problems() problem}:
 * damage inside the log (valid entries after it), a damaged state file or log-start record, a corrupt snapshot, a
 * log that begins after a prefix no valid snapshot covers. What a restart repairs by itself is a
 * {@link Report#notes() note}: a torn tail it cuts, a compaction or reset it completes, a log that does not continue
 * the newest snapshot (it is reset to begin after it).
 */
public final class NodeDataVerifier
{
    private static final String ARCHIVE_DIRECTORY_NAME = "archive";
    private static final String SEGMENT_SUFFIX = ".rec";
    // Aeron's name for it (CATALOG_FILE_NAME is not public).
    private static final String CATALOG_FILE_NAME = "archive.catalog";

    private final File dataDirectory;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<SnapshotCheck> snapshots = new ArrayList<>();
    // Where the term changes: entry index and its term, so any entry's term is known without keeping one per entry.
    private final LongArrayList termStartIndices = new LongArrayList();
    private final LongArrayList termStartTerms = new LongArrayList();
    private NodeStateFile state;
    private long recordingId = -1;
    private long previousIndex;
    private long previousTerm;
    private long lastIndex;
    private long lastTerm;
    private long logBytes;
    private String startMismatch;

    private NodeDataVerifier(final File dataDirectory)
    {
        this.dataDirectory = dataDirectory;
    }

    /**
     * Verify a stopped node's data directory.
     *
     * @param dataDirectory the node's data directory.
     * @return what was found.
     * @throws IllegalArgumentException when there is no such directory, or it holds nothing of a node.
     * @throws IllegalStateException    when its node is running (the directory's lock is held).
     */
    public static Report verify(final File dataDirectory)
    {
        if (!dataDirectory.isDirectory())
        {
            throw new IllegalArgumentException("no data directory " + dataDirectory);
        }
        if (!new File(dataDirectory, ARCHIVE_DIRECTORY_NAME).isDirectory() &&
            !new File(dataDirectory, NodeStateFile.FILE_NAME).exists() &&
            !new File(dataDirectory, SnapshotStore.DIRECTORY_NAME).isDirectory())
        {
            throw new IllegalArgumentException(dataDirectory + " is not a node's data directory: it holds none of " +
                ARCHIVE_DIRECTORY_NAME + "/, " + NodeStateFile.FILE_NAME + ", " + SnapshotStore.DIRECTORY_NAME + "/");
        }

        final FileChannel lock = NodeMedia.lockDataDirectory(dataDirectory);
        try
        {
            return new NodeDataVerifier(dataDirectory).run();
        }
        finally
        {
            CloseHelper.close(lock);
        }
    }

    private Report run()
    {
        checkStateFile();
        checkLog();
        checkSnapshots();
        return new Report(this);
    }

    private void checkStateFile()
    {
        if (!new File(dataDirectory, NodeStateFile.FILE_NAME).exists())
        {
            notes.add("no " + NodeStateFile.FILE_NAME + ": the node never voted or changed term (it starts fresh)");
            return;
        }
        try
        {
            state = NodeStateFile.open(dataDirectory);
        }
        catch (final IllegalStateException ex)
        {
            problems.add(ex.getMessage());
        }
    }

    private void checkLog()
    {
        final LogStartFile logStart;
        try
        {
            logStart = new LogStartFile(dataDirectory);
        }
        catch (final LogCorruptionException ex)
        {
            problems.add(ex.getMessage());
            return;
        }
        if (logStart.exists())
        {
            previousIndex = logStart.previousIndex();
            previousTerm = logStart.previousTerm();
        }
        lastIndex = previousIndex;
        lastTerm = previousTerm;

        final File archiveDirectory = new File(dataDirectory, ARCHIVE_DIRECTORY_NAME);
        final Recording recording = findRecording(archiveDirectory);
        if (null == recording)
        {
            if (logStart.exists())
            {
                problems.add("the log-start record " + logStart.file() + " has the log begin after entry " +
                    previousIndex + ", but " + archiveDirectory + " holds no log recording: the log is lost");
            }
            return;
        }
        recordingId = recording.recordingId;

        long fromPosition = recording.startPosition;
        if (logStart.exists())
        {
            if (recording.startPosition > logStart.startPosition())
            {
                problems.add("the log recording " + recordingId + " begins at position " + recording.startPosition +
                    ", after the position " + logStart.startPosition() + " at which the log-start record has entry " +
                    (previousIndex + 1) + ": segments holding needed entries were removed");
                return;
            }
            if (recording.startPosition < logStart.startPosition())
            {
                notes.add("a compaction was interrupted: a restart purges recording " + recordingId + " up to position " +
                    logStart.startPosition());
                fromPosition = logStart.startPosition();
            }
            if (logStart.isResetPending())
            {
                notes.add("a reset was interrupted: a restart empties the log to begin after entry " + previousIndex);
                return;
            }
        }

        readRecording(archiveDirectory, recording, fromPosition);
    }

    /**
     * The node's log recording from the archive's catalog, read without starting an archive.
     */
    private Recording findRecording(final File archiveDirectory)
    {
        if (!new File(archiveDirectory, CATALOG_FILE_NAME).exists())
        {
            notes.add("no archive catalog in " + archiveDirectory + ": the log is empty");
            return null;
        }

        final List<Recording> recordings = new ArrayList<>();
        CatalogView.listRecordings(archiveDirectory,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) ->
            {
                // The log's stream id is NodeMedia.Context#logStreamId: 3 above the node's base.
                if (streamId >= NodeMedia.Context.STREAM_ID_BASE && 3 == (streamId - NodeMedia.Context.STREAM_ID_BASE) % 8)
                {
                    recordings.add(new Recording(
                        recordingId, startPosition, stopPosition, termBufferLength, segmentFileLength));
                }
            });
        if (recordings.isEmpty())
        {
            notes.add("the archive in " + archiveDirectory + " holds no log recording: the log is empty");
            return null;
        }
        if (recordings.size() > 1)
        {
            problems.add("the archive in " + archiveDirectory + " holds " + recordings.size() +
                " log recordings: expected one per node");
            return null;
        }
        return recordings.get(0);
    }

    private void readRecording(final File archiveDirectory, final Recording recording, final long fromPosition)
    {
        final boolean stopped = NULL_POSITION != recording.stopPosition;
        final long toPosition = stopped ? recording.stopPosition : endOfLastSegment(archiveDirectory, recording);
        if (!stopped)
        {
            notes.add("the log recording " + recordingId + " was not stopped (the node did not close): its end is " +
                "where its frames end, as the archive finds it on the next start");
        }

        try (RecordingReader reader = new RecordingReader(archiveDirectory, recording.recordingId,
            recording.startPosition, recording.termLength, recording.segmentLength))
        {
            final long validEnd = reader.read(fromPosition, toPosition, this::onMessage);
            logBytes = validEnd - fromPosition;
            if (null != startMismatch)
            {
                problems.add("the log recording " + recordingId + " " + startMismatch +
                    ": it was written with another ArchiveLogStore.Context.logStart");
                return;
            }
            if (validEnd == toPosition)
            {
                return;
            }

            final long later = reader.findValidEntryAfter(validEnd, toPosition, lastIndex);
            if (later >= 0)
            {
                problems.add("log corrupt after entry " + lastIndex + " at position " + validEnd + " in " +
                    reader.segmentFile(validEnd) + ": " + reader.failureReason() + ", yet a valid entry follows at " +
                    "position " + later + " in " + reader.segmentFile(later));
            }
            else if (stopped || !reader.failureReason().startsWith("no frame"))
            {
                notes.add("a torn or corrupt tail after entry " + lastIndex + ": a restart cuts positions " + validEnd +
                    ".." + toPosition + " in " + reader.segmentFile(validEnd) + " (" + reader.failureReason() + ")");
            }
        }
    }

    private String onMessage(
        final DirectBuffer buffer, final int offset, final int length, final long position, final long endPosition)
    {
        final long index = lastIndex + 1;
        if (lastIndex == previousIndex)
        {
            startMismatch = LogRecovery.logStartMismatch(buffer, offset, length, previousIndex, previousTerm);
            if (null != startMismatch)
            {
                return startMismatch;
            }
        }
        final String problem = LogRecovery.checkEntry(buffer, offset, length, index, lastTerm);
        if (null != problem)
        {
            return problem;
        }

        final long term = EntryFrame.term(buffer, offset);
        if (term != lastTerm)
        {
            termStartIndices.addLong(index);
            termStartTerms.addLong(term);
        }
        lastIndex = index;
        lastTerm = term;
        return null;
    }

    /**
     * The end of a recording whose stop position the catalog does not hold yet (its archive did not close): the end
     * of its last segment file, read up to the first position that holds no frame.
     */
    private static long endOfLastSegment(final File archiveDirectory, final Recording recording)
    {
        final String prefix = recording.recordingId + "-";
        long lastBase = -1;
        final String[] names = archiveDirectory.list();
        for (final String name : null == names ? new String[0] : names)
        {
            if (name.startsWith(prefix) && name.endsWith(SEGMENT_SUFFIX))
            {
                try
                {
                    lastBase = Math.max(lastBase,
                        Long.parseLong(name.substring(prefix.length(), name.length() - SEGMENT_SUFFIX.length())));
                }
                catch (final NumberFormatException ignore)
                {
                    // not a segment file of the archive's naming
                }
            }
        }
        return lastBase < 0 ? recording.startPosition : lastBase + recording.segmentLength;
    }

    private long termAt(final long index)
    {
        if (index == previousIndex)
        {
            return previousTerm;
        }
        long term = -1;
        for (int i = 0; i < termStartIndices.size() && termStartIndices.getLong(i) <= index; i++)
        {
            term = termStartTerms.getLong(i);
        }
        return term;
    }

    private void checkSnapshots()
    {
        final Path directory = dataDirectory.toPath().resolve(SnapshotStore.DIRECTORY_NAME);
        SnapshotInfo loaded = null;
        for (final SnapshotInfo listed : SnapshotStore.list(directory))
        {
            final SnapshotCheck check = checkSnapshot(listed);
            snapshots.add(check);
            if (null != check.problem)
            {
                problems.add(check.problem);
            }
            else if (null == loaded && listed.index() >= previousIndex)
            {
                loaded = check.verified;
            }
        }

        if (null == loaded)
        {
            if (previousIndex > 0)
            {
                problems.add("the log begins after entry " + previousIndex + " but no valid snapshot covers it: a " +
                    "restart refuses to start; move the data directory aside and let the node rejoin");
            }
        }
        else if (lastIndex < loaded.index() || termAt(loaded.index()) != loaded.term())
        {
            notes.add("the log does not continue snapshot " + loaded.path().getFileName() + ": a restart resets it " +
                "to begin after entry " + loaded.index());
        }
    }

    private static SnapshotCheck checkSnapshot(final SnapshotInfo listed)
    {
        try (FileChannel channel = FileChannel.open(listed.path(), StandardOpenOption.READ))
        {
            final SnapshotInfo verified = SnapshotFormat.verify(listed.path(), channel);
            if (verified.index() != listed.index() || verified.term() != listed.term())
            {
                return new SnapshotCheck(listed, null, "snapshot " + listed.path() + " is corrupt: its header holds " +
                    "index " + verified.index() + " term " + verified.term() + ", its file name index " +
                    listed.index() + " term " + listed.term());
            }
            return new SnapshotCheck(listed, verified, null);
        }
        catch (final SnapshotCorruptException ex)
        {
            return new SnapshotCheck(listed, null, ex.getMessage());
        }
        catch (final IOException ex)
        {
            return new SnapshotCheck(listed, null, "cannot read snapshot " + listed.path() + ": " + ex);
        }
    }

    private static final class Recording
    {
        private final long recordingId;
        private final long startPosition;
        private final long stopPosition;
        private final int termLength;
        private final int segmentLength;

        private Recording(
            final long recordingId,
            final long startPosition,
            final long stopPosition,
            final int termLength,
            final int segmentLength)
        {
            this.recordingId = recordingId;
            this.startPosition = startPosition;
            this.stopPosition = stopPosition;
            this.termLength = termLength;
            this.segmentLength = segmentLength;
        }
    }

    /**
     * One snapshot file and what its verification found.
     */
    public static final class SnapshotCheck
    {
        private final SnapshotInfo listed;
        private final SnapshotInfo verified;
        private final String problem;

        private SnapshotCheck(final SnapshotInfo listed, final SnapshotInfo verified, final String problem)
        {
            this.listed = listed;
            this.verified = verified;
            this.problem = problem;
        }

        /**
         * @return the snapshot as its file name gives it.
         */
        public SnapshotInfo snapshot()
        {
            return listed;
        }

        /**
         * @return the snapshot as its verified header gives it (with its members), or null when it is corrupt.
         */
        public SnapshotInfo verified()
        {
            return verified;
        }

        /**
         * @return what is wrong with it, or null when it verifies.
         */
        public String problem()
        {
            return problem;
        }
    }

    /**
     * What {@link #verify(File)} found. Immutable.
     */
    public static final class Report
    {
        private final File dataDirectory;
        private final boolean hasState;
        private final long currentTerm;
        private final int votedFor;
        private final long commitIndexHint;
        private final long recordingId;
        private final long firstIndex;
        private final long lastIndex;
        private final long firstTerm;
        private final long lastTerm;
        private final long logBytes;
        private final List<SnapshotCheck> snapshots;
        private final List<String> problems;
        private final List<String> notes;

        private Report(final NodeDataVerifier verifier)
        {
            dataDirectory = verifier.dataDirectory;
            hasState = null != verifier.state;
            currentTerm = hasState ? verifier.state.currentTerm() : 0;
            votedFor = hasState ? verifier.state.votedFor() : NodeStateFile.NO_VOTE;
            commitIndexHint = hasState ? verifier.state.commitIndexHint() : 0;
            recordingId = verifier.recordingId;
            firstIndex = verifier.previousIndex + 1;
            lastIndex = verifier.lastIndex;
            firstTerm = verifier.termStartTerms.isEmpty() ? verifier.previousTerm : verifier.termStartTerms.getLong(0);
            lastTerm = verifier.lastTerm;
            logBytes = verifier.logBytes;
            snapshots = Collections.unmodifiableList(new ArrayList<>(verifier.snapshots));
            problems = Collections.unmodifiableList(new ArrayList<>(verifier.problems));
            notes = Collections.unmodifiableList(new ArrayList<>(verifier.notes));
        }

        public File dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @return whether the node state file exists and verifies.
         */
        public boolean hasState()
        {
            return hasState;
        }

        public long currentTerm()
        {
            return currentTerm;
        }

        public int votedFor()
        {
            return votedFor;
        }

        public long commitIndexHint()
        {
            return commitIndexHint;
        }

        /**
         * @return the log recording's id in the node's archive, or -1 when there is none.
         */
        public long recordingId()
        {
            return recordingId;
        }

        /**
         * @return the log's first index (the one after its compacted prefix).
         */
        public long firstIndex()
        {
            return firstIndex;
        }

        /**
         * @return the index of the last entry that verified; {@link #firstIndex()} - 1 when the log holds none.
         */
        public long lastIndex()
        {
            return lastIndex;
        }

        /**
         * @return how many entries verified.
         */
        public long entries()
        {
            return lastIndex - firstIndex + 1;
        }

        public long firstTerm()
        {
            return firstTerm;
        }

        public long lastTerm()
        {
            return lastTerm;
        }

        /**
         * @return the recording bytes those entries take.
         */
        public long logBytes()
        {
            return logBytes;
        }

        /**
         * @return every snapshot file, newest first.
         */
        public List<SnapshotCheck> snapshots()
        {
            return snapshots;
        }

        /**
         * @return what a restart would refuse or could not repair from the node's own files: corruption.
         */
        public List<String> problems()
        {
            return problems;
        }

        /**
         * @return what a restart repairs by itself, and what it found missing but harmless.
         */
        public List<String> notes()
        {
            return notes;
        }

        /**
         * @return true when nothing is corrupt.
         */
        public boolean isClean()
        {
            return problems.isEmpty();
        }
    }
}
