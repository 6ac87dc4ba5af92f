package io.flotilla.engine.client;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of each query offered to a {@link FlotillaClient}, from
 * {@link FlotillaClient#poll(ResponseListener, QueryListener)}.
 */
@FunctionalInterface
public interface QueryListener
{
    /**
     * One query has an outcome. Called once per query id.
     *
     * @param queryId   of the query, as returned by {@link FlotillaClient#offerQuery}.
     * @param outcome   how it ended: OK, REJECTED, ERROR, RESPONSE_TOO_LARGE, SESSION_EXPIRED or NO_LEADER.
     * @param readIndex the answer reflects every log entry up to this index; -1 when there is no answer.
     * @param buffer    holding the answer's payload; valid only during the call.
     * @param offset    of the payload.
     * @param length    of the payload.
     */
    void onQueryResult(long queryId, Outcome outcome, long readIndex, DirectBuffer buffer, int offset, int length);
}
