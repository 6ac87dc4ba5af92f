package io.flotilla.engine.node;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Hands in-process calls from any thread to the node agent without locks or allocation: the call's bytes go
 * through a {@link ManyToOneRingBuffer} together with the index of a slot that holds the caller's callback. A slot
 * is claimed with a compare-and-set and freed when the call completes. {@link ProposalQueue} and {@link QueryQueue}
 * are its two uses.
 *
 * @param <C> the callback type.
 */
final class CallbackRing<C>
{
    /** {@link #offer} outcome: queued, the callback will be taken on the agent thread. */
    static final int QUEUED = 0;
    /** {@link #offer} outcome: no slot or no room in the ring. */
    static final int BACK_PRESSURED = 1;
    /** {@link #offer} outcome: the ring is closed. */
    static final int CLOSED = 2;

    private static final int SLOT_LENGTH = Integer.BYTES;

    /**
     * Receives queued calls on the agent thread.
     */
    @FunctionalInterface
    interface Handler
    {
        /**
         * @param msgTypeId what the caller said the message is.
         * @param slot      of the callback, to {@link #take}.
         * @param buffer    holding the call's bytes.
         * @param offset    of the bytes.
         * @param length    of the bytes.
         */
        void onMessage(int msgTypeId, int slot, DirectBuffer buffer, int offset, int length);
    }

    private final RingBuffer ringBuffer;
    private final AtomicReferenceArray<C> slots;
    private final int slotMask;
    private final AtomicLong nextSlot = new AtomicLong();
    private final MessageHandler messageHandler = this::onMessage;
    private Handler handler;
    private volatile boolean closed;

    /**
     * @param queueBytes capacity of the ring buffer for the calls' bytes, a power of two.
     * @param maxPending calls in progress at once (queued or awaiting completion), a power of two.
     */
    CallbackRing(final int queueBytes, final int maxPending)
    {
        ringBuffer = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(queueBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        slots = new AtomicReferenceArray<>(maxPending);
        slotMask = maxPending - 1;
    }

    /**
     * @return the most bytes one call may carry.
     */
    int maxMessageLength()
    {
        return ringBuffer.maxMsgLength() - SLOT_LENGTH;
    }

    /**
     * Queue a call; any thread. The length must be within {@link #maxMessageLength()}.
     *
     * @return {@link #QUEUED}, or {@link #BACK_PRESSURED} or {@link #CLOSED} when not queued (the callback is not
     * called: the caller completes it).
     */
    int offer(final int msgTypeId, final DirectBuffer buffer, final int offset, final int length, final C callback)
    {
        if (closed)
        {
            return CLOSED;
        }

        final int slot = claimSlot(callback);
        if (slot < 0)
        {
            return BACK_PRESSURED;
        }

        final int index = ringBuffer.tryClaim(msgTypeId, SLOT_LENGTH + length);
        if (index < 0)
        {
            slots.set(slot, null);
            return BACK_PRESSURED;
        }
        final MutableDirectBuffer ringBufferBuffer = ringBuffer.buffer();
        ringBufferBuffer.putInt(index, slot);
        ringBufferBuffer.putBytes(index + SLOT_LENGTH, buffer, offset, length);
        ringBuffer.commit(index);
        return QUEUED;
    }

    /**
     * Deliver queued calls on the agent thread.
     *
     * @return the number delivered.
     */
    int drain(final Handler handler, final int limit)
    {
        this.handler = handler;
        return ringBuffer.read(messageHandler, limit);
    }

    /**
     * Free a slot, on the agent thread, once its call completes.
     *
     * @return its callback, or null when it was taken already.
     */
    C take(final int slot)
    {
        return slots.getAndSet(slot, null);
    }

    /**
     * Refuse new calls and hand every queued or pending one's callback to {@code closer} (on the closing thread,
     * once the agent has stopped).
     */
    void close(final Consumer<C> closer)
    {
        closed = true;
        drain((msgTypeId, slot, buffer, offset, length) -> {}, Integer.MAX_VALUE);
        for (int i = 0; i < slots.length(); i++)
        {
            final C callback = take(i);
            if (null != callback)
            {
                closer.accept(callback);
            }
        }
    }

    private int claimSlot(final C callback)
    {
        final long start = nextSlot.getAndIncrement();
        for (int i = 0; i <= slotMask; i++)
        {
            final int slot = (int)((start + i) & slotMask);
            if (null == slots.getPlain(slot) && slots.compareAndSet(slot, null, callback))
            {
                return slot;
            }
        }
        return -1;
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        handler.onMessage(msgTypeId, buffer.getInt(index), buffer, index + SLOT_LENGTH, length - SLOT_LENGTH);
    }
}
