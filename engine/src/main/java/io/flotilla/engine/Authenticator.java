package io.flotilla.engine;

import org.agrona.DirectBuffer;

/**
 * Decides whether a client may open a session, from the credentials it sent with its connect request. Called on
 * the node agent's thread by the leader before it proposes the session: it must be quick and must not block.
 * A refused client is answered {@code SessionReject(BAD_CREDENTIALS)} and no session is created.
 */
@FunctionalInterface
public interface Authenticator
{
    /** Accepts every client: the default, for clusters reachable only by trusted hosts. */
    Authenticator ALLOW_ALL = (credentials, offset, length) -> true;

    /**
     * @param credentials buffer holding the client's credentials; valid only during the call.
     * @param offset      of the credentials.
     * @param length      of the credentials, 0 when the client sent none.
     * @return true to let the client open a session.
     */
    boolean authenticate(DirectBuffer credentials, int offset, int length);
}
