package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * The members as a node sees them in its configuration in effect: its peers (every other voter, outgoing voter and
 * learner) by slot (0..peerCount-1, voters first, in id order), a {@link Progress} per peer for when it leads, the
 * votes granted to it when it campaigns, and the configuration's {@link JointQuorum} answering for all of them
 * (learners are never asked). This member counts for itself only where it is a voter: its vote is its own and its
 * durable index is passed in. A new configuration ({@link #configure}) keeps the progress of the peers that stay.
 * Allocates nothing except when the configuration changes.
 */
final class ProgressTracker
{
    static final int NO_SLOT = -1;

    private final int memberId;
    private final int maxInflight;
    private final long resendTimeoutNs;
    private final long heartbeatIntervalNs;
    private final int[] slotByMemberId = new int[Configuration.MAX_MEMBER_ID + 1];
    // A member's progress outlives its membership: one object per id ever a peer, never more than the id space.
    private final Progress[] progressByMemberId = new Progress[Configuration.MAX_MEMBER_ID + 1];
    private Configuration configuration;
    private int[] peerIds;
    private Progress[] progress;
    private boolean[] voting;
    private boolean[] voteGranted;
    private JointQuorum quorum;
    private final MajorityQuorum.AckedIndexes durableMatches = this::durableMatchOf;
    private final MajorityQuorum.Members votes = this::grantedBy;
    private final MajorityQuorum.Members recentlyHeard = this::heardFrom;
    private final MajorityQuorum.AckedIndexes echoedStamps = this::echoedStampOf;
    // The arguments of the quorum question being answered, read by the views above (which must not allocate).
    private long ownDurableIndex;
    private long heardNowNs;
    private long heardWindowNs;

    /**
     * @param memberId      this member's id (a member of the configuration or not).
     * @param configuration the configuration in effect.
     * @param config        validated settings (the inflight window, resend timeout and heartbeat interval).
     */
    ProgressTracker(final int memberId, final Configuration configuration, final RaftConfig config)
    {
        if (memberId < 0 || memberId > Configuration.MAX_MEMBER_ID)
        {
            throw new IllegalArgumentException(
                "member id " + memberId + " is not in 0.." + Configuration.MAX_MEMBER_ID);
        }
        this.memberId = memberId;
        maxInflight = config.maxInflight();
        resendTimeoutNs = config.resendTimeoutNs();
        heartbeatIntervalNs = config.heartbeatIntervalNs();
        Arrays.fill(slotByMemberId, NO_SLOT);
        configure(configuration, 0, 0, false);
    }

    /**
     * A new configuration takes effect: the peers are its members but this one; those that stay keep their progress
     * and votes; a peer that is new while this member leads is probed from {@code nextIndex} and counts as just
     * heard.
     */
    void configure(final Configuration configuration, final long nextIndex, final long nowNs, final boolean leading)
    {
        final int[] members = configuration.members();
        final int[] newPeerIds = new int[members.length - (configuration.isMember(memberId) ? 1 : 0)];
        final Progress[] newProgress = new Progress[newPeerIds.length];
        final boolean[] newVoting = new boolean[newPeerIds.length];
        final boolean[] newVoteGranted = new boolean[newPeerIds.length];
        int slot = 0;
        for (final int id : members)
        {
            if (id == memberId)
            {
                continue;
            }
            final int oldSlot = slotByMemberId[id];
            Progress peer = progressByMemberId[id];
            if (null == peer)
            {
                peer = new Progress(maxInflight, resendTimeoutNs, heartbeatIntervalNs);
                progressByMemberId[id] = peer;
            }
            if (NO_SLOT == oldSlot && leading)
            {
                peer.reset(nextIndex, nowNs);
            }
            newPeerIds[slot] = id;
            newProgress[slot] = peer;
            newVoting[slot] = configuration.isVoter(id);
            newVoteGranted[slot] = NO_SLOT != oldSlot && voteGranted[oldSlot];
            slot++;
        }
        if (null != peerIds)
        {
            for (final int id : peerIds)
            {
                slotByMemberId[id] = NO_SLOT;
            }
        }
        for (int i = 0; i < newPeerIds.length; i++)
        {
            slotByMemberId[newPeerIds[i]] = i;
        }

        this.configuration = configuration;
        peerIds = newPeerIds;
        progress = newProgress;
        voting = newVoting;
        voteGranted = newVoteGranted;
        quorum = new JointQuorum(configuration);
    }

    Configuration configuration()
    {
        return configuration;
    }

    /**
     * @return whether this member votes in the configuration in effect (only a voter campaigns).
     */
    boolean isVoter()
    {
        return configuration.isVoter(memberId);
    }

    int peerCount()
    {
        return peerIds.length;
    }

    int peerId(final int slot)
    {
        return peerIds[slot];
    }

    /**
     * @return the peer's slot, or {@link #NO_SLOT} for this member and for non-members.
     */
    int slotOf(final int member)
    {
        return member >= 0 && member < slotByMemberId.length ? slotByMemberId[member] : NO_SLOT;
    }

    Progress progress(final int slot)
    {
        return progress[slot];
    }

    /**
     * @return whether the peer votes (a voter or an outgoing voter); a learner does not.
     */
    boolean isVoter(final int slot)
    {
        return voting[slot];
    }

    /**
     * A new leadership: every peer is probed from {@code nextIndex} and counts as just heard.
     */
    void resetProgress(final long nextIndex, final long nowNs)
    {
        for (final Progress peer : progress)
        {
            peer.reset(nextIndex, nowNs);
        }
    }

    /**
     * @return the highest index durable on a quorum, counting {@code ownDurableIndex} for this member.
     */
    long committedIndex(final long ownDurableIndex)
    {
        this.ownDurableIndex = ownDurableIndex;
        return quorum.committedIndex(durableMatches);
    }

    /**
     * @return the highest leader stamp that a majority has echoed, this member counting as having echoed every
     * stamp ({@link Long#MAX_VALUE} when it alone is a majority): a majority answered, in this term, after receiving
     * a message this leader sent with that stamp or a later one.
     */
    long quorumEchoedStamp()
    {
        return quorum.committedIndex(echoedStamps);
    }

    /**
     * @return whether this member and the peers heard from within {@code windowNs} are a quorum.
     */
    boolean hasQuorumHeardWithin(final long nowNs, final long windowNs)
    {
        heardNowNs = nowNs;
        heardWindowNs = windowNs;
        return quorum.isQuorum(recentlyHeard);
    }

    /**
     * A new campaign: only this member's own vote is counted.
     */
    void resetVotes()
    {
        Arrays.fill(voteGranted, false);
    }

    /**
     * @return true if the peer's vote is new in this campaign.
     */
    boolean recordVote(final int slot)
    {
        if (voteGranted[slot])
        {
            return false;
        }
        voteGranted[slot] = true;

        return true;
    }

    /**
     * @return whether the votes granted, this member's own included, are a quorum.
     */
    boolean hasWonVote()
    {
        return quorum.isQuorum(votes);
    }

    private long durableMatchOf(final int member)
    {
        return member == memberId ? ownDurableIndex : progress[slotByMemberId[member]].durableMatch();
    }

    private long echoedStampOf(final int member)
    {
        return member == memberId ? Long.MAX_VALUE : progress[slotByMemberId[member]].echoedStamp();
    }

    private boolean grantedBy(final int member)
    {
        return member == memberId || voteGranted[slotByMemberId[member]];
    }

    private boolean heardFrom(final int member)
    {
        return member == memberId || progress[slotByMemberId[member]].heardWithin(heardNowNs, heardWindowNs);
    }
}
