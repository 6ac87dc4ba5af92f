package io.flotilla.archive;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A snapshot arriving from another node, in order, into a partial file that survives a dropped connection or a
 * restart: {@link SnapshotStore#receive} reopens it and the transfer resumes at {@link #receivedLength()}.
 * {@link #write} only writes (into the page cache, so the node's thread may call it); forcing belongs on another
 * thread: {@link #forceWritten()} while the transfer goes on, so that the disk writes as the bytes arrive rather than
 * all at the end, and {@link #complete()} once. A process crash keeps what was written; after a machine crash the
 * file's length is trusted as it is: bytes the crash tore or lost are caught by the whole-file verification in
 * {@link #complete()}, which then deletes the file so the next transfer starts over.
 * <p>
 * A transfer received from its first byte has its payload checksummed as it is written, so {@link #complete()}
 * checks the file without reading it again; a resumed one is read again whole. One thread at a time, but for
 * {@link #forceWritten()}.
 */
public final class SnapshotReceive implements AutoCloseable
{
    private final SnapshotStore store;
    private final long index;
    private final long term;
    private final long length;
    private final int checksum;
    private final Path part;
    private final FileChannel channel;
    private final CRC32C payloadCrc = new CRC32C();
    private ByteBuffer staging = newStaging(64 * 1024);
    private long receivedLength;
    // Where the payload begins, read from the header in the first chunk; -1 until then.
    private long payloadStart = -1;
    // False when payloadCrc does not cover every payload byte written (a resumed transfer).
    private boolean payloadCrcWhole;
    private boolean isDone;

    SnapshotReceive(
        final SnapshotStore store, final long index, final long term, final long length, final int checksum, final Path part)
    {
        this.store = store;
        this.index = index;
        this.term = term;
        this.length = length;
        this.checksum = checksum;
        this.part = part;
        try
        {
            channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            receivedLength = channel.size();
            if (receivedLength > length)
            {
                channel.truncate(0);
                receivedLength = 0;
            }
            payloadCrcWhole = 0 == receivedLength;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open partial snapshot " + part, ex);
        }
    }

    public long index()
    {
        return index;
    }

    public long term()
    {
        return term;
    }

    /**
     * @return the length of the whole snapshot file.
     */
    public long length()
    {
        return length;
    }

    public int checksum()
    {
        return checksum;
    }

    /**
     * @return the bytes already received, where the next {@link #write} must start (non-zero after a resume).
     */
    public long receivedLength()
    {
        return receivedLength;
    }

    /**
     * @return the partial file.
     */
    public Path path()
    {
        return part;
    }

    /**
     * Append the next chunk of the file.
     *
     * @param offset       of the chunk in the file: must equal {@link #receivedLength()}.
     * @param buffer       holding the chunk.
     * @param bufferOffset of the chunk in the buffer.
     * @param length       of the chunk.
     * @return true when written; false, writing nothing, when the chunk does not start at {@link #receivedLength()}
     * or runs past the file's length.
     */
    public boolean write(final long offset, final DirectBuffer buffer, final int bufferOffset, final int length)
    {
        checkOpen();
        if (offset != receivedLength || length < 0 || length > this.length - offset)
        {
            return false;
        }

        if (staging.capacity() < length)
        {
            staging = newStaging(length);
        }
        staging.clear();
        buffer.getBytes(bufferOffset, staging, length);
        staging.flip();
        if (payloadCrcWhole)
        {
            checksumPayload(offset, length);
        }
        try
        {
            long position = offset;
            while (staging.hasRemaining())
            {
                position += channel.write(staging, position);
            }
            receivedLength = position;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write partial snapshot " + part + " at " + offset, ex);
        }

        return true;
    }

    /**
     * Force what has been written so far, while {@link #write} goes on on another thread (a {@link FileChannel}
     * allows both at once). Does nothing once the receive has ended.
     */
    public void forceWritten()
    {
        try
        {
            channel.force(false);
        }
        catch (final ClosedChannelException ignore)
        {
            // completed, aborted or closed meanwhile: whoever ended it forced or deleted the file
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force partial snapshot " + part, ex);
        }
    }

    /**
     * Once every byte is in: force the file, verify it whole (format, both checksums, and the index, term, length and
     * checksum announced), rename it to its final snapshot name, force the directory, apply retention.
     *
     * @return the snapshot, members read.
     * @throws SnapshotCorruptException when verification fails; the partial file is deleted.
     * @throws IllegalStateException    when bytes are still missing.
     */
    public SnapshotInfo complete()
    {
        checkOpen();
        if (receivedLength != length)
        {
            throw new IllegalStateException("partial snapshot " + part + " holds " + receivedLength + " of " + length +
                " bytes");
        }

        isDone = true;
        try
        {
            channel.force(true);
            final SnapshotInfo verified = payloadCrcWhole ?
                SnapshotFormat.verify(part, channel, (int)payloadCrc.getValue()) : SnapshotFormat.verify(part, channel);
            channel.close();
            if (verified.index() != index || verified.term() != term || verified.checksum() != checksum)
            {
                throw new SnapshotCorruptException(part, "received index " + verified.index() + " term " +
                    verified.term() + " checksum " + SnapshotFormat.hex(verified.checksum()) + ", announced index " +
                    index + " term " + term + " checksum " + SnapshotFormat.hex(checksum));
            }

            return store.install(part, verified);
        }
        catch (final IOException ex)
        {
            discard();
            throw new UncheckedIOException("cannot complete received snapshot " + part, ex);
        }
        catch (final RuntimeException ex)
        {
            discard();
            throw ex;
        }
    }

    /**
     * Give the transfer up for good: the partial file is deleted.
     */
    public void abort()
    {
        if (!isDone)
        {
            isDone = true;
            discard();
        }
    }

    /**
     * Stop receiving, keeping the partial file for a resume (forced, so a resume after a crash keeps what it holds).
     */
    public void close()
    {
        if (!isDone)
        {
            isDone = true;
            try
            {
                channel.force(false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot force partial snapshot " + part, ex);
            }
            finally
            {
                CloseHelper.quietClose(channel);
            }
        }
    }

    /**
     * Add the payload bytes of the chunk in {@link #staging} to the checksum, learning where the payload begins from
     * the header in the first chunk; a header the first chunk does not hold leaves it to {@link #complete()} to read
     * the file again. Leaves {@link #staging} as it found it.
     */
    private void checksumPayload(final long offset, final int length)
    {
        if (payloadStart < 0)
        {
            if (0 != offset || length < SnapshotFormat.MEMBERS_OFFSET)
            {
                payloadCrcWhole = false;
                return;
            }
            final int memberCount = staging.getInt(SnapshotFormat.MEMBER_COUNT_OFFSET);
            // A count out of range is damage that complete()'s reading of the header reports.
            payloadStart = SnapshotFormat.headerLength(Math.max(0, Math.min(memberCount, SnapshotFormat.MAX_MEMBERS)));
        }

        final long end = offset + length;
        if (payloadStart < end)
        {
            staging.position((int)(Math.max(payloadStart, offset) - offset));
            payloadCrc.update(staging);
            staging.position(0);
        }
    }

    private static ByteBuffer newStaging(final int capacity)
    {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void discard()
    {
        CloseHelper.quietClose(channel);
        SnapshotStore.deleteQuietly(part);
    }

    private void checkOpen()
    {
        if (isDone)
        {
            throw new IllegalStateException("receive of " + part + " already completed, aborted or closed");
        }
    }
}
