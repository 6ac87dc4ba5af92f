package io.flotilla.engine.raft;

import io.flotilla.codecs.ConfigPayload;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * Who the members of the cluster are: the voters, the learners (members that receive the log but never vote nor
 * count for commit or check-quorum) and, while the configuration is joint, the outgoing voters of the configuration
 * being left. A joint configuration decides by a majority of the voters <em>and</em> a majority of the outgoing voters
 * (joint consensus, Raft thesis 4.3, as etcd's ConfChangeV2). An immutable value; a change makes a new one
 * ({@link #apply}). Its log form is a {@link io.flotilla.codecs.EntryType#CONFIG} entry whose payload has the layout
 * of {@link ConfigPayload}.
 * <p>
 * A configuration may also carry where each member is reached (its endpoint, opaque to the core): the runtime
 * learns a new member's address from the entry that adds it, and keeps every member's address in its snapshots.
 */
public final class Configuration
{
    /** The highest member id: {@link ConfigPayload#MAX_MEMBER_ID}. */
    public static final int MAX_MEMBER_ID = ConfigPayload.MAX_MEMBER_ID;

    private static final int[] NONE = new int[0];

    private final int[] voters;
    private final int[] outgoing;
    private final int[] learners;
    private final String[] endpoints;

    /**
     * @param voters   the voting members (the incoming ones while joint): at least one.
     * @param outgoing the voters of the configuration being left, empty unless joint.
     * @param learners the non-voting members, none of them a voter or an outgoing voter.
     * @throws IllegalArgumentException naming what is wrong: an id out of 0..{@link #MAX_MEMBER_ID}, listed twice, a
     *                                  learner that votes, or no voter.
     */
    public Configuration(final int[] voters, final int[] outgoing, final int[] learners)
    {
        this(voters, outgoing, learners, null);
    }

    /**
     * @param endpoints by member id (length {@link #MAX_MEMBER_ID} + 1, null entries unknown; copied), or null for
     *                  none; entries of ids that are not members are dropped.
     * @see #Configuration(int[], int[], int[])
     */
    public Configuration(final int[] voters, final int[] outgoing, final int[] learners, final String[] endpoints)
    {
        this.voters = sortedIds("voters", voters);
        this.outgoing = sortedIds("outgoing voters", outgoing);
        this.learners = sortedIds("learners", learners);
        if (0 == this.voters.length)
        {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        for (final int learner : this.learners)
        {
            if (contains(this.voters, learner) || contains(this.outgoing, learner))
            {
                throw new IllegalArgumentException("member " + learner + " cannot be both a learner and a voter");
            }
        }
        this.endpoints = new String[MAX_MEMBER_ID + 1];
        if (null != endpoints)
        {
            for (int id = 0; id <= MAX_MEMBER_ID && id < endpoints.length; id++)
            {
                if (null != endpoints[id] && isMember(id))
                {
                    if (!isValidEndpoint(endpoints[id]))
                    {
                        throw new IllegalArgumentException("endpoint '" + endpoints[id] + "' of member " + id +
                            " must be 1.." + ConfigPayload.MAX_ENDPOINT_LENGTH + " printable ASCII characters");
                    }
                    this.endpoints[id] = endpoints[id];
                }
            }
        }
    }

    /**
     * @return whether a {@link ConfigPayload} can hold this endpoint.
     */
    public static boolean isValidEndpoint(final String endpoint)
    {
        if (null == endpoint || endpoint.isEmpty() || endpoint.length() > ConfigPayload.MAX_ENDPOINT_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < endpoint.length(); i++)
        {
            final char c = endpoint.charAt(i);
            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return a configuration of these voters alone (a bootstrap configuration: the static member list).
     */
    public static Configuration ofVoters(final int... voters)
    {
        return new Configuration(voters, NONE, NONE);
    }

    /**
     * @return the configuration in a {@link ConfigPayload}, or null if the bytes are not one.
     */
    public static Configuration decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!ConfigPayload.isValid(buffer, offset, length))
        {
            return null;
        }
        final String[] endpoints = new String[MAX_MEMBER_ID + 1];
        for (int i = 0, n = ConfigPayload.endpointCount(buffer, offset, length); i < n; i++)
        {
            endpoints[ConfigPayload.endpointId(buffer, offset, i)] = ConfigPayload.endpoint(buffer, offset, i);
        }
        return new Configuration(
            list(buffer, offset, ConfigPayload.VOTERS),
            list(buffer, offset, ConfigPayload.OUTGOING),
            list(buffer, offset, ConfigPayload.LEARNERS),
            endpoints);
    }

    /**
     * @param memberId of a member.
     * @return where the member is reached, or null when this configuration does not say.
     */
    public String endpoint(final int memberId)
    {
        return memberId >= 0 && memberId <= MAX_MEMBER_ID ? endpoints[memberId] : null;
    }

    /**
     * @return this configuration with the endpoints given (by member id, null entries unknown) for the members that
     * have none yet.
     */
    public Configuration withEndpoints(final String[] known)
    {
        final String[] merged = endpoints.clone();
        for (int id = 0; id <= MAX_MEMBER_ID && id < known.length; id++)
        {
            merged[id] = null == merged[id] ? known[id] : merged[id];
        }
        return new Configuration(voters, outgoing, learners, merged);
    }

    /**
     * @return the length of {@link #encode}'s output.
     */
    public int encodedLength()
    {
        return ConfigPayload.length(voters.length, outgoing.length, learners.length, endpointList());
    }

    /**
     * Write this configuration as a {@link ConfigPayload}.
     *
     * @return the payload length.
     */
    public int encode(final MutableDirectBuffer buffer, final int offset)
    {
        final String[] list = endpointList();
        final int[] ids = new int[list.length];
        for (int id = 0, i = 0; id <= MAX_MEMBER_ID; id++)
        {
            if (null != endpoints[id])
            {
                ids[i++] = id;
            }
        }
        return ConfigPayload.encode(buffer, offset, voters, outgoing, learners, ids, list);
    }

    private String[] endpointList()
    {
        int count = 0;
        for (final String endpoint : endpoints)
        {
            count += null == endpoint ? 0 : 1;
        }
        final String[] list = new String[count];
        for (int id = 0, i = 0; id <= MAX_MEMBER_ID; id++)
        {
            if (null != endpoints[id])
            {
                list[i++] = endpoints[id];
            }
        }
        return list;
    }

    /**
     * @return the voters, ascending (the incoming voters while joint).
     */
    public int[] voters()
    {
        return voters.clone();
    }

    /**
     * @return the outgoing voters, ascending; empty unless joint.
     */
    public int[] outgoing()
    {
        return outgoing.clone();
    }

    /**
     * @return the learners, ascending.
     */
    public int[] learners()
    {
        return learners.clone();
    }

    /**
     * @return whether this configuration is joint: a change of voters entered and not yet left.
     */
    public boolean isJoint()
    {
        return 0 != outgoing.length;
    }

    /**
     * @return whether the member votes: a voter, or an outgoing voter while joint.
     */
    public boolean isVoter(final int memberId)
    {
        return contains(voters, memberId) || contains(outgoing, memberId);
    }

    public boolean isLearner(final int memberId)
    {
        return contains(learners, memberId);
    }

    /**
     * @return whether the member is a voter, an outgoing voter or a learner.
     */
    public boolean isMember(final int memberId)
    {
        return isVoter(memberId) || isLearner(memberId);
    }

    /**
     * @return every member, voters first, each once.
     */
    int[] members()
    {
        final int[] members = new int[voters.length + outgoing.length + learners.length];
        int count = 0;
        for (final int[] list : new int[][]{ voters, outgoing, learners })
        {
            for (final int id : list)
            {
                if (!contains(members, count, id))
                {
                    members[count++] = id;
                }
            }
        }
        return Arrays.copyOf(members, count);
    }

    int[] votersView()
    {
        return voters;
    }

    int[] outgoingView()
    {
        return outgoing;
    }

    /**
     * @return the configuration that leaves the joint one: its voters and learners, no outgoing voters.
     */
    Configuration leaveJoint()
    {
        return new Configuration(voters, NONE, learners, endpoints);
    }

    /**
     * @return why the change cannot be made from this configuration, one of {@link ConfigChange}'s refusals
     * (negative), or 0 when it can.
     */
    long refusal(final ConfigChange change)
    {
        if (change.isEmpty())
        {
            return ConfigChange.EMPTY_CHANGE;
        }
        int voterCount = voters.length;
        final long[] named = new long[2];
        for (int i = 0; i < change.size(); i++)
        {
            final int id = change.memberId(i);
            if (id < 0 || id > MAX_MEMBER_ID)
            {
                return ConfigChange.INVALID_MEMBER_ID;
            }
            final long bit = 1L << (id & 63);
            if (0 != (named[id >> 6] & bit))
            {
                return ConfigChange.MEMBER_NAMED_TWICE;
            }
            named[id >> 6] |= bit;

            switch (change.op(i))
            {
                case ADD_LEARNER:
                    if (isMember(id))
                    {
                        return ConfigChange.ALREADY_MEMBER;
                    }
                    if (null != change.endpoint(i) && !isValidEndpoint(change.endpoint(i)))
                    {
                        return ConfigChange.INVALID_ENDPOINT;
                    }
                    break;

                case PROMOTE:
                    if (!isLearner(id))
                    {
                        return contains(voters, id) ? ConfigChange.ALREADY_VOTER : ConfigChange.NOT_A_MEMBER;
                    }
                    voterCount++;
                    break;

                default:
                    if (contains(voters, id))
                    {
                        voterCount--;
                    }
                    else if (!isLearner(id))
                    {
                        return ConfigChange.NOT_A_MEMBER;
                    }
                    break;
            }
        }

        return 0 == voterCount ? ConfigChange.REMOVES_LAST_VOTER : 0;
    }

    /**
     * The configuration a change leads to from this one, which must not be joint and must accept it
     * ({@link #refusal} is 0). A change of voters (a promotion, a voter removed) enters a joint configuration whose
     * outgoing voters are this one's voters; a change of learners alone (added or removed) takes effect directly: a
     * learner never counts, so no two majorities can disagree.
     */
    Configuration apply(final ConfigChange change)
    {
        int[] nextVoters = voters;
        int[] nextLearners = learners;
        final String[] nextEndpoints = endpoints.clone();
        for (int i = 0; i < change.size(); i++)
        {
            final int id = change.memberId(i);
            switch (change.op(i))
            {
                case ADD_LEARNER:
                    nextLearners = with(nextLearners, id);
                    nextEndpoints[id] = change.endpoint(i);
                    break;

                case PROMOTE:
                    nextLearners = without(nextLearners, id);
                    nextVoters = with(nextVoters, id);
                    break;

                default:
                    if (isLearner(id))
                    {
                        nextLearners = without(nextLearners, id);
                    }
                    else
                    {
                        nextVoters = without(nextVoters, id);
                    }
                    break;
            }
        }

        return new Configuration(nextVoters, nextVoters == voters ? NONE : voters, nextLearners, nextEndpoints);
    }

    public boolean equals(final Object other)
    {
        return other instanceof Configuration &&
            Arrays.equals(voters, ((Configuration)other).voters) &&
            Arrays.equals(outgoing, ((Configuration)other).outgoing) &&
            Arrays.equals(learners, ((Configuration)other).learners) &&
            Arrays.equals(endpoints, ((Configuration)other).endpoints);
    }

    public int hashCode()
    {
        return 31 * (31 * (31 * Arrays.hashCode(voters) + Arrays.hashCode(outgoing)) + Arrays.hashCode(learners)) +
            Arrays.hashCode(endpoints);
    }

    public String toString()
    {
        return "voters=" + Arrays.toString(voters) + (isJoint() ? " outgoing=" + Arrays.toString(outgoing) : "") +
            (0 != learners.length ? " learners=" + Arrays.toString(learners) : "");
    }

    private static int[] sortedIds(final String what, final int[] ids)
    {
        final int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] < 0 || sorted[i] > MAX_MEMBER_ID)
            {
                throw new IllegalArgumentException(
                    what + ": member id " + sorted[i] + " is not in 0.." + MAX_MEMBER_ID);
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException(what + ": member " + sorted[i] + " is listed more than once");
            }
        }
        return sorted;
    }

    private static int[] list(final DirectBuffer buffer, final int offset, final int list)
    {
        final int[] ids = new int[ConfigPayload.count(buffer, offset, list)];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = ConfigPayload.id(buffer, offset, list, i);
        }
        return ids;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        return contains(ids, ids.length, id);
    }

    private static boolean contains(final int[] ids, final int count, final int id)
    {
        for (int i = 0; i < count; i++)
        {
            if (ids[i] == id)
            {
                return true;
            }
        }
        return false;
    }

    private static int[] with(final int[] ids, final int id)
    {
        final int[] more = Arrays.copyOf(ids, ids.length + 1);
        more[ids.length] = id;
        Arrays.sort(more);
        return more;
    }

    private static int[] without(final int[] ids, final int id)
    {
        final int[] fewer = new int[ids.length - 1];
        int count = 0;
        for (final int each : ids)
        {
            if (each != id)
            {
                fewer[count++] = each;
            }
        }
        return fewer;
    }
}
