package io.flotilla.archive;

/**
 * When the log store counts an entry durable. Named in the configuration and in every benchmark's output.
 */
public enum Durability
{
    /**
     * The archive forces every block it writes to disk before it advances the recording position, so the position
     * is proof of {@code fdatasync}. Many entries written in one block share one force (group commit). The safe
     * default.
     */
    FSYNC(1),

    /**
     * The archive writes to the page cache only; an entry is durable once the archive has written it. A crash of
     * the process loses nothing, a crash of the machine may: durability comes from the quorum.
     */
    ASYNC(0);

    private final int fileSyncLevel;

    Durability(final int fileSyncLevel)
    {
        this.fileSyncLevel = fileSyncLevel;
    }

    /**
     * @return the Aeron Archive {@code fileSyncLevel} and {@code catalogFileSyncLevel} this mode uses.
     */
    public int fileSyncLevel()
    {
        return fileSyncLevel;
    }
}
