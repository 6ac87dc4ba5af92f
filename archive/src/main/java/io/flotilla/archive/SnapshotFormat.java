package io.flotilla.archive;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The layout of a snapshot file, little-endian, see docs/log-store.md:
 * <pre>
 *   0  int   magic                 "FLSN"
 *   4  int   version               1
 *   8  int   header checksum       CRC32C of bytes 0..7 and 12..headerLength-1
 *  12  int   member count n
 *  16  long  last included index
 *  24  long  last included term
 *  32  long  payload length
 *  40  int   payload checksum      CRC32C of the payload
 *  44  int[n] member ids
 *  44 + 4n   payload
 * </pre>
 * The header checksum covers the payload's checksum, so it stands for the whole file: it is the file's
 * {@link SnapshotInfo#checksum()}, and the file is valid when both checksums match. The payload is streamed before
 * its length and checksum are known, so the header is written last, over the space left for it.
 */
final class SnapshotFormat
{
    static final int MAGIC = 'F' | 'L' << 8 | 'S' << 16 | 'N' << 24;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int HEADER_CHECKSUM_OFFSET = 8;
    static final int MEMBER_COUNT_OFFSET = 12;
    static final int INDEX_OFFSET = 16;
    static final int TERM_OFFSET = 24;
    static final int PAYLOAD_LENGTH_OFFSET = 32;
    static final int PAYLOAD_CHECKSUM_OFFSET = 40;
    static final int MEMBERS_OFFSET = 44;
    /** More members than any cluster has: a larger count is damage, not a configuration. */
    static final int MAX_MEMBERS = 1024;

    private static final int READ_CHUNK = 64 * 1024;

    private SnapshotFormat()
    {
    }

    static int headerLength(final int memberCount)
    {
        return MEMBERS_OFFSET + memberCount * Integer.BYTES;
    }

    /**
     * Encode a complete header, its checksum included.
     *
     * @return the header, positioned at 0 with its length as limit.
     */
    static ByteBuffer encodeHeader(
        final long index, final long term, final int[] memberIds, final long payloadLength, final int payloadChecksum)
    {
        final ByteBuffer header = ByteBuffer.allocate(headerLength(memberIds.length)).order(ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer buffer = new UnsafeBuffer(header);
        buffer.putInt(MAGIC_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(VERSION_OFFSET, VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MEMBER_COUNT_OFFSET, memberIds.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(INDEX_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(TERM_OFFSET, term, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(PAYLOAD_LENGTH_OFFSET, payloadLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(PAYLOAD_CHECKSUM_OFFSET, payloadChecksum, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < memberIds.length; i++)
        {
            buffer.putInt(MEMBERS_OFFSET + i * Integer.BYTES, memberIds[i], ByteOrder.LITTLE_ENDIAN);
        }
        buffer.putInt(HEADER_CHECKSUM_OFFSET, headerChecksum(header), ByteOrder.LITTLE_ENDIAN);

        return header.clear();
    }

    /**
     * Read the whole file once and check it: magic, version, header sanity, both checksums.
     *
     * @param path    of the file, for messages.
     * @param channel open on it.
     * @return the verified header.
     * @throws SnapshotCorruptException naming the file and what is wrong.
     * @throws IOException              when the file cannot be read.
     */
    static SnapshotInfo verify(final Path path, final FileChannel channel) throws IOException
    {
        final ByteBuffer header = readHeader(path, channel);
        checkPayloadChecksum(path, header, payloadChecksum(channel, header.capacity(), channel.size()));
        return info(path, channel, header);
    }

    /**
     * Check the file as {@link #verify(Path, FileChannel)} does, but against a payload checksum the caller computed
     * (as it wrote the bytes), so that the payload is not read again.
     *
     * @param path            of the file, for messages.
     * @param channel         open on it.
     * @param payloadChecksum CRC32C of the payload bytes the file holds.
     * @return the verified header.
     * @throws SnapshotCorruptException naming the file and what is wrong.
     * @throws IOException              when the file cannot be read.
     */
    static SnapshotInfo verify(final Path path, final FileChannel channel, final int payloadChecksum)
        throws IOException
    {
        final ByteBuffer header = readHeader(path, channel);
        checkPayloadChecksum(path, header, payloadChecksum);
        return info(path, channel, header);
    }

    /**
     * Check the header alone (magic, version, sanity, its checksum, the payload's length), for a file whose payload
     * was verified in this process already.
     *
     * @param path    of the file, for messages.
     * @param channel open on it.
     * @return the header.
     * @throws SnapshotCorruptException naming the file and what is wrong.
     * @throws IOException              when the file cannot be read.
     */
    static SnapshotInfo verifyHeader(final Path path, final FileChannel channel) throws IOException
    {
        return info(path, channel, readHeader(path, channel));
    }

    private static ByteBuffer readHeader(final Path path, final FileChannel channel) throws IOException
    {
        final long fileLength = channel.size();
        if (fileLength < MEMBERS_OFFSET)
        {
            throw new SnapshotCorruptException(path, "file is " + fileLength + " bytes, shorter than a header (" +
                MEMBERS_OFFSET + ")");
        }

        final ByteBuffer fixed = ByteBuffer.allocate(MEMBERS_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, fixed, 0);
        final int magic = fixed.getInt(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new SnapshotCorruptException(path, "bad magic 0x" + Integer.toHexString(magic) + ", expected 0x" +
                Integer.toHexString(MAGIC) + ": not a snapshot file");
        }
        final int version = fixed.getInt(VERSION_OFFSET);
        if (VERSION != version)
        {
            throw new SnapshotCorruptException(path, "format version " + version + ", this build reads version " + VERSION);
        }
        final int memberCount = fixed.getInt(MEMBER_COUNT_OFFSET);
        if (memberCount < 0 || memberCount > MAX_MEMBERS || headerLength(memberCount) > fileLength)
        {
            throw new SnapshotCorruptException(path, "member count " + memberCount + " impossible for a file of " +
                fileLength + " bytes");
        }

        final ByteBuffer header = ByteBuffer.allocate(headerLength(memberCount)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header, 0);
        final int expectedHeaderChecksum = header.getInt(HEADER_CHECKSUM_OFFSET);
        final int actualHeaderChecksum = headerChecksum(header);
        if (expectedHeaderChecksum != actualHeaderChecksum)
        {
            throw new SnapshotCorruptException(path, "header checksum " + hex(actualHeaderChecksum) +
                " does not match the recorded " + hex(expectedHeaderChecksum));
        }
        final long payloadLength = header.getLong(PAYLOAD_LENGTH_OFFSET);
        if (payloadLength != fileLength - header.capacity())
        {
            throw new SnapshotCorruptException(path, "header says " + payloadLength + " payload bytes, the file holds " +
                (fileLength - header.capacity()));
        }

        return header;
    }

    private static void checkPayloadChecksum(final Path path, final ByteBuffer header, final int actualPayloadChecksum)
    {
        final int expectedPayloadChecksum = header.getInt(PAYLOAD_CHECKSUM_OFFSET);
        if (expectedPayloadChecksum != actualPayloadChecksum)
        {
            throw new SnapshotCorruptException(path, "payload checksum " + hex(actualPayloadChecksum) +
                " does not match the recorded " + hex(expectedPayloadChecksum));
        }
    }

    private static SnapshotInfo info(final Path path, final FileChannel channel, final ByteBuffer header)
        throws IOException
    {
        final int memberCount = header.getInt(MEMBER_COUNT_OFFSET);
        final int[] memberIds = new int[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            memberIds[i] = header.getInt(MEMBERS_OFFSET + i * Integer.BYTES);
        }

        return new SnapshotInfo(header.getLong(INDEX_OFFSET), header.getLong(TERM_OFFSET), memberIds, channel.size(),
            path, header.getInt(HEADER_CHECKSUM_OFFSET));
    }

    private static int payloadChecksum(final FileChannel channel, final long payloadStart, final long fileLength)
        throws IOException
    {
        final CRC32C crc = new CRC32C();
        final long payloadLength = fileLength - payloadStart;
        final ByteBuffer chunk = ByteBuffer.allocateDirect((int)Math.min(READ_CHUNK, Math.max(1, payloadLength)));
        for (long position = payloadStart; position < fileLength; )
        {
            chunk.clear().limit((int)Math.min(chunk.capacity(), fileLength - position));
            readFully(channel, chunk, position);
            position += chunk.flip().remaining();
            crc.update(chunk);
        }
        return (int)crc.getValue();
    }

    /**
     * @return the checksum recorded in the header of the file on the channel, without verifying anything.
     */
    static int readChecksum(final FileChannel channel) throws IOException
    {
        final ByteBuffer field = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, field, HEADER_CHECKSUM_OFFSET);
        return field.getInt(0);
    }

    /**
     * Fill {@code dst} from {@code position} on.
     *
     * @throws IOException also when the file ends first.
     */
    static void readFully(final FileChannel channel, final ByteBuffer dst, final long position) throws IOException
    {
        long filePosition = position;
        while (dst.hasRemaining())
        {
            final int read = channel.read(dst, filePosition);
            if (read < 0)
            {
                throw new IOException("file ends at " + filePosition + " before " + dst.remaining() + " more bytes");
            }
            filePosition += read;
        }
    }

    static String hex(final int checksum)
    {
        return String.format("%08x", checksum);
    }

    private static int headerChecksum(final ByteBuffer header)
    {
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_CHECKSUM_OFFSET);
        crc.update(header.array(), MEMBER_COUNT_OFFSET, header.capacity() - MEMBER_COUNT_OFFSET);
        return (int)crc.getValue();
    }
}
