package io.flotilla.engine;

import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.Outcome;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine's messages to a session ({@link StateMachineContext#sendToSession}) on a real three-node cluster
 * over Aeron on loopback: the client gets every one once, in order, across a leader failover, a full restart of the
 * cluster from snapshots, and a client that stops reading for a while; acknowledgements free the replicated window
 * on every replica, and a window that fills refuses the same sends on every replica.
 */
class SessionMessagesClusterTest
{
    private static final int MEMBERS = 3;
    /** Messages of 8 bytes cost 24 in the 1 MiB window: this many fill it. */
    private static final long WINDOW_MESSAGES = 1024 * 1024 / 24;

    @TempDir
    File tempDir;

    private final FillStateMachine[] machines = new FillStateMachine[MEMBERS];

    @Test
    @Timeout(180)
    void everyMessageArrivesOnceInOrderAcrossAFailoverAndAcknowledgementsFreeTheWindow()
    {
        try (TestCluster cluster = new TestCluster(tempDir, MEMBERS))
        {
            for (int i = 0; i < MEMBERS; i++)
            {
                start(cluster, i, cluster.context(i));
            }
            cluster.awaitLeader();
            try (Subscriber subscriber = new Subscriber(cluster))
            {
                final long id = subscriber.sessionId();
                // More than the window holds, paced by the client: only acknowledgements through the log let every
                // replica keep sending.
                for (int i = 0; i < 30; i++)
                {
                    cluster.proposeUntilOk(FillStateMachine.fill(id, 2_000));
                    awaitDelivered(cluster, subscriber, id);
                }
                assertTrue(subscriber.delivered() > WINDOW_MESSAGES, "sent more than one window");

                final int oldLeader = cluster.awaitLeader().memberId();
                cluster.stop(oldLeader);
                for (int i = 0; i < 20; i++)
                {
                    cluster.proposeUntilOk(FillStateMachine.fill(id, 100));
                }
                awaitDelivered(cluster, subscriber, id);

                start(cluster, oldLeader, cluster.context(oldLeader));
                cluster.proposeUntilOk(FillStateMachine.fill(id, 100));
                awaitDelivered(cluster, subscriber, id);
                cluster.await("the restarted member applied every fill", () ->
                    machines[oldLeader].sent(id) == machines[cluster.awaitLeader().memberId()].sent(id));
                for (final FillStateMachine machine : machines)
                {
                    assertEquals(0, machine.refused(), "acknowledgements kept the window open on every replica");
                }
                subscriber.assertClean();

                // The state machine learns which session sent a command from the cluster, not from the command.
                final long before = subscriber.delivered();
                assertEquals(3, subscriber.call(FillStateMachine.fill(FillStateMachine.CALLER, 3)));
                awaitDelivered(cluster, subscriber, id);
                assertEquals(before + 3, subscriber.delivered());
                cluster.proposeUntilOk(FillStateMachine.fill(FillStateMachine.CALLER, 1));
                cluster.await("an in-process command has no session to send to", () ->
                    machines[cluster.awaitLeader().memberId()].refused() == 1);
            }
        }
    }

    @Test
    @Timeout(180)
    void unacknowledgedMessagesSurviveAFullRestartFromSnapshotsAndAFullWindowRefusesOnEveryReplica()
    {
        try (TestCluster cluster = new TestCluster(tempDir, MEMBERS))
        {
            for (int i = 0; i < MEMBERS; i++)
            {
                start(cluster, i, snapshotContext(cluster, i));
            }
            cluster.awaitLeader();
            try (Subscriber subscriber = new Subscriber(cluster))
            {
                final long id = subscriber.sessionId();
                cluster.proposeUntilOk(FillStateMachine.fill(id, 10));
                awaitDelivered(cluster, subscriber, id);

                // The client stops reading (and acknowledging): what is sent now stays in every replica's window.
                subscriber.pause(true);
                for (int i = 0; i < 25; i++)
                {
                    cluster.proposeUntilOk(FillStateMachine.fill(id, 2_000));
                }
                final long sent = machines[cluster.awaitLeader().memberId()].sent(id);
                assertTrue(sent < 10 + 25 * 2_000, "the full window refused sends: " + sent);
                cluster.await("every replica refused the same sends", () ->
                {
                    for (final FillStateMachine machine : machines)
                    {
                        if (machine.sent(id) != sent || 0 == machine.refused())
                        {
                            return false;
                        }
                    }
                    return true;
                });
                final int leaderId = cluster.awaitLeader().memberId();
                for (int i = 0; i < MEMBERS; i++)
                {
                    if (i != leaderId)
                    {
                        // The state machine has only the blocking form: a follower takes it.
                        snapshot(cluster.node(i));
                    }
                }

                for (int i = 0; i < MEMBERS; i++)
                {
                    cluster.stop(i);
                }
                for (int i = 0; i < MEMBERS; i++)
                {
                    start(cluster, i, snapshotContext(cluster, i));
                }
                cluster.awaitLeader();
                cluster.await("every member restarted into the same state", () ->
                {
                    for (final FillStateMachine machine : machines)
                    {
                        if (machine.sent(id) != sent)
                        {
                            return false;
                        }
                    }
                    return true;
                });
                subscriber.pause(false);
                awaitDelivered(cluster, subscriber, id);
                assertEquals(sent, subscriber.delivered());
                boolean loaded = false;
                for (final FillStateMachine machine : machines)
                {
                    loaded |= machine.loadedSnapshots() > 0;
                }
                assertTrue(loaded, "a member restarted from a snapshot");

                // Acknowledged now (once the client's acknowledgement is applied): the window opens again.
                cluster.await("the window opened again", () ->
                {
                    cluster.proposeUntilOk(FillStateMachine.fill(id, 1));
                    return machines[cluster.awaitLeader().memberId()].sent(id) > sent;
                });
                awaitDelivered(cluster, subscriber, id);
                assertEquals(machines[cluster.awaitLeader().memberId()].sent(id), subscriber.delivered());
                subscriber.assertClean();
            }
        }
    }

