package io.flotilla.engine;

/**
 * Why a client session closed, as {@link StateMachine#onSessionClose} sees it: recorded in the SESSION_CLOSE log
 * entry, so every replica sees the same reason.
 */
public enum SessionCloseReason
{
    /** The client closed its session. */
    CLIENT_CLOSE((byte)1),

    /** The leader closed a session it had not heard from for the session timeout ({@code flotilla.session.timeout}). */
    TIMEOUT((byte)2),

    /** Read from a log written before close reasons were recorded. */
    UNKNOWN((byte)0);

    private final byte code;

    SessionCloseReason(final byte code)
    {
        this.code = code;
    }

    /**
     * @return the byte that stands for this reason in a SESSION_CLOSE entry.
     */
    public byte code()
    {
        return code;
    }

    /**
     * @param code from a SESSION_CLOSE entry.
     * @return its reason; {@link #UNKNOWN} for a byte no build wrote.
     */
    public static SessionCloseReason of(final byte code)
    {
        switch (code)
        {
            case 1:
                return CLIENT_CLOSE;
            case 2:
                return TIMEOUT;
            default:
                return UNKNOWN;
        }
    }
}
