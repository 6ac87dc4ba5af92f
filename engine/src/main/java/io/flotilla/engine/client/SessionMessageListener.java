package io.flotilla.engine.client;

import org.agrona.DirectBuffer;

/**
 * Receives the messages the state machine sent to this client's session ({@code StateMachineContext.sendToSession}),
 * from {@link FlotillaClient#poll} on the client's thread: each once, in the order the state machine sent them,
 * across leader changes and retries; the client acknowledges them to the cluster itself.
 */
@FunctionalInterface
public interface SessionMessageListener
{
    /**
     * The next session message.
     *
     * @param sequence the message's number in the session: 1, 2, 3..., without gaps.
     * @param logIndex index of the log entry whose apply sent it.
     * @param outcome  {@link Outcome#OK}, or {@link Outcome#RESPONSE_TOO_LARGE} with no bytes when the message did
     *                 not fit this client's response channel.
     * @param buffer   holding the message; valid only during the call.
     * @param offset   of the message.
     * @param length   of the message.
     */
    void onSessionMessage(long sequence, long logIndex, Outcome outcome, DirectBuffer buffer, int offset, int length);
}
