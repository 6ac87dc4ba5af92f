package io.flotilla.engine;

/**
 * Decides whether a client may open a session, from its SessionConnect: the credentials and the fields they may be
 * bound to. Called on the node agent's thread by every member a connect reaches, before the leader proposes the
 * session: it must be quick and must not block. A refused client is answered {@code SessionReject(BAD_CREDENTIALS)}
 * and no session is created. The accepted principal is replicated with the session.
 * <p>
 * Credentials cross the network in clear: an authenticator for a shared network checks a MAC over the connect with
 * a fresh timestamp and a nonce it has not seen, as {@link SharedSecretAuthenticator} does, never a password.
 */
@FunctionalInterface
public interface Authenticator
{
    /** Longest principal a session may carry, in ASCII characters. */
    int MAX_PRINCIPAL_LENGTH = 256;

    /** Accepts every client, with an empty principal: the default, for clusters reachable only by trusted hosts. */
    Authenticator ALLOW_ALL = connect -> "";

    /**
     * @param connect the client's request, valid only during the call.
     * @return the principal the session is opened for (ASCII, at most {@link #MAX_PRINCIPAL_LENGTH} characters,
     * possibly empty), or null to refuse the client.
     */
    String authenticate(ConnectRequest connect);
}
