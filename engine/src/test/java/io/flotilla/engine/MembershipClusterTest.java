package io.flotilla.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes on a real cluster over Aeron: a three-node cluster grows to five under load and shrinks back,
 * a dead voter is replaced, the leader removes itself, restarted members rebuild the configuration from their log
 * and from a snapshot, and wrong requests are refused by name.
 */
class MembershipClusterTest
{
    private static final long WAIT_S = TestCluster.TIMEOUT_MS / 1000;

    @TempDir
    File baseDir;

    @Test
    void growsFromThreeToFiveUnderLoadAndShrinksBackLosingNothing() throws Exception
    {
        try (TestCluster cluster = new TestCluster(baseDir, 5))
        {
            startFounders(cluster, 3);
            TestCluster.proposeAll(cluster.awaitLeader(), 300, 32, "before-");

            final AtomicReference<Throwable> loadFailure = new AtomicReference<>();
            final Thread load = new Thread(() ->
            {
                try
                {
                    cluster.proposeAllAcrossLeaderChanges(3_000, 16, "during-");
                }
                catch (final Throwable ex)
                {
                    loadFailure.set(ex);
                }
            });
            load.start();

            for (int id = 3; id < 5; id++)
            {
                startJoining(cluster, id, 0, 1, 2);
                // A joining node knows no leader until the leader adds it: find the leader among the others.
                final Membership grown = leaderAmong(cluster, 0, 1, 2).addMember(id, cluster.endpoint(id))
                    .get(WAIT_S, TimeUnit.SECONDS);
                assertTrue(grown.isVoter(id), grown.toString());
                assertEquals(cluster.endpoint(id), grown.endpoint(id));
            }
            awaitVoters(cluster, 0, 1, 2, 3, 4);

            for (int id = 4; id >= 3; id--)
            {
                final Membership shrunk = cluster.awaitLeader().removeMember(id).get(WAIT_S, TimeUnit.SECONDS);
                assertFalse(shrunk.isVoter(id) || shrunk.isLearner(id), shrunk.toString());
            }
            load.join(TimeUnit.SECONDS.toMillis(2 * WAIT_S));
            assertFalse(load.isAlive(), "the load did not finish");
            assertEquals(null, loadFailure.get());
            awaitVoters(cluster, 0, 1, 2);

            // The removed members are stopped; every command acknowledged is on the three that remain.
            cluster.stop(3);
            cluster.stop(4);
            cluster.awaitConverged(3_300);
            TestCluster.proposeAll(cluster.awaitLeader(), 100, 32, "after-");
            cluster.awaitConverged(3_400);
        }
    }

    @Test
    void aDeadVoterIsReplacedAndRestartedMembersKeepTheConfigurationFromLogAndSnapshot() throws Exception
    {
        try (TestCluster cluster = new TestCluster(baseDir, 4))
        {
            startFounders(cluster, 3);
            TestCluster.proposeAll(cluster.awaitLeader(), 200, 32, "before-");

            final int dead = cluster.awaitLeader().memberId() == 2 ? 1 : 2;
            cluster.stop(dead);
            startJoining(cluster, 3, 0, 1, 2);
            final int[] survivors = Arrays.stream(new int[]{ 0, 1, 2, 3 }).filter((id) -> id != dead).toArray();
            final Membership replaced = leaderAmong(cluster, survivors[0], survivors[1])
                .replaceMember(dead, 3, cluster.endpoint(3))
                .get(WAIT_S, TimeUnit.SECONDS);
            assertArrayEquals(survivors, replaced.voters(), replaced.toString());
            awaitVoters(cluster, survivors);
            TestCluster.proposeAll(cluster.awaitLeader(), 200, 32, "replaced-");
            cluster.awaitConverged(400);

            // A founder restarts with its old members spec: the log tells it who the members are now.
            final int founder = survivors[0];
            cluster.stop(founder);
            cluster.start(founder, cluster.context(founder).members(cluster.membersSpec(0, 1, 2)));
            awaitVoters(cluster, survivors);
            cluster.awaitConverged(400);

            // The joined member snapshots (the log before it is released) and restarts: the snapshot tells it.
            final long snapshotIndex = cluster.node(3).takeSnapshot().get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(snapshotIndex > 0);
            cluster.stop(3);
            cluster.start(3, cluster.context(3).members(cluster.membersSpec(0, 1, 2, 3)).join(true));
            awaitVoters(cluster, survivors);
            TestCluster.proposeAll(cluster.awaitLeader(), 100, 32, "restarted-");
            cluster.awaitConverged(500);
        }
    }

