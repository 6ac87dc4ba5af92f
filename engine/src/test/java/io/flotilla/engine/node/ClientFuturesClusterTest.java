package io.flotilla.engine.node;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.RecordingStateMachine;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.engine.client.Outcome;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client's future forms against a real cluster (completed by poll, chained calls, every named failure, mixed
 * with listener outcomes, failed at close), and a client whose leader closes gracefully: told where the new leader
 * is, it moves there at once. Its response timeout is a minute, longer than its calls may take, so a client that
 * had to find the new leader by its response timeout fails the test.
 */
class ClientFuturesClusterTest
{
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    File tempDir;

    @Test
    @Timeout(90)
    void callAsyncAndQueryAsyncAreCompletedByPoll()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 0);
            cluster.awaitLeader();
            try (FlotillaClient client = FlotillaClient.connect(context(cluster)))
            {
                final CompletableFuture<DirectBuffer> first = client.callAsync(command("a"), 0, 1);
                assertFalse(first.isDone(), "completed only by poll");
                // Chained on the client's thread, inside poll: the stage offers the next request.
                final CompletableFuture<DirectBuffer> second =
                    first.thenCompose((reply) -> client.callAsync(command("b"), 0, 1));
                pollUntilDone(client, second);
                assertEquals(1, first.join().getLong(0));
                assertEquals(2, second.join().getLong(0));

                final FlotillaClientException rejected = failure(pollUntilDone(client,
                    client.callAsync(command("R"), 0, 1)));
                assertEquals(FlotillaClientException.Reason.REJECTED, rejected.reason());
                assertEquals(3, new UnsafeBuffer(rejected.payload()).getLong(0), "the state machine's answer");

                final DirectBuffer count = pollUntilDone(client,
                    client.queryAsync(ReadConsistency.LINEARIZABLE, command("get"), 0, 3)).join();
                assertEquals(3, count.getLong(0));
                assertEquals(FlotillaClientException.Reason.REJECTED, failure(pollUntilDone(client,
                    client.queryAsync(ReadConsistency.LEASE, command("R"), 0, 1))).reason());

                // Beside listener outcomes: the future's answer goes to the future, the offer's to the listener.
                final CompletableFuture<DirectBuffer> withFuture = client.callAsync(command("c"), 0, 1);
                final long offered = client.offer(command("d"), 0, 1);
                final List<Long> heard = new ArrayList<>();
                final long deadlineNs = System.nanoTime() + CALL_TIMEOUT_NS;
                while (heard.isEmpty() || !withFuture.isDone())
                {
                    assertTrue(System.nanoTime() < deadlineNs, "answers within the deadline");
                    client.poll((sequence, outcome, logIndex, buffer, offset, length) ->
                    {
                        assertEquals(Outcome.OK, outcome);
                        heard.add(sequence);
                    });
                }
                assertEquals(List.of(offered), heard);
                assertEquals(4, withFuture.join().getLong(0));

                // A full window: nothing is sent, the future fails at once.
                for (int i = 0; i < FlotillaClient.MAX_OUTSTANDING; i++)
                {
                    assertTrue(client.offer(command("e"), 0, 1) > 0);
                }
                final CompletableFuture<DirectBuffer> refused = client.callAsync(command("f"), 0, 1);
                assertEquals(FlotillaClientException.Reason.BACK_PRESSURED, failure(refused).reason());
                while (client.outstanding() > 0)
                {
                    assertTrue(System.nanoTime() < deadlineNs + CALL_TIMEOUT_NS, "the window drains");
                    client.poll();
                }

                final CompletableFuture<DirectBuffer> unanswered = client.callAsync(command("g"), 0, 1);
                client.close();
                assertEquals(FlotillaClientException.Reason.CLOSED, failure(unanswered).reason());
                assertEquals(FlotillaClientException.Reason.CLOSED,
                    failure(client.callAsync(command("h"), 0, 1)).reason());
            }
        }
    }

    @Test
    @Timeout(120)
    void aClientIsSentToTheNewLeaderWhenItsLeaderClosesGracefully() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final RecordingStateMachine[] machines = startAll(cluster, TimeUnit.SECONDS.toNanos(30));
            final int oldLeader = cluster.awaitLeader().memberId();
            try (FlotillaClient client = FlotillaClient.connect(context(cluster)
                .connectTimeoutNs(TimeUnit.MINUTES.toNanos(2))
                .responseTimeoutNs(TimeUnit.MINUTES.toNanos(1))))
            {
                assertEquals(oldLeader, client.leaderMemberId(), "the session was opened at the leader");
                long expected = 0;
                for (int i = 0; i < 20; i++)
                {
                    assertEquals(++expected, client.call(command("before"), 0, 6, CALL_TIMEOUT_NS).getLong(0));
                }

                final AtomicReference<Throwable> closeFailure = new AtomicReference<>();
                final Thread closer = new Thread(() ->
                {
                    try
                    {
                        cluster.stop(oldLeader);
                    }
                    catch (final Throwable ex)
                    {
                        closeFailure.set(ex);
                    }
                }, "closer");
                closer.start();
                while (closer.isAlive())
                {
                    // Each answer is the count of commands applied: every one exactly once, across the handover.
                    assertEquals(++expected, client.call(command("during"), 0, 6, CALL_TIMEOUT_NS).getLong(0));
                }
                closer.join();
                assertNull(closeFailure.get(), "the close threw");
                for (int i = 0; i < 20; i++)
                {
                    assertEquals(++expected, client.call(command("after"), 0, 5, CALL_TIMEOUT_NS).getLong(0));
                }

                final ClusterNode newLeader = cluster.awaitLeader();
                assertNotEquals(oldLeader, newLeader.memberId());
                assertEquals(newLeader.memberId(), client.leaderMemberId(), "the client moved to the new leader");
                assertEquals(expected, machines[newLeader.memberId()].count());
            }
        }
    }

    private static RecordingStateMachine[] startAll(final TestCluster cluster, final long handoverNs)
    {
        final RecordingStateMachine[] machines = new RecordingStateMachine[3];
        for (int i = 0; i < 3; i++)
        {
            machines[i] = new RecordingStateMachine();
            final ClusterNode.Context ctx = cluster.context(i)
                .stateMachine(machines[i])
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1500), TimeUnit.MILLISECONDS.toNanos(3000))
                .shutdownTransferTimeoutNs(handoverNs);
            ctx.snapshotConfig().logEntries(0).logBytes(0);
            cluster.startWith(i, ctx);
        }
        return machines;
    }

    private static <T> CompletableFuture<T> pollUntilDone(final FlotillaClient client, final CompletableFuture<T> f)
    {
        final long deadlineNs = System.nanoTime() + CALL_TIMEOUT_NS;
        while (!f.isDone())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("no outcome within " + TimeUnit.NANOSECONDS.toSeconds(CALL_TIMEOUT_NS) + " s");
            }
            client.poll();
        }
        return f;
    }

    private static FlotillaClientException failure(final CompletableFuture<?> future)
    {
        assertTrue(future.isDone());
        final CompletionException ex = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(FlotillaClientException.class, ex.getCause());
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
        return new UnsafeBuffer(RecordingStateMachine.bytes(text));
    }
}
