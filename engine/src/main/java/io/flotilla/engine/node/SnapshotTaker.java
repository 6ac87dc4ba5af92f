package io.flotilla.engine.node;

import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.archive.SnapshotWriter;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachine;
import org.agrona.CloseHelper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Takes this node's snapshots, one at a time. On the node thread, at the applied index: the runtime's replicated state
 * (session table, cluster time, timers: small) is serialised and the state machine is asked for a {@link SnapshotView}; the view is then written, forced and
 * renamed on the {@link SnapshotWorker} while the node goes on applying. A state machine with only the blocking form
 * writes on the node thread (only a follower does that: this node then applies nothing meanwhile, the others are not
 * delayed); forcing and renaming still happen on the worker.
 */
final class SnapshotTaker
{
    /**
     * What {@link #take} did.
     */
    enum Start
    {
        /** Writing; the result comes back through the callback. */
        STARTED,
        /** A snapshot is already being written. */
        BUSY,
        /** The state machine has only the blocking form and this node leads: hand leadership over first. */
        NEEDS_FOLLOWER
    }

    private static final int BUFFER_BYTES = 256 * 1024;

    private final SnapshotStore store;
    private final SnapshotWorker worker;
    private final StateMachine stateMachine;
    private final Supplier<byte[]> runtimeState;
    private boolean taking;

    /**
     * @param runtimeState the runtime's part of the payload at the applied index, {@link Applier#snapshotHead()}.
     */
    SnapshotTaker(
        final SnapshotStore store,
        final SnapshotWorker worker,
        final StateMachine stateMachine,
        final Supplier<byte[]> runtimeState)
    {
        this.store = store;
        this.worker = worker;
        this.stateMachine = stateMachine;
        this.runtimeState = runtimeState;
    }

    /**
     * @return whether a snapshot is being written.
     */
    boolean isTaking()
    {
        return taking;
    }

    /**
     * Node thread: snapshot the state after the applied entry {@code index}.
     *
     * @param index     the applied index, the snapshot's last included entry.
     * @param term      that entry's term.
     * @param memberIds the configuration.
     * @param leader    whether this node leads (then it may only take the non-blocking form).
     * @param onDone    told on the node thread the committed snapshot, or the failure.
     * @return what happened.
     */
    Start take(
        final long index,
        final long term,
        final int[] memberIds,
        final boolean leader,
        final BiConsumer<SnapshotInfo, Throwable> onDone)
    {
        if (taking)
        {
            return Start.BUSY;
        }

        final byte[] head = runtimeState.get();
        final SnapshotView view = stateMachine.snapshotView();
        if (null == view && leader)
        {
            return Start.NEEDS_FOLLOWER;
        }

        taking = true;
        final SnapshotWriter writer = store.begin(index, term, memberIds);
        if (null != view)
        {
            worker.submit(
                () ->
                {
                    final OutputStream out = new BufferedOutputStream(writer.payload(), BUFFER_BYTES);
                    SnapshotContent.writeHead(out, head);
                    view.writeTo(out);
                    out.flush();
                    return writer.commit();
                },
                (info, failure) ->
                {
                    view.release();
                    finish(writer, info, failure, onDone);
                });
            return Start.STARTED;
        }

        try
        {
            final OutputStream out = new BufferedOutputStream(writer.payload(), BUFFER_BYTES);
            SnapshotContent.writeHead(out, head);
            stateMachine.writeSnapshot(out);
            out.flush();
        }
        catch (final IOException | RuntimeException ex)
        {
            taking = false;
            CloseHelper.quietClose(writer);
            throw ex instanceof IOException ? new UncheckedIOException((IOException)ex) : (RuntimeException)ex;
        }
        worker.submit(writer::commit, (info, failure) -> finish(writer, info, failure, onDone));
        return Start.STARTED;
    }

    private void finish(
        final SnapshotWriter writer,
        final SnapshotInfo info,
        final Throwable failure,
        final BiConsumer<SnapshotInfo, Throwable> onDone)
    {
        taking = false;
        if (null != failure)
        {
            CloseHelper.quietClose(writer);
        }
        onDone.accept(info, failure);
    }
}
