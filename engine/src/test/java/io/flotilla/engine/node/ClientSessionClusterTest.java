package io.flotilla.engine.node;

import io.flotilla.codecs.Protocol;
import io.flotilla.engine.SharedSecretAuthenticator;
import io.flotilla.engine.SharedSecretCredentials;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import javax.crypto.spec.SecretKeySpec;
import java.io.File;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The client library against a real cluster: shared-secret credentials, a failover with attach and exactly-once,
 * and fairness towards a flooding session.
 */
class ClientSessionClusterTest
{
    private static final byte[] SECRET = SharedSecretCredentials.parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void sharedSecretCredentialsOpenASessionAndAReplayedConnectIsRefused()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i).authenticator(
                    new SharedSecretAuthenticator(Map.of("alice", SECRET), TimeUnit.SECONDS.toNanos(30))));
            }
            cluster.awaitLeader();

            try (FlotillaClient client = FlotillaClient.connect(context(cluster).principal("alice").secret(SECRET)))
            {
                assertEquals(1, client.call(command("one"), 0, 3, CALL_TIMEOUT_NS).getLong(0));
            }

            final byte[] wrong = SECRET.clone();
            wrong[3] ^= 1;
            final FlotillaClientException refused = assertThrows(FlotillaClientException.class,
                () -> FlotillaClient.connect(context(cluster).principal("alice").secret(wrong)));
            assertEquals(FlotillaClientException.Reason.REJECTED, refused.reason());
            assertThrows(FlotillaClientException.class, () -> FlotillaClient.connect(context(cluster)),
                "no credentials");

            try (RawIngressClient raw = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final int leaderId = cluster.awaitLeader().memberId();
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                final int length = new SharedSecretCredentials().encode(buffer, 0, "alice",
                    new SecretKeySpec(SECRET, SharedSecretCredentials.ALGORITHM), System.currentTimeMillis() * 1_000_000L,
                    12345, 77, RawIngressClient.RESPONSE_STREAM_ID, raw.aeronSessionId(leaderId), raw.responseChannel());
                final byte[] captured = new byte[length];
                buffer.getBytes(0, captured);
                raw.connect(leaderId, 77, Protocol.VERSION, captured);
                assertEquals(77, raw.await(RawIngressClient.Ack.class).correlationId());
                raw.connect(leaderId, 77, Protocol.VERSION, captured);
                assertEquals("BAD_CREDENTIALS", raw.await(RawIngressClient.Reject.class).reason(),
                    "the captured connect again");
            }
        }
    }

    @Test
    @Timeout(180)
    void theClientAttachesToANewLeaderAndEveryAcknowledgedWriteIsAppliedOnce()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final int firstLeader = cluster.awaitLeader().memberId();
            try (FlotillaClient client = FlotillaClient.connect(context(cluster)))
            {
                for (long i = 1; i <= 100; i++)
                {
                    assertEquals(i, client.call(command("before"), 0, 6, CALL_TIMEOUT_NS).getLong(0));
                }

                cluster.stop(firstLeader);
                for (long i = 101; i <= 200; i++)
                {
                    // The count the state machine answers is the number of commands applied: each exactly once.
                    assertEquals(i, client.call(command("after"), 0, 5, CALL_TIMEOUT_NS).getLong(0));
                }
                final int leaderId = cluster.awaitLeader().memberId();
                assertEquals(200, cluster.machine(leaderId).count());
            }
        }
    }

    @Test
    @Timeout(120)
    void aFloodingSessionDoesNotStarveAnother()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                cluster.start(i, cluster.context(i).sessionMaxInflight(32));
            }
            final int leaderId = cluster.awaitLeader().memberId();
            final AtomicBoolean flooding = new AtomicBoolean(true);
            try (RawIngressClient flooder = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec()));
                FlotillaClient client = FlotillaClient.connect(context(cluster)))
            {
                flooder.connect(leaderId, 1, Protocol.VERSION);
                final long sessionId = flooder.await(RawIngressClient.Ack.class).sessionId();
                final Thread flood = new Thread(() ->
                {
                    // Never reads its answers; every sequence is new, so each one asks for a proposal.
                    for (long sequence = 1; flooding.get(); sequence++)
                    {
                        flooder.request(leaderId, sessionId, sequence, "flood");
                    }
                }, "flooder");
                flood.start();
                try
                {
                    for (int i = 0; i < 50; i++)
                    {
                        // Bounded: a starved client would time out here.
                        client.call(command("fair"), 0, 4, TimeUnit.SECONDS.toNanos(5));
                    }
                }
                finally
                {
                    flooding.set(false);
                    join(flood);
                }
            }
        }
    }

    private static FlotillaClient.Context context(final TestCluster cluster)
    {
        return new FlotillaClient.Context()
            .ingressEndpoints(cluster.membersSpec())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500));
    }

    private static DirectBuffer command(final String text)
    {
        return new UnsafeBuffer(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
