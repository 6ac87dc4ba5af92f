package io.flotilla.archive;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Keeps a node's embedded media driver off the Aeron directory of a driver that is still running: launched with
 * {@code dirDeleteOnStart}, Aeron would replace the live driver's CnC file, and the node would delete the directory
 * when it stops.
 * <p>
 * Liveness is Aeron's own test, the heartbeat of the driver's conductor in the CnC file
 * ({@link CommonContext#isDriverActive}), with one refinement: a heartbeat younger than the driver timeout whose
 * process (the pid in the CnC file) is gone is a driver killed moments ago, {@code kill -9} then a restart, and its
 * directory is taken over at once rather than after the timeout. A directory no live driver owns is deleted, as a
 * driver deleting on start would; the driver is then launched without {@code dirDeleteOnStart}, so that Aeron checks
 * once more as it creates the directory (two nodes starting on one directory at once).
 */
final class LiveDriverGuard
{
    private LiveDriverGuard()
    {
    }

    /**
     * Prepare the directory of a driver about to be launched: refuse a live driver's, delete one left by a driver
     * that is gone.
     *
     * @param driverCtx the driver's context, not yet launched: its directory and driver timeout.
     * @param setting   what sets the directory, named in the refusal.
     * @throws IllegalStateException when a running driver owns the directory.
     */
    static void prepare(final MediaDriver.Context driverCtx, final String setting)
    {
        final File directory = new File(driverCtx.aeronDirectoryName());
        final File cncFile = new File(directory, CncFileDescriptor.CNC_FILE);
        if (cncFile.length() > CncFileDescriptor.END_OF_METADATA_OFFSET &&
            isActive(directory, driverCtx.driverTimeoutMs()))
        {
            final long pid = pid(cncFile);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                throw refusal(directory, "pid " + pid, setting, null);
            }
        }
        if (directory.exists())
        {
            IoUtil.delete(directory, false);
        }
    }

    /**
     * @param directory the Aeron directory.
     * @param owner     who holds it, as far as known.
     * @param setting   what sets the directory.
     * @param cause     Aeron's own refusal, or null.
     * @return the refusal to throw, naming the setting to change.
     */
    static IllegalStateException refusal(
        final File directory, final String owner, final String setting, final AeronException cause)
    {
        return new IllegalStateException("the Aeron directory " + directory + " belongs to a media driver that is " +
            "still running (" + owner + "): give this node a directory of its own (" + setting + "), or stop the " +
            "node or driver that uses it first", cause);
    }

    private static boolean isActive(final File directory, final long driverTimeoutMs)
    {
        try
        {
            return CommonContext.isDriverActive(directory, driverTimeoutMs, (message) -> {});
        }
        catch (final DriverTimeoutException ex)
        {
            return false; // a CnC file still not initialised after the driver timeout: its driver died starting
        }
    }

    private static long pid(final File cncFile)
    {
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, CncFileDescriptor.CNC_FILE);
        try
        {
            return CncFileDescriptor.createMetaDataBuffer(cnc).getLong(CncFileDescriptor.pidOffset(0));
        }
        finally
        {
            BufferUtil.free(cnc);
        }
    }
}
