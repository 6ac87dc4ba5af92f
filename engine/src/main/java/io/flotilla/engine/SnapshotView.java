package io.flotilla.engine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A consistent, immutable view of a state machine's state at one applied index, taken on the node thread by
 * {@link StateMachine#snapshotView()} and serialised on the snapshot thread while the node goes on applying: the
 * non-blocking snapshot. The state machine keeps the view's state unchanged (copy-on-write, a persistent structure,
 * a version) until {@link #release()}.
 */
public interface SnapshotView
{
    /**
     * Serialise the view in the form {@link StateMachine#loadSnapshot} reads. Called once, on the snapshot thread,
     * concurrently with applies on the node thread; it must read only what the view froze.
     *
     * @param out where the state goes; buffered by the caller, not to be closed.
     * @throws IOException when writing fails; the snapshot is then abandoned.
     */
    void writeTo(OutputStream out) throws IOException;

    /**
     * Called on the node thread once {@link #writeTo} has returned or failed: the state machine may drop what it
     * kept for the view. The default does nothing.
     */
    default void release()
    {
    }
}
