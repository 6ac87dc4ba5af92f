package io.flotilla.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The binary form of one log entry, identical on disk, on the wire and on replay: an SBE {@code LogEntry}
 * message with its header. Static, allocation-free accessors over a frame at an offset in a buffer.
 * <pre>
 *   0  message header (blockLength, templateId, schemaId, version)    8 bytes
 *   8  checksum   uint32  CRC32C of every byte from offset 12 to the end of the frame
 *  12  entryType  uint8, then 3 bytes of padding
 *  16  index      int64
 *  24  term       int64
 *  32  timestamp  int64  leader's clock at append (epoch ns), the only time a state machine may use
 *  40  sessionId  int64
 *  48  sequence   int64
 *  56  payload length uint32
 *  60  payload bytes
 * </pre>
 * A frame's length is {@link #HEADER_LENGTH} plus its payload length. Read a frame's fields only after
 * {@link FrameValidator} has accepted it (or it was written by this process).
 */
public final class EntryFrame
{
    /** Bytes before the payload: message header, fixed block and the payload's length prefix. */
    public static final int HEADER_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + LogEntryEncoder.BLOCK_LENGTH + VarDataEncodingEncoder.lengthEncodingLength();

    /** Largest payload a single entry may carry. */
    public static final int MAX_PAYLOAD_LENGTH = 1 << 20;

    /** Offset, from the frame start, of the first byte the checksum covers. */
    public static final int CHECKSUM_COVERAGE_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + LogEntryEncoder.checksumEncodingOffset() + LogEntryEncoder.checksumEncodingLength();

    private static final int BODY = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int CHECKSUM_OFFSET = BODY + LogEntryEncoder.checksumEncodingOffset();
    private static final int TYPE_OFFSET = BODY + LogEntryEncoder.entryTypeEncodingOffset();
    private static final int INDEX_OFFSET = BODY + LogEntryEncoder.indexEncodingOffset();
    private static final int TERM_OFFSET = BODY + LogEntryEncoder.termEncodingOffset();
    private static final int TIMESTAMP_OFFSET = BODY + LogEntryEncoder.timestampEncodingOffset();
    private static final int SESSION_ID_OFFSET = BODY + LogEntryEncoder.sessionIdEncodingOffset();
    private static final int SEQUENCE_OFFSET = BODY + LogEntryEncoder.sequenceEncodingOffset();
    private static final int PAYLOAD_LENGTH_OFFSET = BODY + LogEntryEncoder.BLOCK_LENGTH;

    private EntryFrame()
    {
    }

    /**
     * Length of a frame carrying a payload of the given length.
     *
     * @param payloadLength in bytes.
     * @return the frame length in bytes.
     */
    public static int frameLength(final int payloadLength)
    {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * Encode a complete frame, checksum included.
     *
     * @param buffer        to write into.
     * @param offset        at which the frame starts.
     * @param index         log index of the entry.
     * @param term          term of the entry.
     * @param timestamp     leader timestamp, epoch nanoseconds.
     * @param type          of the entry.
     * @param sessionId     of the client session, or 0.
     * @param sequence      of the request within the session, or 0.
     * @param payload       bytes to carry (may be null when payloadLength is 0).
     * @param payloadOffset of the payload in its buffer.
     * @param payloadLength of the payload, at most {@link #MAX_PAYLOAD_LENGTH}.
     * @return the length of the encoded frame.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long index,
        final long term,
        final long timestamp,
        final EntryType type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException(
                "payload length " + payloadLength + " outside 0.." + MAX_PAYLOAD_LENGTH);
        }

        buffer.putShort(offset, (short)LogEntryEncoder.BLOCK_LENGTH, LITTLE_ENDIAN);
        buffer.putShort(offset + 2, (short)LogEntryEncoder.TEMPLATE_ID, LITTLE_ENDIAN);
        buffer.putShort(offset + 4, (short)LogEntryEncoder.SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(offset + 6, (short)LogEntryEncoder.SCHEMA_VERSION, LITTLE_ENDIAN);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type.value());
        buffer.setMemory(offset + TYPE_OFFSET + 1, INDEX_OFFSET - TYPE_OFFSET - 1, (byte)0);
        buffer.putLong(offset + INDEX_OFFSET, index, LITTLE_ENDIAN);
        buffer.putLong(offset + TERM_OFFSET, term, LITTLE_ENDIAN);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp, LITTLE_ENDIAN);
        buffer.putLong(offset + SESSION_ID_OFFSET, sessionId, LITTLE_ENDIAN);
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence, LITTLE_ENDIAN);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        if (payloadLength > 0)
        {
            buffer.putBytes(offset + HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }

        final int frameLength = HEADER_LENGTH + payloadLength;
        buffer.putInt(offset + CHECKSUM_OFFSET, computeChecksum(buffer, offset, frameLength), LITTLE_ENDIAN);

        return frameLength;
    }

    /**
     * The checksum a frame should carry, computed over its covered bytes.
     *
     * @param buffer      holding the frame.
     * @param offset      of the frame.
     * @param frameLength of the frame.
     * @return the CRC32C of the covered bytes.
     */
    public static int computeChecksum(final DirectBuffer buffer, final int offset, final int frameLength)
    {
        return Checksums.crc32c(buffer, offset + CHECKSUM_COVERAGE_OFFSET, frameLength - CHECKSUM_COVERAGE_OFFSET);
    }

    /**
     * Whether the stored checksum matches the frame's bytes.
     *
     * @param buffer      holding the frame.
     * @param offset      of the frame.
     * @param frameLength of the frame.
     * @return true when the checksum is right.
     */
    public static boolean isChecksumValid(final DirectBuffer buffer, final int offset, final int frameLength)
    {
        return checksum(buffer, offset) == computeChecksum(buffer, offset, frameLength);
    }

    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @return the frame's total length, from its payload length field.
     */
    public static int frameLength(final DirectBuffer buffer, final int offset)
    {
        return HEADER_LENGTH + payloadLength(buffer, offset);
    }

    public static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static int payloadOffset(final int offset)
    {
        return offset + HEADER_LENGTH;
    }

    public static EntryType type(final DirectBuffer buffer, final int offset)
    {
        return EntryType.get((short)(buffer.getByte(offset + TYPE_OFFSET) & 0xFF));
    }

    public static long index(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + INDEX_OFFSET, LITTLE_ENDIAN);
    }

    public static long term(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TERM_OFFSET, LITTLE_ENDIAN);
    }

    public static long timestamp(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, LITTLE_ENDIAN);
    }

    public static long sessionId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SESSION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, LITTLE_ENDIAN);
    }
}
