package io.flotilla.archive;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checksummed snapshot files in one directory, see docs/log-store.md. A snapshot is one file,
 * {@code snapshot-<index, 20 digits>-<term>.snap}, whose exact bytes are also what an install sends to another node:
 * a header (index, term, members, payload length and checksum, its own checksum) and the payload the engine writes
 * (see {@link SnapshotFormat}). Every snapshot is written or received under a temporary name, forced, and renamed
 * atomically, so a file under a final name is always complete and forced, and the previous snapshot stays until the
 * new one is in place; then all but the newest {@code retained} are deleted.
 * <ul>
 *     <li>Write: {@link #begin(long, long, int[])} → {@link SnapshotWriter}.</li>
 *     <li>Load: {@link #list()}, {@link #newestValid(Consumer)}, {@link #openVerified(SnapshotInfo)} (or, for a
 *     file just received and verified, {@link #openReceived(SnapshotInfo)}) → {@link SnapshotReader}.</li>
 *     <li>Send: {@link #openChunks(SnapshotInfo)} → {@link SnapshotChunks}, positional reads of the raw file.</li>
 *     <li>Receive: {@link #receive(long, long, long, int)} → {@link SnapshotReceive}, resumable.</li>
 * </ul>
 * Meant for threads other than the node's (everything here does file I/O and may force). Listing, reading and
 * sending may run on any threads at once; write and receive one snapshot at a time each.
 */
public final class SnapshotStore
{
    /** Where a node keeps its snapshots, under its data directory. */
    public static final String DIRECTORY_NAME = "snapshots";
    static final String SNAPSHOT_SUFFIX = ".snap";
    static final String TEMP_SUFFIX = ".tmp";
    static final String PART_SUFFIX = ".part";

    private static final System.Logger LOGGER = System.getLogger(SnapshotStore.class.getName());
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("snapshot-(\\d{20})-(\\d+)\\.snap");
    private static final Comparator<SnapshotInfo> NEWEST_FIRST =
        Comparator.comparingLong(SnapshotInfo::index).thenComparingLong(SnapshotInfo::term).reversed();

    private final Path directory;
    private final int retained;

    private SnapshotStore(final Path directory, final int retained)
    {
        this.directory = directory;
        this.retained = retained;
    }

    /**
     * Open the snapshot directory: create it when missing and delete temporary files a crash left behind (partial
     * receives stay, to be resumed).
     *
     * @param directory of the snapshots, e.g. {@code <dataDirectory>/snapshots}.
     * @param retained  complete snapshots kept, at least 1; older ones are deleted once a newer one is in place.
     * @return the store.
     */
    public static SnapshotStore open(final Path directory, final int retained)
    {
        if (retained < 1)
        {
            throw new IllegalArgumentException("SnapshotStore retained must be at least 1, was " + retained);
        }
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create snapshot directory " + directory, ex);
        }

        final SnapshotStore store = new SnapshotStore(directory, retained);
        for (final Path temp : store.files("*" + TEMP_SUFFIX))
        {
            LOGGER.log(System.Logger.Level.INFO, "deleting unfinished snapshot " + temp);
            deleteQuietly(temp);
        }

        return store;
    }

    /**
     * @return the directory of the snapshots.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return how many complete snapshots are kept.
     */
    public int retained()
    {
        return retained;
    }

    /**
     * Start writing a snapshot. Nothing is visible under its final name until {@link SnapshotWriter#commit()}.
     *
     * @param index     last log index the snapshot includes.
     * @param term      term of that entry.
     * @param memberIds the cluster configuration at {@code index}.
     * @return the writer; close it (or abort it) when not committed.
     */
    public SnapshotWriter begin(final long index, final long term, final int[] memberIds)
    {
        checkSnapshotId(index, term);
        if (memberIds.length > SnapshotFormat.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a snapshot holds at most " + SnapshotFormat.MAX_MEMBERS + " members");
        }

        return new SnapshotWriter(this, index, term, memberIds.clone(),
            directory.resolve(fileName(index, term) + TEMP_SUFFIX));
    }

    /**
     * The complete snapshots, from their file names alone (no file is read): {@link SnapshotInfo#memberIds()} is null.
     *
     * @return the snapshots, newest first (by index, then term).
     */
    public List<SnapshotInfo> list()
    {
        return list(directory);
    }

    /**
     * The complete snapshots in a directory, as {@link #list()}, without opening a store (which would tidy the
     * directory): for tools that watch a running node's snapshots.
     *
     * @param directory a node's snapshot directory ({@link #DIRECTORY_NAME} under its data directory).
     * @return the snapshots, newest first; empty when the directory does not exist.
     */
    public static List<SnapshotInfo> list(final Path directory)
    {
        final List<SnapshotInfo> snapshots = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return snapshots;
        }
        for (final Path file : files(directory, "snapshot-*" + SNAPSHOT_SUFFIX))
        {
            final Matcher matcher = SNAPSHOT_NAME.matcher(file.getFileName().toString());
            if (matcher.matches())
            {
                try
                {
                    snapshots.add(new SnapshotInfo(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)),
                        null, Files.size(file), file, 0));
                }
                catch (final NoSuchFileException ignore)
                {
                    // deleted by retention since the directory was listed
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot read the length of snapshot " + file, ex);
                }
            }
        }
        snapshots.sort(NEWEST_FIRST);

        return snapshots;
    }

    /**
     * Open a snapshot for loading after reading the whole file once to verify it: magic, version, header against
     * the file name and length, header and payload checksums.
     *
     * @param snapshot from {@link #list()} or a commit.
     * @return a reader positioned at the payload; close it.
     * @throws SnapshotCorruptException naming the file and what is wrong.
     * @throws UncheckedIOException     when the file cannot be read (e.g. deleted meanwhile).
     */
    public SnapshotReader openVerified(final SnapshotInfo snapshot)
    {
        return open(snapshot, true);
    }

    /**
     * Open a snapshot received whole for loading: {@link SnapshotReceive#complete()} has just verified every byte of
     * it, so only the header is checked again (against the file name and length, and its checksum, which covers the
     * payload's), not the payload read a second time.
     *
     * @param received what {@link SnapshotReceive#complete()} returned.
     * @return a reader positioned at the payload; close it.
     * @throws SnapshotCorruptException naming the file and what is wrong.
     * @throws UncheckedIOException     when the file cannot be read (e.g. deleted meanwhile).
     */
    public SnapshotReader openReceived(final SnapshotInfo received)
    {
        final SnapshotReader reader = open(received, false);
        if (reader.info().checksum() != received.checksum())
        {
            reader.close();
            throw new SnapshotCorruptException(received.path(), "header checksum " +
                SnapshotFormat.hex(reader.info().checksum()) + " is not the received file's " +
                SnapshotFormat.hex(received.checksum()));
        }
        return reader;
    }

    private SnapshotReader open(final SnapshotInfo snapshot, final boolean readPayload)
    {
        final Path path = snapshot.path();
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            final SnapshotInfo verified = readPayload ?
                SnapshotFormat.verify(path, channel) : SnapshotFormat.verifyHeader(path, channel);
            if (verified.index() != snapshot.index() || verified.term() != snapshot.term())
            {
                throw new SnapshotCorruptException(path, "header holds index " + verified.index() + " term " +
                    verified.term() + ", the file name index " + snapshot.index() + " term " + snapshot.term());
            }

            return new SnapshotReader(verified, channel);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new UncheckedIOException("cannot read snapshot " + path, ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * The newest snapshot that verifies, for a restart.
     *
     * @param onCorrupt told, for each newer snapshot that fails verification, what is wrong with it (the caller
     *                  logs it; the file stays, for inspection, until retention deletes it).
     * @return the newest valid snapshot with its members read, or null when there is none.
     */
    public SnapshotInfo newestValid(final Consumer<String> onCorrupt)
    {
        for (final SnapshotInfo snapshot : list())
        {
            try (SnapshotReader reader = openVerified(snapshot))
            {
                return reader.info();
            }
            catch (final SnapshotCorruptException ex)
            {
                onCorrupt.accept(ex.getMessage());
            }
        }

        return null;
    }

    /**
     * Open a complete snapshot for sending: positional reads of its raw bytes.
     *
     * @param snapshot to send.
     * @return the chunk reader; close it.
     */
    public SnapshotChunks openChunks(final SnapshotInfo snapshot)
    {
        return new SnapshotChunks(snapshot.path());
    }

    /**
     * Receive a snapshot sent by another node into a partial file {@code receive-<index>-<term>-<length>-<checksum>.part}.
     * A partial file of this same snapshot (left by a dropped connection, a restart, or a new leader sending an
     * identical snapshot) is reopened and the transfer resumes at {@link SnapshotReceive#receivedLength()}; partial
     * files of any other snapshot are deleted.
     *
     * @param index    last log index the snapshot includes.
     * @param term     term of that entry.
     * @param length   of the whole file.
     * @param checksum of the file, {@link SnapshotInfo#checksum()} on the sender.
     * @return the receive; close it to keep the partial file for a resume, or abort it to delete it.
     */
    public SnapshotReceive receive(final long index, final long term, final long length, final int checksum)
    {
        checkSnapshotId(index, term);
        if (length < SnapshotFormat.MEMBERS_OFFSET)
        {
            throw new IllegalArgumentException("a snapshot file of " + length + " bytes is shorter than its header");
        }

        final Path part = directory.resolve("receive-" + index + "-" + term + "-" + length + "-" +
            SnapshotFormat.hex(checksum) + PART_SUFFIX);
        for (final Path other : files("receive-*" + PART_SUFFIX))
        {
            if (!other.equals(part))
            {
                LOGGER.log(System.Logger.Level.INFO, "deleting the partial snapshot of another transfer " + other);
                deleteQuietly(other);
            }
        }

        return new SnapshotReceive(this, index, term, length, checksum, part);
    }

    /**
     * Make a forced temporary file a snapshot: rename it atomically to its final name, force the directory, then
     * delete the snapshots beyond {@link #retained()}.
     *
     * @return the snapshot under its final name.
     */
    synchronized SnapshotInfo install(final Path temp, final SnapshotInfo verified) throws IOException
    {
        final Path target = directory.resolve(fileName(verified.index(), verified.term()));
        DurableFiles.moveIntoPlace(temp, target);

        final List<SnapshotInfo> snapshots = list();
        for (int i = retained; i < snapshots.size(); i++)
        {
            deleteQuietly(snapshots.get(i).path());
        }

        return new SnapshotInfo(verified.index(), verified.term(), verified.memberIds(), verified.length(), target,
            verified.checksum());
    }

    static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "cannot delete " + file + ": " + ex);
        }
    }

    private static String fileName(final long index, final long term)
    {
        return String.format("snapshot-%020d-%d%s", index, term, SNAPSHOT_SUFFIX);
    }

    private static void checkSnapshotId(final long index, final long term)
    {
        if (index < 0 || term < 0)
        {
            throw new IllegalArgumentException("snapshot index " + index + " and term " + term + " must be at least 0");
        }
    }

    private List<Path> files(final String glob)
    {
        return files(directory, glob);
    }

    private static List<Path> files(final Path directory, final String glob)
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob))
        {
            stream.forEach(files::add);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list snapshot directory " + directory, ex);
        }

        return files;
    }
}
