package io.flotilla.samples;

import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.samples.nemesis.NodeProcesses;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real {@link KvNode} JVMs on loopback for tests of how a node process ends: free ports, a data directory per node
 * (chosen by the test: a small tmpfs, say), output in {@code DIR/node-N.log}, Aeron directories under /dev/shm;
 * {@link #close()} kills what still runs and removes the Aeron directories. Unlike the nemesis' {@link NodeProcesses}
 * (network namespaces, its fault bookkeeping), nothing here but starting, waiting and looking.
 */
final class KvNodeProcesses implements AutoCloseable
{
    static final long TIMEOUT_MS = 30_000;

    private final Path logDir;
    private final Path[] dataDirs;
    private final int[] ports;
    private final String members;
    private final Path keyFile;
    private final String aeronPrefix = "/dev/shm/flotilla-fatal-test-" + ProcessHandle.current().pid() + "-";
    private final Process[] processes;

    /**
     * @param logDir   for the nodes' output.
     * @param dataDirs one per node.
     */
    KvNodeProcesses(final Path logDir, final Path... dataDirs) throws IOException
    {
        this.logDir = logDir;
        this.dataDirs = dataDirs;
        this.processes = new Process[dataDirs.length];
        this.ports = freeUdpPorts(2 * dataDirs.length);
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < dataDirs.length; i++)
        {
            spec.append(i == 0 ? "" : ",").append(i).append("=localhost:").append(ports[2 * i]).append(':')
                .append(ports[2 * i + 1]);
        }
        members = spec.toString();
        keyFile = logDir.resolve("cluster.key");
        ClusterKeys.generate().write(keyFile); // the nodes sign their consensus messages with it
    }

    String members()
    {
        return members;
    }

    /**
     * Start node {@code id} with the flags the scripts use, a small heap, the given JVM options, and the command
     * run through {@code prefix} (e.g. {@code prlimit --nofile=64}) when not empty.
     */
    void start(final int id, final List<String> prefix, final List<String> jvmOptions) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(NodeProcesses.JVM_FLAGS);
        command.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dflotilla.aeron.dir=" + aeronDir(id), "-Dflotilla.log.durability=ASYNC",
            "-D" + ClusterNode.Context.CLUSTER_KEY_FILE_PROP + "=" + keyFile,
            // Wide timeouts: several JVMs start at once on a shared machine, and elections must not churn.
            "-Dflotilla.raft.election.timeout.min=1s", "-Dflotilla.raft.election.timeout.max=2s",
            "-Dflotilla.raft.heartbeat.interval=100ms"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KvNode.class.getName(),
            "--member-id", String.valueOf(id), "--members", members, "--data-dir", dataDirs[id].toString()));
        processes[id] = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log(id).toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    }

    Process process(final int id)
    {
        return processes[id];
    }

    ReplicaStatus status(final int id)
    {
        return ReplicaStatus.read(dataDirs[id]);
    }

    File aeronDir(final int id)
    {
        return new File(aeronPrefix + id);
    }

    Path dataDir(final int id)
    {
        return dataDirs[id];
    }

    Path log(final int id)
    {
        return logDir.resolve("node-" + id + ".log");
    }

    String logText(final int id) throws IOException
    {
        return Files.readString(log(id), StandardCharsets.UTF_8);
    }

    /**
     * @return the consensus and ingress ports of node {@code id}.
     */
    int[] ports(final int id)
    {
        return new int[]{ ports[2 * id], ports[2 * id + 1] };
    }

    /**
     * Wait, bounded, until every node that runs has published a status in which one of them leads.
     *
     * @return the leader's id.
     */
    int awaitLeader()
    {
        final int[] leader = { -1 };
        final StringBuilder logs = new StringBuilder();
        for (int i = 0; i < processes.length; i++)
        {
            logs.append("\nnode ").append(i).append(":\n").append(log(i));
        }
        await("a leader; logs in" + logs, () ->
        {
            for (int i = 0; i < processes.length; i++)
            {
                final ReplicaStatus status = status(i);
                if (null != processes[i] && processes[i].isAlive() && null != status &&
                    status.pid() == processes[i].pid() && "LEADER".equals(status.role()))
                {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    /**
     * @return a client of the cluster, connected; a failure to connect names every node's last lines.
     */
    FlotillaClient client()
    {
        try
        {
            return FlotillaClient.connect(new FlotillaClient.Context()
                .ingressEndpoints(members)
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
                .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
        }
        catch (final FlotillaClientException ex)
        {
            final StringBuilder tails = new StringBuilder(ex.getMessage());
            for (int id = 0; id < processes.length; id++)
            {
                tails.append("\nnode ").append(id).append(":\n").append(tail(id));
            }
            throw new AssertionError(tails.toString(), ex);
        }
    }

    /**
     * Wait, bounded, for node {@code id}'s process to end.
     *
     * @return its exit status.
     */
    int awaitExit(final int id, final long timeoutMs) throws InterruptedException
    {
        if (!processes[id].waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("node " + id + " still runs after " + timeoutMs + " ms; log:\n" + tail(id));
        }
        return processes[id].exitValue();
    }

    /**
     * @return the last lines of node {@code id}'s output.
     */
    String tail(final int id)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log(id), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /**
     * Kill what still runs, wait for it, and remove the Aeron directories.
     */
    public void close()
    {
        for (final Process process : processes)
        {
            if (null != process)
            {
                process.destroyForcibly();
            }
        }
        for (int i = 0; i < processes.length; i++)
        {
            if (null != processes[i])
            {
                try
                {
                    processes[i].waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            IoUtil.delete(aeronDir(i), true);
        }
    }

    private static int[] freeUdpPorts(final int count)
    {
        final DatagramSocket[] sockets = new DatagramSocket[count];
        final int[] ports = new int[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("no free UDP port", ex);
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                if (null != socket)
                {
                    socket.close();
                }
            }
        }
    }
}
