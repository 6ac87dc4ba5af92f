package io.flotilla.engine.node;

import io.flotilla.archive.LogStore;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;

/**
 * Keeps a member that lost its data directory out of elections until it holds again what its old self may have
 * helped commit. Raft assumes a voter forgets neither its vote nor its durable entries; a blank voter could vote
 * twice in a term, or vote in a leader that lacks an entry the old self acknowledged, losing a committed entry.
 * <p>
 * A fenced node takes no part in elections: RequestVotes and TimeoutNows to it are dropped, and it sends none (with
 * pre-vote, its own timeouts then never raise its term). It still replicates, once it has learned the term from the
 * voters ({@code RaftNode.probeTermBeforeFollowing}, so no leader of a term the cluster has left counts it): its
 * acknowledgements are of entries it really holds. The fence lifts once the node follows a leader, holds durably and has applied the leader's commit
 * index, and that index is an entry of the leader's own term: then every entry committed before the loss is in the
 * leader's log before it (leader completeness), hence in this node's. Votes in the term the fence lifted in stay
 * refused (the old self may have voted in it); from the next term on the node votes normally.
 * <p>
 * Raised only when the operator says the node rejoins after losing its data
 * ({@code ClusterNode.Context.rejoinAfterDataLoss}) and the data directory was indeed empty: a new cluster's members
 * start empty too, and must vote. The fence is durable ({@code NodeStateFile.writeVotingFence}): raised before the
 * node receives anything, and lifted, with the term whose votes stay refused, before it acts on a vote again. A node
 * that restarts before its fence lifted (with entries on disk, but perhaps not the committed ones) is still fenced.
 */
final class VotingFence
{
    private boolean fenced;
    private long refusedThroughTerm;

    /**
     * @param fenced             whether the node starts fenced.
     * @param refusedThroughTerm votes of this term and earlier are refused (the term an earlier fence lifted in), or
     *                           {@code NodeStateFile.NO_REFUSED_TERM}.
     */
    VotingFence(final boolean fenced, final long refusedThroughTerm)
    {
        this.fenced = fenced;
        this.refusedThroughTerm = refusedThroughTerm;
    }

    /**
     * @return whether elections are closed to the node now.
     */
    boolean isFenced()
    {
        return fenced;
    }

    /**
     * @param term of a vote request or TimeoutNow.
     * @return whether the node may act on it.
     */
    boolean admits(final long term)
    {
        return !fenced && term > refusedThroughTerm;
    }

    /**
     * @return votes of this term and earlier are refused, or {@code NodeStateFile.NO_REFUSED_TERM}.
     */
    long refusedThroughTerm()
    {
        return refusedThroughTerm;
    }

    /**
     * Lift the fence once the node has caught up with its leader (see the class comment).
     *
     * @return true when the fence was lifted by this call: the caller makes that durable before it acts on a vote.
     */
    boolean update(final RaftNode raft, final LogStore log, final long appliedIndex)
    {
        if (!fenced || Role.FOLLOWER != raft.role() || RaftNode.NO_MEMBER == raft.leaderId())
        {
            return false;
        }
        final long commit = raft.commitIndex();
        if (commit > 0 && log.termAt(commit) == raft.currentTerm() && log.durableIndex() >= commit &&
            appliedIndex >= commit)
        {
            fenced = false;
            refusedThroughTerm = raft.currentTerm();
            return true;
        }
        return false;
    }
}
