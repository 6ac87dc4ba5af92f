package io.flotilla.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State machine timers on a real three-node cluster over Aeron on loopback: each fires exactly once, at the same
 * index on every replica, across a leader failover, a full restart of the cluster, a snapshot install on a node that
 * lost its data and a restart from a snapshot; a cancelled timer never fires and a rescheduled one fires once, at its
 * new deadline.
 */
class TimerClusterTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    File tempDir;

    private final TimerStateMachine[] machines = new TimerStateMachine[3];

    @Test
    @Timeout(120)
    void timersFireExactlyOnceAcrossAFailoverAndAFullRestart()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                start(cluster, i, cluster.context(i));
            }
            final ClusterNode first = cluster.awaitLeader();
            assertEquals('N', queryAnswer(first), "a query may not schedule a timer");

            for (int id = 1; id <= 10; id++)
            {
                cluster.proposeUntilOk(TimerStateMachine.schedule(id, (300 + 100 * id) * MS));
            }
            cluster.proposeUntilOk(TimerStateMachine.schedule(100, 5_000 * MS));
            cluster.proposeUntilOk(TimerStateMachine.cancel(100));
            cluster.proposeUntilOk(TimerStateMachine.schedule(101, 300 * MS));
            cluster.proposeUntilOk(TimerStateMachine.schedule(101, 2_500 * MS));

            awaitFired(cluster, List.of(1L));
            final int oldLeader = cluster.awaitLeader().memberId();
            cluster.stop(oldLeader);
            final List<Long> before = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 101L);
            awaitFired(cluster, before);
            start(cluster, oldLeader, cluster.context(oldLeader));
            awaitSameFires(cluster);

            for (int id = 201; id <= 205; id++)
            {
                cluster.proposeUntilOk(TimerStateMachine.schedule(id, (1_500 + 100 * (id - 200)) * MS));
            }
            for (int i = 0; i < 3; i++)
            {
                cluster.stop(i);
            }
            for (int i = 0; i < 3; i++)
            {
                start(cluster, i, cluster.context(i));
            }
            final List<Long> all = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 101L, 201L, 202L, 203L, 204L, 205L);
            awaitFired(cluster, all);
            awaitSameFires(cluster);
            assertExactlyOnce(all);
            for (final TimerStateMachine machine : machines)
            {
                assertEquals(0, machine.fireCount(100), "a cancelled timer never fires");
            }
        }
    }

    @Test
    @Timeout(120)
    void timersSurviveASnapshotInstallOnANodeThatLostItsData() throws IOException
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                start(cluster, i, snapshotContext(cluster, i));
            }
            cluster.awaitLeader();
            for (int id = 1; id <= 3; id++)
            {
                cluster.proposeUntilOk(TimerStateMachine.schedule(id, 200 * MS));
            }
            for (int id = 11; id <= 15; id++)
            {
                cluster.proposeUntilOk(TimerStateMachine.schedule(id, 6_000 * MS + 200 * id * MS));
            }
            awaitFired(cluster, List.of(1L, 2L, 3L));

            final int lost = (cluster.awaitLeader().memberId() + 1) % 3;
            cluster.stop(lost);
            deleteRecursively(cluster.dataDirectory(lost).toPath());
            cluster.proposeAllAcrossLeaderChanges(3_000, 256, "fill-");
            final ClusterNode leader = cluster.awaitLeader();
            cluster.await("the leader compacted its log", () -> leader.logFirstIndex() > 1);

            start(cluster, lost, snapshotContext(cluster, lost).rejoinAfterDataLoss(true));
            cluster.await("member " + lost + " installed a snapshot", () -> machines[lost].loadedSnapshots() >= 1 &&
                cluster.node(lost).appliedIndex() >= leader.appliedIndex());

            // The installed node's timer table came with the snapshot: cancelling answers as on every other replica
            // (the state machine records a failure where the runtime's answer differs from its own mirror).
            cluster.proposeUntilOk(TimerStateMachine.cancel(11));
            final List<Long> all = List.of(1L, 2L, 3L, 12L, 13L, 14L, 15L);
            awaitFired(cluster, all);
            awaitSameFires(cluster);
            assertExactlyOnce(all);

            // A restart loads the newest snapshot (timers and all) and replays what follows: the same record again.
            final int restarted = (lost + 1) % 3;
            cluster.stop(restarted);
            start(cluster, restarted, snapshotContext(cluster, restarted));
            cluster.await("member " + restarted + " restarted from its snapshot", () ->
                machines[restarted].loadedSnapshots() >= 1);
            awaitSameFires(cluster);
            assertExactlyOnce(all);
        }
    }

    private void start(final TestCluster cluster, final int memberId, final ClusterNode.Context context)
    {
        machines[memberId] = new TimerStateMachine();
        cluster.startWith(memberId, context.stateMachine(machines[memberId]));
    }

    private static ClusterNode.Context snapshotContext(final TestCluster cluster, final int memberId)
    {
        final ClusterNode.Context ctx =
            cluster.context(memberId).archiveSegmentLength(256 * 1024).logTermLength(64 * 1024);
        ctx.snapshotConfig().logEntries(500).logBytes(0).retainEntries(0);
        return ctx;
    }

    private static byte queryAnswer(final ClusterNode node)
    {
        final CompletableFuture<Byte> answer = new CompletableFuture<>();
        final UnsafeBuffer query = new UnsafeBuffer(new byte[1]);
        assertTrue(node.query(ReadConsistency.LINEARIZABLE, query, 0, 1, (result) -> answer.complete(
            QueryStatus.OK == result.status() ? result.buffer().getByte(result.offset()) : (byte)0)));
        try
        {
            return answer.get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("query did not complete", ex);
        }
    }

    private void awaitFired(final TestCluster cluster, final List<Long> ids)
    {
        cluster.await("timers " + ids + " fired on every running node", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                if (null != cluster.node(i))
                {
                    for (final long id : ids)
                    {
                        if (machines[i].fireCount(id) < 1)
                        {
                            return false;
                        }
                    }
                }
            }
            return true;
        });
    }

    /**
     * Every running node applied as far as the others and recorded the same fires, index for index.
     */
    private void awaitSameFires(final TestCluster cluster)
    {
        cluster.await("every running node fired the same timers at the same indices", () ->
        {
            List<String> fires = null;
            for (int i = 0; i < 3; i++)
            {
                if (null != cluster.node(i))
                {
                    if (null == fires)
                    {
                        fires = machines[i].fires();
                    }
                    else if (!fires.equals(machines[i].fires()))
                    {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private void assertExactlyOnce(final List<Long> ids)
    {
        for (int i = 0; i < 3; i++)
        {
            assertNull(machines[i].failure(), "member " + i);
            for (final long id : ids)
            {
                assertEquals(1, machines[i].fireCount(id), "member " + i + " timer " + id + ": " + machines[i].fires());
            }
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
