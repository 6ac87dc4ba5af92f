package io.flotilla.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * A complete snapshot file of a {@link SnapshotStore}: the last index and term it includes, its path and length, and,
 * once its header has been read, the cluster configuration it holds. Immutable.
 */
public final class SnapshotInfo
{
    private final long index;
    private final long term;
    private final int[] memberIds;
    private final long length;
    private final Path path;
    private final int checksum;

    SnapshotInfo(
        final long index, final long term, final int[] memberIds, final long length, final Path path, final int checksum)
    {
        this.index = index;
        this.term = term;
        this.memberIds = memberIds;
        this.length = length;
        this.path = path;
        this.checksum = checksum;
    }

    /**
     * @return the last log index the snapshot includes.
     */
    public long index()
    {
        return index;
    }

    /**
     * @return the term of that entry.
     */
    public long term()
    {
        return term;
    }

    /**
     * @return the ids of the cluster's members at {@link #index()}, or null when this info comes from a listing
     * (file names only): {@link SnapshotStore#openVerified(SnapshotInfo)} reads them.
     */
    public int[] memberIds()
    {
        return null == memberIds ? null : memberIds.clone();
    }

    /**
     * @return the length of the whole file in bytes: what an install transfers.
     */
    public long length()
    {
        return length;
    }

    /**
     * @return the snapshot file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * The file's checksum as its header records it (the header checksum, which covers the payload's checksum): it
     * identifies the file's exact bytes for a transfer. Read from the file when this info comes from a listing; not
     * verified here.
     *
     * @return the checksum.
     * @throws UncheckedIOException when the file cannot be read.
     */
    public int checksum()
    {
        if (null != memberIds)
        {
            return checksum;
        }

        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            return SnapshotFormat.readChecksum(channel);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the checksum of snapshot " + path, ex);
        }
    }

    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof SnapshotInfo))
        {
            return false;
        }
        final SnapshotInfo that = (SnapshotInfo)o;
        return index == that.index && term == that.term && length == that.length && path.equals(that.path);
    }

    public int hashCode()
    {
        return Objects.hash(index, term, length, path);
    }

    public String toString()
    {
        return "SnapshotInfo{index=" + index + ", term=" + term + ", memberIds=" +
            (null == memberIds ? "unread" : Arrays.toString(memberIds)) + ", length=" + length + ", path=" + path + '}';
    }
}
