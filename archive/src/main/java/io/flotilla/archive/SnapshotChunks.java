package io.flotilla.archive;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The raw bytes of a complete snapshot file for sending it in chunks: positional reads, so a transfer can start, or
 * resume, at any offset. Reading does not verify; the receiver verifies the whole file. The file stays readable even
 * if retention deletes it meanwhile. Reads from several threads at once are safe.
 */
public final class SnapshotChunks implements AutoCloseable
{
    private final Path path;
    private final FileChannel channel;
    private final long length;

    SnapshotChunks(final Path path)
    {
        this.path = path;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            length = channel.size();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open snapshot " + path + " for sending", ex);
        }
    }

    /**
     * @return the length of the whole file.
     */
    public long length()
    {
        return length;
    }

    /**
     * @return the file's checksum as its header records it, see {@link SnapshotInfo#checksum()}.
     */
    public int checksum()
    {
        try
        {
            return SnapshotFormat.readChecksum(channel);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the checksum of snapshot " + path, ex);
        }
    }

    /**
     * Copy file bytes from {@code fileOffset} into {@code dst}: as many as it has room for, or up to the file's end.
     *
     * @param fileOffset first byte, in 0..{@link #length()}.
     * @param dst        receiving the bytes from its position; its position advances.
     * @return the number of bytes copied, 0 at the file's end.
     */
    public int read(final long fileOffset, final ByteBuffer dst)
    {
        if (fileOffset < 0 || fileOffset > length)
        {
            throw new IllegalArgumentException("offset " + fileOffset + " outside snapshot " + path + " of " + length +
                " bytes");
        }

        final int wanted = (int)Math.min(dst.remaining(), length - fileOffset);
        final int limit = dst.limit();
        dst.limit(dst.position() + wanted);
        try
        {
            SnapshotFormat.readFully(channel, dst, fileOffset);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read snapshot " + path + " at " + fileOffset, ex);
        }
        finally
        {
            dst.limit(limit);
        }

        return wanted;
    }

    public void close()
    {
        CloseHelper.quietClose(channel);
    }
}
