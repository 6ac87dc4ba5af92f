package io.flotilla.perf.flotilla;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.Outcome;
import io.flotilla.engine.client.QueryListener;
import io.flotilla.engine.client.ResponseListener;
import io.flotilla.engine.Role;
import io.flotilla.perf.baseline.LoopbackResources;
import io.flotilla.perf.harness.EchoHandler;
import io.flotilla.perf.harness.LoadTarget;
import io.flotilla.perf.harness.Payload;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Flotilla under load: {@link FlotillaSettings#members()} {@link ClusterNode}s in this JVM (3 by default,
 * {@code --nodes}; each with its own embedded media driver and archive, threading and durability from
 * {@link FlotillaSettings}, an {@link EchoStateMachine} unless told otherwise) and {@link FlotillaClient} sessions
 * ({@link FlotillaSettings#clients()} of them, sharing one embedded media driver and Aeron client), all over UDP on
 * loopback. A client keeps at most {@link FlotillaClient#MAX_OUTSTANDING} requests outstanding (its sequence
 * window, matched by the cluster's per-session response cache), so a window larger than that needs several sessions:
 * a message goes to the first session with room. Ports are free ports
 * ({@link LoopbackResources#freeUdpPorts(int)}, two per member), Aeron directories live under
 * /dev/shm and the logs under java.io.tmpdir; all are removed on close. A message is one command; its echo is the
 * committed command's response.
 * <p>
 * For the failover test, {@link #closeLeader()} and {@link #restart(int)} take a node down and bring it back; for the
 * rolling restart ({@link #withHandoverOnClose}), {@link #stop(int)} closes a node the way an operator stops one.
 */
public final class FlotillaTarget implements LoadTarget, ResponseListener, QueryListener
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final FlotillaSettings settings;
    private final Consumer<ClusterNode.Context> nodeConfiguration;
    private final ReadLoad reads;
    private final AdminLoad adminLoad;
    private final boolean egress;
    private final boolean handoverOnClose;
    private final ClusterNode[] nodes;
    private LoopbackResources resources;
    private String members;
    private MediaDriver clientDriver;
    private Aeron clientAeron;
    private FlotillaClient[] clients;
    private UnsafeBuffer sendBuffer;
    private int messageLength;
    private EchoHandler echoHandler;
    private long malformed;

    /**
     * @param settings durability, threading and client settings.
     */
    public FlotillaTarget(final FlotillaSettings settings)
    {
        this(settings, ctx -> ctx.stateMachine(new EchoStateMachine()));
    }

    /**
     * @param settings          durability, threading and client settings.
     * @param nodeConfiguration applied to each member's context at every launch: sets its state machine (a new one
     *                          each time, which must echo the harness's messages) and any other setting.
     */
    public FlotillaTarget(final FlotillaSettings settings, final Consumer<ClusterNode.Context> nodeConfiguration)
    {
        this(settings, nodeConfiguration, null, null, false, false);
    }

    /**
     * A target whose messages are queries, not commands.
     *
     * @param settings durability, threading and client settings.
     * @param reads    the queries' consistency and where they go.
     */
    public FlotillaTarget(final FlotillaSettings settings, final ReadLoad reads)
    {
        this(settings, ctx -> ctx.stateMachine(new EchoStateMachine()), reads, null, false, false);
    }

    private FlotillaTarget(
        final FlotillaSettings settings,
        final Consumer<ClusterNode.Context> nodeConfiguration,
        final ReadLoad reads,
        final AdminLoad adminLoad,
        final boolean egress,
        final boolean handoverOnClose)
    {
        this.settings = settings;
        this.nodeConfiguration = nodeConfiguration;
        this.reads = reads;
        this.adminLoad = adminLoad;
        this.egress = egress;
        this.handoverOnClose = handoverOnClose;
        this.nodes = new ClusterNode[settings.members()];
    }

    /**
     * The command load of the {@code flotilla} target while every node serves its admin endpoint to a loop of status
     * and metrics requests ({@link AdminLoad}).
     *
     * @param settings durability, threading and client settings.
     * @return the target, named {@code flotilla-admin-load}.
     */
    public static FlotillaTarget withAdminLoad(final FlotillaSettings settings)
    {
        return new FlotillaTarget(
            settings, ctx -> ctx.stateMachine(new EchoStateMachine()), null, new AdminLoad(), false, false);
    }

    /**
     * The command load of the {@code flotilla} target, echoed as session messages rather than responses
     * ({@link EgressEchoStateMachine}): the cost of a message the state machine sends of its own accord.
     *
     * @param settings durability, threading and client settings.
     * @return the target, named {@code flotilla-egress}.
     */
    public static FlotillaTarget withEgress(final FlotillaSettings settings)
    {
        return new FlotillaTarget(
            settings, ctx -> ctx.stateMachine(new EgressEchoStateMachine()), null, null, true, false);
    }

    /**
     * The command load of the {@code flotilla} target whose nodes close gracefully: a leader hands leadership over
     * first (the node's default {@code flotilla.node.shutdown.transfer.timeout}), as in a rolling restart.
     *
     * @param settings durability, threading and client settings.
     * @return the target.
     */
    public static FlotillaTarget withHandoverOnClose(final FlotillaSettings settings)
    {
        return new FlotillaTarget(
            settings, ctx -> ctx.stateMachine(new EchoStateMachine()), null, null, false, true);
    }

    public String name()
    {
        if (null != adminLoad)
        {
            return "flotilla-admin-load";
        }
        if (egress)
        {
            return "flotilla-egress";
        }
        return null == reads ? "flotilla" : reads.name();
    }

    public String config()
    {
        final String config = "members=" + nodes.length + " " + settings.describe();
        if (null != adminLoad)
        {
            return config + " admin_load=status+metrics@" + adminLoad.describeRate() + " admin_warmup=" +
                adminLoad.warmup();
        }
        if (egress)
        {
            return config + " echo=session_message";
        }
        return null == reads ? config : config + " reads=" + reads.consistency() +
            (reads.preferFollowers() ? "@followers" : "@leader");
    }

    public void start(final int messageLength)
    {
        this.messageLength = Payload.checkLength(messageLength);
        sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        resources = new LoopbackResources("flotilla-perf-flotilla");

        final int[] ports = LoopbackResources.freeUdpPorts(2 * nodes.length);
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            spec.append(0 == i ? "" : ",").append(i).append("=localhost:").append(ports[2 * i]).append(':')
                .append(ports[2 * i + 1]);
        }
        members = spec.toString();
        for (int i = 0; i < nodes.length; i++)
        {
            restart(i);
        }

        if (null != adminLoad)
        {
            adminLoad.start(nodes);
        }

        clientDriver = resources.launchDriver("client");
        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));
        clients = new FlotillaClient[settings.clients()];
        for (int i = 0; i < clients.length; i++)
        {
            clients[i] = FlotillaClient.connect(new FlotillaClient.Context()
                .aeron(clientAeron)
                .ingressEndpoints(members)
                .connectTimeoutNs(CONNECT_TIMEOUT_NS)
                .responseTimeoutNs(settings.clientResponseTimeoutNs())
                .preferFollowerReads(null != reads && reads.preferFollowers())
                .sessionMessageListener(this::onSessionMessage));
        }
    }

    public boolean offer(final long sendTimeNs)
    {
        Payload.writeSendTime(sendBuffer, 0, sendTimeNs);
        // Fill the first session's window before using the next: at a paced rate one session carries everything (as
        // one Aeron Cluster session does); the others only take what exceeds 64 outstanding.
        for (final FlotillaClient client : clients)
        {
            final long id = null == reads ?
                client.offer(sendBuffer, 0, messageLength) :
                client.offerQuery(reads.consistency(), sendBuffer, 0, messageLength);
            if (id > 0)
            {
                return true;
            }
        }
        return false;
    }

    public int poll(final EchoHandler handler)
    {
        echoHandler = handler;
        int workCount = 0;
        for (final FlotillaClient client : clients)
        {
            workCount += client.poll(this, this);
        }
        return workCount;
    }

    public void onResponse(
        final long sequence,
        final Outcome outcome,
        final long logIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (egress && Outcome.OK == outcome && 0 == length)
        {
            return; // the command's empty response: its echo is the session message
        }
        if (Outcome.OK != outcome || length != messageLength)
        {
            malformed++;
            return;
        }
        echoHandler.onEcho(Payload.readSendTime(buffer, offset));
    }

    /**
     * The echo of the {@code flotilla-egress} target.
     */
    private void onSessionMessage(
        final long sequence,
        final long logIndex,
        final Outcome outcome,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        onResponse(sequence, outcome, logIndex, buffer, offset, length);
    }

    public void onQueryResult(
        final long queryId,
        final Outcome outcome,
        final long readIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        onResponse(queryId, outcome, readIndex, buffer, offset, length);
    }

    public long malformedEchoes()
    {
        return malformed;
    }

    /**
     * @return the redirects of all the clients so far ({@link FlotillaClient#redirects()}).
     */
    public long clientRedirects()
    {
        long redirects = 0;
        for (final FlotillaClient client : clients)
        {
            redirects += client.redirects();
        }
        return redirects;
    }

    /**
     * Close the leader's node: {@link ClusterNode#close()} in this JVM, without {@link ClusterNode#transferLeadership}
     * first, as a crash would; the followers find out by their election timeout, the client by its response timeout.
     *
     * @return the member id closed, or -1 if no node leads now.
     */
    public int closeLeader()
    {
        final int leader = leaderMemberId();
        if (leader >= 0)
        {
            nodes[leader].close();
        }
        return leader;
    }

    /**
     * Close a member's node ({@link ClusterNode#close()}): with {@link #withHandoverOnClose} a leader hands
     * leadership over first, and waits for it on the calling thread.
     *
     * @param memberId to close.
     */
    public void stop(final int memberId)
    {
        nodes[memberId].close();
    }

    /**
     * @return the member whose running node leads now, or -1.
     */
    public int leaderMemberId()
    {
        for (int i = 0; i < nodes.length; i++)
        {
            if (null != nodes[i] && nodes[i].isRunning() && Role.LEADER == nodes[i].role())
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * (Re)launch a member on its data directory: it replays its own log and catches up from the leader.
     *
     * @param memberId to launch.
     */
    public void restart(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
        final ClusterNode.Context ctx = settings.peerAuthentication(new ClusterNode.Context())
            .memberId(memberId)
            .members(members)
            .dataDirectory(resources.dataDir("node-" + memberId))
            .aeronDirectoryName(resources.aeronDir("node-" + memberId))
            .durability(settings.durability())
            .threading(settings.threading());
        if (!handoverOnClose)
        {
            ctx.shutdownTransferTimeoutNs(0); // closeLeader() stands for a crash: no handover on close
        }
        nodeConfiguration.accept(ctx);
        nodes[memberId] = ClusterNode.launch(ctx);
    }

    /**
     * @param memberId a member.
     * @return its node (possibly closed).
     */
    public ClusterNode node(final int memberId)
    {
        return nodes[memberId];
    }

    /**
     * @return the members in the cluster.
     */
    public int memberCount()
    {
        return nodes.length;
    }

    public void close()
    {
        if (null != clients)
        {
            CloseHelper.closeAll(clients);
        }
        CloseHelper.closeAll(clientAeron, clientDriver, adminLoad);
        CloseHelper.closeAll(nodes);
        if (null != resources)
        {
            resources.deleteDirectories();
        }
    }
}
