package io.flotilla.codecs;

/**
 * The client protocol's version, defined once for both ends: the client sends it in SessionConnect and the cluster
 * rejects any other with {@link RejectReason#VERSION_MISMATCH}, so a client and a cluster that read the Response
 * statuses differently never open a session.
 */
public final class Protocol
{
    /**
     * The only client protocol version spoken. 2: a sequence gap, a sequence too old and a back-pressured leader
     * are {@link ResponseStatus} values (in version 1 they were ERROR responses with text payloads). 3: random
     * session ids with a session key in SessionAck, SessionAttach and {@link ResponseStatus#SESSION_NOT_ATTACHED},
     * and credentials that carry a MAC over the connect. 4: {@link QueryDecoder Query} and
     * {@link QueryResponseDecoder QueryResponse} (reads without a log entry), and a SessionAttach a follower may
     * accept (it forwards the session's requests to the leader). 5: {@link SessionMessageDecoder SessionMessage}
     * (the state machine's messages to a session) and {@link SessionMessageAckDecoder SessionMessageAck}.
     */
    public static final int VERSION = 5;

    private Protocol()
    {
    }
}
