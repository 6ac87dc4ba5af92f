package io.flotilla.perf.harness;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of a load message: the send time as a little-endian long at offset 0, then filler up to the length.
 */
public final class Payload
{
    /**
     * Smallest message that can carry the send time.
     */
    public static final int MIN_LENGTH = Long.BYTES;

    /**
     * Largest message the harness offers; keeps every target's buffers bounded.
     */
    public static final int MAX_LENGTH = 64 * 1024;

    private Payload()
    {
    }

    /**
     * Check a message length given on the command line.
     *
     * @param length requested message length.
     * @return the length.
     * @throws IllegalArgumentException if it is outside [{@link #MIN_LENGTH}, {@link #MAX_LENGTH}].
     */
    public static int checkLength(final int length)
    {
        if (length < MIN_LENGTH || length > MAX_LENGTH)
        {
            throw new IllegalArgumentException(
                "message size " + length + " must be in [" + MIN_LENGTH + ", " + MAX_LENGTH + "] bytes");
        }
        return length;
    }

    /**
     * Write the send time into a message.
     *
     * @param buffer     holding the message.
     * @param offset     of the message in the buffer.
     * @param sendTimeNs the send time.
     */
    public static void writeSendTime(final MutableDirectBuffer buffer, final int offset, final long sendTimeNs)
    {
        buffer.putLong(offset, sendTimeNs, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Read the send time from an echoed message.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @return the send time.
     */
    public static long readSendTime(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
    }
}
