package io.flotilla.archive;

import java.nio.file.Path;

/**
 * A snapshot file fails its checks: wrong magic or version, a header that contradicts the file's name or length, or a
 * checksum that does not match. The snapshot must not be loaded; the message names the file and what is wrong.
 */
public final class SnapshotCorruptException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * @param path    of the snapshot file.
     * @param message what is wrong.
     */
    public SnapshotCorruptException(final Path path, final String message)
    {
        super("snapshot " + path + " is corrupt: " + message);
        this.path = path;
    }

    /**
     * @return the snapshot file.
     */
    public Path path()
    {
        return path;
    }
}
