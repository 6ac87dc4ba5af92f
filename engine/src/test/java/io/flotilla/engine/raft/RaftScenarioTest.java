package io.flotilla.engine.raft;

import io.flotilla.engine.Role;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.sim.SimNode;
import io.flotilla.engine.sim.SimOptions;
import io.flotilla.engine.sim.SimRead;
import io.flotilla.engine.sim.Simulation;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.flotilla.engine.sim.SimOptions.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic Raft cases, scripted on the simulator with a reliable network: every invariant of the simulator is
 * checked after every step here too.
 */
class RaftScenarioTest
{
    private static final long WAIT_NS = 5_000 * MS;

    @Test
    void figure8PreviousTermEntryIsNotCommittedByCountingReplicas()
    {
        final Simulation sim = start(5, SimOptions.defaultRaftConfig());

        // Term t0: node 0 leads (a star around it: nobody else can gather three votes) and commits some entries.
        sim.disconnectAll();
        for (int i = 1; i < 5; i++)
        {
            sim.connect(0, i);
        }
        sim.awaitUntil("node 0 leads", () -> sim.leader() == 0, WAIT_NS);
        final long committed = proposeAndCommit(sim, 3);
        sim.awaitUntil("every node knows the commit", () -> sim.allCommitted(committed), WAIT_NS);

        // Node 0 replicates entry A (index k, term t0) to node 1 only.
        sim.disconnectAll();
        sim.connect(0, 1);
        final long k = sim.proposeOnLeader(sim.nextPayloadId());
        assertEquals(committed + 1, k);
        final long t0 = sim.node(0).raft().currentTerm();
        sim.awaitUntil("A durable on nodes 0 and 1",
            () -> sim.node(0).store().durableIndex() >= k && sim.node(1).store().durableIndex() >= k, WAIT_NS);

        // Node 0 crashes; node 4 wins term t1 with nodes 2 and 3, appends its no-op B at index k and is cut off
        // before B reaches anyone.
        sim.crash(0);
        sim.disconnectAll();
        sim.connect(4, 2);
        sim.connect(4, 3);
        sim.awaitUntil("node 4 leads", () -> sim.leader() == 4, WAIT_NS);
        sim.disconnectAll();
        final long t1 = sim.node(4).raft().currentTerm();
        assertTrue(t1 > t0);
        assertEquals(t1, sim.node(4).store().termAt(k));
        sim.node(4).flush(k);
        sim.crash(4);

        // Node 0 restarts and wins term t2 with nodes 2 and 3, whose disks now hold back at index k: A (term t0)
        // is then durable on a majority (0, 2, 3) but the no-op C of term t2 (index k + 1) only on node 0.
        sim.node(2).diskAuto(false);
        sim.node(3).diskAuto(false);
        sim.restart(0);
        sim.connect(0, 2);
        sim.connect(0, 3);
        sim.awaitUntil("node 0 leads again", () -> sim.leader() == 0, WAIT_NS);
        final long t2 = sim.node(0).raft().currentTerm();
        assertTrue(t2 > t1);
        sim.awaitUntil("A and C reach nodes 2 and 3",
            () -> sim.node(2).store().lastIndex() == k + 1 && sim.node(3).store().lastIndex() == k + 1, WAIT_NS);
        sim.node(2).flush(k);
        sim.node(3).flush(k);
        sim.runFor(100 * MS);
        assertEquals(t0, sim.node(2).store().termAt(k));
        assertTrue(sim.node(0).raft().commitIndex() < k,
            "a previous-term entry was committed by counting replicas: " + sim.describeNodes());

        // Node 0 crashes before C is durable anywhere else; 2 and 3 crash too and lose C. Node 4 (log ending in
        // term t1) can now win and replace A by B: legal, because A was never committed.
        sim.crash(0);
        sim.crash(2);
        sim.crash(3);
        sim.node(2).diskAuto(true);
        sim.node(3).diskAuto(true);
        sim.restart(2);
        sim.restart(3);
        sim.restart(4);
        sim.disconnectAll();
        for (int i = 1; i < 4; i++)
        {
            sim.connect(4, i);
        }
        sim.awaitUntil("node 4 leads and commits B",
            () -> sim.leader() == 4 && sim.node(4).raft().commitIndex() > k, WAIT_NS);
        assertEquals(t1, sim.node(4).store().termAt(k));

        // Everyone converges on B at index k.
        sim.restart(0);
        sim.heal();
        final long last = proposeAndCommit(sim, 1);
        sim.awaitUntil("every node catches up", () -> sim.allCommitted(last), WAIT_NS);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(t1, sim.node(i).store().termAt(k), "node " + i);
        }
    }

    @Test
    void leaderPartitionedInMinorityStepsDownAndItsEntriesAreReplaced()
    {
        final Simulation sim = start(5, SimOptions.defaultRaftConfig());
        final int oldLeader = awaitLeader(sim);
        proposeAndCommit(sim, 5);
        final long oldTerm = sim.node(oldLeader).raft().currentTerm();

        final int buddy = (oldLeader + 1) % 5;
        final int[] minority = { oldLeader, buddy };
        final int[] majority = others(5, minority);
        sim.partition(minority, majority);
        final long lostId = sim.nextPayloadId();
        final long lostIndex = sim.node(oldLeader).raft().propose(
            EntryType.COMMAND, 1, lostId, new UnsafeBuffer(new byte[8]), 0, 8);
        assertTrue(lostIndex > 0);

        sim.awaitUntil("a leader in the majority",
            () -> sim.leader() >= 0 && contains(majority, sim.leader()), WAIT_NS);
        final int newLeader = sim.leader();
        assertTrue(sim.node(newLeader).raft().currentTerm() > oldTerm);
        final long newIndex = proposeAndCommit(sim, 3);
        assertTrue(newIndex >= lostIndex);
        sim.awaitUntil("check-quorum steps the old leader down",
            () -> sim.node(oldLeader).raft().role() != Role.LEADER, sim.raftConfig().electionTimeoutMaxNs());

        sim.heal();
        sim.awaitUntil("the old leader follows", () -> sim.node(oldLeader).raft().leaderId() == newLeader &&
            sim.node(oldLeader).raft().commitIndex() >= newIndex, WAIT_NS);
        assertEquals(-1, sim.committedIndexOf(lostId), "the minority's entry must never commit");
        assertEquals(sim.node(newLeader).store().termAt(lostIndex), sim.node(oldLeader).store().termAt(lostIndex));
    }

    @Test
    void followerWithLongDivergentUncommittedTailIsRepairedQuickly()
    {
        final Simulation sim = start(3, SimOptions.defaultRaftConfig().maxUncommittedEntries(10_000));
        final int oldLeader = awaitLeader(sim);
        final long base = proposeAndCommit(sim, 10);

        // The isolated leader piles up 500 entries nobody else sees, then steps down (check-quorum).
        sim.partition(new int[]{ oldLeader }, others(3, new int[]{ oldLeader }));
        for (int i = 0; i < 500; i++)
        {
            assertTrue(sim.proposeOnLeader(sim.nextPayloadId()) > 0);
        }
        final long divergentEnd = sim.node(oldLeader).store().lastIndex();
        assertEquals(base + 500, divergentEnd);

        sim.awaitUntil("a new leader", () -> sim.leader() >= 0 && sim.leader() != oldLeader, WAIT_NS);
        final int newLeader = sim.leader();
        final long committed = proposeAndCommit(sim, 20);
        final long rejectionsBefore = sim.node(oldLeader).appendRejectionsSent();

        sim.heal();
        sim.awaitUntil("the divergent tail is replaced", () -> sim.node(oldLeader).raft().commitIndex() >= committed &&
            sim.node(oldLeader).store().lastIndex() == sim.node(newLeader).store().lastIndex(), WAIT_NS);
        // Fast back-tracking: the conflict term hint skips the whole divergent term at once.
        final long rejections = sim.node(oldLeader).appendRejectionsSent() - rejectionsBefore;
        assertTrue(rejections <= 3, "rejections while repairing a 500 entry tail: " + rejections);
        for (long index = base + 1; index <= committed; index++)
        {
            assertEquals(sim.node(newLeader).store().termAt(index), sim.node(oldLeader).store().termAt(index));
        }
    }

    @Test
    void candidateWithStaleLogNeverWins()
    {
        // Without pre-vote and check-quorum the stale node really does campaign with a higher term.
        final Simulation sim = start(3, SimOptions.defaultRaftConfig().preVote(false).checkQuorum(false));
        final int leader = awaitLeader(sim);
        final int stale = (leader + 1) % 3;
        sim.partition(new int[]{ stale }, others(3, new int[]{ stale }));
        final long committed = proposeAndCommit(sim, 20);
        final long clusterTerm = sim.node(leader).raft().currentTerm();
        sim.awaitUntil("the stale node campaigns in a higher term",
            () -> sim.node(stale).raft().currentTerm() > clusterTerm + 2, WAIT_NS);

        sim.heal();
        final boolean staleWon = sim.runUntil(() -> sim.leader() == stale, 2_000 * MS);
        assertFalse(staleWon, "a candidate with a stale log was elected: " + sim.describeNodes());
        sim.awaitUntil("an up-to-date leader in the higher term", () -> sim.leader() >= 0 &&
            sim.node(sim.leader()).raft().currentTerm() > clusterTerm, WAIT_NS);
        final long next = proposeAndCommit(sim, 1);
        assertTrue(next > committed);
        sim.awaitUntil("the stale node catches up", () -> sim.allCommitted(next), WAIT_NS);
    }

    @Test
    void leaderTransferWaitsForALaggingFollowerToCatchUp()
    {
        final Simulation sim = start(3, SimOptions.defaultRaftConfig());
        final int leader = awaitLeader(sim);
        final int target = (leader + 1) % 3;
        final int third = (leader + 2) % 3;
        proposeAndCommit(sim, 5);

        // The target misses 200 entries.
        sim.partition(new int[]{ leader, third }, new int[]{ target });
        final long behind = proposeAndCommit(sim, 200);
        assertTrue(sim.node(target).store().lastIndex() < behind);

        final RaftNode leaderNode = sim.node(leader).raft();
        assertTrue(leaderNode.transferLeadership(target));
        assertEquals(target, leaderNode.transferTarget());
        assertEquals(RaftNode.BACK_PRESSURED, sim.proposeOnLeader(sim.nextPayloadId()));

        sim.heal();
        final SimNode targetNode = sim.node(target);
        final long leaderTerm = leaderNode.currentTerm();
        final long leaderLastIndex = sim.node(leader).store().lastIndex();
        sim.awaitUntil("the target campaigns", () -> targetNode.raft().currentTerm() > leaderTerm, WAIT_NS);
        // It campaigns (on TimeoutNow) only once it holds the whole log.
        assertEquals(leaderLastIndex, targetNode.store().lastIndex());
        assertEquals(Role.CANDIDATE, targetNode.raft().role());
        assertTrue(targetNode.raft().isTransferCampaign(), "a candidate because of the TimeoutNow");
        sim.awaitUntil("the target takes over", () -> sim.leader() == target, WAIT_NS);
        assertEquals(leaderTerm + 1, targetNode.raft().currentTerm());
        assertNotEquals(Role.LEADER, sim.node(leader).raft().role());
        proposeAndCommit(sim, 1);

        // A transfer to an unreachable member is abandoned after an election timeout.
        final int newLeader = sim.leader();
        final int unreachable = (newLeader + 1) % 3;
        sim.partition(new int[]{ newLeader, (newLeader + 2) % 3 }, new int[]{ unreachable });
        proposeAndCommit(sim, 1);
        final RaftNode newLeaderNode = sim.node(newLeader).raft();
        assertTrue(newLeaderNode.transferLeadership(unreachable));
        assertEquals(RaftNode.BACK_PRESSURED, sim.proposeOnLeader(sim.nextPayloadId()));
        sim.runFor(sim.raftConfig().electionTimeoutMaxNs() + 10 * MS);
        assertEquals(RaftNode.NO_MEMBER, newLeaderNode.transferTarget());
        assertEquals((newLeader + 2) % 3,
            newLeaderNode.mostUpToDatePeerHeardWithin(2 * sim.raftConfig().heartbeatIntervalNs()),
            "the partitioned member is not heard from: only the other follower is a live target");
        assertEquals(newLeader, sim.leader());
        assertTrue(sim.proposeOnLeader(sim.nextPayloadId()) > 0);

        assertFalse(newLeaderNode.transferLeadership(newLeader), "not to itself");
        assertFalse(newLeaderNode.transferLeadership(42), "not to a stranger");
        assertFalse(sim.node(unreachable).raft().transferLeadership(newLeader), "only a leader transfers");
    }

    @Test
    void preVoteStopsARejoiningNodeFromDisruptingTheLeader()
    {
        final Simulation sim = start(3, SimOptions.defaultRaftConfig());
        final int leader = awaitLeader(sim);
        final int loner = (leader + 1) % 3;
        final long term = sim.node(leader).raft().currentTerm();

        sim.partition(new int[]{ loner }, others(3, new int[]{ loner }));
        sim.runFor(2_000 * MS);
        assertEquals(term, sim.node(loner).raft().currentTerm(), "pre-vote never raises the term");

        sim.heal();
        sim.runFor(2_000 * MS);
        assertEquals(leader, sim.leader());
        assertEquals(term, sim.node(leader).raft().currentTerm(), "the healthy leader was not disrupted");
        assertEquals(leader, sim.node(loner).raft().leaderId());

        // The same rejoin without pre-vote and check-quorum does disrupt: the test can tell the difference.
        final Simulation plain = start(3, SimOptions.defaultRaftConfig().preVote(false).checkQuorum(false));
        final int plainLeader = awaitLeader(plain);
        final int plainLoner = (plainLeader + 1) % 3;
        final long plainTerm = plain.node(plainLeader).raft().currentTerm();
        plain.partition(new int[]{ plainLoner }, others(3, new int[]{ plainLoner }));
        plain.runFor(2_000 * MS);
        plain.heal();
        plain.awaitUntil("the leader is deposed by the higher term",
            () -> plain.node(plainLeader).raft().currentTerm() > plainTerm, WAIT_NS);
    }

    @Test
    void checkQuorumStepsDownALeaderThatCannotHearAMajority()
    {
        final Simulation sim = start(5, SimOptions.defaultRaftConfig());
        final int leader = awaitLeader(sim);
        final long term = sim.node(leader).raft().currentTerm();

        // Only the leader's inbound links fail: it can still send, but hears nobody.
        for (int i = 0; i < 5; i++)
        {
            if (i != leader)
            {
                sim.block(i, leader);
            }
        }
        sim.awaitUntil("the leader steps down",
            () -> sim.node(leader).raft().role() != Role.LEADER, sim.raftConfig().electionTimeoutMaxNs() + 20 * MS);
        assertEquals(term, sim.node(leader).raft().currentTerm(), "stepped down on its own, not by a higher term");

        // Without check-quorum the same leader stays in charge (and the cluster is stuck with it).
        final Simulation plain = start(5, SimOptions.defaultRaftConfig().checkQuorum(false));
        final int plainLeader = awaitLeader(plain);
        for (int i = 0; i < 5; i++)
        {
            if (i != plainLeader)
            {
                plain.block(i, plainLeader);
            }
        }
        plain.runFor(2_000 * MS);
        assertEquals(plainLeader, plain.leader());
    }

    @Test
    void forgedAppendResponsesNeitherMoveTermsNorCommitAnything()
    {
        final Simulation sim = start(3, SimOptions.defaultRaftConfig());
        final int leader = awaitLeader(sim);
        proposeAndCommit(sim, 3);
        final long term = sim.node(leader).raft().currentTerm();

        // A term of Long.MAX_VALUE to every node, and one past the bound from a member.
        for (int id = 0; id < 3; id++)
        {
            sim.forgeAppendResponse((id + 1) % 3, id, Long.MAX_VALUE, false, 0, 0);
            final long pastBound = sim.node(id).raft().currentTerm() + RaftNode.MAX_TERM;
            sim.forgeAppendResponse((id + 1) % 3, id, pastBound, true, 0, 0);
        }
        for (int id = 0; id < 3; id++)
        {
            assertEquals(term, sim.node(id).raft().currentTerm(), "node " + id);
            assertEquals(term, sim.node(id).persistedTerm(), "node " + id + "'s state file");
        }
        assertEquals(leader, sim.leader());

        // Cut off from its followers, the leader hears an acknowledgement of entries it does not have.
        sim.disconnectAll();
        final long index = sim.proposeOnLeader(sim.nextPayloadId());
        final long committed = sim.node(leader).raft().commitIndex();
        sim.node(leader).flush(index);
        final int follower = (leader + 1) % 3;
        sim.forgeAppendResponse(follower, leader, term, true, index + 1000, index + 1000);
        assertEquals(committed, sim.node(leader).raft().commitIndex(), "committed on a forged acknowledgement");

        sim.heal();
        sim.awaitUntil("the entry committed", () -> sim.node(leader).raft().commitIndex() >= index, WAIT_NS);
        assertEquals(term, sim.node(leader).raft().currentTerm());
    }

    @Test
    void singleMemberClusterCommitsOnItsOwnDurability()
    {
        final Simulation sim = start(1, SimOptions.defaultRaftConfig());
        assertEquals(0, awaitLeader(sim));
        final long index = proposeAndCommit(sim, 10);
        assertEquals(11, index);
    }

    @Test
    void followerBehindACompactedLogCatchesUpThroughASnapshot()
    {
        final Simulation sim = start(new SimOptions().nodes(3).snapshotThreshold(16).snapshotChunkBytes(64));
        final int leader = awaitLeader(sim);
        final int lagging = (leader + 1) % 3;
        sim.partition(new int[]{ leader, (leader + 2) % 3 }, new int[]{ lagging });
        final long committed = proposeAndCommit(sim, 200);
        final SimNode leaderNode = sim.node(leader);
        sim.awaitUntil("the leader compacts past the lagging node's log",
            () -> leaderNode.store().firstIndex() > sim.node(lagging).store().lastIndex() + 1, WAIT_NS);

        sim.heal();
        final SimNode laggingNode = sim.node(lagging);
        sim.awaitUntil("the lagging node catches up", () -> sim.allCommitted(committed), WAIT_NS);
        assertEquals(1, laggingNode.snapshotsInstalled());
        assertTrue(laggingNode.store().firstIndex() > 1, "its log begins after the installed snapshot");
        assertEquals(leader, sim.leader(), "the leader was never deposed");
        sim.awaitUntil("both applied the same", () -> laggingNode.appliedIndex() == leaderNode.appliedIndex(), WAIT_NS);
        assertEquals(leaderNode.state(), laggingNode.state());
    }

    @Test
    void wipedFollowerRejoinsThroughASnapshotAndVotesOnlyOnceCaughtUp()
    {
        final Simulation sim = start(new SimOptions().nodes(3).snapshotThreshold(16));
        final int leader = awaitLeader(sim);
        final int wiped = (leader + 1) % 3;
        final int other = (leader + 2) % 3;
        final long committed = proposeAndCommit(sim, 100);
        sim.awaitUntil("every node knows the commit and the leader has compacted its log",
            () -> sim.allCommitted(committed) && sim.node(leader).store().firstIndex() > 1, WAIT_NS);

        sim.wipe(wiped);
        sim.restart(wiped, 0);
        final SimNode wipedNode = sim.node(wiped);
        assertEquals(0, wipedNode.raft().currentTerm());
        final long more = proposeAndCommit(sim, 20);
        sim.awaitUntil("the wiped node catches up", () -> wipedNode.raft().commitIndex() >= more, WAIT_NS);
        assertEquals(1, wipedNode.snapshotsInstalled());
        assertTrue(wipedNode.isFenced(), "caught up, but in the term it may have voted in before the wipe");

        // Without the leader, the other node cannot be elected: the wiped one does not vote yet.
        sim.crash(leader);
        assertFalse(sim.runUntil(() -> sim.leader() >= 0, 2_000 * MS), sim.describeNodes());

        sim.restart(leader);
        sim.awaitUntil("a leader in a new term", () -> sim.leader() >= 0, WAIT_NS);
        proposeAndCommit(sim, 1);
        sim.awaitUntil("the wiped node follows the new term", () -> !wipedNode.isFenced(), WAIT_NS);

        // Now its vote counts: with one of the others down, it elects a leader (or is elected).
        sim.crash(sim.leader() == other ? other : leader);
        sim.awaitUntil("a leader with the wiped node's vote", () -> sim.leader() >= 0, WAIT_NS);
    }

    @Test
    void aDeposedLeaderInAMinorityServesNoReadMissingTheMajoritysWrite()
    {
        // Without check-quorum the old leader keeps leading its minority for good (and holds no lease: a LEASE read
        // falls back to ReadIndex), so only the read's own leadership check stands between it and a stale answer.
        final Simulation sim = start(5, SimOptions.defaultRaftConfig().checkQuorum(false));
        final int oldLeader = awaitLeader(sim);
        proposeAndCommit(sim, 3);
        final long oldTerm = sim.node(oldLeader).raft().currentTerm();
        final int buddy = (oldLeader + 1) % 5;
        final int[] minority = { oldLeader, buddy };
        final int[] majority = others(5, minority);
        sim.partition(minority, majority);

        sim.awaitUntil("a leader in the majority",
            () -> sim.leader() >= 0 && contains(majority, sim.leader()), WAIT_NS);
        final long write = proposeAndCommit(sim, 1);
        assertEquals(Role.LEADER, sim.node(oldLeader).raft().role());
        assertEquals(oldTerm, sim.node(oldLeader).raft().currentTerm());
        assertTrue(sim.node(oldLeader).raft().commitIndex() < write);

        final SimRead[] stale = {
            sim.read(oldLeader, ReadMode.READ_INDEX), sim.read(oldLeader, ReadMode.LEASE),
            sim.read(buddy, ReadMode.READ_INDEX), sim.read(buddy, ReadMode.LEASE) };
        final SimRead fresh = sim.read(sim.leader(), ReadMode.READ_INDEX);
        // Every served read is also checked by the simulator's linearizability invariant as it is served.
        sim.runFor(1_000 * MS);
        for (final SimRead read : stale)
        {
            assertNotEquals(SimRead.Outcome.SERVED, read.outcome(), read.toString());
        }
        assertEquals(SimRead.Outcome.SERVED, fresh.outcome(), fresh.toString());
        assertTrue(fresh.servedIndex() >= write, fresh.toString());

        sim.heal();
        sim.awaitUntil("the old leader follows the new term",
            () -> sim.node(oldLeader).raft().currentTerm() > oldTerm, WAIT_NS);
        for (final SimRead read : stale)
        {
            assertEquals(SimRead.Outcome.FAILED, read.outcome(), read.toString());
        }
    }

    @Test
    void aLeaderPausedPastItsLeaseServesNoStaleLeaseReadOnResume()
    {
        final Simulation sim = start(3, SimOptions.defaultRaftConfig());
        final int oldLeader = awaitLeader(sim);
        proposeAndCommit(sim, 3);
        sim.runFor(100 * MS);
        final SimRead leased = sim.read(oldLeader, ReadMode.LEASE);
        assertEquals(SimRead.Outcome.SERVED, leased.outcome(), "a leader holding its lease answers at once");

        // The leader's process stalls, cut off from the others (a minority of one), who elect a new leader and
        // commit a write; still stalled, it receives reads of both modes.
        sim.pause(oldLeader);
        sim.partition(new int[]{ oldLeader }, others(3, new int[]{ oldLeader }));
        sim.awaitUntil("a new leader", () -> sim.leader() >= 0 && sim.leader() != oldLeader, WAIT_NS);
        final long write = proposeAndCommit(sim, 1);
        final SimRead lease = sim.read(oldLeader, ReadMode.LEASE);
        final SimRead readIndex = sim.read(oldLeader, ReadMode.READ_INDEX);
        assertEquals(SimRead.Outcome.PENDING, lease.outcome());

        // It resumes believing it leads, its clock moved on past the lease: the reads are started before its next
        // tick, and neither may be answered from its commit index, which misses the write.
        sim.resume(oldLeader);
        assertEquals(Role.LEADER, sim.node(oldLeader).raft().role());
        assertTrue(sim.node(oldLeader).raft().commitIndex() < write);
        assertNotEquals(SimRead.Outcome.SERVED, lease.outcome(), lease.toString());
        sim.awaitUntil("check-quorum steps the old leader down",
            () -> sim.node(oldLeader).raft().role() != Role.LEADER, sim.raftConfig().electionTimeoutMaxNs());
        assertEquals(SimRead.Outcome.FAILED, lease.outcome(), lease.toString());
        assertEquals(SimRead.Outcome.FAILED, readIndex.outcome(), readIndex.toString());
    }

    private static Simulation start(final int nodes, final RaftConfig config)
    {
        return start(new SimOptions().nodes(nodes).raftConfig(config));
    }

    private static Simulation start(final SimOptions options)
    {
        final Simulation sim = new Simulation(options, 42, true);
        sim.start(false);
        return sim;
    }

    private static int awaitLeader(final Simulation sim)
    {
        sim.awaitUntil("a leader", () -> sim.leader() >= 0, WAIT_NS);
        return sim.leader();
    }

    /**
     * Propose entries on the leader and wait until they are committed.
     *
     * @return the index of the last one.
     */
    private static long proposeAndCommit(final Simulation sim, final int count)
    {
        long last = -1;
        for (int i = 0; i < count; i++)
        {
            last = sim.proposeOnLeader(sim.nextPayloadId());
            assertTrue(last > 0, "propose answered " + last + ": " + sim.describeNodes());
        }
        final int leader = sim.leader();
        final long index = last;
        sim.awaitUntil("commit of " + index, () -> sim.node(leader).raft().commitIndex() >= index, WAIT_NS);
        return index;
    }

    private static int[] others(final int nodes, final int[] excluded)
    {
        final int[] result = new int[nodes - excluded.length];
        int n = 0;
        for (int i = 0; i < nodes; i++)
        {
            if (!contains(excluded, i))
            {
                result[n++] = i;
            }
        }
        return result;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int i : ids)
        {
            if (i == id)
            {
                return true;
            }
        }
        return false;
    }
}
