package io.flotilla.engine;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node reports about itself from another thread: status, counters and latencies, also after it closed.
 */
class NodeStatusTest
{
    private static final int COMMANDS = 2_000;

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void theLeaderReportsItsFollowersProgressAndEveryNodeItsIndicesCountersAndLatencies()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, COMMANDS, 256, "status-");
            cluster.awaitConverged(COMMANDS);

            final long lastIndex = leader.counter(NodeCounter.LOG_LAST_INDEX);
            cluster.await("followers caught up in the leader's status", () -> leader.status().followers().stream()
                .allMatch((follower) -> follower.matchIndex() == lastIndex && 0 == follower.lag()));
            final NodeStatus status = leader.status();
            assertEquals(Role.LEADER, status.role());
            assertEquals(leader.memberId(), status.leaderMemberId());
            assertEquals(leader.memberId(), status.leader().id());
            assertEquals(2, status.followers().size());
            assertEquals(3, status.members().size());
            assertTrue(status.commitIndex() >= COMMANDS, "commit " + status.commitIndex());
            assertTrue(status.durableIndex() > 0 && status.durableIndex() <= lastIndex, "durable " + status.durableIndex());
            assertEquals(lastIndex, status.logLastIndex());
            assertEquals(1, status.logFirstIndex());
            assertTrue(status.running());
            assertNull(status.failure());
            assertEquals(ClusterNode.version(), status.version());
            assertFalse(status.version().contains("${"), status.version());
            assertTrue(leader.counter(NodeCounter.PROPOSALS) >= COMMANDS);

            for (int i = 0; i < 3; i++)
            {
                final ClusterNode node = cluster.node(i);
                if (node != leader)
                {
                    final NodeStatus followerStatus = node.status();
                    assertEquals(Role.FOLLOWER, followerStatus.role());
                    assertTrue(followerStatus.followers().isEmpty());
                    assertEquals(leader.memberId(), followerStatus.leaderMemberId());
                }
                final Histogram commit = node.commitLatency();
                final Histogram apply = node.applyLatency();
                assertTrue(commit.getTotalCount() >= COMMANDS, "commit latencies " + commit.getTotalCount());
                assertTrue(apply.getTotalCount() >= COMMANDS, "apply latencies " + apply.getTotalCount());
                assertTrue(commit.getValueAtPercentile(50) > 0);
            }

            final long countBefore = leader.commitLatency().getTotalCount();
            TestCluster.proposeAll(leader, 100, 64, "more-");
            cluster.await("the cumulative histogram grows", () -> leader.commitLatency().getTotalCount() >=
                countBefore + 100);

            final long committed = leader.commitIndex();
            cluster.stop(leader.memberId());
            final NodeStatus closed = leader.status();
            assertFalse(closed.running());
            assertEquals(committed, closed.commitIndex());
            assertTrue(leader.counter(NodeCounter.PROPOSALS) >= COMMANDS + 100);
            assertNotNull(leader.commitLatency());
        }
    }
}
