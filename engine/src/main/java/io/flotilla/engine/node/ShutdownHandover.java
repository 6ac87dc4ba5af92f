package io.flotilla.engine.node;

import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;

/**
 * The handover a leader makes before it closes ({@code ClusterNode.close()}): the closing thread
 * {@link #request() requests} it and waits until it {@link #isDone() is done}; the node agent drives it in its duty
 * cycle, never blocking. While the node leads and no transfer is under way, it transfers leadership to the most
 * up-to-date follower heard from recently (a transfer to a silent one could not complete; an abandoned transfer is
 * followed by another). It is done once another member leads (it then tells the agent, which sends its clients
 * there at once), or when no follower has answered for an election timeout, or when the node has not led for an
 * election timeout without learning of a new leader (it stepped down for another reason and the cluster is electing
 * the usual way).
 */
final class ShutdownHandover
{
    private static final System.Logger LOGGER = System.getLogger(ShutdownHandover.class.getName());
    private static final long NOT_SET = Long.MIN_VALUE;

    private final int memberId;
    private final long liveWindowNs;
    private final long electionTimeoutNs;
    private final Runnable onHandedOver;
    private volatile boolean requested;
    private volatile boolean done;
    private long notLeaderSinceNs = NOT_SET;

    /**
     * @param memberId          of this node.
     * @param heartbeatNs       the leader's heartbeat interval: a follower heard within two is running.
     * @param electionTimeoutNs the maximum election timeout.
     * @param onHandedOver      run on the agent's thread once another member leads, before the handover is done.
     */
    ShutdownHandover(
        final int memberId, final long heartbeatNs, final long electionTimeoutNs, final Runnable onHandedOver)
    {
        this.memberId = memberId;
        this.liveWindowNs = 2 * heartbeatNs;
        this.electionTimeoutNs = electionTimeoutNs;
        this.onHandedOver = onHandedOver;
    }

    /**
     * Start the handover at the agent's next duty cycle; any thread.
     */
    void request()
    {
        requested = true;
    }

    /**
     * @return whether the handover has ended, one way or the other; any thread.
     */
    boolean isDone()
    {
        return done;
    }

    /**
     * One step, on the agent's thread.
     *
     * @return the work done.
     */
    int doWork(final RaftNode raft, final long nowNs)
    {
        if (!requested || done)
        {
            return 0;
        }

        if (Role.LEADER == raft.role())
        {
            notLeaderSinceNs = NOT_SET;
            if (RaftNode.NO_MEMBER != raft.transferTarget())
            {
                return 0;
            }
            final int target = raft.mostUpToDatePeerHeardWithin(liveWindowNs);
            if (RaftNode.NO_MEMBER != target && raft.transferLeadership(target))
            {
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": stopping: handing leadership to " +
                    target);
                return 1;
            }
            // None heard within two heartbeats may be a pause of this process (a loaded host, a GC) rather than a
            // follower gone: wait for one to answer again, while any was heard within an election timeout (after
            // that, check-quorum would depose this leader anyway), rather than stop as a crash would.
            if (RaftNode.NO_MEMBER == raft.mostUpToDatePeerHeardWithin(electionTimeoutNs))
            {
                finish("no follower answered within an election timeout");
                return 1;
            }
            return 0;
        }

        final int leader = raft.leaderId();
        if (RaftNode.NO_MEMBER != leader && memberId != leader)
        {
            onHandedOver.run();
            done = true;
            return 1;
        }
        if (NOT_SET == notLeaderSinceNs)
        {
            notLeaderSinceNs = nowNs;
        }
        else if (nowNs - notLeaderSinceNs >= electionTimeoutNs)
        {
            finish("no new leader within an election timeout of stepping down");
            return 1;
        }
        return 0;
    }

    private void finish(final String why)
    {
        LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": stopping without a handover: " + why);
        done = true;
    }
}
