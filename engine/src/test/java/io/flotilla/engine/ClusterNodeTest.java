package io.flotilla.engine;

import io.aeron.Aeron;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.engine.node.ClusterMembers;
import io.flotilla.engine.node.NodeCounters;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three (and one) node clusters in one JVM over real Aeron UDP on loopback.
 */
class ClusterNodeTest
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void electsReplicatesTenThousandCommandsAndSurvivesLeaderLoss()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 10_000, 512, "cmd-");
            cluster.awaitConverged(10_000);
            assertCountersVisible(leader);
            for (int i = 0; i < 3; i++)
            {
                assertEquals(leader.memberId(), cluster.electedLeader(i));
                assertTrue(cluster.committed(i) >= 10_000);
                assertTrue(cluster.roleChanges(i) >= 1);
            }

            final int oldLeaderId = leader.memberId();
            final long oldTerm = leader.term();
            cluster.stop(oldLeaderId);

            final ClusterNode newLeader = cluster.awaitLeader();
            assertNotEquals(oldLeaderId, newLeader.memberId());
            assertTrue(newLeader.term() > oldTerm);
            TestCluster.proposeAll(newLeader, 500, 64, "after-");
            cluster.awaitConverged(10_500);
        }
    }

    @Test
    @Timeout(120)
    void restartedFollowerCatchesUpFromItsLogAndTheLeadersArchive()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i)
                    .logWindowBytes(2 * EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH)));
            }
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 2_000, 256, "a-");
            cluster.awaitConverged(2_000);

            final int followerId = (leader.memberId() + 1) % 3;
            final ClusterNode follower = cluster.node(followerId);
            final ProposalResult notLeader = proposeOnce(follower, "x");
            assertEquals(ProposalStatus.NOT_LEADER, notLeader.status());
            assertEquals(leader.memberId(), notLeader.leaderMemberId());
            assertEquals(ClusterMembers.parse(cluster.membersSpec()).member(leader.memberId()).ingressEndpoint(),
                notLeader.leaderEndpoint());

            cluster.stop(followerId);
            // 3,000 commands of 2 KiB: far more than the leader keeps in memory (its log window is set to the
            // minimum, about 2 MiB), so the follower's catch-up is read back from the leader's archive.
            TestCluster.proposeAll(leader, 3_000, 256, "b-", 2048);
            cluster.awaitConverged(5_000);

            // Restarted with a fresh state machine: replays its own log, then catches up from the leader.
            cluster.start(followerId);
            cluster.awaitConverged(5_000);
            TestCluster.proposeAll(leader, 100, 16, "c-");
            cluster.awaitConverged(5_100);
        }
    }

    @Test
    @Timeout(120)
    void proposalOfALeaderThatLostItsQuorumEndsOkEverywhereOrDroppedEverywhere()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 10, 4, "q-");
            cluster.awaitConverged(10);

            final int a = (leader.memberId() + 1) % 3;
            final int b = (leader.memberId() + 2) % 3;
            cluster.stop(a);
            cluster.stop(b);

            final BlockingQueue<ProposalResult> results = new ArrayBlockingQueue<>(1);
            final UnsafeBuffer command = new UnsafeBuffer("lost?".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            leader.propose(command, 0, command.capacity(), (result) -> results.add(result.copy()));
            cluster.await("the leader without a quorum to step down", () -> Role.LEADER != leader.role());
            assertTrue(results.isEmpty(), "nothing can complete the proposal before its fate is known");

            cluster.start(a);
            cluster.start(b);
            final ClusterNode newLeader = cluster.awaitLeader();
            final ProposalResult result = take(results);
            assertTrue(ProposalStatus.OK == result.status() || ProposalStatus.DROPPED == result.status(),
                result.toString());

            // One more command: every replica then holds the same history, with or without the proposal.
            TestCluster.proposeAll(newLeader, 1, 1, "after-");
            cluster.awaitConverged(ProposalStatus.OK == result.status() ? 12 : 11);
        }
    }

    @Test
    @Timeout(60)
    void singleNodeClusterCommitsAlone()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1).startAll())
        {
            final ClusterNode node = cluster.awaitLeader();
            final ProposalResult ok = proposeOnce(node, "hello");
            assertEquals(ProposalStatus.OK, ok.status(), ok.toString());
            assertEquals(1, ok.buffer().getLong(ok.offset()));
            assertTrue(ok.logIndex() > 0);

            final ProposalResult rejected = proposeOnce(node, "Refuse");
            assertEquals(ProposalStatus.REJECTED, rejected.status());
            assertEquals(2, rejected.buffer().getLong(rejected.offset()));

            TestCluster.proposeAll(node, 1_000, 128, "s-");
            cluster.awaitConverged(1_002);

            cluster.stop(0);
            final ProposalResult closed = proposeAfterClose(node);
            assertEquals(ProposalStatus.CLOSED, closed.status());

            // Restart: the state is rebuilt from the log before the node serves anyone.
            cluster.start(0);
            final ClusterNode restarted = cluster.awaitLeader();
            cluster.awaitConverged(1_002);
            final ProposalResult again = proposeOnce(restarted, "again");
            assertEquals(ProposalStatus.OK, again.status(), again.toString());
            assertEquals(1_003, again.buffer().getLong(again.offset()));
        }
    }

    private static ProposalResult proposeAfterClose(final ClusterNode node)
    {
        final BlockingQueue<ProposalResult> results = new ArrayBlockingQueue<>(1);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        node.propose(command, 0, 8, (result) -> results.add(result.copy()));
        return take(results);
    }

    static ProposalResult proposeOnce(final ClusterNode node, final String text)
    {
        final BlockingQueue<ProposalResult> results = new ArrayBlockingQueue<>(1);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[text.length()]);
        command.putStringWithoutLengthAscii(0, text);
        node.propose(command, 0, text.length(), (result) -> results.add(result.copy()));
        return take(results);
    }

    private static ProposalResult take(final BlockingQueue<ProposalResult> results)
    {
        try
        {
            final ProposalResult result = results.poll(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(result, "proposal did not complete in time");
            return result;
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void assertCountersVisible(final ClusterNode leader)
    {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(leader.aeronDirectoryName())))
        {
            final CountersReader counters = aeron.countersReader();
            final Map<Integer, Long> byType = new HashMap<>();
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (label.endsWith("memberId=" + leader.memberId()))
                {
                    byType.put(typeId, counters.getCounterValue(counterId));
                }
            });
            assertEquals((long)Role.LEADER.ordinal(), byType.get(NodeCounters.ROLE_TYPE_ID));
            assertEquals((long)leader.memberId(), byType.get(NodeCounters.LEADER_TYPE_ID));
            assertEquals(leader.term(), byType.get(NodeCounters.TERM_TYPE_ID));
            assertTrue(byType.get(NodeCounters.COMMIT_INDEX_TYPE_ID) >= 10_000);
            assertTrue(byType.get(NodeCounters.APPLIED_INDEX_TYPE_ID) >= 10_000);
            assertTrue(byType.get(NodeCounters.PROPOSALS_TYPE_ID) >= 10_000);
            assertTrue(byType.get(NodeCounters.BYTES_REPLICATED_TYPE_ID) > 0);
            assertTrue(byType.containsKey(NodeCounters.ELECTIONS_TYPE_ID));
            assertEquals(0L, byType.get(NodeCounters.INVALID_MESSAGES_TYPE_ID));
            assertTrue(byType.containsKey(NodeCounters.DROPPED_MESSAGES_TYPE_ID));
        }
    }
}
