package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * What a member that lost its data has learned of the current term: the voters it asked, those that answered this
 * probe, and the highest term among their answers. It knows enough once the voters that have not answered, with
 * itself, are a majority of no voter set (neither of a joint configuration's two, since a leader that has not seen
 * the change still counts the outgoing majority alone): every majority, the one its old self may have helped form
 * included, then has a member other than itself that answered after the loss, in a term at least that majority's.
 * Allocates nothing after construction.
 */
final class TermProbe
{
    private final int memberId;
    private final Configuration voters;
    private final int[] asked;
    private final MajorityQuorum incoming;
    private final MajorityQuorum outgoing;
    private final long probeId;
    private final boolean[] answered = new boolean[Configuration.MAX_MEMBER_ID + 1];
    private final MajorityQuorum.Members silentOrSelf = this::silentOrSelf;
    private long highestTerm;
    private long nextSendNs = Long.MIN_VALUE;

    /**
     * @param memberId    the member asking.
     * @param voters      the configuration whose voters are asked (and outgoing voters, while joint).
     * @param probeId     names this probe: answers echo it.
     * @param currentTerm the asking member's term, the least it adopts.
     * @throws IllegalStateException if the asking member alone is a majority of a voter set of {@code voters}:
     *                               however many answer, those silent with it always are one (nothing but its lost
     *                               data could tell it the term).
     */
    TermProbe(final int memberId, final Configuration voters, final long probeId, final long currentTerm)
    {
        this.memberId = memberId;
        this.voters = voters;
        this.probeId = probeId;
        incoming = new MajorityQuorum(voters.votersView());
        outgoing = voters.isJoint() ? new MajorityQuorum(voters.outgoingView()) : null;
        asked = Arrays.stream(voters.members()).filter((id) -> id != memberId && voters.isVoter(id)).toArray();
        highestTerm = currentTerm;
        if (isMajorityOfAny((member) -> member == memberId))
        {
            throw new IllegalStateException("member " + memberId + " is a majority of " + voters + " by itself: no " +
                "other member can tell it the term, and the data it lost was the cluster's");
        }
    }

    /**
     * @return the highest term answered so far (at least the asking member's own at the start).
     */
    long highestTerm()
    {
        return highestTerm;
    }

    /**
     * Ask every voter but this member, once per interval.
     *
     * @return the number of probes sent.
     */
    int sendDue(final long nowNs, final long intervalNs, final RaftTransport transport)
    {
        if (nowNs < nextSendNs)
        {
            return 0;
        }
        nextSendNs = nowNs + intervalNs;
        int sent = 0;
        for (final int id : asked)
        {
            if (!answered[id] && transport.sendTermProbe(id, probeId))
            {
                sent++;
            }
        }
        return sent;
    }

    /**
     * @return true once enough voters have answered: this answer (of this probe, from a voter) was the one missing.
     */
    boolean onAnswer(final int from, final long term, final long probeId)
    {
        if (probeId != this.probeId || from == memberId || !voters.isVoter(from) || answered[from])
        {
            return false;
        }
        answered[from] = true;
        highestTerm = Math.max(highestTerm, term);
        return !isMajorityOfAny(silentOrSelf);
    }

    private boolean isMajorityOfAny(final MajorityQuorum.Members members)
    {
        return incoming.isQuorum(members) || (null != outgoing && outgoing.isQuorum(members));
    }

    private boolean silentOrSelf(final int member)
    {
        return member == memberId || !answered[member];
    }
}
