package io.flotilla.engine.client;

/**
 * How a request ended, as delivered to a {@link ResponseListener}.
 */
public enum Outcome
{
    /** The state machine applied the command; the payload is its response. */
    OK,

    /** The state machine refused the command by its own rules; the payload says why. */
    REJECTED,

    /**
     * The cluster could not answer the request: a retry of one applied so long ago that its response has left the
     * session's cache (SEQUENCE_TOO_OLD; it was applied, its response is lost), or an ERROR response.
     */
    ERROR,

    /**
     * The state machine applied the command, but its response was too large to send (larger than the client's
     * response channel carries, an eighth of its term length, or than the protocol's 1 MiB); the payload is empty.
     */
    RESPONSE_TOO_LARGE,

    /** The session expired or was closed by the cluster; the request's outcome is unknown. */
    SESSION_EXPIRED,

    /** No leader answered within the connect timeout after the leader was lost; the outcome is unknown. */
    NO_LEADER
}
