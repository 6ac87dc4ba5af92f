package io.flotilla.engine;

/**
 * How a node's media driver and archive get their threads: {@link ClusterNode.Context#threading(Threading)},
 * {@code flotilla.media.threading}.
 */
public enum Threading
{
    /**
     * The driver, the archive and the node share the node's one agent thread, which drives them between its own
     * duty cycles: the fewest threads and hand-offs. The default.
     */
    COMPACT,

    /** The driver and the archive run on threads of their own beside the node's agent thread. */
    DEDICATED
}
