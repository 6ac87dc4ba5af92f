package io.flotilla.engine.client;

import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * {@link #CAPACITY} fixed-size slots in one direct buffer, each holding one encoded message so it can be sent again
 * unchanged. A slot is found by the message's id (a counter): {@code id mod CAPACITY}. Allocation-free after
 * construction. Shared by the command window ({@link RequestWindow}) and the query window ({@link QueryWindow}).
 */
final class MessageSlots
{
    /**
     * Slots of a window: for commands, what a session's response cache on the cluster holds, so the answer to a
     * resent request that was applied is still there.
     */
    static final int CAPACITY = 64;

    private static final int MASK = CAPACITY - 1;

    private final UnsafeBuffer buffer;
    private final int slotCapacity;
    private final int[] lengths = new int[CAPACITY];

    /**
     * @param maxEncodedLength largest encoded message (message header, fields and payload).
     */
    MessageSlots(final int maxEncodedLength)
    {
        slotCapacity = BitUtil.align(maxEncodedLength, BitUtil.CACHE_LINE_LENGTH);
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(slotCapacity * CAPACITY));
    }

    static int slot(final long id)
    {
        return (int)(id & MASK);
    }

    int slotCapacity()
    {
        return slotCapacity;
    }

    /**
     * @return the buffer every slot lives in.
     */
    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    int offset(final long id)
    {
        return slot(id) * slotCapacity;
    }

    int length(final long id)
    {
        return lengths[slot(id)];
    }

    void length(final long id, final int encodedLength)
    {
        lengths[slot(id)] = encodedLength;
    }
}
