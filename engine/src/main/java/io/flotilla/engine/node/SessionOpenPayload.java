package io.flotilla.engine.node;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The payload of a SESSION_OPEN log entry: what every replica needs to hold the session (the id and key the leader
 * drew, the authenticated principal, the response channel and stream) and what the leader needs to acknowledge the
 * connect (its correlation id).
 * <pre>
 *   0  sessionId         int64, random, non-zero
 *   8  correlationId     int64
 *  16  sessionKey        16 bytes, random
 *  32  responseStreamId  int32
 *  36  channel length    int32
 *  40  principal length  int32
 *  44  responseChannel   ASCII bytes
 *  ..  principal         ASCII bytes
 * </pre>
 */
public final class SessionOpenPayload
{
    /** Bytes of a session key. */
    public static final int KEY_LENGTH = 16;

    static final int SESSION_ID_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 8;
    static final int KEY_OFFSET = 16;
    static final int STREAM_ID_OFFSET = 32;
    static final int CHANNEL_LENGTH_OFFSET = 36;
    static final int PRINCIPAL_LENGTH_OFFSET = 40;
    static final int CHANNEL_OFFSET = 44;

    private SessionOpenPayload()
    {
    }

    /**
     * Encode a payload.
     *
     * @param buffer           to write into.
     * @param offset           at which to write.
     * @param sessionId        drawn by the leader.
     * @param correlationId    of the client's connect.
     * @param sessionKey       drawn by the leader, {@link #KEY_LENGTH} bytes.
     * @param responseStreamId of the client.
     * @param channel          buffer holding the client's response channel as ASCII.
     * @param channelOffset    of the channel bytes.
     * @param channelLength    of the channel bytes.
     * @param principal        the authenticator accepted, ASCII.
     * @return the length of the payload.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sessionId,
        final long correlationId,
        final byte[] sessionKey,
        final int responseStreamId,
        final DirectBuffer channel,
        final int channelOffset,
        final int channelLength,
        final String principal)
    {
        buffer.putLong(offset + SESSION_ID_OFFSET, sessionId, LITTLE_ENDIAN);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        buffer.putBytes(offset + KEY_OFFSET, sessionKey, 0, KEY_LENGTH);
        buffer.putInt(offset + STREAM_ID_OFFSET, responseStreamId, LITTLE_ENDIAN);
        buffer.putInt(offset + CHANNEL_LENGTH_OFFSET, channelLength, LITTLE_ENDIAN);
        buffer.putBytes(offset + CHANNEL_OFFSET, channel, channelOffset, channelLength);
        final int principalLength =
            buffer.putStringWithoutLengthAscii(offset + CHANNEL_OFFSET + channelLength, principal);
        buffer.putInt(offset + PRINCIPAL_LENGTH_OFFSET, principalLength, LITTLE_ENDIAN);
        return CHANNEL_OFFSET + channelLength + principalLength;
    }

    /**
     * @return whether a payload of that length is well formed (entries written by a leader always are; a log
     * written by another program might not be).
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < CHANNEL_OFFSET)
        {
            return false;
        }
        final long channelLength = buffer.getInt(offset + CHANNEL_LENGTH_OFFSET, LITTLE_ENDIAN);
        final long principalLength = buffer.getInt(offset + PRINCIPAL_LENGTH_OFFSET, LITTLE_ENDIAN);
        return channelLength >= 0 && principalLength >= 0 && CHANNEL_OFFSET + channelLength + principalLength == length;
    }

    public static long sessionId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SESSION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return a copy of the session key.
     */
    public static byte[] sessionKey(final DirectBuffer buffer, final int offset)
    {
        final byte[] key = new byte[KEY_LENGTH];
        buffer.getBytes(offset + KEY_OFFSET, key);
        return key;
    }

    public static int responseStreamId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + STREAM_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static String responseChannel(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthAscii(
            offset + CHANNEL_OFFSET, buffer.getInt(offset + CHANNEL_LENGTH_OFFSET, LITTLE_ENDIAN));
    }

    public static String principal(final DirectBuffer buffer, final int offset)
    {
        final int channelLength = buffer.getInt(offset + CHANNEL_LENGTH_OFFSET, LITTLE_ENDIAN);
        return buffer.getStringWithoutLengthAscii(
            offset + CHANNEL_OFFSET + channelLength, buffer.getInt(offset + PRINCIPAL_LENGTH_OFFSET, LITTLE_ENDIAN));
    }
}
