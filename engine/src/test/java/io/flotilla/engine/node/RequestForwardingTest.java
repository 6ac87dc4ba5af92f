package io.flotilla.engine.node;

import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.FillStateMachine;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;
import java.io.File;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client attached to a follower, over raw ingress on a real three-member cluster: the follower forwards its
 * requests, keep-alives and close to the leader, which answers the client directly; across leader changes nothing is
 * lost or applied twice; during an election the follower answers BACK_PRESSURED; with forwarding off it redirects.
 */
class RequestForwardingTest
{
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void sessionMessageAcknowledgementsSentToAFollowerReachTheLeaderAndFreeEveryReplicasWindow()
    {
        final FillStateMachine[] machines = new FillStateMachine[3];
        try (TestCluster cluster = new TestCluster(tempDir, 3);
            RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
        {
            for (int i = 0; i < 3; i++)
            {
                machines[i] = new FillStateMachine();
                cluster.startWith(i, cluster.context(i).stateMachine(machines[i]));
            }
            final RawIngressClient.Ack opened = client.openSession(cluster);
            final long sessionId = opened.sessionId();
            final int followerId = (opened.leaderMemberId() + 1) % 3;
            assertTrue(client.attachAnswered(followerId, sessionId, opened.sessionKey()) instanceof RawIngressClient.Ack);

            // More than the window holds (1 MiB: about 43,700 messages of 8 bytes), acknowledged only to the follower.
            long received = 0;
            try (NodeCounterReader forwarded =
                new NodeCounterReader(cluster.node(followerId), NodeCounters.REQUESTS_FORWARDED_TYPE_ID))
            {
                for (int round = 0; round < 30; round++)
                {
                    cluster.proposeUntilOk(FillStateMachine.fill(sessionId, 2_000));
                    final long sent = machines[cluster.awaitLeader().memberId()].sent(sessionId);
                    while (received < sent)
                    {
                        final RawIngressClient.Message message = client.await(RawIngressClient.Message.class);
                        if (message.sequence() > received)
                        {
                            // A repeat (sent again after a second without an acknowledgement) is passed over.
                            assertEquals(received + 1, message.sequence(), "the leader sends in order");
                            assertEquals(message.sequence(), message.payloadLong());
                            received = message.sequence();
                        }
                    }
                    client.sessionMessageAck(followerId, sessionId, received, false);
                }
                cluster.await("the follower forwarded the acknowledgements", () -> forwarded.value() >= 30);
            }
            assertEquals(60_000, received);
            for (final FillStateMachine machine : machines)
            {
                assertEquals(0, machine.refused(), "the forwarded acknowledgements freed every replica's window");
            }
        }
    }

    @Test
    @Timeout(180)
    void aClientAttachedToAFollowerHasEachCommandAppliedOnceAndAnsweredByTheLeader()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll();
            RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
        {
            final RawIngressClient.Ack opened = client.openSession(cluster);
            final long sessionId = opened.sessionId();
            for (int i = 1; i < 3; i++)
            {
                final int followerId = (opened.leaderMemberId() + i) % 3;
                final Object attached = client.attachAnswered(followerId, sessionId, opened.sessionKey());
                assertTrue(attached instanceof RawIngressClient.Ack ack &&
                    opened.leaderMemberId() == ack.leaderMemberId(), "a follower acknowledges, naming the leader");
            }

            // Bound at every member: one request straight to the leader, the next through a follower, in turn.
            final int rounds = 300;
            final long[] directNs = new long[rounds];
            final long[] forwardedNs = new long[rounds];
            long sequence = 0;
            for (int i = 0; i < rounds; i++)
            {
                final int leaderId = cluster.awaitLeader().memberId();
                directNs[i] = timedCall(client, leaderId, sessionId, ++sequence);
                forwardedNs[i] = timedCall(client, (leaderId + 1 + (i & 1)) % 3, sessionId, ++sequence);
            }
            System.out.println("round trip, direct to the leader: " + percentiles(directNs) +
                "; attached to a follower, forwarded: " + percentiles(forwardedNs));

            // A retry of a command a follower applied is answered from its own ring, not forwarded.
            cluster.awaitConverged(sequence);
            final int followerId = (cluster.awaitLeader().memberId() + 1) % 3;
            try (NodeCounterReader forwarded =
                new NodeCounterReader(cluster.node(followerId), NodeCounters.REQUESTS_FORWARDED_TYPE_ID))
            {
                final long forwardedBefore = forwarded.value();
                assertTrue(forwardedBefore > 0, "the follower forwarded");
                client.request(followerId, sessionId, sequence, "again");
                final RawIngressClient.Reply retry = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.OK, retry.status());
                assertEquals(sequence, retry.payloadLong());
                assertEquals(forwardedBefore, forwarded.value());
            }
            assertEquals(sequence, cluster.machine(followerId).count(), "each command applied once");
        }
    }

    @Test
    @Timeout(180)
    void leaderChangesWhileAClientSendsThroughAFollowerLoseNothingAndApplyNothingTwice()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll();
            RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
        {
            final RawIngressClient.Ack opened = client.openSession(cluster);
            final int firstLeaderId = opened.leaderMemberId();
            final int followerId = (firstLeaderId + 1) % 3;
            final int otherId = (firstLeaderId + 2) % 3;
            final long sessionId = opened.sessionId();
            assertTrue(client.attachAnswered(followerId, sessionId, opened.sessionKey()) instanceof RawIngressClient.Ack);

            for (long sequence = 1; sequence <= 300; sequence++)
            {
                if (100 == sequence)
                {
                    // The member the client is bound to becomes leader: it keeps the binding and proposes itself.
                    assertTrue(cluster.node(firstLeaderId).transferLeadership(followerId));
                }
                else if (200 == sequence)
                {
                    // And follower again: it forwards to the new leader.
                    awaitLeader(cluster, followerId);
                    assertTrue(cluster.node(followerId).transferLeadership(otherId));
                }
                else if (250 == sequence)
                {
                    // The new leader fails: the follower forwards to whichever member is elected next.
                    awaitLeader(cluster, otherId);
                    cluster.stop(otherId);
                }
                // The state machine answers the number of commands applied: each exactly once, in order.
                assertEquals(sequence, callUntilAnswered(client, followerId, sessionId, sequence));
            }
            cluster.awaitConverged(300);
            assertEquals(300, cluster.machine(followerId).count());
            assertEquals(300, cluster.machine(firstLeaderId).count());
        }
    }

    @Test
    @Timeout(120)
    void aSessionHeardOnlyThroughAFollowerStaysOpenOnTheLeaderAndClosesThroughIt()
    {
        final long sessionTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i).sessionTimeoutNs(sessionTimeoutNs));
            }
            try (RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final RawIngressClient.Ack opened = client.openSession(cluster);
                final int followerId = (opened.leaderMemberId() + 1) % 3;
                final long sessionId = opened.sessionId();
                assertTrue(
                    client.attachAnswered(followerId, sessionId, opened.sessionKey()) instanceof RawIngressClient.Ack);

                // Only keep-alives, only to the follower, for three session timeouts.
                final long untilNs = System.nanoTime() + 3 * sessionTimeoutNs;
                while (System.nanoTime() - untilNs < 0)
                {
                    client.keepAlive(followerId, sessionId);
                    assertEquals(null, client.awaitAny(TimeUnit.MILLISECONDS.toNanos(100)), "no answer to a keep-alive");
                }
                assertEquals(1, callUntilAnswered(client, followerId, sessionId, 1), "the session is still open");

                // A close sent to the follower closes it, though keep-alives go on.
                client.closeSession(followerId, sessionId);
                cluster.await("the session closed", () ->
                {
                    client.keepAlive(followerId, sessionId);
                    return client.attachAnswered(followerId, sessionId, opened.sessionKey()) instanceof
                        RawIngressClient.Reply reply && ResponseStatus.SESSION_EXPIRED == reply.status();
                });
            }
        }
    }

    @Test
    @Timeout(120)
    void duringAnElectionAFollowerAnswersBackPressuredAndLaterServesTheRequest()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll();
            RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
        {
            final RawIngressClient.Ack opened = client.openSession(cluster);
            final int followerId = (opened.leaderMemberId() + 1) % 3;
            final long sessionId = opened.sessionId();
            assertTrue(client.attachAnswered(followerId, sessionId, opened.sessionKey()) instanceof RawIngressClient.Ack);
            assertEquals(1, callUntilAnswered(client, followerId, sessionId, 1));
            cluster.awaitConverged(1);

            final ClusterNode follower = cluster.node(followerId);
            final int restartId = (followerId + 1) % 3;
            cluster.stop(restartId);
            cluster.stop((followerId + 2) % 3);
            cluster.await("the follower knows no leader", () -> RaftNode.NO_MEMBER == follower.leaderMemberId());

            try (NodeCounterReader refused = new NodeCounterReader(follower, NodeCounters.FORWARDS_REFUSED_TYPE_ID))
            {
                client.request(followerId, sessionId, 2, "two");
                final RawIngressClient.Reply reply = client.awaitAnswer();
                assertEquals(ResponseStatus.BACK_PRESSURED, reply.status(), "retry here later, not elsewhere");
                assertEquals(1, refused.value());
            }

            cluster.start(restartId);
            assertEquals(2, callUntilAnswered(client, followerId, sessionId, 2));
        }
    }

    @Test
    @Timeout(120)
    void withForwardingOffAFollowerRedirectsToTheLeader()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i).forwardRequests(false));
            }
            try (RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final RawIngressClient.Ack opened = client.openSession(cluster);
                final int leaderId = opened.leaderMemberId();
                final int followerId = (leaderId + 1) % 3;
                final long sessionId = opened.sessionId();

                final Object attach = client.attachAnswered(followerId, sessionId, opened.sessionKey());
                assertTrue(attach instanceof RawIngressClient.Reply reply && ResponseStatus.NOT_LEADER == reply.status(),
                    "an attach at a follower is refused: " + attach);
                client.request(followerId, sessionId, 1, "one");
                final RawIngressClient.Reply redirect = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.NOT_LEADER, redirect.status());
                assertEquals(leaderId, redirect.leaderMemberId());
                assertEquals(0, cluster.machine(leaderId).count());
            }
        }
    }

    /**
     * @return the time {@link #callUntilAnswered} took, after checking the answer is the count of commands applied.
     */
    private static long timedCall(
        final RawIngressClient client, final int memberId, final long sessionId, final long sequence)
    {
        final long startNs = System.nanoTime();
        assertEquals(sequence, callUntilAnswered(client, memberId, sessionId, sequence));
        return System.nanoTime() - startNs;
    }

    /**
     * Send a request to one member until it is answered OK, as a client does across leader changes: again after
     * BACK_PRESSURED, NOT_LEADER (the member it reached first lost leadership) or no answer in time.
     *
     * @return the answer's payload, the state machine's count of commands applied.
     */
    private static long callUntilAnswered(
        final RawIngressClient client, final int memberId, final long sessionId, final long sequence)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            client.request(memberId, sessionId, sequence, "command");
            final long replyDeadlineNs = System.nanoTime() + REPLY_TIMEOUT_NS;
            Object reply;
            while (null != (reply = client.awaitAny(replyDeadlineNs - System.nanoTime())))
            {
                if (reply instanceof RawIngressClient.Reply answer && sequence == answer.sequence())
                {
                    if (ResponseStatus.OK == answer.status())
                    {
                        return answer.payloadLong();
                    }
                    if (ResponseStatus.BACK_PRESSURED != answer.status() && ResponseStatus.NOT_LEADER != answer.status())
                    {
                        fail("sequence " + sequence + " answered " + answer);
                    }
                    break;
                }
            }
        }
        return fail("sequence " + sequence + " not answered OK within " + TestCluster.TIMEOUT_MS + " ms");
    }

    private static void awaitLeader(final TestCluster cluster, final int memberId)
    {
        cluster.await("member " + memberId + " leading", () -> Role.LEADER == cluster.node(memberId).role());
    }

    private static String percentiles(final long[] samplesNs)
    {
        final long[] sorted = samplesNs.clone();
        Arrays.sort(sorted);
        return String.format("p50 %d us, p99 %d us", sorted[sorted.length / 2] / 1_000,
            sorted[(int)(sorted.length * 0.99)] / 1_000);
    }
}
