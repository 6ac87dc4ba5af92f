package io.flotilla.engine;

import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.DriverTimeoutException;
import io.flotilla.archive.NodeMedia;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that cannot go on stops itself: one error reported, everything released (data directory lock, ports, Aeron
 * directory, threads), the termination hook run, {@link ClusterNode#failure()} naming the cause; a recoverable media
 * error is reported and the node goes on.
 */
class NodeFailureTest
{
    private static final String BOOM = "boom";

    @TempDir
    File tempDir;

    @Test
    @Timeout(60)
    void aStateMachineThatThrowsStopsTheReplicasThatApplyItAndReleasesEverything() throws Exception
    {
        final Set<Thread> threadsBefore = nonDaemonThreads();
        final List<CountDownLatch> terminated = List.of(new CountDownLatch(1), new CountDownLatch(1),
            new CountDownLatch(1));
        final List<List<Throwable>> errors = List.of(
            new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        final ClusterNode[] nodes = new ClusterNode[3];
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                final List<Throwable> nodeErrors = errors.get(i);
                final ClusterNode.Context ctx = cluster.context(i)
                    .stateMachine(new ThrowingStateMachine())
                    .errorHandler(nodeErrors::add)
                    .terminationHook(terminated.get(i)::countDown);
                ctx.snapshotConfig().logEntries(0).logBytes(0);
                nodes[i] = ClusterNode.launch(ctx);
            }
            cluster.await("a leader", () -> Arrays.stream(nodes).anyMatch((n) -> Role.LEADER == n.role()));
            final ClusterNode leader = Arrays.stream(nodes)
                .filter((n) -> Role.LEADER == n.role()).findFirst().orElseThrow();
            assertEquals(ProposalStatus.OK, ClusterNodeTest.proposeOnce(leader, "fine").status());
            cluster.await("every replica applied it", () -> Arrays.stream(nodes)
                .allMatch((n) -> n.appliedIndex() == leader.appliedIndex()));

            assertEquals(ProposalStatus.CLOSED, ClusterNodeTest.proposeOnce(leader, BOOM).status());
            assertTrue(terminated.get(leader.memberId()).await(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                "the leader stops itself");
            // A follower stops too once it learns the entry is committed, which it may never do: the leader stopped
            // when it applied it. Those still running are closed.
            for (final ClusterNode node : nodes)
            {
                if (null == node.failure())
                {
                    node.close();
                }
            }

            for (int i = 0; i < 3; i++)
            {
                final ClusterNode node = nodes[i];
                assertFalse(node.isRunning());
                assertFalse(new File(node.aeronDirectoryName()).exists(), "Aeron directory deleted: " + i);
                assertLockFree(cluster.dataDirectory(i));
                if (null == node.failure())
                {
                    assertEquals(List.of(), errors.get(i), "closed, not failed");
                    continue;
                }
                final NodeFailedException failure = node.failure();
                assertNotNull(failure, "member " + i);
                assertEquals(FailureCause.STATE_MACHINE, failure.failureCause());
                assertTrue(failure.getMessage().contains("at index"), failure.getMessage());
                assertEquals(List.of(failure), errors.get(i), "one error reported, the failure");
                assertEquals(ProposalStatus.CLOSED, ClusterNodeTest.proposeOnce(node, "after").status());
            }
            for (final int port : ports(cluster.membersSpec()))
            {
                new DatagramSocket(port, InetAddress.getLoopbackAddress()).close();
            }
            cluster.await("the node threads to end", () -> threadsBefore.containsAll(nonDaemonThreads()));
        }
        finally
        {
            CloseHelper.closeAll(nodes);
        }
    }

    @Test
    @Timeout(60)
    void aMediaErrorTheNodeCannotGoOnAfterStopsItButARecoverableOneDoesNot() throws Exception
    {
        final CountDownLatch terminated = new CountDownLatch(1);
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            final ClusterNode node = cluster.start(0, cluster.context(0)
                .threading(Threading.DEDICATED)
                .errorHandler(errors::add)
                .terminationHook(terminated::countDown));
            assertEquals(Role.LEADER, cluster.awaitLeader().role());
            final ErrorHandler mediaErrorHandler = node.context().internals().mediaContext().errorHandler();

            final AeronException recoverable = new AeronException("a peer's image went away");
            mediaErrorHandler.onError(recoverable);
            mediaErrorHandler.onError(new AeronException("failed to send", AeronException.Category.WARN));
            TestCluster.proposeAll(node, 10, 4, "m-");
            assertTrue(node.isRunning());
            assertNull(node.failure());
            assertEquals(List.of(recoverable), errors, "the warning stays in Aeron's error log only");

            mediaErrorHandler.onError(new DriverTimeoutException("driver has been inactive"));
            assertTrue(terminated.await(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertEquals(FailureCause.MEDIA_STOPPED, node.failure().failureCause());
            assertEquals(List.of(recoverable, node.failure()), errors);
            assertFalse(new File(node.aeronDirectoryName()).exists());
            assertLockFree(cluster.dataDirectory(0));
        }
    }

    private static void assertLockFree(final File dataDirectory) throws Exception
    {
        try (FileChannel channel = FileChannel.open(
            new File(dataDirectory, NodeMedia.LOCK_FILE_NAME).toPath(), StandardOpenOption.WRITE))
        {
            final FileLock lock = channel.tryLock();
            assertNotNull(lock, "data directory lock released: " + dataDirectory);
            lock.release();
        }
    }

    private static int[] ports(final String membersSpec)
    {
        return Arrays.stream(membersSpec.split(","))
            .flatMap((member) -> Arrays.stream(member.split(":")).skip(1))
            .mapToInt(Integer::parseInt)
            .toArray();
    }

    private static Set<Thread> nonDaemonThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.isAlive() && !thread.isDaemon())
            .collect(Collectors.toSet());
    }

    /**
     * Applies everything except the command {@value #BOOM}, on which it throws: on every replica alike.
     */
    private static final class ThrowingStateMachine implements StateMachine
    {
        public void apply(
            final long index,
            final long timestampNs,
            final DirectBuffer command,
            final int offset,
            final int length,
            final Response response)
        {
            if (BOOM.equals(command.getStringWithoutLengthAscii(offset, length)))
            {
                throw new IllegalStateException("cannot apply " + BOOM);
            }
            response.ok(0);
        }
    }
}
