package io.flotilla.perf.baseline;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NoOpLock;

import java.io.File;

/**
 * One Aeron Cluster member as Aeron ships it: an embedded media driver and archive (both SHARED threading), a
 * consensus module and a clustered service container running {@link EchoClusteredService}, all with their default
 * idle strategies and default log channel.
 */
final class ClusterNode implements AutoCloseable
{
    private static final String LOCAL_CONTROL_CHANNEL = "aeron:ipc?term-length=64k";

    private final EchoClusteredService service = new EchoClusteredService();
    private final ClusteredMediaDriver clusteredMediaDriver;
    private final ClusteredServiceContainer container;

    /**
     * Launch the member.
     *
     * @param memberId          id of this member in {@code clusterMembers}.
     * @param clusterMembers    the static membership string.
     * @param archiveControlPort UDP port of this member's archive control channel (as in {@code clusterMembers}).
     * @param resources         gives the Aeron and data directories.
     */
    ClusterNode(
        final int memberId,
        final String clusterMembers,
        final int archiveControlPort,
        final LoopbackResources resources)
    {
        final String aeronDir = resources.aeronDir("node-" + memberId);
        final File nodeDir = resources.dataDir("node-" + memberId);
        final File clusterDir = new File(nodeDir, "cluster");

        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);

        // Replication between archives answers on an ephemeral loopback port.
        final AeronArchive.Context replicationClientContext = new AeronArchive.Context()
            .controlResponseChannel("aeron:udp?endpoint=localhost:0");

        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveId(memberId)
            .archiveDir(new File(nodeDir, "archive"))
            .controlChannel("aeron:udp?endpoint=localhost:" + archiveControlPort)
            .localControlChannel(LOCAL_CONTROL_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .archiveClientContext(replicationClientContext)
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .deleteArchiveOnStart(true);

        // The consensus module and the service reach their own archive over IPC.
        final AeronArchive.Context localArchiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(LOCAL_CONTROL_CHANNEL)
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(LOCAL_CONTROL_CHANNEL)
            .aeronDirectoryName(aeronDir);

        final ConsensusModule.Context consensusModuleContext = new ConsensusModule.Context()
            .aeronDirectoryName(aeronDir)
            .clusterMemberId(memberId)
            .clusterMembers(clusterMembers)
            .clusterDir(clusterDir)
            .ingressChannel("aeron:udp")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .archiveContext(localArchiveClient.clone())
            .deleteDirOnStart(true);

        final ClusteredServiceContainer.Context containerContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchiveClient.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .serviceId(0);

        ClusteredMediaDriver launchedDriver = null;
        try
        {
            launchedDriver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusModuleContext);
            container = ClusteredServiceContainer.launch(containerContext);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launchedDriver);
            throw ex;
        }
        clusteredMediaDriver = launchedDriver;
    }

    /**
     * @return echoes the service could not send.
     */
    long droppedEchoes()
    {
        return service.dropped();
    }

    /**
     * Close the service container, then the consensus module, archive and driver.
     */
    public void close()
    {
        CloseHelper.closeAll(container, clusteredMediaDriver);
    }
}
