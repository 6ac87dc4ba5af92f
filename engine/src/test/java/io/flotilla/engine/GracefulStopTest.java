package io.flotilla.engine;

import io.flotilla.engine.client.FlotillaClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop ({@link ClusterNode#close()} with a handover wait): a leader closed under load hands leadership to
 * a follower by a transfer, not through an election timeout, and nothing acknowledged is lost; a follower, a failed
 * node and a leader left alone close without waiting for a handover that cannot come; in a rolling restart a client is
 * moved by the closing nodes' redirects alone. Where a close must not wait, the wait is set to an hour: a close that
 * waited would end the test by its timeout.
 */
class GracefulStopTest
{
    private static final long HANDOVER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    private static final int MAX_IN_FLIGHT = 32;
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void theLeaderClosedUnderLoadHandsLeadershipOverByATransferAndLosesNothingAcknowledged() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final RecordingStateMachine[] machines = startAll(cluster, HANDOVER_TIMEOUT_NS, 1500, 3000);
            final ClusterNode leader = cluster.awaitLeader();
            final int oldLeader = leader.memberId();
            final long term = leader.term();
            final long[] electionsBefore = new long[3];
            final long[] transfersBefore = new long[3];
            for (int i = 0; i < 3; i++)
            {
                electionsBefore[i] = cluster.node(i).counter(NodeCounter.ELECTIONS);
                transfersBefore[i] = cluster.node(i).counter(NodeCounter.TRANSFER_ELECTIONS);
            }

            final Load load = new Load(leader);
            final Thread loadThread = new Thread(load, "load");
            loadThread.start();
            try
            {
                cluster.await("200 commands acknowledged before the close", () -> load.acknowledged.size() >= 200);
                cluster.stop(oldLeader);
            }
            finally
            {
                load.running = false;
                loadThread.join();
            }

            final ClusterNode newLeader = cluster.awaitLeader();
            final int newId = newLeader.memberId();
            assertNotEquals(oldLeader, newId);
            assertEquals(term + 1, newLeader.term(), "one election, in the next term" + cluster.describe());
            assertEquals(transfersBefore[newId] + 1, newLeader.counter(NodeCounter.TRANSFER_ELECTIONS),
                "the new leader campaigned because the old one handed leadership over (TimeoutNow)");
            final int other = 3 - oldLeader - newId;
            assertEquals(electionsBefore[other], cluster.node(other).counter(NodeCounter.ELECTIONS),
                "the other follower started no election: no election timeout passed");
            assertEquals(electionsBefore[newId] + 1, newLeader.counter(NodeCounter.ELECTIONS));

            final long lastAcked = load.maxAckedIndex.get();
            cluster.await("both survivors applied index " + lastAcked, () ->
                newLeader.appliedIndex() >= lastAcked && cluster.node(other).appliedIndex() >= lastAcked);
            assertTrue(load.acknowledged.size() >= 200);
            for (final String command : load.acknowledged)
            {
                assertTrue(machines[newId].hasApplied(command), command + " acknowledged, not on the new leader");
                assertTrue(machines[other].hasApplied(command), command + " acknowledged, not on the other survivor");
            }
            assertEquals(0, load.unexpected.get(), "proposals ended OK, BACK_PRESSURED, NOT_LEADER, DROPPED or CLOSED");
        }
    }

    @Test
    @Timeout(150)
    void aRollingRestartMovesAClientByRedirectsAloneWithNoElectionTimeoutAndAppliesEachCommandOnce() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, HANDOVER_TIMEOUT_NS, 1500, 3000);
            final int first = cluster.awaitLeader().memberId();
            // Its response timeout is longer than the test's: a client that had to wait for one, or for an attach's
            // retry (a quarter of it), would fail the test instead of finding the leader by a redirect.
            try (FlotillaClient client = FlotillaClient.connect(new FlotillaClient.Context()
                .ingressEndpoints(cluster.membersSpec())
                .connectTimeoutNs(TimeUnit.MINUTES.toNanos(10))
                .responseTimeoutNs(TimeUnit.MINUTES.toNanos(10))))
            {
                final UnsafeBuffer command = new UnsafeBuffer(RecordingStateMachine.bytes("roll"));
                long expected = 0;
                int leaderStops = 0;
                for (int i = 0; i < 3; i++)
                {
                    final int member = (first + i) % 3;
                    final int[] others = { (member + 1) % 3, (member + 2) % 3 };
                    final boolean wasLeader = Role.LEADER == cluster.node(member).role();
                    final long electionsBefore = sum(cluster, others, NodeCounter.ELECTIONS);
                    final long transfersBefore = sum(cluster, others, NodeCounter.TRANSFER_ELECTIONS);

                    final AtomicReference<Throwable> restartFailure = new AtomicReference<>();
                    final Thread restarter = new Thread(() ->
                    {
                        try
                        {
                            cluster.stop(member);
                            startMember(cluster, member, HANDOVER_TIMEOUT_NS, 1500, 3000);
                        }
                        catch (final Throwable ex)
                        {
                            restartFailure.set(ex);
                        }
                    }, "restarter");
                    restarter.start();
                    // Each answer is the count of commands applied: every one exactly once, across each handover.
                    while (restarter.isAlive())
                    {
                        assertEquals(++expected, call(client, command));
                    }
                    restarter.join();
                    assertNull(restartFailure.get(), "the restart threw");
                    final ClusterNode leader = cluster.awaitLeader();
                    final long committed = leader.commitIndex();
                    cluster.await("member " + member + " caught up",
                        () -> cluster.node(member).appliedIndex() >= committed);
                    assertEquals(++expected, call(client, command));

                    final long transfers = sum(cluster, others, NodeCounter.TRANSFER_ELECTIONS) - transfersBefore;
                    assertEquals(wasLeader ? 1 : 0, transfers, "member " + member + " stopped" + cluster.describe());
                    assertEquals(transfers, sum(cluster, others, NodeCounter.ELECTIONS) - electionsBefore,
                        "no election timeout passed while member " + member + " was restarted");
                    leaderStops += wasLeader ? 1 : 0;
                }
                assertTrue(leaderStops >= 2, "the first leader and the one it handed over to were both stopped");
                assertEquals(cluster.awaitLeader().memberId(), client.leaderMemberId());
            }
        }
    }

    @Test
    @Timeout(60)
    void aFollowerAndAFailedLeaderCloseWithoutWaiting() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final RecordingStateMachine[] machines = startAll(cluster, HOUR_NS, 300, 600);
            final ClusterNode leader = cluster.awaitLeader();
            final long term = leader.term();
            final int follower = (leader.memberId() + 1) % 3;

            cluster.stop(follower);
            assertEquals(Role.LEADER, leader.role(), "a follower's close leaves the leader alone");
            assertEquals(term, leader.term());
            assertEquals(0, leader.counter(NodeCounter.TRANSFER_ELECTIONS));

            machines[leader.memberId()].failOnNextApply();
            final ProposalResult result = leader.propose(new UnsafeBuffer(RecordingStateMachine.bytes("boom")), 0, 4)
                .get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(ProposalStatus.CLOSED, result.status(), "the leader stopped itself applying it");
            cluster.await("the leader stopped itself", () -> null != leader.failure());
            assertNotNull(leader.failure());
            assertEquals(Role.LEADER, leader.role(), "a failed node still reads as leader: its close must not wait");
            cluster.stop(leader.memberId());
        }
    }

    @Test
    @Timeout(60)
    void aLeaderLeftAloneClosesWithoutAHandover()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, HOUR_NS, 300, 600);
            final ClusterNode leader = cluster.awaitLeader();
            cluster.stop((leader.memberId() + 1) % 3);
            cluster.stop((leader.memberId() + 2) % 3);
            // It may still take a just-closed follower for a live one and try it, or step down (check-quorum):
            // either way the handover ends by itself, well before the hour.
            cluster.stop(leader.memberId());
            assertEquals(0, leader.counter(NodeCounter.TRANSFER_ELECTIONS));
        }
    }

    private static RecordingStateMachine[] startAll(
        final TestCluster cluster, final long handoverNs, final long electionMinMs, final long electionMaxMs)
    {
        final RecordingStateMachine[] machines = new RecordingStateMachine[3];
        for (int i = 0; i < 3; i++)
        {
            machines[i] = startMember(cluster, i, handoverNs, electionMinMs, electionMaxMs);
        }
        return machines;
    }

    private static RecordingStateMachine startMember(
        final TestCluster cluster,
        final int memberId,
        final long handoverNs,
        final long electionMinMs,
        final long electionMaxMs)
    {
        final RecordingStateMachine machine = new RecordingStateMachine();
        final ClusterNode.Context ctx = cluster.context(memberId)
            .stateMachine(machine)
            // Long election timeouts in the load tests: a loaded machine should see no election timeout, so that a
            // new leader in the next term is the transfer's.
            .electionTimeoutNs(
                TimeUnit.MILLISECONDS.toNanos(electionMinMs), TimeUnit.MILLISECONDS.toNanos(electionMaxMs))
            .shutdownTransferTimeoutNs(handoverNs);
        ctx.snapshotConfig().logEntries(0).logBytes(0);
        cluster.startWith(memberId, ctx);
        return machine;
    }

    private static long call(final FlotillaClient client, final UnsafeBuffer command)
    {
        return client.call(command, 0, command.capacity(), CALL_TIMEOUT_NS).getLong(0);
    }

    private static long sum(final TestCluster cluster, final int[] memberIds, final NodeCounter counter)
    {
        long sum = 0;
        for (final int memberId : memberIds)
        {
            sum += cluster.node(memberId).counter(counter);
        }
        return sum;
    }

    /**
     * Proposes unique commands to one node, up to {@value #MAX_IN_FLIGHT} at a time, until told to stop, and
     * remembers those acknowledged OK.
     */
    private static final class Load implements Runnable
    {
        private final ClusterNode node;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final AtomicLong maxAckedIndex = new AtomicLong();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger unexpected = new AtomicInteger();
        private volatile boolean running = true;

        Load(final ClusterNode node)
        {
            this.node = node;
        }

        public void run()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            int next = 0;
            while (running)
            {
                if (inFlight.get() >= MAX_IN_FLIGHT)
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    continue;
                }
                final String command = "load-" + next++;
                final int length = buffer.putStringWithoutLengthAscii(0, command);
                inFlight.incrementAndGet();
                node.propose(buffer, 0, length, (result) ->
                {
                    switch (result.status())
                    {
                        case OK:
                            acknowledged.add(command);
                            maxAckedIndex.accumulateAndGet(result.logIndex(), Math::max);
                            break;
                        case BACK_PRESSURED:
                        case NOT_LEADER:
                        case DROPPED:
                        case CLOSED:
                            break;
                        default:
                            unexpected.incrementAndGet();
                    }
                    inFlight.decrementAndGet();
                });
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
            }
        }
    }
}
