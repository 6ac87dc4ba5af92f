package io.flotilla.engine.node;

import org.agrona.DirectBuffer;

/**
 * Forwarded client messages, in: the {@link ConsensusAdapter} hands each authenticated, validated ForwardedRequest
 * from a member here (on the node, to its {@link SessionManager}).
 */
@FunctionalInterface
public interface ForwardedRequestHandler
{
    /**
     * A client message another member took from the connection the session is bound to there.
     *
     * @param sessionId of the client's session.
     * @param sequence  of the client's Request (positive), or {@link RequestForwarder#KEEP_ALIVE} or
     *                  {@link RequestForwarder#CLOSE}.
     * @param buffer    holding the command, valid only during the call.
     * @param offset    of the command.
     * @param length    of the command.
     */
    void onForwardedRequest(long sessionId, long sequence, DirectBuffer buffer, int offset, int length);
}
