package io.flotilla.engine;

/**
 * A membership change that failed, with the reason named ({@link #status()}).
 */
public final class MembershipException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final MembershipStatus status;
    private final String leaderEndpoint;

    /**
     * @param status         why.
     * @param leaderEndpoint the leader's ingress endpoint when known (for {@link MembershipStatus#NOT_LEADER}), else
     *                       empty.
     * @param message        what happened, for a person.
     */
    public MembershipException(final MembershipStatus status, final String leaderEndpoint, final String message)
    {
        super(status + ": " + message);
        this.status = status;
        this.leaderEndpoint = leaderEndpoint;
    }

    public MembershipStatus status()
    {
        return status;
    }

    /**
     * @return the leader's ingress endpoint, empty when unknown.
     */
    public String leaderEndpoint()
    {
        return leaderEndpoint;
    }
}
