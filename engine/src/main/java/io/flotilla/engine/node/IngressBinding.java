package io.flotilla.engine.node;

/**
 * The connection a session is bound to on a member: the Aeron image its SessionConnect or last SessionAttach there
 * came on, named by the image's session id (random per client publication) and source address. Local to the member,
 * never replicated, kept when its role changes: another member learns it only from the client's SessionAttach.
 */
final class IngressBinding
{
    private final int aeronSessionId;
    private final String sourceIdentity;

    IngressBinding(final int aeronSessionId, final String sourceIdentity)
    {
        this.aeronSessionId = aeronSessionId;
        this.sourceIdentity = sourceIdentity;
    }

    boolean matches(final int aeronSessionId, final String sourceIdentity)
    {
        return this.aeronSessionId == aeronSessionId && this.sourceIdentity.equals(sourceIdentity);
    }

    public String toString()
    {
        return "IngressBinding{aeronSessionId=" + aeronSessionId + ", source=" + sourceIdentity + '}';
    }
}
