package io.flotilla.engine.node;

import io.flotilla.engine.ProposalCallback;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import org.agrona.DirectBuffer;

/**
 * Hands in-process proposals from any thread to the node agent without locks or allocation (a {@link CallbackRing}
 * of the command bytes and the callbacks' slots).
 */
public final class ProposalQueue
{
    private static final int PROPOSAL_MSG_TYPE_ID = 1;

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

    private final CallbackRing<ProposalCallback> ring;
    private final ProposalResult agentResult = new ProposalResult();
    private final CallbackRing.Handler messageHandler = this::onMessage;
    private ProposalHandler handler;

    /**
     * @param queueBytes capacity of the ring buffer for command bytes, a power of two.
     * @param maxPending proposals in progress at once (queued or awaiting commit), a power of two.
     */
    public ProposalQueue(final int queueBytes, final int maxPending)
    {
        ring = new CallbackRing<>(queueBytes, maxPending);
    }

    /**
     * @return the longest command a proposal may carry.
     */
    public int maxCommandLength()
    {
        return ring.maxMessageLength();
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

        final int outcome = ring.offer(PROPOSAL_MSG_TYPE_ID, buffer, offset, length, callback);
        if (CallbackRing.QUEUED == outcome)
        {
            return true;
        }
        final ProposalStatus status =
            CallbackRing.CLOSED == outcome ? ProposalStatus.CLOSED : ProposalStatus.BACK_PRESSURED;
        callback.onComplete(CALLER_RESULT.get().set(status, 0, ProposalResult.NO_LEADER, "", null, 0, 0));
        return false;
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
        return ring.drain(messageHandler, limit);
    }

    /**
     * Complete a proposal on the agent thread and free its slot.
     *
     * @param slot   of the proposal.
     * @param result to hand to its callback.
     */
    public void complete(final int slot, final ProposalResult result)
    {
        final ProposalCallback callback = ring.take(slot);
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
        ring.close((callback) -> callback.onComplete(
            agentResult.set(ProposalStatus.CLOSED, 0, ProposalResult.NO_LEADER, "", null, 0, 0)));
    }

    private void onMessage(
        final int msgTypeId, final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        handler.onProposal(slot, buffer, offset, length);
    }
}
