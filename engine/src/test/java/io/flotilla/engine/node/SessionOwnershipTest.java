package io.flotilla.engine.node;

import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session belongs to the connection that opened it or last attached it with a proof under the session key: another
 * host that knows (or guesses) its id cannot act in it, and after a failover its owner attaches to the new leader.
 */
class SessionOwnershipTest
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void requestsFromAnotherConnectionAreNotAppliedAndTheOwnersSequenceIsUnaffected()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterMembers members = ClusterMembers.parse(cluster.membersSpec());
            try (RawIngressClient owner = new RawIngressClient(members);
                RawIngressClient attacker = new RawIngressClient(members))
            {
                final RawIngressClient.Ack ack = owner.openSession(cluster);
                assertNotEquals(0, ack.sessionId());
                assertFalse(isZero(ack.sessionKey()));
                final int leaderId = ack.leaderMemberId();
                try (NodeCounterReader dropped = dropped(cluster.node(leaderId)))
                {
                    assertUntouchedByAnAttacker(cluster, owner, attacker, leaderId, ack.sessionId(), dropped);
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void aFollowerForwardsOnlyWhatComesOnTheConnectionTheSessionIsBoundToThere()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterMembers members = ClusterMembers.parse(cluster.membersSpec());
            try (RawIngressClient owner = new RawIngressClient(members);
                RawIngressClient attacker = new RawIngressClient(members))
            {
                final RawIngressClient.Ack ack = owner.openSession(cluster);
                final long sessionId = ack.sessionId();
                final int followerId = (ack.leaderMemberId() + 1) % 3;
                final int otherFollowerId = (ack.leaderMemberId() + 2) % 3;
                assertEquals(RawIngressClient.Ack.class,
                    owner.attachAnswered(followerId, sessionId, ack.sessionKey()).getClass());
                try (NodeCounterReader dropped = dropped(cluster.node(followerId)))
                {
                    assertUntouchedByAnAttacker(cluster, owner, attacker, followerId, sessionId, dropped);
                }

                // At a follower the session is bound to nothing: the attacker's request is not forwarded there
                // either, and the owner is sent to the leader, as a follower that does not forward would.
                try (NodeCounterReader forwarded =
                    new NodeCounterReader(cluster.node(otherFollowerId), NodeCounters.REQUESTS_FORWARDED_TYPE_ID))
                {
                    attacker.request(otherFollowerId, sessionId, 4, "evil");
                    final RawIngressClient.Reply redirect = owner.await(RawIngressClient.Reply.class);
                    assertEquals(ResponseStatus.NOT_LEADER, redirect.status());
                    assertEquals(ack.leaderMemberId(), redirect.leaderMemberId());
                    assertEquals(0, forwarded.value());
                }
                owner.request(followerId, sessionId, 5, "mine");
                assertEquals(ResponseStatus.SEQUENCE_GAP, owner.await(RawIngressClient.Reply.class).status(),
                    "the attacker's sequence 4 was not applied");
                assertEquals(List.of(), attacker.drainReplies());
            }
        }
    }

    /**
     * The owner's requests to the member go through; an attacker's requests, close and forged attach there are
     * counted and dropped, unanswered and unapplied.
     */
    private static void assertUntouchedByAnAttacker(
        final TestCluster cluster,
        final RawIngressClient owner,
        final RawIngressClient attacker,
        final int memberId,
        final long sessionId,
        final NodeCounterReader dropped)
    {
        owner.request(memberId, sessionId, 1, "mine");
        assertEquals(1, owner.await(RawIngressClient.Reply.class).payloadLong());

        // The attacker sends into the session: the next sequences, a close, a forged attach.
        final long droppedBefore = dropped.value();
        for (int sequence = 2; sequence <= 5; sequence++)
        {
            attacker.request(memberId, sessionId, sequence, "evil");
        }
        attacker.closeSession(memberId, sessionId);
        attacker.attach(memberId, 9, sessionId, System.currentTimeMillis() * 1_000_000L, new byte[16]);
        cluster.await("the attacker's messages dropped", () -> dropped.value() >= droppedBefore + 6);

        // None was applied and the owner's sequence carries on from 1.
        owner.request(memberId, sessionId, 2, "mine");
        final RawIngressClient.Reply second = owner.await(RawIngressClient.Reply.class);
        assertEquals(ResponseStatus.OK, second.status());
        assertEquals(2, second.payloadLong());
        owner.request(memberId, sessionId, 3, "mine");
        assertEquals(3, owner.await(RawIngressClient.Reply.class).payloadLong());
        cluster.awaitConverged(3);
        assertEquals(3, cluster.machine(memberId).count(), "the attacker's requests were not applied");
        assertEquals(List.of(), owner.drainReplies(), "the owner was not bothered by the attack");
        assertEquals(List.of(), attacker.drainReplies(), "the attacker learns nothing");
    }

    @Test
    @Timeout(120)
    void afterAFailoverTheOwnerAttachesToTheNewLeaderAndOthersCannot()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterMembers members = ClusterMembers.parse(cluster.membersSpec());
            try (RawIngressClient owner = new RawIngressClient(members);
                RawIngressClient attacker = new RawIngressClient(members))
            {
                final RawIngressClient.Ack ack = owner.openSession(cluster);
                final int oldLeaderId = ack.leaderMemberId();
                final long sessionId = ack.sessionId();
                owner.request(oldLeaderId, sessionId, 1, "one");
                assertEquals(1, owner.await(RawIngressClient.Reply.class).payloadLong());
                cluster.awaitConverged(1);

                cluster.stop(oldLeaderId);
                final ClusterNode leader = cluster.awaitLeader();
                final int leaderId = leader.memberId();
                try (NodeCounterReader dropped = dropped(leader))
                {
                    // The new leader holds no binding: the attacker's request is refused and the owner told to attach.
                    attacker.request(leaderId, sessionId, 2, "evil");
                    final RawIngressClient.Reply notAttached = owner.awaitAnswer();
                    assertEquals(ResponseStatus.SESSION_NOT_ATTACHED, notAttached.status());
                    assertEquals(leaderId, notAttached.leaderMemberId());

                    // The owner's proof (captured, say) sent from another connection does not attach that one.
                    final long droppedBefore = dropped.value();
                    final long timestampNs = System.currentTimeMillis() * 1_000_000L;
                    attacker.attach(leaderId, 2, sessionId, timestampNs, ack.sessionKey(), owner.aeronSessionId(leaderId));
                    cluster.await("the misdirected attach dropped", () -> dropped.value() > droppedBefore);

                    owner.attach(leaderId, 3, sessionId, timestampNs, ack.sessionKey());
                    final RawIngressClient.Ack attached = owner.await(RawIngressClient.Ack.class);
                    assertEquals(3, attached.correlationId());
                    assertEquals(sessionId, attached.sessionId());
                    assertEquals(leaderId, attached.leaderMemberId());
                    assertTrue(isZero(attached.sessionKey()), "an attach does not send the key again");

                    // A replay of that attach is not newer than the last: dropped.
                    final long droppedBeforeReplay = dropped.value();
                    owner.attach(leaderId, 4, sessionId, timestampNs, ack.sessionKey());
                    cluster.await("the replayed attach dropped", () -> dropped.value() > droppedBeforeReplay);

                    owner.request(leaderId, sessionId, 2, "two");
                    final RawIngressClient.Reply second = owner.await(RawIngressClient.Reply.class);
                    assertEquals(ResponseStatus.OK, second.status());
                    assertEquals(2, second.payloadLong());
                    attacker.request(leaderId, sessionId, 3, "evil");
                    owner.request(leaderId, sessionId, 3, "three");
                    assertEquals(3, owner.await(RawIngressClient.Reply.class).payloadLong());
                    assertEquals(List.of(), attacker.drainReplies());
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void aConnectBurstOpensNoMoreThanTheSessionLimit()
    {
        final int maxSessions = 64;
        final int perClient = 2_000;
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                // The raw clients send no keep-alives: their sessions must outlive the test.
                cluster.start(i, cluster.context(i).maxSessions(maxSessions).sessionTimeoutNs(TimeUnit.MINUTES.toNanos(2)));
            }
            final int leaderId = cluster.awaitLeader().memberId();
            final ClusterMembers members = ClusterMembers.parse(cluster.membersSpec());
            try (RawIngressClient first = new RawIngressClient(members);
                RawIngressClient second = new RawIngressClient(members))
            {
                int acks = 0;
                int rejects = 0;
                for (int i = 0; i < perClient; i++)
                {
                    first.connect(leaderId, i, Protocol.VERSION);
                    second.connect(leaderId, perClient + i, Protocol.VERSION);
                    if (0 == (i & 63))
                    {
                        // Keep the reply streams drained while the burst goes on.
                        acks += count(first.drainReplies(), RawIngressClient.Ack.class) +
                            count(second.drainReplies(), RawIngressClient.Ack.class);
                    }
                }

                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (acks + rejects < 2 * perClient && System.nanoTime() < deadlineNs)
                {
                    for (final RawIngressClient client : new RawIngressClient[]{ first, second })
                    {
                        final List<Object> replies = client.drainReplies();
                        acks += count(replies, RawIngressClient.Ack.class);
                        rejects += count(replies, RawIngressClient.Reject.class);
                    }
                }
                assertTrue(acks <= maxSessions, acks + " sessions opened with max.sessions " + maxSessions);
                assertTrue(acks > 0, "the burst opened no session at all");

                first.connect(leaderId, -1, Protocol.VERSION);
                if (acks == maxSessions)
                {
                    assertEquals("TOO_MANY_SESSIONS", first.await(RawIngressClient.Reject.class).reason());
                }
            }
        }
    }

    private static int count(final List<Object> replies, final Class<?> type)
    {
        return (int)replies.stream().filter(type::isInstance).count();
    }

    private static NodeCounterReader dropped(final ClusterNode node)
    {
        return new NodeCounterReader(node, NodeCounters.DROPPED_MESSAGES_TYPE_ID);
    }

    private static boolean isZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (0 != b)
            {
                return false;
            }
        }
        return true;
    }
}
