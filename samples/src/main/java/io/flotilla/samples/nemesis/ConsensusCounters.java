package io.flotilla.samples.nemesis;

import io.flotilla.engine.node.NodeCounters;

import java.io.File;

/**
 * What a node's counters say about its consensus state, read from its media driver's CnC file ({@link CncCounters}):
 * all an attacker who can read status needs to aim a forged message, and what shows that the node dropped one.
 *
 * @param role                   0 follower, 1 pre-candidate, 2 candidate, 3 leader.
 * @param term                   the node's current term.
 * @param leader                 the leader it knows, or -1.
 * @param commitIndex            its commit index.
 * @param invalidMessages        messages it dropped as malformed.
 * @param droppedMessages        messages it dropped for their sender or its state.
 * @param authenticationFailures messages it dropped as unsigned or wrongly signed.
 * @param replayedMessages       authentic messages it dropped as replayed or stale.
 */
public record ConsensusCounters(
    long role, long term, int leader, long commitIndex, long invalidMessages, long droppedMessages,
    long authenticationFailures, long replayedMessages)
{
    /** The role counter's value of a leader. */
    public static final long LEADER_ROLE = 3;

    /**
     * @param aeronDir of the node's media driver.
     * @param pid      of the process running that driver.
     * @return the counters, or null when they cannot be read now (see {@link CncCounters#read}).
     */
    public static ConsensusCounters read(final File aeronDir, final long pid)
    {
        final long[] values = CncCounters.read(aeronDir, pid, NodeCounters.ROLE_TYPE_ID, NodeCounters.TERM_TYPE_ID,
            NodeCounters.LEADER_TYPE_ID, NodeCounters.COMMIT_INDEX_TYPE_ID, NodeCounters.INVALID_MESSAGES_TYPE_ID,
            NodeCounters.DROPPED_MESSAGES_TYPE_ID, NodeCounters.AUTHENTICATION_FAILURES_TYPE_ID,
            NodeCounters.REPLAYED_MESSAGES_TYPE_ID);
        return null == values ? null : new ConsensusCounters(
            values[0], values[1], (int)values[2], values[3], values[4], values[5], values[6], values[7]);
    }

    public boolean isLeader()
    {
        return LEADER_ROLE == role;
    }

    /**
     * @return every message the node refused to act on, whatever the reason.
     */
    public long refusedMessages()
    {
        return invalidMessages + droppedMessages + authenticationFailures + replayedMessages;
    }
}
