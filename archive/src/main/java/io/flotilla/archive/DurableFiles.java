package io.flotilla.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The durable-replace steps every small record and snapshot file of a node uses: write a temporary file and force
 * it, rename it atomically over the final name, force the directory. A reader then finds either the old file or the
 * new one, complete, never a torn one.
 */
final class DurableFiles
{
    private DurableFiles()
    {
    }

    /**
     * Replace {@code file} with {@code bytes}, durably and atomically, through {@code tempFile} beside it.
     *
     * @param file     the final name.
     * @param tempFile the temporary name, in the same directory.
     * @param bytes    the whole content, from its position to its limit (the position is not moved).
     * @throws IOException when a step fails; the final file is then unchanged.
     */
    static void replace(final Path file, final Path tempFile, final ByteBuffer bytes) throws IOException
    {
        final ByteBuffer content = bytes.duplicate();
        try (FileChannel channel = FileChannel.open(tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (content.hasRemaining())
            {
                channel.write(content);
            }
            channel.force(true);
        }
        moveIntoPlace(tempFile, file);
    }

    /**
     * Rename a complete, forced file over its final name atomically and force the directory.
     *
     * @param from the forced file.
     * @param to   its final name, in the same directory.
     * @throws IOException when the rename or the force fails.
     */
    static void moveIntoPlace(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(to.toAbsolutePath().getParent());
    }

    /**
     * Force a directory's entries (renames, deletions) to disk; skipped where the platform cannot open a directory.
     *
     * @param directory to force.
     * @throws IOException when the force fails.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final UnsupportedOperationException | AccessDeniedException ignore)
        {
            // e.g. Windows: directories cannot be opened as channels, and the rename is durable there anyway
        }
    }
}
