package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conveniences of {@link ClusterNode} on a real cluster: {@link ClusterNode#awaitLeader(Duration)} (a leader, a
 * named timeout without a quorum, a closed node), and the future forms of propose and query (every outcome the
 * callback forms give, as detached copies).
 */
class ClusterNodeFuturesTest
{
    private static final Duration WAIT = Duration.ofMillis(TestCluster.TIMEOUT_MS);

    @TempDir
    File tempDir;

    @Test
    @Timeout(90)
    void awaitLeaderAndTheFutureFormsOfProposeAndQuery() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final ClusterNode first = start(cluster, 0);
            final TimeoutException noQuorum =
                assertThrows(TimeoutException.class, () -> first.awaitLeader(Duration.ofMillis(200)));
            assertTrue(noQuorum.getMessage().contains("knows no leader"), noQuorum.getMessage());

            start(cluster, 1);
            start(cluster, 2);
            final int leaderId = first.awaitLeader(WAIT);
            assertEquals(cluster.awaitLeader().memberId(), leaderId);
            final ClusterNode leader = cluster.node(leaderId);
            final ClusterNode follower = cluster.node((leaderId + 1) % 3);

            final ProposalResult ok = leader.propose(command("a"), 0, 1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(ProposalStatus.OK, ok.status(), ok.toString());
            assertTrue(ok.logIndex() > 0);
            final ProposalResult rejected =
                leader.propose(command("R"), 0, 1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(ProposalStatus.REJECTED, rejected.status(), rejected.toString());
            assertEquals(2, rejected.buffer().getLong(rejected.offset()));
            assertEquals(1, ok.buffer().getLong(ok.offset()), "a copy: still valid after later proposals");
            final ProposalResult notLeader =
                follower.propose(command("b"), 0, 1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(ProposalStatus.NOT_LEADER, notLeader.status());
            assertEquals(leaderId, notLeader.leaderMemberId());

            final QueryResult read = follower.query(ReadConsistency.LINEARIZABLE, command("get"), 0, 3)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(QueryStatus.OK, read.status(), read.toString());
            assertEquals(8, read.length());
            assertEquals(2, read.buffer().getLong(read.offset()), "both commands applied by the read index");
            assertTrue(read.readIndex() >= rejected.logIndex());
            final QueryResult refused = leader.query(ReadConsistency.LEASE, command("R"), 0, 1)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(QueryStatus.REJECTED, refused.status());
            assertEquals("refused", refused.buffer().getStringWithoutLengthAscii(refused.offset(), refused.length()));

            cluster.stop(follower.memberId());
            assertEquals(ProposalStatus.CLOSED, follower.propose(command("c"), 0, 1).getNow(null).status(),
                "completed at once on a closed node");
            assertEquals(QueryStatus.CLOSED,
                follower.query(ReadConsistency.LINEARIZABLE, command("get"), 0, 3).getNow(null).status());
            assertThrows(IllegalStateException.class, () -> follower.awaitLeader(WAIT));
        }
    }

    private static ClusterNode start(final TestCluster cluster, final int memberId)
    {
        final ClusterNode.Context ctx = cluster.context(memberId).stateMachine(new RecordingStateMachine());
        ctx.snapshotConfig().logEntries(0).logBytes(0);
        return cluster.startWith(memberId, ctx);
    }

    private static DirectBuffer command(final String text)
    {
        return new UnsafeBuffer(RecordingStateMachine.bytes(text));
    }
}
