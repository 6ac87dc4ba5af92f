package io.flotilla.engine;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.archive.NodeMedia;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threading modes, launch failures and a state machine that breaks its contract.
 */
class NodeLifecycleTest
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(60)
    void dedicatedThreadingRunsTheSameNode()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            cluster.start(0, cluster.context(0).threading(Threading.DEDICATED));
            final ClusterNode node = cluster.awaitLeader();
            TestCluster.proposeAll(node, 500, 64, "d-");
            cluster.awaitConverged(500);
        }
    }

    @Test
    @Timeout(60)
    void externalDriverIsUsedWhenGiven()
    {
        final String dir = new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "flotilla-test-external-" + UUID.randomUUID()).getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
            TestCluster cluster = new TestCluster(tempDir, 1))
        {
            final ClusterNode node = cluster.start(0, cluster.context(0)
                .threading(Threading.DEDICATED)
                .externalDriver(true)
                .aeronDirectoryName(driver.aeronDirectoryName()));
            assertEquals(driver.aeronDirectoryName(), node.aeronDirectoryName());
            cluster.awaitLeader();
            TestCluster.proposeAll(node, 100, 16, "e-");
            cluster.awaitConverged(100);
        }
    }

    @Test
    @Timeout(60)
    void launchFailsWhenAnEndpointIsTaken()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1).startAll())
        {
            cluster.awaitLeader();
            final ClusterNode.Context second = cluster.context(0)
                .dataDirectory(new File(tempDir, "second"))
                .stateMachine(new ChecksumStateMachine());
            final RuntimeException ex = assertThrows(RuntimeException.class, () -> ClusterNode.launch(second));
            assertTrue(String.valueOf(ex.getMessage()).contains("Address already in use") &&
                String.valueOf(ex.getMessage()).contains(ClusterNode.Context.MEMBERS_PROP), ex.toString());

            // The running node is unaffected.
            assertEquals(Role.LEADER, cluster.node(0).role());
        }
    }

    @Test
    @Timeout(60)
    void aTakenConsensusOrIngressPortFailsTheStartNamingTheSetting() throws Exception
    {
        for (int taken = 0; taken < 2; taken++)
        {
            final int[] ports = TestCluster.freeUdpPorts(2);
            try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("localhost", ports[taken])))
            {
                final ClusterNode.Context ctx = withoutSnapshots(new ClusterNode.Context()
                    .memberId(0)
                    .insecurePeers(true)
                    .members("0=localhost:" + ports[0] + ":" + ports[1])
                    .dataDirectory(new File(tempDir, "taken-" + taken))
                    .durability(Durability.ASYNC)
                    .stateMachine(new ChecksumStateMachine()));
                final RuntimeException ex = assertThrows(RuntimeException.class, () -> ClusterNode.launch(ctx));
                final String endpoint = (0 == taken ? "the consensus endpoint localhost:" + ports[0] :
                    "the ingress endpoint localhost:" + ports[1]) + " of member 0";
                assertTrue(ex.getMessage().contains(endpoint) && ex.getMessage().contains("Address already in use") &&
                    ex.getMessage().contains(ClusterNode.Context.MEMBERS_PROP), ex.toString());
                assertFalse(new File(ctx.aeronDirectoryName()).exists(), "the failed start left its Aeron directory");
            }
        }
    }

    @Test
    @Timeout(60)
    void aSecondNodeOnARunningNodesAeronDirectoryIsRefusedAndTheFirstKeepsRunning()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1).startAll())
        {
            final ClusterNode first = cluster.awaitLeader();
            final File aeronDir = new File(first.aeronDirectoryName());
            final int[] ports = TestCluster.freeUdpPorts(2);
            final ClusterNode.Context second = withoutSnapshots(new ClusterNode.Context()
                .memberId(0)
                .insecurePeers(true)
                .members("0=localhost:" + ports[0] + ":" + ports[1])
                .dataDirectory(new File(tempDir, "second"))
                .aeronDirectoryName(first.aeronDirectoryName())
                .durability(Durability.ASYNC)
                .stateMachine(new ChecksumStateMachine()));
            final RuntimeException ex = assertThrows(RuntimeException.class, () -> ClusterNode.launch(second));
            assertTrue(ex.getMessage().contains(NodeMedia.Context.AERON_DIR_PROP) &&
                ex.getMessage().contains(aeronDir.getPath()), ex.toString());

            assertTrue(new File(aeronDir, CncFileDescriptor.CNC_FILE).exists(), "the running node's CnC file is gone");
            assertEquals(Role.LEADER, first.role());
            TestCluster.proposeAll(first, 100, 16, "after-");
            cluster.awaitConverged(100);
        }
    }

    @Test
    @Timeout(60)
    void throwingStateMachineStopsTheNodeLoudly()
    {
        final StateMachine throwing = new StateMachine()
        {
            public void apply(final long index, final long timestampNs, final DirectBuffer command, final int offset,
                final int length, final Response response)
            {
                throw new IllegalStateException("state machine bug at index " + index);
            }
        };
        final File dataDir = new File(tempDir, "throwing");
        final int[] ports = TestCluster.freeUdpPorts(2);
        final String spec = "0=localhost:" + ports[0] + ":" + ports[1];
        try (ClusterNode node = ClusterNode.launch(withoutSnapshots(new ClusterNode.Context()
            .memberId(0)
            .clusterKeys(ClusterKeys.generate())
            .members(spec)
            .dataDirectory(dataDir)
            .stateMachine(throwing)
            .errorHandler((t) -> { }))))
        {
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (Role.LEADER != node.role() && System.nanoTime() < deadline)
            {
                Thread.yield();
            }
            assertEquals(Role.LEADER, node.role());

            final ProposalResult result = ClusterNodeTest.proposeOnce(node, "boom");
            assertEquals(ProposalStatus.CLOSED, result.status());
            while (node.isRunning() && System.nanoTime() < deadline)
            {
                Thread.yield();
            }
            assertFalse(node.isRunning());
        }
    }

    @Test
    @Timeout(60)
    void failedReplayFailsTheLaunchAndLeavesNothingOpen()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1).startAll())
        {
            TestCluster.proposeAll(cluster.awaitLeader(), 100, 16, "r-");
            cluster.awaitConverged(100);
            cluster.stop(0);

            final StateMachine throwing = new StateMachine()
            {
                public void apply(final long index, final long timestampNs, final DirectBuffer command,
                    final int offset, final int length, final Response response)
                {
                    throw new IllegalStateException("replay bug at index " + index);
                }
            };
            final RuntimeException ex = assertThrows(
                RuntimeException.class, () -> ClusterNode.launch(
                withoutSnapshots(cluster.context(0).stateMachine(throwing))));
            assertTrue(String.valueOf(ex.getMessage()).contains("replay bug"), ex.toString());

            // Nothing the failed start opened still holds the endpoints or the data directory: the node restarts.
            cluster.start(0);
            cluster.awaitLeader();
            cluster.awaitConverged(100);
        }
    }

    /**
     * A state machine that cannot snapshot runs only with snapshots switched off.
     */
    private static ClusterNode.Context withoutSnapshots(final ClusterNode.Context ctx)
    {
        ctx.snapshotConfig().logEntries(0).logBytes(0);
        return ctx;
    }
}