    @Test
    void theLeaderRemovesItselfAndTheOthersElectOneOfThem() throws Exception
    {
        try (TestCluster cluster = new TestCluster(baseDir, 3))
        {
            startFounders(cluster, 3);
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 100, 32, "before-");

            final Membership without = leader.removeMember(leader.memberId()).get(WAIT_S, TimeUnit.SECONDS);
            assertFalse(without.isVoter(leader.memberId()), without.toString());
            final int[] rest = Arrays.stream(new int[]{ 0, 1, 2 }).filter((id) -> id != leader.memberId()).toArray();
            cluster.stop(leader.memberId());
            awaitVoters(cluster, rest);
            final ClusterNode next = cluster.awaitLeader();
            assertNotEquals(leader.memberId(), next.memberId());
            TestCluster.proposeAll(next, 100, 32, "after-");
            cluster.awaitConverged(200);
        }
    }

    @Test
    void wrongRequestsAreRefusedByNameAndChangeNothing() throws Exception
    {
        try (TestCluster cluster = new TestCluster(baseDir, 4))
        {
            startFounders(cluster, 3, 5_000);
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 50, 16, "before-");
            final ClusterNode follower = cluster.node((leader.memberId() + 1) % 3);
            final Membership before = leader.membership();

            final MembershipException notLeader = refusal(follower.addMember(3, cluster.endpoint(3)));
            assertEquals(MembershipStatus.NOT_LEADER, notLeader.status());
            assertEquals(cluster.ingressEndpoint(leader.memberId()), notLeader.leaderEndpoint());
            assertEquals(MembershipStatus.INVALID_ENDPOINT, refusal(leader.addMember(3, "localhost:1")).status());
            assertEquals(MembershipStatus.ALREADY_MEMBER,
                refusal(leader.addMember(follower.memberId(), cluster.endpoint(3))).status());
            assertEquals(MembershipStatus.NOT_A_MEMBER, refusal(leader.removeMember(3)).status());
            assertEquals(MembershipStatus.NOT_A_MEMBER, refusal(leader.promote(3)).status());
            assertEquals(MembershipStatus.INVALID_MEMBER, refusal(leader.removeMember(500)).status());
            assertEquals(before.toString(), leader.membership().toString());

            // Member 3 is never started: it joins as a learner and never catches up (5 s). Meanwhile one change at a
            // time (a request that would be harmless had the first ended).
            final CompletableFuture<Membership> stuck = leader.addMember(3, cluster.endpoint(3));
            cluster.await("member 3 a learner", () -> leader.membership().isLearner(3));
            assertEquals(MembershipStatus.CHANGE_IN_PROGRESS, refusal(leader.addLearner(3, cluster.endpoint(3))).status());
            assertEquals(MembershipStatus.NOT_CAUGHT_UP, refusal(stuck).status());
            assertEquals(MembershipStatus.NOT_CAUGHT_UP, refusal(leader.promote(3)).status());
            assertTrue(leader.membership().isLearner(3), "it stays a learner: " + leader.membership());

            // A learner counts for no quorum: the three voters still commit; then it goes again.
            TestCluster.proposeAll(leader, 50, 16, "with-learner-");
            final Membership removed = leader.removeMember(3).get(WAIT_S, TimeUnit.SECONDS);
            assertFalse(removed.isLearner(3), removed.toString());
            assertArrayEquals(new int[]{ 0, 1, 2 }, removed.voters());
        }
    }

    private static ClusterNode leaderAmong(final TestCluster cluster, final int... ids)
    {
        final AtomicReference<ClusterNode> leader = new AtomicReference<>();
        cluster.await("a leader among " + Arrays.toString(ids), () ->
        {
            for (final int id : ids)
            {
                final ClusterNode node = cluster.node(id);
                if (null != node && Role.LEADER == node.role())
                {
                    leader.set(node);
                    return true;
                }
            }
            return false;
        });
        return leader.get();
    }

    private static MembershipException refusal(final Future<Membership> change) throws Exception
    {
        final ExecutionException failure =
            assertThrows(ExecutionException.class, () -> change.get(WAIT_S, TimeUnit.SECONDS));
        return assertInstanceOf(MembershipException.class, failure.getCause());
    }

    private static void startFounders(final TestCluster cluster, final int count)
    {
        startFounders(cluster, count, TestCluster.TIMEOUT_MS);
    }

    private static void startFounders(final TestCluster cluster, final int count, final long catchupTimeoutMs)
    {
        final int[] ids = new int[count];
        Arrays.setAll(ids, (i) -> i);
        for (final int id : ids)
        {
            cluster.start(id, cluster.context(id).members(cluster.membersSpec(ids))
                .catchupTimeoutNs(TimeUnit.MILLISECONDS.toNanos(catchupTimeoutMs)));
        }
    }

    private static void startJoining(final TestCluster cluster, final int id, final int... founders)
    {
        final int[] ids = Arrays.copyOf(founders, founders.length + 1);
        ids[founders.length] = id;
        cluster.start(id, cluster.context(id).members(cluster.membersSpec(ids)).join(true));
    }

    /**
     * Wait until each of these voters (those running) has committed a configuration of exactly them and no learner.
     */
    private static void awaitVoters(final TestCluster cluster, final int... voters)
    {
        cluster.await("voters " + Arrays.toString(voters) + " committed on each of them", () ->
        {
            for (final int id : voters)
            {
                final ClusterNode node = cluster.node(id);
                if (null != node && (null == node.membership() || !Arrays.equals(voters, node.membership().voters()) ||
                    0 != node.membership().learners().length))
                {
                    return false;
                }
            }
            return true;
        });
    }
}
