package io.flotilla.engine.node;

import io.flotilla.codecs.Protocol;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ConnectRequest;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.Role;
import java.io.File;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticationAndTransferTest
{
    private static final byte[] SECRET = "let-me-in".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void leaderOpensSessionsOnlyForClientsItsAuthenticatorAccepts()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i).authenticator(AuthenticationAndTransferTest::isSecret));
            }
            final int leaderId = cluster.awaitLeader().memberId();

            try (RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                client.connect(leaderId, 1, Protocol.VERSION);
                final RawIngressClient.Reject noCredentials = client.await(RawIngressClient.Reject.class);
                assertEquals(1, noCredentials.correlationId());
                assertEquals("BAD_CREDENTIALS", noCredentials.reason());

                client.connect(leaderId, 2, Protocol.VERSION, "let-me-out".getBytes(StandardCharsets.US_ASCII));
                assertEquals("BAD_CREDENTIALS", client.await(RawIngressClient.Reject.class).reason());

                client.connect(leaderId, 3, Protocol.VERSION, SECRET);
                final RawIngressClient.Ack ack = client.await(RawIngressClient.Ack.class);
                assertEquals(3, ack.correlationId());
                assertNotEquals(0, ack.sessionId());
            }
        }
    }

    @Test
    @Timeout(120)
    void leadershipIsHandedToTheChosenMemberAndCommandsContinue()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, 1_000, 64, "before-");
            final int targetId = (leader.memberId() + 1) % 3;
            final long term = leader.term();

            assertFalse(leader.transferLeadership(leader.memberId()), "a node cannot transfer to itself");
            assertFalse(leader.transferLeadership(42), "42 is not a member");
            assertTrue(leader.transferLeadership(targetId));

            final ClusterNode newLeader = cluster.node(targetId);
            cluster.await("member " + targetId + " to lead", () -> Role.LEADER == newLeader.role());
            assertTrue(newLeader.term() > term);
            TestCluster.proposeAll(newLeader, 1_000, 64, "after-");
            cluster.awaitConverged(2_000);
        }
    }

    private static String isSecret(final ConnectRequest connect)
    {
        final DirectBuffer credentials = connect.credentials();
        if (SECRET.length != connect.credentialsLength())
        {
            return null;
        }
        for (int i = 0; i < SECRET.length; i++)
        {
            if (SECRET[i] != credentials.getByte(connect.credentialsOffset() + i))
            {
                return null;
            }
        }
        return "holder-of-the-secret";
    }
}
