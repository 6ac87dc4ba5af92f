package io.flotilla.engine.node;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A response larger than the client's response channel carries, or than the protocol allows, reaches the client
 * as RESPONSE_TOO_LARGE within a deadline (it used to be dropped, and the client waited forever); the command was
 * applied once, and a retry is answered the same way from the session's cache.
 */
class ResponseTooLargeTest
{
    private static final int ONE_MIB = 1024 * 1024;

    @TempDir
    File tempDir;

    /**
     * Answers a command holding a decimal length with that many bytes.
     */
    static final class SizedReplies implements StateMachine
    {
        final AtomicLong applied = new AtomicLong();
        private final byte[] bytes = new byte[EntryFrame.MAX_PAYLOAD_LENGTH + 1];

        public void apply(
            final long index,
            final long timestampNs,
            final DirectBuffer command,
            final int offset,
            final int length,
            final Response response)
        {
            final int size = Integer.parseInt(command.getStringWithoutLengthAscii(offset, length));
            response.buffer().putBytes(0, bytes, 0, size);
            response.ok(size);
            applied.incrementAndGet();
        }
    }

    @Test
    @Timeout(120)
    void aResponseTooLargeToSendIsAnsweredWithANamedStatus()
    {
        final ClusterNode[] nodes = new ClusterNode[3];
        final SizedReplies[] machines = new SizedReplies[3];
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                machines[i] = new SizedReplies();
                final ClusterNode.Context context = cluster.context(i)
                    .stateMachine(machines[i])
                    .responseMaxTermLength(16 * ONE_MIB)
                    // Megabyte responses on a shared machine must not cost the leader its term.
                    .electionTimeoutNs(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(4))
                    .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(10));
                context.snapshotConfig().logEntries(0).logBytes(0);
                nodes[i] = ClusterNode.launch(context);
            }
            cluster.await("a leader", () -> Role.LEADER == nodes[0].role() || Role.LEADER == nodes[1].role() ||
                Role.LEADER == nodes[2].role());

            // A channel of 1 MiB terms carries messages up to 128 KiB.
            try (FlotillaClient client = FlotillaClient.connect(new FlotillaClient.Context()
                .ingressEndpoints(cluster.membersSpec())
                .responseChannel("aeron:udp?endpoint=localhost:0|term-length=1m")))
            {
                assertEquals(100 * 1024, call(client, 100 * 1024).capacity());

                final long startNs = System.nanoTime();
                final FlotillaClientException tooLarge =
                    assertThrows(FlotillaClientException.class, () -> call(client, ONE_MIB));
                assertEquals(FlotillaClientException.Reason.RESPONSE_TOO_LARGE, tooLarge.reason());
                assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
                cluster.await("the command applied on every node", () -> machines[0].applied.get() == 2 &&
                    machines[1].applied.get() == 2 && machines[2].applied.get() == 2);
            }

            // The node's default for a channel naming no term length, 16 MiB here, carries the protocol's largest
            // response, 1 MiB; one byte more is too large for the protocol.
            final int leaderId = nodes[0].leaderMemberId();
            try (RawIngressClient raw = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                raw.connect(leaderId, 1, Protocol.VERSION);
                final long sessionId = raw.await(RawIngressClient.Ack.class).sessionId();

                raw.request(leaderId, sessionId, 1, String.valueOf(EntryFrame.MAX_PAYLOAD_LENGTH));
                final RawIngressClient.Reply largest = reply(raw, 1);
                assertEquals(ResponseStatus.OK, largest.status());
                assertEquals(EntryFrame.MAX_PAYLOAD_LENGTH, largest.payload().length);

                raw.request(leaderId, sessionId, 2, String.valueOf(EntryFrame.MAX_PAYLOAD_LENGTH + 1));
                final RawIngressClient.Reply tooLarge = reply(raw, 2);
                assertEquals(ResponseStatus.RESPONSE_TOO_LARGE, tooLarge.status());
                assertEquals(0, tooLarge.payload().length);

                // A retry is answered from the session's cache, the same way, without applying it again.
                raw.request(leaderId, sessionId, 2, String.valueOf(EntryFrame.MAX_PAYLOAD_LENGTH + 1));
                final RawIngressClient.Reply retried = reply(raw, 2);
                assertEquals(ResponseStatus.RESPONSE_TOO_LARGE, retried.status());
                assertEquals(tooLarge.logIndex(), retried.logIndex());
                assertEquals(4, machines[leaderId].applied.get());
            }
        }
        finally
        {
            CloseHelper.closeAll(nodes);
        }
    }

    /**
     * @return the reply to a sequence, passing over repeats of earlier ones.
     */
    private static RawIngressClient.Reply reply(final RawIngressClient raw, final long sequence)
    {
        RawIngressClient.Reply reply;
        do
        {
            reply = raw.await(RawIngressClient.Reply.class);
        }
        while (reply.sequence() < sequence);
        assertEquals(sequence, reply.sequence());
        return reply;
    }

    private static DirectBuffer call(final FlotillaClient client, final int size)
    {
        final byte[] command = String.valueOf(size).getBytes(StandardCharsets.US_ASCII);
        return client.call(new UnsafeBuffer(command), 0, command.length, TimeUnit.SECONDS.toNanos(10));
    }
}
