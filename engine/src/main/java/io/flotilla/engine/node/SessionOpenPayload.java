package io.flotilla.engine.node;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The payload of a SESSION_OPEN log entry: what every replica needs to answer the session (its response channel and
 * stream) and what the leader needs to acknowledge the connect (its correlation id).
 * <pre>
 *   0  correlationId     int64
 *   8  responseStreamId  int32
 *  12  channel length    int32
 *  16  responseChannel   ASCII bytes
 * </pre>
 */
public final class SessionOpenPayload
{
    static final int CORRELATION_ID_OFFSET = 0;
    static final int STREAM_ID_OFFSET = 8;
    static final int CHANNEL_LENGTH_OFFSET = 12;
    static final int CHANNEL_OFFSET = 16;

    private SessionOpenPayload()
    {
    }

    /**
     * Encode a payload.
     *
     * @param buffer           to write into.
     * @param offset           at which to write.
     * @param correlationId    of the client's connect.
     * @param responseStreamId of the client.
     * @param channel          buffer holding the client's response channel as ASCII.
     * @param channelOffset    of the channel bytes.
     * @param channelLength    of the channel bytes.
     * @return the length of the payload.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final int responseStreamId,
        final DirectBuffer channel,
        final int channelOffset,
        final int channelLength)
    {
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        buffer.putInt(offset + STREAM_ID_OFFSET, responseStreamId, LITTLE_ENDIAN);
        buffer.putInt(offset + CHANNEL_LENGTH_OFFSET, channelLength, LITTLE_ENDIAN);
        buffer.putBytes(offset + CHANNEL_OFFSET, channel, channelOffset, channelLength);
        return CHANNEL_OFFSET + channelLength;
    }

    /**
     * @return whether a payload of that length is well formed (entries written by a leader always are; a log
     * written by another program might not be).
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= CHANNEL_OFFSET &&
            buffer.getInt(offset + CHANNEL_LENGTH_OFFSET, LITTLE_ENDIAN) == length - CHANNEL_OFFSET;
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int responseStreamId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + STREAM_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static String responseChannel(final DirectBuffer buffer, final int offset)
    {
        final int length = buffer.getInt(offset + CHANNEL_LENGTH_OFFSET, LITTLE_ENDIAN);
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + CHANNEL_OFFSET, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
