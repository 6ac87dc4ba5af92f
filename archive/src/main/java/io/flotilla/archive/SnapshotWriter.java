package io.flotilla.archive;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one snapshot into a temporary file: the payload streams through {@link #payload()} (buffered, checksummed as
 * the bytes go), then {@link #commit()} writes the header into the space left for it, forces the file and renames it
 * to its final name. Until then nothing is visible as a snapshot, and {@link #abort()} or {@link #close()} delete the
 * temporary file. One thread at a time; not on the node's thread (it forces the file).
 */
public final class SnapshotWriter implements AutoCloseable
{
    private static final int BUFFER_LENGTH = 64 * 1024;

    private final SnapshotStore store;
    private final long index;
    private final long term;
    private final int[] memberIds;
    private final Path temp;
    private final FileChannel channel;
    private final PayloadStream payload;
    private boolean isDone;

    SnapshotWriter(final SnapshotStore store, final long index, final long term, final int[] memberIds, final Path temp)
    {
        this.store = store;
        this.index = index;
        this.term = term;
        this.memberIds = memberIds;
        this.temp = temp;
        this.payload = new PayloadStream(SnapshotFormat.headerLength(memberIds.length));
        try
        {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create snapshot file " + temp, ex);
        }
    }

    /**
     * @return the stream taking the payload (the engine's session table and state machine). Closing it does nothing:
     * {@link #commit()} ends the payload.
     */
    public OutputStream payload()
    {
        return payload;
    }

    /**
     * @return the payload bytes taken so far.
     */
    public long payloadLength()
    {
        return payload.length + payload.buffer.position();
    }

    /**
     * Complete the snapshot durably: write the header, force the file, rename it atomically to its final name, force
     * the directory, and delete the snapshots beyond the store's retention.
     *
     * @return the committed snapshot.
     * @throws UncheckedIOException when it cannot be completed; the temporary file is deleted.
     */
    public SnapshotInfo commit()
    {
        checkOpen();
        isDone = true;
        try
        {
            payload.flushBuffer();
            final int payloadChecksum = (int)payload.crc.getValue();
            final ByteBuffer header = SnapshotFormat.encodeHeader(index, term, memberIds, payload.length, payloadChecksum);
            final int headerChecksum = header.getInt(SnapshotFormat.HEADER_CHECKSUM_OFFSET);
            final long fileLength = header.remaining() + payload.length;
            writeFully(header, 0);
            channel.force(true);
            channel.close();

            return store.install(temp, new SnapshotInfo(index, term, memberIds, fileLength, temp, headerChecksum));
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            SnapshotStore.deleteQuietly(temp);
            throw new UncheckedIOException("cannot commit snapshot " + temp, ex);
        }
    }

    /**
     * Give the snapshot up: the temporary file is deleted. Nothing happens after a commit.
     */
    public void abort()
    {
        if (!isDone)
        {
            isDone = true;
            CloseHelper.quietClose(channel);
            SnapshotStore.deleteQuietly(temp);
        }
    }

    /**
     * Same as {@link #abort()}: a writer closed before its commit leaves nothing behind.
     */
    public void close()
    {
        abort();
    }

    private void checkOpen()
    {
        if (isDone)
        {
            throw new IllegalStateException("snapshot writer for " + temp + " already committed or aborted");
        }
    }

    private void writeFully(final ByteBuffer source, final long position) throws IOException
    {
        long filePosition = position;
        while (source.hasRemaining())
        {
            filePosition += channel.write(source, filePosition);
        }
    }

    /**
     * The payload, written after the space the header will take.
     */
    private final class PayloadStream extends OutputStream
    {
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_LENGTH);
        private final CRC32C crc = new CRC32C();
        private final long start;
        private long length;

        PayloadStream(final long start)
        {
            this.start = start;
        }

        public void write(final int b) throws IOException
        {
            checkWritable();
            if (!buffer.hasRemaining())
            {
                flushBuffer();
            }
            buffer.put((byte)b);
        }

        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            checkWritable();
            if (length > buffer.remaining())
            {
                flushBuffer();
            }
            if (length >= buffer.capacity())
            {
                crc.update(bytes, offset, length);
                writeFully(ByteBuffer.wrap(bytes, offset, length), start + this.length);
                this.length += length;
            }
            else
            {
                buffer.put(bytes, offset, length);
            }
        }

        public void close()
        {
        }

        void flushBuffer() throws IOException
        {
            buffer.flip();
            final int bytes = buffer.remaining();
            crc.update(buffer.array(), 0, bytes);
            writeFully(buffer, start + length);
            length += bytes;
            buffer.clear();
        }

        private void checkWritable() throws IOException
        {
            if (isDone)
            {
                throw new IOException("snapshot writer for " + temp + " already committed or aborted");
            }
        }
    }
}
