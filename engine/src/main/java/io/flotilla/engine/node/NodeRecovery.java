package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.archive.SnapshotCorruptException;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotReader;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.raft.ConfigHistory;
import io.flotilla.engine.raft.Configuration;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * The node's one restart path, run on the agent's thread before the node talks to anyone. {@link #recover} is the
 * whole sequence:
 * <ol>
 *     <li>open the node state file: term, vote and commit hint ({@link NodeStateFile#open});</li>
 *     <li>open the log: find its recording, validate every frame, rebuild the index, cut a torn tail and extend
 *     the recording ({@link ArchiveLogStore#open}), then build the applier over it;</li>
 *     <li>load the newest valid snapshot that reaches the log ({@link #loadSnapshot}): its checksum is verified,
 *     a corrupt one is reported and the previous one tried; the log is reset to begin after the snapshot when it
 *     does not continue it (a crash during an install); a log that begins after a compacted prefix no valid
 *     snapshot covers stops the node with what to do;</li>
 *     <li>replay the committed entries after the snapshot up to the commit hint, bounded by the log's last index,
 *     into the applier ({@link Applier#replay}: no replies, there is no Raft node yet);</li>
 *     <li>rebuild the configuration history: the configuration applied (the snapshot's, the bootstrap's or the last
 *     configuration entry replayed), then every configuration entry in the log's tail after the commit index (a
 *     configuration is in effect from its append, committed or not);</li>
 *     <li>hand back what the node needs to join: the state file, the log, the snapshots, the applier, the
 *     configuration history, the persisted term and vote, the recovered commit index and the cluster time reached (the later of the last log
 *     entry's timestamp and the applied state's), below which this node, as leader, stamps nothing.</li>
 * </ol>
 * A failure closes what the sequence opened and rethrows.
 */
final class NodeRecovery
{
    private static final System.Logger LOGGER = System.getLogger(NodeRecovery.class.getName());

    private final NodeStateFile state;
    private final ArchiveLogStore log;
    private final SnapshotStore snapshots;
    private final SnapshotInfo snapshot;
    private final Applier applier;
    private final long commitIndex;
    private final long clusterTimeNs;
    private final ConfigHistory configs;

    private NodeRecovery(
        final NodeStateFile state,
        final ArchiveLogStore log,
        final SnapshotStore snapshots,
        final SnapshotInfo snapshot,
        final Applier applier,
        final long commitIndex,
        final long clusterTimeNs,
        final ConfigHistory configs)
    {
        this.clusterTimeNs = clusterTimeNs;
        this.configs = configs;
        this.state = state;
        this.log = log;
        this.snapshots = snapshots;
        this.snapshot = snapshot;
        this.applier = applier;
        this.commitIndex = commitIndex;
    }

    /**
     * Restore the node from its data directory and its log.
     *
     * @param ctx        concluded configuration of the node.
     * @param logContext the log store's settings.
     * @param media      the node's launched media stack, which holds the log's recording.
     * @param newApplier builds the applier over the recovered log.
     * @param nowNs      local time.
     * @return what the node joins the cluster with.
     */
    static NodeRecovery recover(
        final ClusterNode.Context ctx,
        final ArchiveLogStore.Context logContext,
        final NodeMedia media,
        final Function<ArchiveLogStore, Applier> newApplier,
        final long nowNs)
    {
        final NodeStateFile state = NodeStateFile.open(ctx.dataDirectory());
        final SnapshotStore snapshots = SnapshotStore.open(
            ctx.dataDirectory().toPath().resolve(SnapshotStore.DIRECTORY_NAME), ctx.snapshotConfig().retainCount());
        final ArchiveLogStore log = ArchiveLogStore.open(logContext.media(media));
        try
        {
            final Applier applier = newApplier.apply(log);
            final SnapshotInfo snapshot = loadSnapshot(ctx.memberId(), snapshots, log, applier, nowNs);

            final long commitIndex = Math.max(applier.appliedIndex(), Math.min(state.commitIndexHint(), log.lastIndex()));
            applier.commitIndex(commitIndex);
            applier.replay(log, commitIndex);
            if (commitIndex > 0)
            {
                LOGGER.log(System.Logger.Level.INFO, "member " + ctx.memberId() + ": " +
                    (null == snapshot ? "no snapshot" : "snapshot at index " + snapshot.index()) + ", replayed " +
                    (commitIndex - (null == snapshot ? 0 : snapshot.index())) + " committed entries to index " +
                    commitIndex + " (log " + log.firstIndex() + ".." + log.lastIndex() + ", term " +
                    state.currentTerm() + ")");
            }

            return new NodeRecovery(state, log, snapshots, snapshot, applier, commitIndex,
                Math.max(applier.clusterTimeNs(), lastTimestamp(log)), configurations(log, applier, commitIndex));
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.close(ex::addSuppressed, log);
            throw ex;
        }
    }

    /**
     * @return the configuration applied, then those of the configuration entries after the commit index.
     */
    private static ConfigHistory configurations(
        final ArchiveLogStore log, final Applier applier, final long commitIndex)
    {
        final AppliedConfiguration applied = applier.configuration();
        final ConfigHistory configs = applied.history();
        if (log.lastIndex() > commitIndex)
        {
            log.replay(commitIndex + 1, log.lastIndex(), (buffer, offset, length, firstIndex, lastIndex) ->
            {
                int frame = offset;
                for (long index = firstIndex; index <= lastIndex; index++)
                {
                    if (EntryType.CONFIG == EntryFrame.type(buffer, frame))
                    {
                        final Configuration configuration = Configuration.decode(
                            buffer, EntryFrame.payloadOffset(frame), EntryFrame.payloadLength(buffer, frame));
                        if (null == configuration)
                        {
                            throw new IllegalStateException("configuration entry at index " + index +
                                " does not decode");
                        }
                        configs.appended(index, applied.withKnownEndpoints(configuration));
                    }
                    frame += EntryFrame.frameLength(buffer, frame);
                }
            });
        }
        return configs;
    }

    /**
     * @return the leader timestamp of the log's last entry (committed or not), 0 when the log holds none.
     */
    private static long lastTimestamp(final ArchiveLogStore log)
    {
        final long[] timestamp = new long[1];
        if (log.lastIndex() < log.firstIndex())
        {
            return 0;
        }
        log.replay(log.lastIndex(), log.lastIndex(), (buffer, offset, length, firstIndex, lastIndex) ->
            timestamp[0] = EntryFrame.timestamp(buffer, offset));
        return timestamp[0];
    }

    /**
     * Load the newest snapshot that verifies and reaches the log (its index at least the log's first index - 1),
     * reporting every newer one that does not verify, and make the log continue it.
     *
     * @return the loaded snapshot, or null when there is none and the log begins at index 1.
     * @throws IllegalStateException when the log begins after a prefix no valid snapshot covers.
     */
    static SnapshotInfo loadSnapshot(
        final int memberId,
        final SnapshotStore snapshots,
        final ArchiveLogStore log,
        final Applier applier,
        final long nowNs)
    {
        final long needed = log.firstIndex() - 1;
        final StringBuilder unusable = new StringBuilder();
        for (final SnapshotInfo info : snapshots.list())
        {
            if (info.index() < needed)
            {
                unusable.append(" snapshot ").append(info.path()).append(" ends at index ").append(info.index())
                    .append(", before the log begins;");
                break;
            }
            try (SnapshotReader reader = snapshots.openVerified(info))
            {
                if (log.lastIndex() < reader.index() || log.termAt(reader.index()) != reader.term())
                {
                    // The log does not continue the snapshot (a crash during an install): it begins after it.
                    LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": discarding the log " +
                        log.firstIndex() + ".." + log.lastIndex() + ": it does not continue the snapshot at index " +
                        reader.index() + " term " + reader.term() + " (a restart during its install)");
                    log.reset(reader.index(), reader.term());
                }
                final long startNs = System.nanoTime();
                applier.loadSnapshot(reader, nowNs);
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": loaded the snapshot at index " +
                    reader.index() + " term " + reader.term() + " (" + info.length() + " bytes) in " +
                    (System.nanoTime() - startNs) / 1_000_000 + " ms");
                return reader.info();
            }
            catch (final SnapshotCorruptException ex)
            {
                LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": snapshot passed over, an older one " +
                    "is tried: " + ex.getMessage());
                unusable.append(' ').append(ex.getMessage()).append(';');
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("member " + memberId + ": cannot load snapshot " + info.path() +
                    " into the state machine", ex);
            }
        }

        if (needed > 0)
        {
            throw new IllegalStateException("member " + memberId + ": the log begins after index " + needed +
                " but no valid snapshot covers it (" + (unusable.length() > 0 ? unusable.toString().trim() :
                "none in " + snapshots.directory()) + "). To recover: stop the node, move its data directory aside " +
                "(keep it for diagnosis) and start it with an empty one: it rejoins through a snapshot install from " +
                "the leader");
        }
        return null;
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
     * @return the node's snapshot files, used from now on by the node.
     */
    SnapshotStore snapshots()
    {
        return snapshots;
    }

    /**
     * @return the snapshot loaded, or null when the state was rebuilt from the log alone.
     */
    SnapshotInfo snapshot()
    {
        return snapshot;
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

    /**
     * @return the configurations as of the applied index and after: the core's from here on.
     */
    ConfigHistory configs()
    {
        return configs;
    }

    /**
     * @return the highest leader timestamp in the recovered log and state.
     */
    long clusterTimeNs()
    {
        return clusterTimeNs;
    }
}
