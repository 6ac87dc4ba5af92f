package io.flotilla.engine;

import java.util.Arrays;

/**
 * The members of the cluster as a node knows them: the voters, the learners (members that receive the log but do
 * not vote) and where each is reached. {@link ClusterNode#membership()} gives the configuration committed on that
 * node; a membership change completes with the configuration it committed. Immutable.
 */
public final class Membership
{
    private final long index;
    private final int[] voters;
    private final int[] learners;
    private final String[] endpoints;

    /**
     * @param index     of the configuration entry, 0 for the bootstrap configuration (the members spec).
     * @param voters    ascending ids.
     * @param learners  ascending ids.
     * @param endpoints by member id ({@code host:consensusPort:ingressPort}), null where unknown; not copied.
     */
    public Membership(final long index, final int[] voters, final int[] learners, final String[] endpoints)
    {
        this.index = index;
        this.voters = voters.clone();
        this.learners = learners.clone();
        this.endpoints = endpoints;
    }

    /**
     * @return the log index of the configuration entry, 0 for the bootstrap configuration.
     */
    public long index()
    {
        return index;
    }

    /**
     * @return the voting members' ids, ascending.
     */
    public int[] voters()
    {
        return voters.clone();
    }

    /**
     * @return the learners' ids, ascending.
     */
    public int[] learners()
    {
        return learners.clone();
    }

    /**
     * @return whether the member votes.
     */
    public boolean isVoter(final int memberId)
    {
        return Arrays.stream(voters).anyMatch((id) -> id == memberId);
    }

    /**
     * @return whether the member is a learner.
     */
    public boolean isLearner(final int memberId)
    {
        return Arrays.stream(learners).anyMatch((id) -> id == memberId);
    }

    /**
     * @return where the member is reached ({@code host:consensusPort:ingressPort}), or null when it is no member.
     */
    public String endpoint(final int memberId)
    {
        return (isVoter(memberId) || isLearner(memberId)) && memberId >= 0 && memberId < endpoints.length ?
            endpoints[memberId] : null;
    }

    public String toString()
    {
        final StringBuilder builder = new StringBuilder("voters=[");
        appendMembers(builder, voters);
        builder.append("] learners=[");
        appendMembers(builder, learners);
        return builder.append("] at index ").append(index).toString();
    }

    private void appendMembers(final StringBuilder builder, final int[] ids)
    {
        for (int i = 0; i < ids.length; i++)
        {
            builder.append(i > 0 ? "," : "").append(ids[i]).append('=').append(endpoint(ids[i]));
        }
    }
}
