package io.flotilla.samples.nemesis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private network for the nodes of one run, made with Linux network namespaces (iproute2, needs root): one
 * namespace per node, each with a veth whose other end is on a bridge in the host namespace. Node {@code i} has
 * address {@code 198.B.C.(i+1)} and the host (the clients) {@code 198.B.C.254}, in the block reserved for network
 * testing (198.18.0.0/15, RFC 2544), with {@code B.C} derived from the process id so concurrent runs do not clash.
 * <p>
 * A partition is made with static neighbour (ARP) entries inside the nodes' namespaces: node {@code a} sends
 * everything for {@code b} to a hardware address no interface has, and {@code b} everything for {@code a}, so their
 * datagrams are silently lost on the bridge while sockets, routes and connect() work as before (a blackhole or
 * unreachable route would make the {@code connect()} of a node started during a partition fail, which a real
 * partition never does; this sandbox's kernel has no tc classifiers or netfilter). Clients (on the host) still reach
 * every node, so a client can keep talking to a leader that lost its quorum, which is what a partition test must
 * exercise.
 */
final class NetworkFabric implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    /** A locally administered unicast address that no interface of the fabric has. */
    private static final String NOWHERE_MAC = "02:00:00:00:00:01";

    private final String tag;
    private final int nodeCount;
    private final String subnetPrefix;
    private final boolean[][] cut;

    private NetworkFabric(final String tag, final int nodeCount, final String subnetPrefix)
    {
        this.tag = tag;
        this.nodeCount = nodeCount;
        this.subnetPrefix = subnetPrefix;
        this.cut = new boolean[nodeCount][nodeCount];
    }

    /**
     * @param nodeCount nodes, each in its own namespace.
     * @return the fabric, up; {@link #close()} removes every namespace and link it made.
     * @throws IllegalStateException naming what to fix when namespaces cannot be made (not root, no iproute2).
     */
    static NetworkFabric create(final int nodeCount)
    {
        final long pid = ProcessHandle.current().pid();
        final NetworkFabric fabric = new NetworkFabric(
            "fl" + (pid % 1_000_000), nodeCount, "198." + (18 + (pid / 250) % 2) + "." + (pid % 250) + ".");
        try
        {
            fabric.removeLeftovers();
            fabric.build();
            return fabric;
        }
        catch (final RuntimeException ex)
        {
            fabric.close();
            throw new IllegalStateException("cannot build network namespaces for partitions (needs root and iproute2's " +
                "`ip netns`): " + ex.getMessage(), ex);
        }
    }

    String nodeAddress(final int id)
    {
        return subnetPrefix + (id + 1);
    }

    String hostAddress()
    {
        return subnetPrefix + "254";
    }

    /**
     * @return {@code command} prefixed to run inside node {@code id}'s namespace ({@code ip netns exec} execs the
     * command, so the started process's pid is the command's own).
     */
    List<String> inNamespace(final int id, final List<String> command)
    {
        final List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(id)));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Cut every link between a node of {@code side} and a node outside it (previous cuts stay).
     */
    void isolate(final List<Integer> side)
    {
        for (int a = 0; a < nodeCount; a++)
        {
            for (int b = 0; b < nodeCount; b++)
            {
                if (side.contains(a) && !side.contains(b))
                {
                    cut(a, b);
                }
            }
        }
    }

    /**
     * Drop all traffic between {@code a} and {@code b}, both ways.
     */
    void cut(final int a, final int b)
    {
        blackhole(a, b, true);
        blackhole(b, a, true);
    }

    /**
     * Remove every cut.
     */
    void heal()
    {
        for (int a = 0; a < nodeCount; a++)
        {
            for (int b = 0; b < nodeCount; b++)
            {
                blackhole(a, b, false);
            }
        }
    }

    /**
     * Deletes the namespaces (and with them their veth ends) and the bridge; never throws.
     */
    @Override
    public void close()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            runQuietly("ip", "netns", "del", namespace(i));
        }
        runQuietly("ip", "link", "del", bridge());
    }

    private void build()
    {
        run("ip", "link", "add", bridge(), "type", "bridge");
        run("ip", "addr", "add", hostAddress() + "/24", "dev", bridge());
        run("ip", "link", "set", bridge(), "up");
        for (int i = 0; i < nodeCount; i++)
        {
            final String ns = namespace(i);
            run("ip", "netns", "add", ns);
            run("ip", "link", "add", veth(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
            run("ip", "link", "set", veth(i), "master", bridge(), "up");
            run("ip", "netns", "exec", ns, "ip", "addr", "add", nodeAddress(i) + "/24", "dev", "eth0");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    private void removeLeftovers()
    {
        close(); // of a run of an earlier process with the same pid that could not clean up (killed -9)
    }

    private void blackhole(final int from, final int to, final boolean on)
    {
        if (from != to && cut[from][to] != on)
        {
            if (on)
            {
                run("ip", "netns", "exec", namespace(from), "ip", "neigh", "replace", nodeAddress(to), "lladdr",
                    NOWHERE_MAC, "nud", "permanent", "dev", "eth0");
            }
            else
            {
                run("ip", "netns", "exec", namespace(from), "ip", "neigh", "del", nodeAddress(to), "dev", "eth0");
            }
            cut[from][to] = on;
        }
    }

    private String namespace(final int id)
    {
        return tag + "n" + id;
    }

    private String veth(final int id)
    {
        return tag + "v" + id;
    }

    private String bridge()
    {
        return tag + "br";
    }

    private static void run(final String... command)
    {
        final String output = exec(command);
        if (null != output)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.trim());
        }
    }

    private static void runQuietly(final String... command)
    {
        exec(command);
    }

    /**
     * @return null on success, else the command's output (or why it could not run).
     */
    private static String exec(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "timed out";
            }
            return 0 == process.exitValue() ? null : "exit " + process.exitValue() + ": " +
                new String(output, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
