package io.flotilla.engine.raft;

import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.Role;
import io.flotilla.engine.sim.SimRead;
import io.flotilla.engine.sim.SimOptions;
import io.flotilla.engine.sim.Simulation;
import org.junit.jupiter.api.Test;

import static io.flotilla.engine.sim.SimOptions.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes scripted on the simulator with a reliable network (every invariant checked after every step,
 * among them that each node's configuration is what its log says): learners, joint consensus entered and left, the
 * refusals, a leader removing itself, a removed follower's reads failing, an uncommitted configuration truncated
 * away.
 */
class MembershipScenarioTest
{
    private static final long WAIT_NS = 5_000 * MS;
    private static final int[] NONE = {};

    @Test
    void aLearnerGetsTheLogButNeitherVotesNorCounts()
    {
        final Simulation sim = start(4, 3);
        final int leader = awaitCommittedLeader(sim);
        final long added = sim.node(leader).raft().proposeConfigChange(new ConfigChange().addLearner(3));
        assertTrue(added > 0, ConfigChange.describe(added));
        final long marker = proposeAndCommit(sim);
        sim.awaitUntil("the learner holds the log", () -> sim.node(3).raft().commitIndex() >= marker, WAIT_NS);
        assertEquals(new Configuration(new int[]{ 0, 1, 2 }, NONE, new int[]{ 3 }), sim.node(3).raft().configuration());

        // The leader with the learner alone commits nothing and steps down; the learner never campaigns.
        final int[] others = othersThan(leader, 3);
        sim.partition(new int[]{ leader, 3 }, others);
        final long lonely = sim.proposeOnLeader(sim.nextPayloadId());
        sim.awaitUntil("check-quorum deposes the leader", () -> Role.LEADER != sim.node(leader).raft().role(),
            WAIT_NS);
        assertTrue(sim.node(leader).raft().commitIndex() < lonely, "a learner's acknowledgement commits nothing");
        sim.runFor(2 * sim.raftConfig().electionTimeoutMaxNs());
        assertEquals(Role.FOLLOWER, sim.node(3).raft().role());
        assertTrue(3 != sim.node(3).persistedVote(), "it never voted for itself");
    }

    @Test
    void aPromotionEntersAJointConfigurationAndLeavesItByItself()
    {
        final Simulation sim = start(4, 3);
        final int leader = awaitCommittedLeader(sim);
        final RaftNode raft = sim.node(leader).raft();
        assertEquals(RaftNode.NOT_LEADER,
            sim.node(othersThan(leader, 3)[0]).raft().proposeConfigChange(new ConfigChange().addLearner(3)));
        final long added = raft.proposeConfigChange(new ConfigChange().addLearner(3));
        assertTrue(added > 0);
        assertEquals(ConfigChange.CHANGE_IN_PROGRESS, raft.proposeConfigChange(new ConfigChange().promote(3)),
            "the learner's entry is not committed yet");
        sim.awaitUntil("the learner is added", () -> raft.commitIndex() >= added, WAIT_NS);

        final long joint = raft.proposeConfigChange(new ConfigChange().promote(3));
        assertTrue(joint > 0);
        assertTrue(raft.configuration().isJoint(), "in effect from its append");
        assertEquals(ConfigChange.CHANGE_IN_PROGRESS, raft.proposeConfigChange(new ConfigChange().remove(0)));
        final Configuration four = Configuration.ofVoters(0, 1, 2, 3);
        sim.awaitUntil("every node commits the joint configuration's leave", () ->
        {
            for (int id = 0; id < 4; id++)
            {
                if (!four.equals(sim.node(id).raft().committedConfiguration()))
                {
                    return false;
                }
            }
            return true;
        }, WAIT_NS);
        assertTrue(raft.configurationIndex() > joint, "the leave is an entry of its own");
        assertTrue(raft.proposeConfigChange(new ConfigChange().remove(3)) > 0, "no change in progress now");
    }

    @Test
    void aReplacementNeedsTheOldMajorityToo()
    {
        // Replace voter a by learner 3 while the leader is cut off with 3: the new voters' majority (leader and 3)
        // is there, the old one is not. Entered directly (without the joint step) the change would commit, and a
        // and b, a majority of the old voters, would elect and commit too: two histories.
        final Simulation sim = start(4, 3);
        final int leader = awaitCommittedLeader(sim);
        final int a = othersThan(leader)[0];
        final int b = othersThan(leader)[1];
        final RaftNode raft = sim.node(leader).raft();
        final long added = raft.proposeConfigChange(new ConfigChange().addLearner(3));
        sim.awaitUntil("the learner caught up", () -> sim.node(3).raft().commitIndex() >= added, WAIT_NS);

        sim.partition(new int[]{ leader, 3 }, new int[]{ a, b });
        final long joint = raft.proposeConfigChange(new ConfigChange().promote(3).remove(a));
        assertTrue(joint > 0);
        sim.awaitUntil("a and b elect one of them", () -> Role.LEADER == sim.node(a).raft().role() ||
            Role.LEADER == sim.node(b).raft().role(), WAIT_NS);
        assertTrue(raft.commitIndex() < joint, "the leader and the learner are no majority of the old voters");
        final long marker = proposeAndCommit(sim);

        sim.partition(new int[]{ 0, 1, 2, 3 });
        sim.awaitUntil("one history", () -> sim.allCommitted(marker), WAIT_NS);
        assertFalse(raft.configuration().isJoint(), "the joint entry went with the old leader's tail");
    }

    @Test
    void aMemberThatMissedTheAdditionOfItsLeaderCatchesUpOnceTheLeaderIntroducesItself()
    {
        final Simulation sim = start(4, 3);
        final int leader = awaitCommittedLeader(sim);
        final int lagging = othersThan(leader)[0];
        final int other = othersThan(leader)[1];
        final RaftNode raft = sim.node(leader).raft();
        sim.partition(new int[]{ leader, other, 3 }, new int[]{ lagging });
        final long added = raft.proposeConfigChange(new ConfigChange().addLearner(3));
        sim.awaitUntil("the learner is added", () -> raft.commitIndex() >= added, WAIT_NS);
        assertTrue(raft.proposeConfigChange(new ConfigChange().promote(3)) > 0);
        final Configuration four = Configuration.ofVoters(0, 1, 2, 3);
        sim.awaitUntil("four voters committed", () -> four.equals(raft.committedConfiguration()), WAIT_NS);
        assertTrue(raft.transferLeadership(3));
        sim.awaitUntil("member 3 leads", () -> 3 == sim.leader(), WAIT_NS);
        final long marker = proposeAndCommit(sim);

        // The lagging member's configuration is the first one: it has no way to answer member 3 until told.
        assertFalse(sim.node(lagging).raft().configuration().isMember(3));
        sim.heal();
        sim.awaitUntil("the lagging member catches up from member 3",
            () -> sim.node(lagging).raft().commitIndex() >= marker, WAIT_NS);
        assertEquals(3, sim.node(lagging).raft().leaderId());
        assertTrue(sim.node(lagging).leadersIntroduced() > 0, "member 3 introduced itself");
        assertEquals(four, sim.node(lagging).raft().configuration());
    }

    @Test
    void aNewLeaderChangesNothingBeforeItsTermsFirstEntryCommits()
    {
        final Simulation sim = start(3, 3);
        sim.awaitUntil("a leader", () -> sim.leader() >= 0, WAIT_NS);
        final RaftNode raft = sim.node(sim.leader()).raft();
        assertTrue(raft.commitIndex() == 0);
        assertEquals(ConfigChange.TERM_NOT_COMMITTED, raft.proposeConfigChange(new ConfigChange().remove(0)));
        sim.awaitUntil("its no-op commits", () -> raft.commitIndex() >= 1, WAIT_NS);
        assertEquals(ConfigChange.ALREADY_MEMBER, raft.proposeConfigChange(new ConfigChange().addLearner(1)));
        assertTrue(raft.proposeConfigChange(new ConfigChange().remove(0)) > 0);
    }

    @Test
    void aLeaderThatRemovesItselfLeadsUntilTheChangeCommitsThenHandsOver()
    {
        final Simulation sim = start(3, 3);
        final int leader = awaitCommittedLeader(sim);
        final RaftNode raft = sim.node(leader).raft();
        final long term = raft.currentTerm();
        final long proposedNs = sim.nowNs();
        assertTrue(raft.proposeConfigChange(new ConfigChange().remove(leader)) > 0);
        assertEquals(2, raft.configuration().voters().length);
        assertTrue(raft.configuration().isVoter(leader), "an outgoing voter while joint");

        sim.awaitUntil("the leader steps down", () -> Role.LEADER != raft.role(), WAIT_NS);
        assertFalse(raft.committedConfiguration().isMember(leader));
        assertEquals(term, raft.currentTerm(), "it led until the configuration without it committed");
        final int[] rest = othersThan(leader);
        final long stepDownNs = sim.nowNs();
        // The followers answer the entry that removes it though their configuration no longer names it: on a
        // reliable network the change commits in round trips, with no wait for the leader to introduce itself.
        assertTrue(stepDownNs - proposedNs < sim.raftConfig().heartbeatIntervalNs(),
            "stepped down " + (stepDownNs - proposedNs) + " ns after proposing");
        sim.awaitUntil("the others elect one of them", () -> sim.leader() >= 0 && sim.leader() != leader, WAIT_NS);
        // It handed over (a TimeoutNow to the most up-to-date voter): no election timeout without a leader.
        assertTrue(sim.nowNs() - stepDownNs < sim.raftConfig().electionTimeoutMinNs(),
            "elected " + (sim.nowNs() - stepDownNs) + " ns after the step-down");
        final long marker = proposeAndCommit(sim);
        for (final int id : rest)
        {
            final int node = id;
            sim.awaitUntil("commit on " + node, () -> sim.node(node).raft().commitIndex() >= marker, WAIT_NS);
        }
        sim.runFor(2 * sim.raftConfig().electionTimeoutMaxNs());
        assertEquals(Role.FOLLOWER, raft.role(), "a removed node does not campaign");
    }

    @Test
    void aRemovedFollowersReadsFailWithinAnElectionTimeoutAndAreNeverServed()
    {
        final Simulation sim = start(3, 3);
        final int leader = awaitCommittedLeader(sim);
        final RaftNode raft = sim.node(leader).raft();
        final int removed = othersThan(leader)[0];
        assertEquals(SimRead.Outcome.SERVED, awaitRead(sim, removed), "a member's follower read is served");

        final long change = raft.proposeConfigChange(new ConfigChange().remove(removed));
        assertTrue(change > 0, ConfigChange.describe(change));
        sim.awaitUntil("the configuration without it commits", () -> !raft.configuration().isJoint() &&
            raft.commitIndex() >= raft.configurationIndex(), WAIT_NS);
        // The leader replicates to it no more (it never learns the final configuration) and drops its requests.
        final long startNs = sim.nowNs();
        final SimRead.Outcome outcome = awaitRead(sim, removed);
        assertTrue(SimRead.Outcome.FAILED == outcome || SimRead.Outcome.REFUSED == outcome, outcome.name());
        assertTrue(sim.nowNs() - startNs <= sim.raftConfig().electionTimeoutMaxNs() + 50 * MS,
            "ended " + (sim.nowNs() - startNs) + " ns after the request");
    }

    private static SimRead.Outcome awaitRead(final Simulation sim, final int id)
    {
        final SimRead read = sim.read(id, ReadMode.READ_INDEX);
        sim.awaitUntil("the read at node " + id + " ends", () -> SimRead.Outcome.PENDING != read.outcome(), WAIT_NS);
        return read.outcome();
    }

    @Test
    void anUncommittedConfigurationGoesWithItsTruncatedEntry()
    {
        final Simulation sim = start(4, 3);
        final int leader = awaitCommittedLeader(sim);
        final RaftNode raft = sim.node(leader).raft();
        final Configuration before = raft.configuration();
        sim.partition(new int[]{ leader }, othersThan(leader));
        assertTrue(raft.proposeConfigChange(new ConfigChange().addLearner(3)) > 0);
        assertTrue(raft.configuration().isLearner(3));

        sim.awaitUntil("another leader", () -> sim.leader() >= 0 && sim.leader() != leader, WAIT_NS);
        proposeAndCommit(sim);
        sim.partition(new int[]{ 0, 1, 2, 3 });
        sim.awaitUntil("the old leader's entry is truncated", () -> before.equals(raft.configuration()) &&
            raft.commitIndex() >= sim.maxCommitted(), WAIT_NS);
        assertFalse(raft.configuration().isMember(3));
    }

    private static Simulation start(final int nodes, final int voters)
    {
        final Simulation sim = new Simulation(
            new SimOptions().nodes(nodes).initialVoters(voters).raftConfig(SimOptions.defaultRaftConfig()), 42, true);
        sim.start(false);
        return sim;
    }

    private static int awaitCommittedLeader(final Simulation sim)
    {
        sim.awaitUntil("a leader with its term's entry committed", () -> sim.leader() >= 0 &&
            sim.node(sim.leader()).raft().commitIndex() >= sim.node(sim.leader()).store().lastIndex(), WAIT_NS);
        return sim.leader();
    }

    private static long proposeAndCommit(final Simulation sim)
    {
        final long index = sim.proposeOnLeader(sim.nextPayloadId());
        assertTrue(index > 0, "propose answered " + index);
        final int leader = sim.leader();
        sim.awaitUntil("commit of " + index, () -> sim.node(leader).raft().commitIndex() >= index, WAIT_NS);
        return index;
    }

    private static int[] othersThan(final int excluded)
    {
        return othersThan(excluded, -1);
    }

    /**
     * @return the voters 0..2 but the one excluded.
     */
    private static int[] othersThan(final int excluded, final int alsoExcluded)
    {
        final int[] others = new int[2];
        int n = 0;
        for (int id = 0; id < 3; id++)
        {
            if (id != excluded && id != alsoExcluded)
            {
                others[n++] = id;
            }
        }
        return others;
    }
}
