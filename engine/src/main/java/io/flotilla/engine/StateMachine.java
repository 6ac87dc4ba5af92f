package io.flotilla.engine;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The service a team replicates: applied to every committed command, in log order, on every node.
 * <p>
 * Must be deterministic: its only inputs are the commands and the entries' leader timestamps (never the local
 * clock, randomness or I/O). Called on the node agent's thread; it must not block and must not throw (an
 * exception is a bug and stops the node loudly).
 * <p>
 * <b>Snapshots</b> (see docs/snapshots.md). A node compacts its log by taking a snapshot of the state, and a node
 * that is far behind (or has lost its data) is sent one. A state machine offers one of two forms:
 * <ul>
 *     <li><b>blocking:</b> {@link #writeSnapshot} writes the state on the node thread; this node applies nothing
 *     meanwhile, so only a follower takes such a snapshot (a leader hands leadership over first);</li>
 *     <li><b>non-blocking:</b> {@link #snapshotView} hands back, in O(1) or close to it, a consistent immutable
 *     view that the snapshot thread serialises while the node keeps replicating and applying.</li>
 * </ul>
 * Both are read back by {@link #loadSnapshot}. A state machine that implements neither keeps the defaults, which
 * refuse: the node then fails at start unless snapshots are switched off
 * ({@code flotilla.snapshot.log.entries=0}, {@code flotilla.snapshot.log.bytes=0}).
 * <p>
 * <b>Queries</b> (see docs/runtime.md, "Reads"). {@link #query} answers a read-only question from the state as it is,
 * without a log entry: the runtime calls it once the state reflects every write committed before the query arrived
 * (ReadIndex or the leader's lease), on any member. A state machine that does not override it refuses every query.
 * <p>
 * <b>Timers and sessions</b> (see docs/runtime.md, "Timers, session events and session messages").
 * {@link #onStart} hands the state machine a {@link StateMachineContext} through which it schedules and cancels timers
 * in cluster time and sends messages to any open session; {@link #onTimer} fires the timers through the log.
 * {@link #onSessionOpen} and {@link #onSessionClose} tell it about client sessions. All of these run on every replica at the same log index, like {@link #apply}; the defaults do
 * nothing.
 */
public interface StateMachine
{
    /**
     * Apply one committed command and write its response.
     *
     * @param index       log index of the command.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds; the only clock a state machine may use.
     * @param command     buffer holding the command; valid only during the call.
     * @param offset      of the command.
     * @param length      of the command.
     * @param response    where to write the response (on followers it is discarded).
     */
    void apply(long index, long timestampNs, DirectBuffer command, int offset, int length, Response response);

    /**
     * Answer a read-only query from the current state. Called on the node agent's thread between applies, on the
     * leader and on followers alike, once the state reflects every write committed before the query arrived. It
     * must not change the state (nothing of a query is replicated: a change would make this replica diverge), must
     * not block, and must answer from the state alone: the state's own clock is the last applied entry's timestamp
     * (a query never expires anything). A throw answers the query ERROR and is reported to the error handler.
     * <pre>{@code
     * public void query(DirectBuffer query, int offset, int length, Response response)
     * {
     *     final long value = counters.get(query.getLong(offset));   // read only
     *     response.buffer().putLong(0, value);
     *     response.ok(Long.BYTES);
     * }
     * }</pre>
     * The default refuses: REJECTED with the text {@code "<class> does not implement StateMachine.query"}.
     *
     * @param query    buffer holding the query; valid only during the call.
     * @param offset   of the query.
     * @param length   of the query.
     * @param response where to write the answer: {@link Response#ok} or {@link Response#reject}, as for a command.
     */
    default void query(final DirectBuffer query, final int offset, final int length, final Response response)
    {
        response.reject(response.buffer().putStringWithoutLengthUtf8(
            0, getClass().getName() + " does not implement StateMachine.query"));
    }

    /**
     * Called once, on the node thread, when the node starts: before any snapshot is loaded or entry applied. The
     * context is the state machine's to keep; it may be used only inside the replicated callbacks (see
     * {@link StateMachineContext}). The default does nothing.
     *
     * @param context timers, for the lifetime of the node.
     */
    default void onStart(final StateMachineContext context)
    {
    }

    /**
     * A timer fired: a TIMER entry was applied whose timestamp is at or after the timer's deadline, and the timer was
     * still scheduled. It is no longer scheduled when this is called; schedule it again for a periodic timer.
     *
     * @param index         log index of the TIMER entry.
     * @param timestampNs   leader timestamp of the entry, epoch nanoseconds: at or after the deadline.
     * @param correlationId of the timer.
     */
    default void onTimer(final long index, final long timestampNs, final long correlationId)
    {
    }

    /**
     * A client session opened (its SESSION_OPEN entry was applied); called after {@link #onTimeAdvanced} for the
     * same entry. Not called for an entry that opens nothing (a session id already in use).
     *
     * @param index       log index of the entry.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds.
     * @param sessionId   of the new session, as the client's requests carry it.
     * @param principal   the authenticator accepted (ASCII, at most {@link Authenticator#MAX_PRINCIPAL_LENGTH}).
     */
    default void onSessionOpen(final long index, final long timestampNs, final long sessionId, final String principal)
    {
    }

    /**
     * A client session closed (its SESSION_CLOSE entry was applied); called after {@link #onTimeAdvanced} for the
     * same entry, once per session that was open.
     *
     * @param index       log index of the entry.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds.
     * @param sessionId   of the session.
     * @param reason      why it closed.
     */
    default void onSessionClose(
        final long index, final long timestampNs, final long sessionId, final SessionCloseReason reason)
    {
    }

    /**
     * Time advanced without a command (a no-op, session or timer entry was applied). State machines that expire
     * state by time (TTL, say) use it; the default does nothing.
     *
     * @param index       log index of the entry.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds.
     */
    default void onTimeAdvanced(final long index, final long timestampNs)
    {
    }

    /**
     * The non-blocking snapshot: a consistent view of the state after the last applied entry, taken on the node
     * thread in O(1) or close to it and serialised on the snapshot thread. The default returns null: the state
     * machine offers only the blocking {@link #writeSnapshot}.
     *
     * @return the view, or null when the state machine has no non-blocking form.
     */
    default SnapshotView snapshotView()
    {
        return null;
    }

    /**
     * The blocking snapshot: write the state after the last applied entry, on the node thread, in the form
     * {@link #loadSnapshot} reads. The default refuses.
     *
     * @param out where the state goes; buffered by the caller, not to be closed.
     * @throws IOException when writing fails; the snapshot is then abandoned.
     */
    default void writeSnapshot(final OutputStream out) throws IOException
    {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement " +
            "StateMachine.writeSnapshot or snapshotView: implement one of them and loadSnapshot, or set " +
            "flotilla.snapshot.log.entries=0 and flotilla.snapshot.log.bytes=0 to never take snapshots (the log then grows " +
            "without bound)");
    }

    /**
     * Replace the whole state with a snapshot's, written by {@link #writeSnapshot} or a {@link SnapshotView}. Called
     * on the node thread before any entry after the snapshot is applied: at restart, or when the leader sends this
     * node its snapshot. The default refuses.
     *
     * @param in the state, exactly the bytes written; buffered by the caller, not to be closed.
     * @throws IOException when the bytes cannot be read or are not a state this machine wrote.
     */
    default void loadSnapshot(final InputStream in) throws IOException
    {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement " +
            "StateMachine.loadSnapshot, and this node needs a snapshot: implement it (with writeSnapshot or " +
            "snapshotView)");
    }
}
