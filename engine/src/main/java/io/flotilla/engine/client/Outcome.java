package io.flotilla.engine.client;

/**
 * How a request ended, as delivered to a {@link ResponseListener}, or a query, as delivered to a
 * {@link QueryListener}.
 */
public enum Outcome
{
    /** The state machine applied the command (or answered the query); the payload is its response. */
    OK,

    /** The state machine refused the command (or the query) by its own rules; the payload says why. */
    REJECTED,

    /**
     * The cluster could not answer the request: a retry of one applied so long ago that its response has left the
     * session's cache (SEQUENCE_TOO_OLD; it was applied, its response is lost), or an ERROR response (to a request
     * or a query).
     */
    ERROR,

    /**
     * The state machine applied the command, but its response was too large to send (larger than the client's
     * response channel carries, an eighth of its term length, or than the protocol's 1 MiB); the payload is empty.
     */
    RESPONSE_TOO_LARGE,

    /** The session expired or was closed by the cluster; the request's outcome is unknown. */
    SESSION_EXPIRED,

    /**
     * No leader answered within the connect timeout after the leader was lost; the outcome is unknown. For a query:
     * no member answered it within the connect timeout of its offer.
     */
    NO_LEADER
}
