package io.flotilla.samples.nemesis;

import java.util.List;

/**
 * The faults the nemesis injects into a three-node cluster (and the membership changes it makes with a spare node).
 */
public enum Fault
{
    /** {@code kill -9} of the leader, restarted after the hold time (it replays its log and catches up). */
    KILL_LEADER,
    /** {@code kill -9} of a random node, restarted after the hold time. */
    KILL_RANDOM,
    /**
     * {@code kill -9} of a random node, restarted, and killed again while it replays its log or catches up, then
     * restarted for good: recovery of a log whose recovery was itself interrupted.
     */
    KILL_DURING_RECOVERY,
    /**
     * {@code kill -9} of a follower and its whole data directory deleted (a replaced disk), kept down for the hold
     * time while the others serve and the leader compacts its log, then restarted empty: it must rejoin through a
     * snapshot install and catch up before the next fault. Once it has learned the term and before it has caught up,
     * it is killed once more and restarted without the rejoin setting: its voting fence, in its state file, must hold
     * until it has caught up.
     * <p>
     * Raft's safety rests on a node remembering its log and its vote, which a wiped node forgets. One wiped node at
     * a time in a cluster of three is the "replace a failed disk" case and is safe when: the other two commit an
     * entry while it is down (so both hold every committed entry, and any majority that includes the blank node also
     * includes one of them); it learns the term from both others before it follows anyone, and votes again only
     * once caught up, in a later term than its fence lifted in (its forgotten votes went to one of those two, in a
     * term no later than that one's now, or to itself, a candidacy that ended with its data); and it has caught up
     * before another node loses anything. The follower is any node but the leader, whatever its term. Never wipe
     * two nodes at once.
     */
    WIPE_FOLLOWER,
    /**
     * A rolling restart, as an operator upgrades a cluster: each node in turn, the leader first, stopped with SIGTERM
     * (a leader hands leadership to an up-to-date follower before it exits), restarted, and ready again before the
     * next one stops. Nothing acknowledged may be lost and the workload must be served throughout.
     */
    ROLLING_RESTART,
    /** {@code kill -STOP} of the leader for longer than the election timeout, then {@code kill -CONT}. */
    PAUSE_LEADER,
    /** {@code kill -STOP} of a random node, then {@code kill -CONT}. */
    PAUSE_RANDOM,
    /**
     * All three nodes stopped longer than the clients' call timeout, then resumed together: every client's request
     * in flight times out (an unknown outcome, which may still be applied after the resume), and every node's timers
     * expire at once.
     */
    PAUSE_ALL,
    /** The leader cut off from both followers (clients still reach it). */
    PARTITION_LEADER,
    /** A random node cut off from the two others: a minority of one, a majority of two. */
    PARTITION_MINORITY,
    /**
     * The leader cut off (it may append entries clients send it that can never commit), killed -9 and restarted
     * while still cut off, then healed: the restarted node must drop its uncommitted tail for the new leader's log.
     */
    PARTITION_KILL_LEADER,
    /** Two nodes cut off from each other, both still linked to the third (a non-transitive partition). */
    PARTITION_BRIDGE,
    /**
     * A host on the nodes' network with no cluster key, aiming from the nodes' counters, forges consensus messages
     * ({@link RoguePeer}): to each follower an AppendEntries as if from the leader in its term, carrying valid
     * entries that PUT the live keys, and a TimeoutNow; to each node a RequestVote with the transfer flag and an
     * AppendResponse 1,000 terms ahead and one with the largest term; then, for the rest of the hold, 100
     * AppendResponses a second in rising terms. The cluster must go on serving, no term may jump, and no forged
     * write may show in the history.
     */
    ROGUE_PEER,
    /**
     * A client that does not play by the rules ({@link RogueClient}), at the leader: requests that PUT the live keys
     * sent into sessions it did not open (ids next to its own and random ones), a flood of requests from its own
     * session that it never reads, a burst of connects (more than the session limit) and connects naming a response
     * channel with {@code sparse=false}. No hijacked write may show in the history, the session limit and the
     * response channel policy must hold, and the workload must be served during the fault.
     */
    ROGUE_CLIENT,
    /**
     * A node joins and leaves: a spare slot started empty as a new member ({@code flotilla.join}), added through the
     * cluster tool ({@code flotilla member add}: a learner, caught up, by a snapshot install when the leader's log is
     * compacted, then promoted), four voters serve the hold (a quorum of three), then it is removed
     * ({@code member remove}) and stopped.
     */
    ADD_REMOVE_MEMBER,
    /**
     * A dead voter replaced, and then a live one: a follower is killed -9 and replaced by a spare started empty
     * ({@code member replace}: the new node added as a learner, caught up and promoted, the dead one removed, in one
     * operation); then the dead node's slot, its disk wiped, joins under a new member id and replaces the spare,
     * which is stopped. Three voters again, in the founding slots, one of them under a new id.
     */
    REPLACE_MEMBER,
    /**
     * The leader removes itself ({@code member remove} of the leader: it steps down once the change commits and the
     * others elect one of them), is stopped, and its slot, wiped, joins again under a new member id
     * ({@code member add}).
     */
    REMOVE_LEADER;

    /**
     * The CI schedule: every fault once, {@code KILL_LEADER} twice; the wipe and the membership changes after a few
     * faults, when every node has taken snapshots and the leader has compacted its log.
     */
    public static final List<Fault> SHORT_SCHEDULE = List.of(
        KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER, ROGUE_PEER, PARTITION_MINORITY, KILL_RANDOM, WIPE_FOLLOWER,
        PAUSE_RANDOM, ADD_REMOVE_MEMBER, PARTITION_BRIDGE, ROGUE_CLIENT, REPLACE_MEMBER, PARTITION_KILL_LEADER,
        KILL_DURING_RECOVERY, REMOVE_LEADER, PAUSE_ALL, ROLLING_RESTART, KILL_LEADER);
}
