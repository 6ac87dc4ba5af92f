package io.flotilla.archive;

import org.agrona.CloseHelper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A verified snapshot open for loading: what it includes and its payload as a stream, bounded to the payload. Made by
 * {@link SnapshotStore#openVerified(SnapshotInfo)} once the file passed every check. One thread at a time.
 */
public final class SnapshotReader implements AutoCloseable
{
    private static final int BUFFER_LENGTH = 64 * 1024;

    private final SnapshotInfo info;
    private final FileChannel channel;
    private final InputStream payload;

    SnapshotReader(final SnapshotInfo info, final FileChannel channel)
    {
        this.info = info;
        this.channel = channel;
        final long payloadStart = SnapshotFormat.headerLength(info.memberIds().length);
        this.payload = new BufferedInputStream(new PayloadStream(payloadStart, info.length()), BUFFER_LENGTH);
    }

    /**
     * @return the snapshot, its members read.
     */
    public SnapshotInfo info()
    {
        return info;
    }

    /**
     * @return the last log index the snapshot includes.
     */
    public long index()
    {
        return info.index();
    }

    /**
     * @return the term of that entry.
     */
    public long term()
    {
        return info.term();
    }

    /**
     * @return the ids of the cluster's members at {@link #index()}.
     */
    public int[] memberIds()
    {
        return info.memberIds();
    }

    /**
     * @return the number of payload bytes.
     */
    public long payloadLength()
    {
        return info.length() - SnapshotFormat.headerLength(info.memberIds().length);
    }

    /**
     * @return the payload, from its first byte; it ends (-1) after {@link #payloadLength()} bytes.
     */
    public InputStream payload()
    {
        return payload;
    }

    public void close()
    {
        CloseHelper.quietClose(channel);
    }

    /**
     * Positional reads of the file's payload range.
     */
    private final class PayloadStream extends InputStream
    {
        private final long end;
        private long position;

        PayloadStream(final long start, final long end)
        {
            this.position = start;
            this.end = end;
        }

        public int read() throws IOException
        {
            final byte[] one = new byte[1];
            return -1 == read(one, 0, 1) ? -1 : one[0] & 0xFF;
        }

        public int read(final byte[] bytes, final int offset, final int length) throws IOException
        {
            if (0 == length)
            {
                return 0;
            }
            if (position >= end)
            {
                return -1;
            }

            final int wanted = (int)Math.min(length, end - position);
            final int read = channel.read(ByteBuffer.wrap(bytes, offset, wanted), position);
            if (read < 0)
            {
                throw new IOException("snapshot " + info.path() + " ended at " + position + " before its payload's end");
            }
            position += read;
            return read;
        }

        public int available()
        {
            return (int)Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