    private static void snapshot(final ClusterNode node)
    {
        try
        {
            assertTrue(node.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS) > 0);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("member " + node.memberId() + " took no snapshot", ex);
        }
    }

    private void start(final TestCluster cluster, final int memberId, final ClusterNode.Context context)
    {
        machines[memberId] = new FillStateMachine();
        cluster.startWith(memberId, context.stateMachine(machines[memberId]));
    }

    private static ClusterNode.Context snapshotContext(final TestCluster cluster, final int memberId)
    {
        final ClusterNode.Context ctx =
            cluster.context(memberId).archiveSegmentLength(256 * 1024).logTermLength(64 * 1024);
        ctx.snapshotConfig().logEntries(100_000).logBytes(0).retainEntries(0);
        return ctx;
    }

    private void awaitDelivered(final TestCluster cluster, final Subscriber subscriber, final long id)
    {
        cluster.await("the client got every message the leader's state machine sent it", () ->
        {
            subscriber.assertClean();
            final ClusterNode leader = cluster.awaitLeader();
            return subscriber.delivered() == machines[leader.memberId()].sent(id) &&
                leader.appliedIndex() >= leader.commitIndex();
        });
    }

    /**
     * A client that only receives, on a thread of its own, checking that message n carries n.
     */
    private static final class Subscriber implements AutoCloseable
    {
        private final FlotillaClient client;
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean paused;
        private volatile boolean idle;
        private volatile boolean running = true;

        Subscriber(final TestCluster cluster)
        {
            client = FlotillaClient.connect(new FlotillaClient.Context()
                .ingressEndpoints(cluster.membersSpec())
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
                .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(200))
                .sessionMessageListener((sequence, logIndex, outcome, buffer, offset, length) ->
                {
                    final long expected = delivered.get() + 1;
                    if (sequence != expected || Outcome.OK != outcome || Long.BYTES != length ||
                        buffer.getLong(offset) != sequence)
                    {
                        failure.compareAndSet(null, "expected message " + expected + ", got " + sequence + " " +
                            outcome + " of " + length + " bytes");
                    }
                    delivered.set(sequence);
                }));
            thread = new Thread(this::run, "subscriber");
            thread.start();
        }

        private void run()
        {
            while (running)
            {
                idle = paused;
                if (paused || 0 == client.poll())
                {
                    Thread.onSpinWait();
                }
            }
        }

        long sessionId()
        {
            return client.sessionId();
        }

        /**
         * Send a command from this client's session (pausing the polling thread meanwhile: one thread at a time).
         *
         * @return the number of messages the state machine sent.
         */
        int call(final UnsafeBuffer command)
        {
            pause(true);
            try
            {
                return client.call(command, 0, command.capacity(), TimeUnit.SECONDS.toNanos(20)).getInt(0);
            }
            finally
            {
                pause(false);
            }
        }

        long delivered()
        {
            return delivered.get();
        }

        /**
         * Stop (or resume) polling; returns once no poll is under way.
         */
        void pause(final boolean paused)
        {
            this.paused = paused;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (paused && !idle && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertTrue(!paused || idle, "the subscriber stopped polling");
        }

        void assertClean()
        {
            assertNull(failure.get());
        }

        public void close()
        {
            running = false;
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            client.close();
        }
    }
}
