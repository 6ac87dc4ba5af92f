package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.engine.ClusterNode;
import org.agrona.CloseHelper;

import java.util.function.Function;

/**
 * The node's one restart path, run on the agent's thread before the node talks to anyone. {@link #recover} is the
 * whole sequence:
 * <ol>
 *     <li>open the node state file: term, vote and commit hint ({@link NodeStateFile#open});</li>
 *     <li>open the log: find its recording, validate every frame, rebuild the index, cut a torn tail and extend
 *     the recording ({@link ArchiveLogStore#open}), then build the applier over it;</li>
 *     <li>(a snapshot load goes here, between the log recovery and the replay: the replay then starts after the
 *     snapshot's index);</li>
 *     <li>replay the committed entries up to the commit hint, bounded by the log's last index, into the applier
 *     ({@link Applier#replay}: no replies, there is no Raft node yet);</li>
 *     <li>hand back what the node needs to join: the state file, the log, the applier, the persisted term and vote
 *     and the recovered commit index.</li>
 * </ol>
 * A failure closes what the sequence opened and rethrows.
 */
final class NodeRecovery
{
    // The node's own logger: the restart reports where it always has.
    private static final System.Logger LOGGER = System.getLogger(NodeAgent.class.getName());

    private final NodeStateFile state;
    private final ArchiveLogStore log;
    private final Applier applier;
    private final long commitIndex;

    private NodeRecovery(
        final NodeStateFile state, final ArchiveLogStore log, final Applier applier, final long commitIndex)
    {
        this.state = state;
        this.log = log;
        this.applier = applier;
        this.commitIndex = commitIndex;
    }

    /**
     * Restore the node from its data directory and its log.
     *
     * @param ctx        concluded configuration of the node.
     * @param media      the node's launched media stack, which holds the log's recording.
     * @param newApplier builds the applier over the recovered log.
     * @return what the node joins the cluster with.
     */
    static NodeRecovery recover(
        final ClusterNode.Context ctx, final NodeMedia media, final Function<ArchiveLogStore, Applier> newApplier)
    {
        final NodeStateFile state = NodeStateFile.open(ctx.dataDirectory());
        final ArchiveLogStore log = ArchiveLogStore.open(ctx.logContext().media(media));
        try
        {
            final Applier applier = newApplier.apply(log);

            final long commitIndex = Math.min(state.commitIndexHint(), log.lastIndex());
            applier.commitIndex(commitIndex);
            applier.replay(log, commitIndex);
            if (commitIndex > 0)
            {
                LOGGER.log(System.Logger.Level.INFO, "member " + ctx.memberId() + ": replayed " + commitIndex +
                    " committed entries (log last index " + log.lastIndex() + ", term " + state.currentTerm() + ")");
            }

            return new NodeRecovery(state, log, applier, commitIndex);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.close(ex::addSuppressed, log);
            throw ex;
        }
    }

    /**
     * @return the node state file, written from now on by the node.
     */
    NodeStateFile state()
    {
        return state;
    }

    /**
     * @return the recovered log, now owned (and closed) by the node.
     */
    ArchiveLogStore log()
    {
        return log;
    }

    /**
     * @return the applier, caught up to {@link #commitIndex()}.
     */
    Applier applier()
    {
        return applier;
    }

    /**
     * @return the persisted current term.
     */
    long term()
    {
        return state.currentTerm();
    }

    /**
     * @return the persisted vote in {@link #term()}, or {@link NodeStateFile#NO_VOTE}.
     */
    int votedFor()
    {
        return state.votedFor();
    }

    /**
     * @return the commit hint bounded by the log's last index: entries up to it are applied.
     */
    long commitIndex()
    {
        return commitIndex;
    }
}
