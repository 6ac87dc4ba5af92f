package io.flotilla.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * UDP ports for tests that nothing else takes between the moment a test is given them and the moment a node binds
 * them, nor while a stopped node waits to be started again on them.
 * <p>
 * A port found by binding to port 0 and releasing it comes from the kernel's ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}), and so does every port the kernel picks for any other bind to
 * port 0: the sending socket of each Aeron publication (a node's to its peers and to its clients' response channels,
 * a client's to the ingress), each {@code endpoint=localhost:0} response channel, and those of every other process on
 * the machine. Any of them could take a member's port while it is unbound, and the member's start or restart then
 * fails with "Address already in use".
 * <p>
 * These ports come from outside the ephemeral range, so no bind to port 0 can take them: from a block this JVM claims
 * for its lifetime by holding the block's first port bound, so that JVMs running at once (surefire forks, other
 * builds on the machine) use disjoint blocks. Within its block a JVM hands the ports out in turn, wrapping around,
 * and skips any port it finds bound, so a port is given again only after every other port of the block was.
 */
public final class TestPorts
{
    /** Ports per JVM, the first of them held as the claim: far more than a test class binds at once. */
    static final int BLOCK_LENGTH = 256;

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LINUX_DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LINUX_DEFAULT_EPHEMERAL_HIGH = 60999;
    /** Below this are the registered ports of common services. */
    private static final int LOWEST_PORT = 10_000;
    private static final int HIGHEST_PORT = 65_535;

    private static DatagramSocket claim;
    private static int blockStart;
    private static int next;

    private TestPorts()
    {
    }

    /**
     * @param count of ports wanted.
     * @return that many distinct UDP ports of this JVM's block, each free (bindable on every address) when returned.
     */
    public static synchronized int[] allocate(final int count)
    {
        if (null == claim)
        {
            claimBlock();
        }
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            ports[i] = nextFreePort();
        }
        return ports;
    }

    private static int nextFreePort()
    {
        for (int tried = 1; tried < BLOCK_LENGTH; tried++)
        {
            final int port = next;
            next = next + 1 == blockStart + BLOCK_LENGTH ? blockStart + 1 : next + 1;
            if (isFree(port))
            {
                return port;
            }
        }
        throw new IllegalStateException(
            "no free UDP port in this JVM's block " + blockStart + ".." + (blockStart + BLOCK_LENGTH - 1));
    }

    /**
     * Claim the first block whose first port can be bound, starting from one chosen by the process id so that JVMs
     * started together rarely try the same blocks first.
     */
    private static void claimBlock()
    {
        final int[] range = portsOutsideEphemeralRange();
        final int blocks = (range[1] - range[0] + 1) / BLOCK_LENGTH;
        final int first = (int)(ProcessHandle.current().pid() % blocks);
        for (int i = 0; i < blocks; i++)
        {
            final int start = range[0] + ((first + i) % blocks) * BLOCK_LENGTH;
            try
            {
                // Held, never closed: the OS releases it when the JVM ends, however it ends.
                claim = new DatagramSocket(new InetSocketAddress(start));
                blockStart = start;
                next = start + 1;
                return;
            }
            catch (final SocketException ex)
            {
                // Another JVM's block (or a port some service holds): try the next block.
            }
        }
        throw new IllegalStateException("no free block of " + BLOCK_LENGTH + " UDP ports in " + range[0] + ".." +
            range[1] + ": every one is claimed by a running JVM or in use");
    }

    /**
     * @return the lowest and highest port of the larger of the two spans outside the ephemeral range, below it (from
     * {@link #LOWEST_PORT}) or above it.
     */
    static int[] portsOutsideEphemeralRange()
    {
        final int[] ephemeral = ephemeralRange();
        final int below = ephemeral[0] - LOWEST_PORT;
        final int above = HIGHEST_PORT - ephemeral[1];
        final int[] range = below >= above ?
            new int[]{ LOWEST_PORT, ephemeral[0] - 1 } : new int[]{ ephemeral[1] + 1, HIGHEST_PORT };
        if (range[1] - range[0] + 1 < BLOCK_LENGTH)
        {
            throw new IllegalStateException("the ephemeral port range " + ephemeral[0] + ".." + ephemeral[1] +
                " (" + EPHEMERAL_RANGE + ") leaves no room for a block of " + BLOCK_LENGTH + " test ports");
        }
        return range;
    }

    private static int[] ephemeralRange()
    {
        if (!Files.isReadable(EPHEMERAL_RANGE))
        {
            return new int[]{ LINUX_DEFAULT_EPHEMERAL_LOW, LINUX_DEFAULT_EPHEMERAL_HIGH };
        }
        // By line: Files.readString returns only a fragment of this procfs file.
        try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE, StandardCharsets.US_ASCII))
        {
            final String[] bounds = reader.readLine().trim().split("\\s+");
            return new int[]{ Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1]) };
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot read the ephemeral port range from " + EPHEMERAL_RANGE, ex);
        }
    }

    private static boolean isFree(final int port)
    {
        try (DatagramSocket ignored = new DatagramSocket(new InetSocketAddress(port)))
        {
            return true;
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }
}
