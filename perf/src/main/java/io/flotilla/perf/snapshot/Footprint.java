package io.flotilla.perf.snapshot;

import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a run occupies, read from outside the engine: the process's resident memory and NIO buffer pools, a data
 * directory's bytes and its newest snapshot file.
 */
final class Footprint
{
    /** Where a node keeps its snapshot files under its data directory (the engine's layout, docs/log-store.md). */

    private Footprint()
    {
    }

    /**
     * @return this process's resident set (VmRSS of /proc/self/status) in bytes, -1 where there is no /proc.
     */
    static long residentBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    final String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024; // reported in kB
                }
            }
            return -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * @param name {@code direct} (ByteBuffer.allocateDirect) or {@code mapped} (memory-mapped files).
     * @return bytes the JVM's buffer pool of that name holds, -1 when there is none.
     */
    static long bufferPoolBytes(final String name)
    {
        final List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        for (final BufferPoolMXBean pool : pools)
        {
            if (name.equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    /**
     * @param directory a data directory.
     * @return the apparent size of every file under it (file lengths; a sparse file counts whole), 0 when missing.
     */
    static long directoryBytes(final File directory)
    {
        if (!directory.exists())
        {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory.toPath()))
        {
            return files.mapToLong(Footprint::lengthOrZero).sum();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // a file was removed (a purged segment, a snapshot past retention) while walking: count again
            return directoryBytes(directory);
        }
    }

    /**
     * The newest complete snapshot file in a node's data directory, read from the file names only (so it is safe
     * while the node runs: temporary and partial files are not complete snapshots).
     *
     * @param dataDirectory the node's data directory.
     * @return {index, bytes} of the newest, or {0, 0} when there is none.
     */
    static long[] newestSnapshot(final File dataDirectory)
    {
        final List<SnapshotInfo> snapshots =
            SnapshotStore.list(dataDirectory.toPath().resolve(SnapshotStore.DIRECTORY_NAME));
        return snapshots.isEmpty() ? new long[]{ 0, 0 } :
            new long[]{ snapshots.get(0).index(), snapshots.get(0).length() };
    }

    private static long lengthOrZero(final Path file)
    {
        try
        {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        }
        catch (final NoSuchFileException ex)
        {
            return 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
