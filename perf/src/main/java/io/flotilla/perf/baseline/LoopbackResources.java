package io.flotilla.perf.baseline;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Unique loopback ports and directories for one embedded system, removed again by {@link #deleteDirectories()}.
 */
public final class LoopbackResources
{
    private static final File SHM = new File("/dev/shm");
    private static final String EPHEMERAL_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";
    // Below the ephemeral range but above the ports services usually listen on (8080, 9092 and the like).
    private static final int FIRST_FIXED_PORT = 20_000;
    // Room enough that a random start rarely meets another run's ports: at least this many candidates per port.
    private static final int MIN_FIXED_SPAN_PER_PORT = 16;

    private final File aeronBaseDir;
    private final File dataBaseDir;

    /**
     * @param prefix names the directories, e.g. {@code flotilla-perf-ping}.
     */
    public LoopbackResources(final String prefix)
    {
        try
        {
            final String unique = prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            final File shmParent = SHM.isDirectory() && SHM.canWrite() ?
                SHM : new File(System.getProperty("java.io.tmpdir"));
            aeronBaseDir = new File(shmParent, unique);
            dataBaseDir = Files.createTempDirectory(unique).toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temp directory under java.io.tmpdir", ex);
        }
    }

    /**
     * An Aeron directory (under /dev/shm when available) for one driver.
     *
     * @param name of the driver, e.g. {@code node-0}.
     * @return the directory name; it is created by the driver.
     */
    public String aeronDir(final String name)
    {
        return new File(aeronBaseDir, name).getAbsolutePath();
    }

    /**
     * Launch an embedded media driver as the benchmarks' clients and the ping use it: SHARED threading, Aeron's
     * default idle strategies, sparse term buffers, its directory {@link #aeronDir(String)} removed on close.
     *
     * @param name of the driver, e.g. {@code client}.
     * @return the running driver; the caller closes it.
     */
    public MediaDriver launchDriver(final String name)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir(name))
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    /**
     * A data directory (archive, cluster state) on disk under java.io.tmpdir.
     *
     * @param name e.g. {@code node-0/archive}.
     * @return the directory; it is created by its user.
     */
    public File dataDir(final String name)
    {
        return new File(dataBaseDir, name);
    }

    /**
     * Remove every directory handed out.
     */
    public void deleteDirectories()
    {
        IoUtil.delete(aeronBaseDir, true);
        IoUtil.delete(dataBaseDir, true);
    }

    /**
     * Free loopback UDP ports for the members of a cluster to bind. They are released before being returned, and the
     * members bind them one after another as they launch, so the ports come from below the OS's ephemeral range
     * ({@code /proc/sys/net/ipv4/ip_local_port_range}) when there is room: a socket bound to port 0 (the send socket of
     * every Aeron publication, the replication and egress channels) is given a port from that range, and at 5 or 7
     * members, with a send socket from every member to every other, one of them would otherwise sooner or later take
     * a port handed out here before its member had bound it. Candidates start at a random port and are each checked
     * by binding it, so a port some other process holds is skipped. Where the range is unknown (not Linux) or leaves
     * no room below it, the OS chooses (from the ephemeral range).
     *
     * @param count how many.
     * @return distinct port numbers.
     */
    public static int[] freeUdpPorts(final int count)
    {
        final int ephemeralLow = ephemeralPortRangeLow();
        final int span = ephemeralLow - FIRST_FIXED_PORT;
        final DatagramSocket[] sockets = new DatagramSocket[count];
        final int[] ports = new int[count];
        try
        {
            if (span >= MIN_FIXED_SPAN_PER_PORT * count)
            {
                final int start = ThreadLocalRandom.current().nextInt(span);
                int found = 0;
                for (int i = 0; i < span && found < count; i++)
                {
                    final int port = FIRST_FIXED_PORT + (start + i) % span;
                    final DatagramSocket socket = bindOrNull(port);
                    if (null != socket)
                    {
                        sockets[found] = socket;
                        ports[found++] = port;
                    }
                }
                if (found == count)
                {
                    return ports;
                }
                closeAll(sockets);
                Arrays.fill(sockets, null);
            }
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind a loopback UDP port", ex);
        }
        finally
        {
            closeAll(sockets);
        }
    }

    private static DatagramSocket bindOrNull(final int port)
    {
        try
        {
            return new DatagramSocket(port, InetAddress.getLoopbackAddress());
        }
        catch (final SocketException ex)
        {
            return null; // in use
        }
    }

    private static void closeAll(final DatagramSocket[] sockets)
    {
        for (final DatagramSocket socket : sockets)
        {
            if (null != socket)
            {
                socket.close();
            }
        }
    }

    // The lowest port the OS hands out for port 0 on Linux, or 0 when that cannot be read.
    private static int ephemeralPortRangeLow()
    {
        try
        {
            final String range = Files.readString(Path.of(EPHEMERAL_RANGE_FILE), StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
