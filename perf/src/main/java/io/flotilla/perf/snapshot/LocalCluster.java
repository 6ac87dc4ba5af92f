package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Role;
import io.flotilla.perf.baseline.LoopbackResources;
import io.flotilla.perf.flotilla.FlotillaSettings;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Flotilla members in this JVM for the snapshot benchmarks: loopback ports, an Aeron directory under /dev/shm and a
 * data directory under java.io.tmpdir each, removed on close. Members are launched one at a time, so a run can leave
 * one out and launch it later (a blank node joining).
 */
final class LocalCluster implements AutoCloseable
{
    /**
     * Election timeout range for runs that hold a large state on the heap: G1 copies the live state out of the young
     * generation in one pause (a second for 200 MB on two busy cores), longer than the default 300-600 ms, so the
     * followers would campaign and the leader step down in the middle of a fill. Failure detection is not what these
     * runs measure; replication and client latency do not depend on the timeout.
     */
    static final long LARGE_STATE_ELECTION_TIMEOUT_MIN_NS = TimeUnit.SECONDS.toNanos(2);
    /** Upper end of that range. */
    static final long LARGE_STATE_ELECTION_TIMEOUT_MAX_NS = TimeUnit.SECONDS.toNanos(4);

    private final LoopbackResources resources;
    private final String members;
    private final ClusterNode[] nodes;
    private final FlotillaSettings settings;
    private final Consumer<ClusterNode.Context> configuration;

    /**
     * @param name          names the directories.
     * @param memberCount   members in the configuration.
     * @param settings      durability and threading of every member.
     * @param configuration applied to each member's context at launch: its state machine (a new one each time),
     *                      snapshot settings.
     */
    LocalCluster(
        final String name,
        final int memberCount,
        final FlotillaSettings settings,
        final Consumer<ClusterNode.Context> configuration)
    {
        this.settings = settings;
        this.configuration = configuration;
        resources = new LoopbackResources("flotilla-perf-" + name);
        nodes = new ClusterNode[memberCount];
        final int[] ports = LoopbackResources.freeUdpPorts(2 * memberCount);
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < memberCount; i++)
        {
            spec.append(0 == i ? "" : ",").append(i).append("=localhost:").append(ports[2 * i]).append(':')
                .append(ports[2 * i + 1]);
        }
        members = spec.toString();
    }

    /**
     * Launch a member on its data directory (closing it first if it runs).
     *
     * @param memberId to launch.
     * @return the node, running.
     */
    ClusterNode launch(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
        final ClusterNode.Context ctx = settings.peerAuthentication(new ClusterNode.Context())
            .memberId(memberId)
            .members(members)
            .dataDirectory(dataDirectory(memberId))
            .aeronDirectoryName(resources.aeronDir("node-" + memberId + "-" + System.nanoTime()))
            .durability(settings.durability())
            .threading(settings.threading());
        configuration.accept(ctx);
        nodes[memberId] = ClusterNode.launch(ctx);
        return nodes[memberId];
    }

    /**
     * Close a member, keeping its data directory.
     *
     * @param memberId to close.
     */
    void close(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
        nodes[memberId] = null;
    }

    /**
     * @param memberId a member.
     * @return its node, or null when not running.
     */
    ClusterNode node(final int memberId)
    {
        return nodes[memberId];
    }

    /**
     * @param memberId a member.
     * @return its data directory (whether or not it exists yet).
     */
    File dataDirectory(final int memberId)
    {
        return resources.dataDir("node-" + memberId);
    }

    /**
     * @return members in the configuration.
     */
    int memberCount()
    {
        return nodes.length;
    }

    /**
     * Wait for a running member to lead.
     *
     * @param deadlineNs {@link System#nanoTime()} to give up at.
     * @return the leader.
     * @throws IllegalStateException when none leads by the deadline.
     */
    ClusterNode awaitLeader(final long deadlineNs)
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final ClusterNode node : nodes)
            {
                if (null != node && Role.LEADER == node.role())
                {
                    return node;
                }
            }
            Thread.yield();
        }
        throw new IllegalStateException("no member led by the deadline");
    }

    public void close()
    {
        CloseHelper.closeAll(nodes);
        resources.deleteDirectories();
    }
}
