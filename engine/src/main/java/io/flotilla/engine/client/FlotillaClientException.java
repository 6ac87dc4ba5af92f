package io.flotilla.engine.client;

/**
 * A named failure of a {@link FlotillaClient} call.
 */
public final class FlotillaClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why the call failed. Not-leader answers never surface: the client follows the hint and resends.
     */
    public enum Reason
    {
        /** No leader accepted the session or the request within the connect timeout. */
        NO_LEADER,

        /** The state machine or the cluster refused (the session connect, or the command). */
        REJECTED,

        /** The cluster no longer knows the session; connect again. */
        SESSION_EXPIRED,

        /** The window of outstanding requests stayed full for the whole timeout. */
        BACK_PRESSURED,

        /** No answer within the call's timeout; the request stays outstanding and may still be applied. */
        TIMEOUT,

        /** The cluster could not process the request. */
        ERROR,

        /** The command was applied, but its response was too large to send (see {@link Outcome#RESPONSE_TOO_LARGE}). */
        RESPONSE_TOO_LARGE,

        /** The client is closed. */
        CLOSED
    }

    private final Reason reason;
    private final byte[] payload;

    /**
     * @param reason  the named failure.
     * @param message detail for a person.
     */
    public FlotillaClientException(final Reason reason, final String message)
    {
        this(reason, message, new byte[0]);
    }

    /**
     * @param reason  the named failure.
     * @param message detail for a person.
     * @param payload the response payload that came with the failure (a rejection reason, say); may be empty.
     */
    public FlotillaClientException(final Reason reason, final String message, final byte[] payload)
    {
        super(reason + ": " + message);
        this.reason = reason;
        this.payload = payload;
    }

    public Reason reason()
    {
        return reason;
    }

    /**
     * @return the response payload that came with a REJECTED or ERROR answer, otherwise empty.
     */
    public byte[] payload()
    {
        return payload.clone();
    }
}
