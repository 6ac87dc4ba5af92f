package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * The members as a node sees them: its peers by slot (0..peerCount-1, in the order of the member list), a
 * {@link Progress} per peer for when it leads, the votes granted to it when it campaigns, and the voters'
 * {@link MajorityQuorum} answering for all of them. This member always counts for itself: its vote is its own and
 * its durable index is passed in. Allocates nothing after construction.
 */
final class ProgressTracker
{
    static final int NO_SLOT = -1;

    private final int memberId;
    private final int[] peerIds;
    private final int[] slotByMemberId;
    private final Progress[] progress;
    private final boolean[] voteGranted;
    private final MajorityQuorum voters;
    private final MajorityQuorum.AckedIndexes durableMatches = this::durableMatchOf;
    private final MajorityQuorum.Members votes = this::grantedBy;
    private final MajorityQuorum.Members recentlyHeard = this::heardFrom;
    private final MajorityQuorum.AckedIndexes echoedStamps = this::echoedStampOf;
    // The arguments of the quorum question being answered, read by the views above (which must not allocate).
    private long ownDurableIndex;
    private long heardNowNs;
    private long heardWindowNs;

    /**
     * @param memberId  this member's id.
     * @param memberIds every voting member's id, including memberId (small non-negative ints).
     * @param config    validated settings (the inflight window, resend timeout and heartbeat interval).
     */
    ProgressTracker(final int memberId, final int[] memberIds, final RaftConfig config)
    {
        this.memberId = memberId;
        int maxId = memberId;
        int selfCount = 0;
        for (final int id : memberIds)
        {
            if (id < 0)
            {
                throw new IllegalArgumentException("member ids must be >= 0: " + id);
            }
            maxId = Math.max(maxId, id);
            selfCount += id == memberId ? 1 : 0;
        }
        if (1 != selfCount)
        {
            throw new IllegalArgumentException(
                "memberIds must list this member's id " + memberId + " exactly once, found " + selfCount);
        }

        slotByMemberId = new int[maxId + 1];
        Arrays.fill(slotByMemberId, NO_SLOT);
        peerIds = new int[memberIds.length - 1];
        int slot = 0;
        for (final int id : memberIds)
        {
            if (id != memberId)
            {
                if (NO_SLOT != slotByMemberId[id])
                {
                    throw new IllegalArgumentException("memberIds lists member " + id + " more than once");
                }
                slotByMemberId[id] = slot;
                peerIds[slot++] = id;
            }
        }

        voters = new MajorityQuorum(memberIds);
        voteGranted = new boolean[peerIds.length];
        progress = new Progress[peerIds.length];
        for (int i = 0; i < progress.length; i++)
        {
            progress[i] = new Progress(config.maxInflight(), config.resendTimeoutNs(), config.heartbeatIntervalNs());
        }
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
     * @return the peer's slot, or {@link #NO_SLOT} for this member and for strangers.
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
     * @return the highest index durable on a majority, counting {@code ownDurableIndex} for this member.
     */
    long committedIndex(final long ownDurableIndex)
    {
        this.ownDurableIndex = ownDurableIndex;
        return voters.committedIndex(durableMatches);
    }

    /**
     * @return the highest leader stamp that a majority has echoed, this member counting as having echoed every
     * stamp ({@link Long#MAX_VALUE} when it alone is a majority): a majority answered, in this term, after receiving
     * a message this leader sent with that stamp or a later one.
     */
    long quorumEchoedStamp()
    {
        return voters.committedIndex(echoedStamps);
    }

    /**
     * @return whether this member and the peers heard from within {@code windowNs} are a majority.
     */
    boolean hasQuorumHeardWithin(final long nowNs, final long windowNs)
    {
        heardNowNs = nowNs;
        heardWindowNs = windowNs;
        return voters.isQuorum(recentlyHeard);
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
     * @return whether the votes granted, this member's own included, are a majority.
     */
    boolean hasWonVote()
    {
        return voters.isQuorum(votes);
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
