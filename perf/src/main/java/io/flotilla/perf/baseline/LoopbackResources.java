package io.flotilla.perf.baseline;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;

/**
 * Unique loopback ports and directories for one embedded system, removed again by {@link #deleteDirectories()}.
 */
public final class LoopbackResources
{
    private static final File SHM = new File("/dev/shm");

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
     * Free loopback UDP ports, chosen by the OS; they are released before being returned, so another process could
     * take one first, which is unlikely within the run's start-up.
     *
     * @param count how many.
     * @return distinct port numbers.
     */
    public static int[] freeUdpPorts(final int count)
    {
        final DatagramSocket[] sockets = new DatagramSocket[count];
        final int[] ports = new int[count];
        try
        {
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
