package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.engine.raft.RaftConfig;

/**
 * What a concluded {@code ClusterNode.Context} holds for the node's internals and keeps out of its public API (which
 * names only types of {@code io.flotilla.engine}, issue 18): the parsed members, the Raft core's settings and the
 * contexts of the log store and the media stack. The context builds it in {@code conclude()} from its own typed
 * settings; {@code ClusterNode} hands it to the {@link NodeAgent} beside the context.
 */
public final class NodeInternals
{
    private final ClusterMembers members;
    private final RaftConfig raftConfig;
    private final ArchiveLogStore.Context logContext;
    private final NodeMedia.Context mediaContext;

    /**
     * @param members      the parsed members spec.
     * @param raftConfig   the validated Raft settings.
     * @param logContext   the log store's settings; its media is set when the node opens the log.
     * @param mediaContext the media stack's settings.
     */
    public NodeInternals(
        final ClusterMembers members,
        final RaftConfig raftConfig,
        final ArchiveLogStore.Context logContext,
        final NodeMedia.Context mediaContext)
    {
        this.members = members;
        this.raftConfig = raftConfig;
        this.logContext = logContext;
        this.mediaContext = mediaContext;
    }

    public ClusterMembers members()
    {
        return members;
    }

    public RaftConfig raftConfig()
    {
        return raftConfig;
    }

    public ArchiveLogStore.Context logContext()
    {
        return logContext;
    }

    public NodeMedia.Context mediaContext()
    {
        return mediaContext;
    }
}
