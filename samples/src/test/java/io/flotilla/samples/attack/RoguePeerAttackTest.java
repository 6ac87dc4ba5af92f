package io.flotilla.samples.attack;

import io.flotilla.samples.nemesis.ConsensusCounters;
import io.flotilla.samples.nemesis.RoguePeer;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer rows of issue 13's attack table against a cluster whose members share a cluster key: a host that can
 * reach the consensus ports but holds no key forges the messages of a member ({@link RoguePeer}), aimed from the
 * nodes' counters. Each attack waits (bounded) until the targets either acted on the forgery or refused it (their
 * refused-message counters rose), then checks the cluster: nothing acknowledged lost, replicas identical, the term
 * and leader unchanged, writes acknowledged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoguePeerAttackTest
{
    private static final long REACT_MS = 5_000;
    static final int FORGED = 3;

    @TempDir
    File baseDir;

    private AttackCluster cluster;

    @AfterEach
    void after()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void forgedAppendEntriesAndTimeoutNowLoseNoAcknowledgedWrite() throws Exception
    {
        cluster = started(true);
        for (int i = 0; i < 10; i++)
        {
            cluster.put("k" + i, "v" + i);
        }
        final ConsensusCounters leader = cluster.awaitSettled();
        final int follower = (leader.leader() + 1) % 3;

        forgeAppendEntries(cluster, leader, follower);
        cluster.put("acked", "yes");
        final long refused = cluster.counters(follower).refusedMessages();
        cluster.rogue().timeoutNow(follower, leader.leader(), leader.term());
        AttackCluster.await(REACT_MS, () -> cluster.counters(follower).term() > leader.term() ||
            cluster.counters(follower).refusedMessages() > refused);

        assertEquals("yes", cluster.get("acked"), "the acknowledged write reads back");
        for (int i = 0; i < 10; i++)
        {
            assertEquals("v" + i, cluster.get("k" + i));
        }
        for (int i = 0; i < FORGED; i++)
        {
            assertNull(cluster.get("forged-" + i), "a forged entry was applied");
        }
        cluster.assertReplicasIdentical();
    }

    @Test
    void appendResponseWithTheLargestTermToEachNodeLeavesALeaderRestartIncluded() throws Exception
    {
        cluster = started(true);
        cluster.put("before", "1");
        cluster.awaitSettled();
        sendToEach(cluster, to -> cluster.rogue().appendResponse(to, (to + 1) % 3, Long.MAX_VALUE, false, 0, 0),
            to -> Long.MAX_VALUE == cluster.counters(to).term());

        cluster.put("after", "2");
        assertTrue(cluster.awaitSettled().term() < Long.MAX_VALUE);
        cluster.stop();
        cluster.start();
        cluster.put("restarted", "3");
        assertEquals("1", cluster.get("before"));
        assertEquals("2", cluster.get("after"));
        cluster.assertReplicasIdentical();
    }

    @Test
    void requestVoteWithTransferAndAppendResponseInAFarTermLeaveTheLeaderInPlace() throws Exception
    {
        cluster = started(true);
        cluster.put("k", "v");
        final ConsensusCounters leader = cluster.awaitSettled();
        final int candidate = (leader.leader() + 1) % 3;
        final long farTerm = leader.term() + 1_000;

        sendToEach(cluster, to -> cluster.rogue().requestVote(
            to, to == candidate ? (candidate + 1) % 3 : candidate, farTerm, leader.commitIndex() + 1_000, leader.term(),
            false, true), to -> cluster.counters(to).term() != leader.term());
        assertLeaderUnchanged(leader);

        final long refused = cluster.counters(leader.leader()).refusedMessages();
        cluster.rogue().appendResponse(leader.leader(), candidate, farTerm, false, 0, 0);
        AttackCluster.await(REACT_MS, () -> cluster.counters(leader.leader()).term() != leader.term() ||
            cluster.counters(leader.leader()).refusedMessages() > refused);
        assertLeaderUnchanged(leader);
        cluster.put("k", "w");
    }

    @Test
    void floodOfForgedAppendResponsesLeavesWritesAcknowledged() throws Exception
    {
        cluster = started(true);
        cluster.put("warm-up", "1");
        final ConsensusCounters leader = cluster.awaitSettled();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong maxGapNs = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            long lastNs = System.nanoTime();
            while (running.get())
            {
                cluster.put("flooded-" + (acknowledged.get() % 100), "v" + acknowledged.get());
                final long nowNs = System.nanoTime();
                maxGapNs.accumulateAndGet(nowNs - lastNs, Math::max);
                lastNs = nowNs;
                acknowledged.incrementAndGet();
            }
        }, "attack-writer");
        final Throwable[] writerFailure = new Throwable[1];
        writer.setUncaughtExceptionHandler((thread, ex) -> writerFailure[0] = ex);
        writer.start();

        final long sent = cluster.rogue().floodAppendResponses(leader.term(), 100,
            TimeUnit.SECONDS.toNanos(10));
        running.set(false);
        writer.join(AttackCluster.BOUND_MS);

        assertNull(writerFailure[0], "a write failed during the flood: " + writerFailure[0]);
        assertTrue(sent >= 500, "forged responses sent: " + sent);
        assertTrue(acknowledged.get() >= 200, "writes acknowledged during the 10 s flood: " + acknowledged.get());
        assertTrue(maxGapNs.get() < TimeUnit.SECONDS.toNanos(3),
            "longest time without an acknowledgement: " + TimeUnit.NANOSECONDS.toMillis(maxGapNs.get()) + " ms");
        cluster.assertReplicasIdentical();
    }

    /**
     * An AppendEntries to {@code follower} as if from the leader in its term, carrying {@link #FORGED} PUTs right
     * after the common (idle) log end and claiming them committed; waits until the follower applied or refused it.
     */
    static void forgeAppendEntries(final AttackCluster cluster, final ConsensusCounters leader, final int follower)
    {
        final long refused = cluster.counters(follower).refusedMessages();
        final List<DirectBuffer> forged = List.of(
            cluster.putCommand("forged-0", "x"), cluster.putCommand("forged-1", "x"), cluster.putCommand("forged-2", "x"));
        assertTrue(cluster.rogue().appendEntries(
            follower, leader.leader(), leader.term(), leader.commitIndex(), leader.term(), forged));
        AttackCluster.await(REACT_MS, () ->
            cluster.counters(follower).commitIndex() >= leader.commitIndex() + FORGED ||
            cluster.counters(follower).refusedMessages() > refused);
    }

    /**
     * Sends one forged message to each node, then waits until each has either shown its effect or refused it.
     */
    static void sendToEach(final AttackCluster cluster, final IntPredicate send, final IntPredicate affected)
    {
        final long[] refused = new long[3];
        for (int to = 0; to < 3; to++)
        {
            refused[to] = cluster.counters(to).refusedMessages();
            assertTrue(send.test(to), "sent to node " + to);
        }
        for (int to = 0; to < 3; to++)
        {
            final int node = to;
            AttackCluster.await(REACT_MS, () ->
                affected.test(node) || cluster.counters(node).refusedMessages() > refused[node]);
        }
    }

    private void assertLeaderUnchanged(final ConsensusCounters leader)
    {
        for (int i = 0; i < 3; i++)
        {
            final ConsensusCounters now = cluster.counters(i);
            assertEquals(leader.term(), now.term(), "node " + i + "'s term");
            assertEquals(leader.leader(), now.leader(), "node " + i + "'s leader");
        }
    }

    private AttackCluster started(final boolean authenticated) throws Exception
    {
        final AttackCluster started = new AttackCluster(baseDir, authenticated);
        started.start();
        return started;
    }
}
