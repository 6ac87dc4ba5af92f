package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * A membership change to propose ({@link RaftNode#proposeConfigChange}): members added as learners, learners
 * promoted to voters, members removed, each member named once. Built fluently; the named results of a proposal are
 * the constants here (negative, as {@link RaftNode#NOT_LEADER} and {@link RaftNode#BACK_PRESSURED}).
 * <p>
 * Replacing a dead voter is three changes: add the new node as a learner, promote it once it has caught up, remove
 * the old one; or, after the learner caught up, one change that promotes it and removes the old voter together.
 */
public final class ConfigChange
{
    /** The leader has not yet committed an entry of its own term: its view of the configuration may be stale. */
    public static final long TERM_NOT_COMMITTED = -3;
    /** A change is in progress: a configuration entry is not committed yet, or a joint configuration not yet left. */
    public static final long CHANGE_IN_PROGRESS = -4;
    /** The change names nobody. */
    public static final long EMPTY_CHANGE = -5;
    /** A member id outside 0..{@link Configuration#MAX_MEMBER_ID}. */
    public static final long INVALID_MEMBER_ID = -6;
    /** The same member is named twice in one change. */
    public static final long MEMBER_NAMED_TWICE = -7;
    /** A member to add is already a voter or a learner. */
    public static final long ALREADY_MEMBER = -8;
    /** A member to promote is already a voter. */
    public static final long ALREADY_VOTER = -9;
    /** A member to promote or remove is not a member (to promote: not a learner). */
    public static final long NOT_A_MEMBER = -10;
    /** The change would leave no voter. */
    public static final long REMOVES_LAST_VOTER = -11;
    /** A member to add comes with an endpoint a configuration cannot hold (see {@link Configuration#isValidEndpoint}). */
    public static final long INVALID_ENDPOINT = -12;

    /**
     * What a change does to one member.
     */
    public enum Op
    {
        /** Becomes a learner: receives the log, votes and counts for nothing. */
        ADD_LEARNER,
        /** A learner becomes a voter. */
        PROMOTE,
        /** A voter or a learner leaves the cluster. */
        REMOVE
    }

    private Op[] ops = new Op[4];
    private int[] memberIds = new int[4];
    private String[] endpoints = new String[4];
    private int size;

    public ConfigChange addLearner(final int memberId)
    {
        return add(Op.ADD_LEARNER, memberId, null);
    }

    /**
     * Add a learner with the endpoint where the other members reach it, carried in the configuration entry.
     *
     * @param endpoint opaque to the core (the runtime's {@code host:consensusPort:ingressPort}).
     * @return this change.
     */
    public ConfigChange addLearner(final int memberId, final String endpoint)
    {
        return add(Op.ADD_LEARNER, memberId, endpoint);
    }

    public ConfigChange promote(final int memberId)
    {
        return add(Op.PROMOTE, memberId, null);
    }

    public ConfigChange remove(final int memberId)
    {
        return add(Op.REMOVE, memberId, null);
    }

    public int size()
    {
        return size;
    }

    public boolean isEmpty()
    {
        return 0 == size;
    }

    public Op op(final int i)
    {
        return ops[i];
    }

    public int memberId(final int i)
    {
        return memberIds[i];
    }

    /**
     * @return the endpoint of the {@code i}-th member added as a learner, or null (none given, or another op).
     */
    public String endpoint(final int i)
    {
        return endpoints[i];
    }

    /**
     * @return the name of a proposal's result: a refusal's constant, or "index N".
     */
    public static String describe(final long result)
    {
        if (result > 0)
        {
            return "index " + result;
        }
        switch ((int)result)
        {
            case (int)RaftNode.NOT_LEADER: return "NOT_LEADER";
            case (int)RaftNode.BACK_PRESSURED: return "BACK_PRESSURED";
            case (int)TERM_NOT_COMMITTED: return "TERM_NOT_COMMITTED";
            case (int)CHANGE_IN_PROGRESS: return "CHANGE_IN_PROGRESS";
            case (int)EMPTY_CHANGE: return "EMPTY_CHANGE";
            case (int)INVALID_MEMBER_ID: return "INVALID_MEMBER_ID";
            case (int)MEMBER_NAMED_TWICE: return "MEMBER_NAMED_TWICE";
            case (int)ALREADY_MEMBER: return "ALREADY_MEMBER";
            case (int)ALREADY_VOTER: return "ALREADY_VOTER";
            case (int)NOT_A_MEMBER: return "NOT_A_MEMBER";
            case (int)REMOVES_LAST_VOTER: return "REMOVES_LAST_VOTER";
            case (int)INVALID_ENDPOINT: return "INVALID_ENDPOINT";
            default: return "unknown result " + result;
        }
    }

    public String toString()
    {
        final StringBuilder builder = new StringBuilder("ConfigChange{");
        for (int i = 0; i < size; i++)
        {
            builder.append(i > 0 ? ", " : "").append(ops[i]).append(' ').append(memberIds[i]);
        }
        return builder.append('}').toString();
    }

    private ConfigChange add(final Op op, final int memberId, final String endpoint)
    {
        if (size == ops.length)
        {
            ops = Arrays.copyOf(ops, 2 * size);
            memberIds = Arrays.copyOf(memberIds, 2 * size);
            endpoints = Arrays.copyOf(endpoints, 2 * size);
        }
        ops[size] = op;
        endpoints[size] = endpoint;
        memberIds[size++] = memberId;
        return this;
    }
}
