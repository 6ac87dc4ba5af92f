package io.flotilla.engine.node;

import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.QueryCallback;
import io.flotilla.engine.QueryResult;
import io.flotilla.engine.QueryStatus;
import io.flotilla.engine.ReadConsistency;
import org.agrona.DirectBuffer;

/**
 * Hands in-process queries ({@link io.flotilla.engine.ClusterNode#query}) from any thread to the node agent without
 * locks or allocation: a {@link CallbackRing} of the query bytes and the callbacks' slots, the read mode in the
 * message type.
 */
public final class QueryQueue
{
    /** Refusals complete on the querying thread: one reusable view per thread. */
    private static final ThreadLocal<QueryResult> CALLER_RESULT = ThreadLocal.withInitial(QueryResult::new);

    /**
     * Receives queries on the agent thread.
     */
    @FunctionalInterface
    public interface QueryHandler
    {
        /**
         * @param slot   to complete with {@link #complete}.
         * @param mode   how the query is made linearizable.
         * @param buffer holding the query.
         * @param offset of the query.
         * @param length of the query.
         */
        void onQuery(int slot, ReadMode mode, DirectBuffer buffer, int offset, int length);
    }

    private final CallbackRing<QueryCallback> ring;
    private final QueryResult agentResult = new QueryResult();
    private final CallbackRing.Handler messageHandler = this::onMessage;
    private QueryHandler handler;

    /**
     * @param queueBytes capacity of the ring buffer for query bytes, a power of two.
     * @param maxPending queries in progress at once (queued or awaiting their answer), a power of two.
     */
    public QueryQueue(final int queueBytes, final int maxPending)
    {
        ring = new CallbackRing<>(queueBytes, maxPending);
    }

    /**
     * @return the longest query the queue takes.
     */
    public int maxQueryLength()
    {
        return ring.maxMessageLength();
    }

    /**
     * Queue a query; called from any thread.
     *
     * @return true when queued: the callback will be called on the agent thread. False when not queued: the
     * callback has already been called, on this thread, with BACK_PRESSURED or CLOSED.
     */
    public boolean offer(
        final ReadConsistency consistency,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final QueryCallback callback)
    {
        if (length < 0 || length > maxQueryLength())
        {
            throw new IllegalArgumentException(
                "query length " + length + " outside 0.." + maxQueryLength() + ": raise flotilla.query.queue.bytes");
        }

        // Message type ids must be positive: the mode's wire value plus one.
        final int outcome = ring.offer(ReadModes.of(consistency).value() + 1, buffer, offset, length, callback);
        if (CallbackRing.QUEUED == outcome)
        {
            return true;
        }
        final QueryStatus status = CallbackRing.CLOSED == outcome ? QueryStatus.CLOSED : QueryStatus.BACK_PRESSURED;
        callback.onComplete(CALLER_RESULT.get().set(status, 0, QueryResult.NO_LEADER, "", null, 0, 0));
        return false;
    }

    /**
     * Deliver queued queries on the agent thread.
     *
     * @param handler to receive them.
     * @param limit   on the number delivered.
     * @return the number delivered.
     */
    public int drain(final QueryHandler handler, final int limit)
    {
        this.handler = handler;
        return ring.drain(messageHandler, limit);
    }

    /**
     * Complete a query on the agent thread and free its slot.
     *
     * @param slot   of the query.
     * @param result to hand to its callback.
     */
    public void complete(final int slot, final QueryResult result)
    {
        final QueryCallback callback = ring.take(slot);
        if (null != callback)
        {
            callback.onComplete(result);
        }
    }

    /**
     * @return a reusable result for completions on the agent thread.
     */
    public QueryResult agentResult()
    {
        return agentResult;
    }

    /**
     * Refuse new queries and complete every queued or pending one with CLOSED (on the closing thread, once the
     * agent has stopped).
     */
    public void close()
    {
        ring.close((callback) -> callback.onComplete(
            agentResult.set(QueryStatus.CLOSED, 0, QueryResult.NO_LEADER, "", null, 0, 0)));
    }

    private void onMessage(
        final int msgTypeId, final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        handler.onQuery(slot, ReadMode.get((short)(msgTypeId - 1)), buffer, offset, length);
    }
}
