package io.flotilla.engine.node;

import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import java.io.File;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The server side of the ingress protocol, driven by a raw SBE client: redirects, sessions, exactly-once apply of
 * retried requests, gaps, close and expiry.
 */
class IngressSessionTest
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void retriedRequestIsAppliedOnceAndAnsweredWithItsOriginalResponse()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            final int leaderId = leader.memberId();
            final int followerId = (leaderId + 1) % 3;
            final ClusterMembers members = ClusterMembers.parse(cluster.membersSpec());

            try (RawIngressClient client = new RawIngressClient(members))
            {
                // A follower redirects the connect to the leader.
                client.connect(followerId, 7, Protocol.VERSION);
                final RawIngressClient.Reject reject = client.await(RawIngressClient.Reject.class);
                assertEquals(7, reject.correlationId());
                assertEquals("NOT_LEADER", reject.reason());
                assertEquals(leaderId, reject.leaderMemberId());
                assertEquals(members.member(leaderId).ingressEndpoint(), reject.leaderEndpoint());

                // A wrong protocol version is refused.
                client.connect(leaderId, 8, 99);
                assertEquals("VERSION_MISMATCH", client.await(RawIngressClient.Reject.class).reason());
                // So is a client of the previous version (sequential session ids, no session key, no attach).
                client.connect(leaderId, 6, Protocol.VERSION - 1);
                assertEquals("VERSION_MISMATCH", client.await(RawIngressClient.Reject.class).reason());

                client.connect(leaderId, 9, Protocol.VERSION);
                final RawIngressClient.Ack ack = client.await(RawIngressClient.Ack.class);
                assertEquals(9, ack.correlationId());
                assertEquals(leaderId, ack.leaderMemberId());
                final long sessionId = ack.sessionId();
                assertNotEquals(0, sessionId);

                client.request(leaderId, sessionId, 1, "first");
                final RawIngressClient.Reply first = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.OK, first.status());
                assertEquals(1, first.sequence());
                assertEquals(1, first.payloadLong());

                // The response was "lost": the client retries the same request, twice.
                client.request(leaderId, sessionId, 1, "first");
                client.request(leaderId, sessionId, 1, "first");
                for (int i = 0; i < 2; i++)
                {
                    final RawIngressClient.Reply retried = client.await(RawIngressClient.Reply.class);
                    assertEquals(ResponseStatus.OK, retried.status());
                    assertEquals(first.logIndex(), retried.logIndex());
                    assertArrayEquals(first.payload(), retried.payload());
                }

                // A gap is refused without being applied; the client resends in order.
                client.request(leaderId, sessionId, 3, "third");
                final RawIngressClient.Reply gap = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.SEQUENCE_GAP, gap.status());
                assertEquals(0, gap.payload().length);

                client.request(leaderId, sessionId, 2, "second");
                final RawIngressClient.Reply second = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.OK, second.status());
                assertEquals(2, second.payloadLong());

                client.request(leaderId, sessionId, 3, "Reject me");
                final RawIngressClient.Reply third = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.REJECTED, third.status());
                assertEquals(3, third.payloadLong());

                // Every replica applied each request once, in the same order.
                cluster.awaitConverged(3);

                // A follower that holds the session answers NOT_LEADER with the leader's endpoint.
                client.request(followerId, sessionId, 4, "fourth");
                final RawIngressClient.Reply redirect = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.NOT_LEADER, redirect.status());
                assertEquals(leaderId, redirect.leaderMemberId());
                assertEquals(members.member(leaderId).ingressEndpoint(), redirect.leaderEndpoint());

                // Garbage on the ingress is counted and dropped; the session carries on.
                final UnsafeBuffer garbage = new UnsafeBuffer(new byte[32]);
                garbage.setMemory(0, 32, (byte)0x5A);
                client.sendRaw(leaderId, garbage, 32);
                client.request(leaderId, sessionId, 4, "fourth");
                assertEquals(4, client.await(RawIngressClient.Reply.class).payloadLong());

                // Closed: a later request is answered SESSION_EXPIRED, and not applied.
                cluster.await("the fourth request applied on the leader", () -> leader.appliedIndex() >=
                    leader.commitIndex() && cluster.machine(leaderId).count() == 4);
                final long appliedBeforeClose = leader.appliedIndex();
                client.closeSession(leaderId, sessionId);
                cluster.await("the SESSION_CLOSE entry applied", () -> leader.appliedIndex() > appliedBeforeClose);
                client.request(leaderId, sessionId, 5, "fifth");
                assertEquals(ResponseStatus.SESSION_EXPIRED, client.await(RawIngressClient.Reply.class).status());
                cluster.awaitConverged(4);

                // A retry of a request whose response has left the session's cache is answered SEQUENCE_TOO_OLD.
                client.connect(leaderId, 10, Protocol.VERSION);
                final long nextSessionId = client.await(RawIngressClient.Ack.class).sessionId();
                for (int sequence = 1; sequence <= Session.RESPONSE_CACHE_SIZE + 1; sequence++)
                {
                    client.request(leaderId, nextSessionId, sequence, "again");
                    assertEquals(ResponseStatus.OK, client.await(RawIngressClient.Reply.class).status());
                }
                client.request(leaderId, nextSessionId, 1, "again");
                final RawIngressClient.Reply tooOld = client.await(RawIngressClient.Reply.class);
                assertEquals(ResponseStatus.SEQUENCE_TOO_OLD, tooOld.status());
                assertEquals(0, tooOld.payload().length);
            }
        }
    }
}
