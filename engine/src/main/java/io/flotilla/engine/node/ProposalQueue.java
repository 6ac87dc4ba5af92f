package io.flotilla.engine.node;

import io.flotilla.engine.ProposalCallback;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import org.agrona.BitUtil;
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

/**
 * Hands in-process proposals from any thread to the node agent without locks or allocation: the command bytes go
 * through a {@link ManyToOneRingBuffer} together with the index of a slot that holds the caller's callback. A slot
 * is claimed with a compare-and-set and freed when the proposal completes.
 */
public final class ProposalQueue
{
    private static final int PROPOSAL_MSG_TYPE_ID = 1;
    private static final int SLOT_LENGTH = BitUtil.SIZE_OF_INT;

    /** Refusals complete on the proposing thread: one reusable view per thread. */
    private static final ThreadLocal<ProposalResult> CALLER_RESULT = ThreadLocal.withInitial(ProposalResult::new);

    /**
     * Receives proposals on the agent thread.
     */
    @FunctionalInterface
    public interface ProposalHandler
    {
        /**
         * @param slot   to complete with {@link #complete}.
         * @param buffer holding the command.
         * @param offset of the command.
         * @param length of the command.
         */
        void onProposal(int slot, DirectBuffer buffer, int offset, int length);
    }

    private final RingBuffer ringBuffer;
    private final AtomicReferenceArray<ProposalCallback> slots;
    private final int slotMask;
    private final AtomicLong nextSlot = new AtomicLong();
    private final ProposalResult agentResult = new ProposalResult();
    private final MessageHandler messageHandler = this::onMessage;
    private ProposalHandler handler;
    private volatile boolean closed;

    /**
     * @param queueBytes capacity of the ring buffer for command bytes, a power of two.
     * @param maxPending proposals in progress at once (queued or awaiting commit), a power of two.
     */
    public ProposalQueue(final int queueBytes, final int maxPending)
    {
        ringBuffer = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(queueBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        slots = new AtomicReferenceArray<>(maxPending);
        slotMask = maxPending - 1;
    }

    /**
     * @return the longest command a proposal may carry.
     */
    public int maxCommandLength()
    {
        return ringBuffer.maxMsgLength() - SLOT_LENGTH;
    }

    /**
     * Queue a proposal; called from any thread.
     *
     * @return true when queued: the callback will be called on the agent thread. False when not queued: the
     * callback has already been called, on this thread, with BACK_PRESSURED or CLOSED.
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length, final ProposalCallback callback)
    {
        if (length < 0 || length > maxCommandLength())
        {
            throw new IllegalArgumentException(
                "command length " + length + " outside 0.." + maxCommandLength() + ": raise flotilla.proposal.queue.bytes");
        }
        if (closed)
        {
            return rejectOnCaller(callback, ProposalStatus.CLOSED);
        }

        final int slot = claimSlot(callback);
        if (slot < 0)
        {
            return rejectOnCaller(callback, ProposalStatus.BACK_PRESSURED);
        }

        final int index = ringBuffer.tryClaim(PROPOSAL_MSG_TYPE_ID, SLOT_LENGTH + length);
        if (index < 0)
        {
            slots.set(slot, null);
            return rejectOnCaller(callback, ProposalStatus.BACK_PRESSURED);
        }
        final MutableDirectBuffer ringBufferBuffer = ringBuffer.buffer();
        ringBufferBuffer.putInt(index, slot);
        ringBufferBuffer.putBytes(index + SLOT_LENGTH, buffer, offset, length);
        ringBuffer.commit(index);
        return true;
    }

    /**
     * Deliver queued proposals on the agent thread.
     *
     * @param handler to receive them.
     * @param limit   on the number delivered.
     * @return the number delivered.
     */
    public int drain(final ProposalHandler handler, final int limit)
    {
        this.handler = handler;
        return ringBuffer.read(messageHandler, limit);
    }

    /**
     * Complete a proposal on the agent thread and free its slot.
     *
     * @param slot   of the proposal.
     * @param result to hand to its callback.
     */
    public void complete(final int slot, final ProposalResult result)
    {
        final ProposalCallback callback = slots.getAndSet(slot, null);
        if (null != callback)
        {
            callback.onComplete(result);
        }
    }

    /**
     * @return a reusable result for completions on the agent thread.
     */
    public ProposalResult agentResult()
    {
        return agentResult;
    }

    /**
     * Refuse new proposals and complete every queued one with CLOSED (on the closing thread, once the agent has
     * stopped).
     */
    public void close()
    {
        closed = true;
        drain((slot, buffer, offset, length) -> complete(slot, closedResult()), Integer.MAX_VALUE);
        for (int i = 0; i < slots.length(); i++)
        {
            complete(i, closedResult());
        }
    }

    private ProposalResult closedResult()
    {
        return agentResult.set(ProposalStatus.CLOSED, 0, ProposalResult.NO_LEADER, "", null, 0, 0);
    }

    private int claimSlot(final ProposalCallback callback)
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

    private boolean rejectOnCaller(final ProposalCallback callback, final ProposalStatus status)
    {
        callback.onComplete(CALLER_RESULT.get().set(status, 0, ProposalResult.NO_LEADER, "", null, 0, 0));
        return false;
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        handler.onProposal(buffer.getInt(index), buffer, index + SLOT_LENGTH, length - SLOT_LENGTH);
    }
}
