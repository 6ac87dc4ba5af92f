package io.flotilla.engine.client;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of each request offered to a {@link FlotillaClient}, from {@link FlotillaClient#poll}.
 */
@FunctionalInterface
public interface ResponseListener
{
    /**
     * One request has an outcome. Called once per sequence.
     *
     * @param sequence of the request, as returned by {@link FlotillaClient#offer}.
     * @param outcome  how it ended.
     * @param logIndex index of the log entry that produced the response, or -1 when there is none.
     * @param buffer   holding the response payload; valid only during the call.
     * @param offset   of the payload.
     * @param length   of the payload.
     */
    void onResponse(long sequence, Outcome outcome, long logIndex, DirectBuffer buffer, int offset, int length);
}
