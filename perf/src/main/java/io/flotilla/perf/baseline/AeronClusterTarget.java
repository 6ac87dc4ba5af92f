package io.flotilla.perf.baseline;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.Header;
import io.flotilla.perf.harness.EchoHandler;
import io.flotilla.perf.harness.LoadTarget;
import io.flotilla.perf.harness.Payload;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The peer to beat: an Aeron Cluster of N members in this JVM (3 by default, {@code --nodes}; {@link ClusterNode}:
 * embedded driver and archive with SHARED threading, consensus module, echo service, default idle strategies) and an
 * {@link AeronCluster} client on its own embedded driver, all on loopback. Five ports per member
 * ({@link LoopbackResources#freeUdpPorts(int)}); the replication and egress channels take ephemeral ones. Directories
 * are unique per start and removed on close.
 */
public final class AeronClusterTarget implements LoadTarget, EgressListener
{
    private static final int PORTS_PER_MEMBER = 5;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final ClusterNode[] nodes;
    private LoopbackResources resources;
    private MediaDriver clientDriver;
    private AeronCluster client;
    private UnsafeBuffer sendBuffer;
    private int messageLength;
    private EchoHandler echoHandler;
    private long malformed;

    /**
     * @param memberCount members of the cluster, at least 1.
     */
    public AeronClusterTarget(final int memberCount)
    {
        if (memberCount < 1)
        {
            throw new IllegalArgumentException("memberCount must be at least 1, got " + memberCount);
        }
        nodes = new ClusterNode[memberCount];
    }

    public String name()
    {
        return "aeron-cluster";
    }

    // Aeron Cluster's default archive fileSyncLevel is 0: a command is committed once in the page cache of a majority.
    public String config()
    {
        return "members=" + nodes.length + " durability=no-fsync(fileSyncLevel=0) threading=SHARED idle=default";
    }

    public void start(final int messageLength) throws InterruptedException
    {
        this.messageLength = Payload.checkLength(messageLength);
        sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        resources = new LoopbackResources("flotilla-perf-cluster");

        final int[] ports = LoopbackResources.freeUdpPorts(nodes.length * PORTS_PER_MEMBER);
        final StringBuilder members = new StringBuilder();
        final StringBuilder ingressEndpoints = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            // memberId,ingress,consensus,log,catchup,archiveControl
            final int base = i * PORTS_PER_MEMBER;
            members.append(i);
            for (int p = 0; p < PORTS_PER_MEMBER; p++)
            {
                members.append(",localhost:").append(ports[base + p]);
            }
            members.append('|');
            ingressEndpoints.append(i == 0 ? "" : ",").append(i).append("=localhost:").append(ports[base]);
        }

        for (int i = 0; i < nodes.length; i++)
        {
            nodes[i] = new ClusterNode(i, members.toString(), ports[i * PORTS_PER_MEMBER + 4], resources);
        }

        clientDriver = resources.launchDriver("client");
        client = connect(ingressEndpoints.toString());
    }

    public boolean offer(final long sendTimeNs)
    {
        Payload.writeSendTime(sendBuffer, 0, sendTimeNs);
        return client.offer(sendBuffer, 0, messageLength) > 0;
    }

    public int poll(final EchoHandler handler)
    {
        echoHandler = handler;
        return client.pollEgress();
    }

    public long malformedEchoes()
    {
        return malformed;
    }

    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (length != messageLength)
        {
            malformed++;
            return;
        }
        echoHandler.onEcho(Payload.readSendTime(buffer, offset));
    }

    public void close()
    {
        CloseHelper.closeAll(client, clientDriver);
        long dropped = 0;
        for (final ClusterNode node : nodes)
        {
            if (null != node)
            {
                dropped += node.droppedEchoes();
                CloseHelper.close(node);
            }
        }
        if (dropped > 0)
        {
            System.err.println("aeron-cluster: echo service dropped " + dropped + " echoes (session closed)");
        }
        if (null != resources)
        {
            resources.deleteDirectories();
        }
    }

    // The first election on a loaded machine can outlast one connect attempt's message timeout: retry until ready.
    private AeronCluster connect(final String ingressEndpoints) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (true)
        {
            try
            {
                return AeronCluster.connect(new AeronCluster.Context()
                    .aeronDirectoryName(clientDriver.aeronDirectoryName())
                    .egressListener(this)
                    .egressChannel("aeron:udp?endpoint=localhost:0")
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(ingressEndpoints));
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("Aeron Cluster did not accept a client within 60 s", ex);
                }
                Thread.sleep(100);
            }
        }
    }
}
