package io.flotilla.samples.attack;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Durability;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.samples.KvCommands;
import io.flotilla.samples.KvStateMachine;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.nemesis.ConsensusCounters;
import io.flotilla.samples.nemesis.RoguePeer;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three {@link KvStateMachine} nodes in this JVM on loopback, a KV client, and a {@link RoguePeer} on a media driver
 * of its own (a host with no key that can reach the consensus ports). With {@code authenticated} the members share a
 * cluster key; without it they run in the unauthenticated mode. The attacker aims from the nodes' counters
 * ({@link #counters}), as anyone who can read status can.
 */
final class AttackCluster implements AutoCloseable
{
    static final long BOUND_MS = 20_000;
    private static final int NODES = 3;

    private final File baseDir;
    private final boolean authenticated;
    private final String members;
    private final ClusterNode[] nodes = new ClusterNode[NODES];
    private final KvStateMachine[] machines = new KvStateMachine[NODES];
    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final ClusterKeys clusterKeys = ClusterKeys.generate();
    private final MediaDriver rogueDriver;
    private final RoguePeer rogue;
    private FlotillaClient client;

    AttackCluster(final File baseDir, final boolean authenticated) throws SocketException
    {
        this.baseDir = baseDir;
        this.authenticated = authenticated;
        this.members = freeMembersSpec();
        rogueDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        rogue = new RoguePeer(rogueDriver.aeronDirectoryName(), members, TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Starts the three nodes (their data directories kept from an earlier start) and a client.
     */
    void start()
    {
        for (int i = 0; i < NODES; i++)
        {
            machines[i] = new KvStateMachine();
            nodes[i] = ClusterNode.launch(peerSecurity(new ClusterNode.Context()
                .memberId(i)
                .members(members)
                .dataDirectory(new File(baseDir, "node-" + i))
                .durability(Durability.ASYNC)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(600))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .stateMachine(machines[i])));
        }
        client = FlotillaClient.connect(new FlotillaClient.Context()
            .ingressEndpoints(members)
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(BOUND_MS))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
    }

    /**
     * Stops the client and the nodes, keeping their data directories.
     */
    void stop()
    {
        CloseHelper.close(client);
        client = null;
        for (int i = 0; i < NODES; i++)
        {
            CloseHelper.close(nodes[i]);
            nodes[i] = null;
        }
    }

    /**
     * The one place the members' peer authentication is configured.
     */
    private ClusterNode.Context peerSecurity(final ClusterNode.Context ctx)
    {
        return authenticated ? ctx.clusterKeys(clusterKeys) : ctx.insecurePeers(true);
    }

    RoguePeer rogue()
    {
        return rogue;
    }

    KvStateMachine machine(final int id)
    {
        return machines[id];
    }

    /**
     * @return node {@code id}'s counters as its CnC file shows them.
     */
    ConsensusCounters counters(final int id)
    {
        final ConsensusCounters counters = ConsensusCounters.read(
            new File(nodes[id].aeronDirectoryName()), ProcessHandle.current().pid());
        if (null == counters)
        {
            throw new IllegalStateException("counters of node " + id + " unreadable");
        }
        return counters;
    }

    /**
     * Waits until one node leads, the others follow it in its term and all three hold the same commit index: the
     * cluster is idle, and every log ends at that index.
     *
     * @return the leader's counters.
     */
    ConsensusCounters awaitSettled()
    {
        final ConsensusCounters[] leader = new ConsensusCounters[1];
        awaitOrFail("a settled cluster", () ->
        {
            final ConsensusCounters[] all = {counters(0), counters(1), counters(2)};
            leader[0] = null;
            for (final ConsensusCounters counters : all)
            {
                leader[0] = counters.isLeader() ? counters : leader[0];
            }
            for (final ConsensusCounters counters : all)
            {
                if (null == leader[0] || counters.term() != leader[0].term() ||
                    counters.leader() != leader[0].leader() || counters.commitIndex() != leader[0].commitIndex())
                {
                    return false;
                }
            }
            return true;
        });
        return leader[0];
    }

    /**
     * @return a PUT of {@code key} as the state machine's command.
     */
    DirectBuffer putCommand(final String key, final String value)
    {
        final ExpandableArrayBuffer command = new ExpandableArrayBuffer(64);
        final int length = commands.put(command, 0, key, value.getBytes(StandardCharsets.UTF_8), 0);
        return new UnsafeBuffer(command, 0, length);
    }

    /**
     * A PUT through the client, acknowledged within the bound or an exception.
     */
    void put(final String key, final String value)
    {
        final DirectBuffer reply = client.call(
            buffer, 0, commands.put(buffer, 0, key, value.getBytes(StandardCharsets.UTF_8), 0),
            TimeUnit.MILLISECONDS.toNanos(BOUND_MS));
        assertEquals(KvStatus.OK, commands.status(reply, 0, reply.capacity()), "PUT " + key);
    }

    /**
     * A GET through the client (through the log).
     *
     * @return the value, or null when the key is not found.
     */
    String get(final String key)
    {
        final DirectBuffer reply = client.call(buffer, 0, commands.get(buffer, 0, key),
            TimeUnit.MILLISECONDS.toNanos(BOUND_MS));
        final KvStatus status = commands.status(reply, 0, reply.capacity());
        if (KvStatus.NOT_FOUND == status)
        {
            return null;
        }
        assertEquals(KvStatus.OK, status, "GET " + key);
        final byte[] value = commands.value(reply, 0, reply.capacity());
        return new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Waits until all three replicas applied the same index, then requires their states equal.
     */
    void assertReplicasIdentical()
    {
        awaitOrFail("replicas at the same applied index", () ->
            machines[0].summary().appliedIndex() == machines[1].summary().appliedIndex() &&
            machines[0].summary().appliedIndex() == machines[2].summary().appliedIndex());
        for (int i = 1; i < NODES; i++)
        {
            assertEquals(machines[0].summary(), machines[i].summary(), "replica " + i + " against replica 0");
        }
    }

    @Override
    public void close()
    {
        stop();
        CloseHelper.closeAll(rogue, rogueDriver);
    }

    /**
     * @return true as soon as {@code condition} holds, false when it did not within {@code timeoutMs}.
     */
    static boolean await(final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.yield();
        }
        return true;
    }

    static void awaitOrFail(final String what, final BooleanSupplier condition)
    {
        if (!await(BOUND_MS, condition))
        {
            throw new AssertionError("no " + what + " within " + BOUND_MS + " ms");
        }
    }

    private static String freeMembersSpec() throws SocketException
    {
        final StringBuilder spec = new StringBuilder();
        final DatagramSocket[] sockets = new DatagramSocket[2 * NODES];
        try
        {
            for (int i = 0; i < sockets.length; i++)
            {
                sockets[i] = new DatagramSocket(0);
            }
            for (int i = 0; i < NODES; i++)
            {
                spec.append(i == 0 ? "" : ",").append(i).append("=localhost:").append(sockets[2 * i].getLocalPort())
                    .append(':').append(sockets[2 * i + 1].getLocalPort());
            }
        }
        finally
        {
            CloseHelper.closeAll(sockets);
        }
        return spec.toString();
    }
}
