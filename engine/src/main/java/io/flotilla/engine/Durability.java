package io.flotilla.engine;

/**
 * When a node counts a log entry durable, and so may acknowledge it towards the commit:
 * {@link ClusterNode.Context#durability(Durability)}, {@code flotilla.log.durability}.
 */
public enum Durability
{
    /**
     * Once forced to disk: the archive forces every block it writes before it advances the recording position, and
     * many entries written in one block share one force (group commit). The safe default.
     */
    FSYNC,

    /**
     * Once written to the page cache: a crash of the process loses nothing, a crash of the machine may, so the
     * durability of a committed entry comes from the quorum (a majority of machines must not crash together).
     */
    ASYNC
}
