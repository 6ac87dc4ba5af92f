package io.flotilla.engine;

import org.agrona.DirectBuffer;

/**
 * What the runtime offers a {@link StateMachine} beyond its callbacks: deterministic timers, and messages to any open
 * client session. Handed to the state
 * machine once, by {@link StateMachine#onStart}, before any snapshot is loaded or entry applied.
 * <p>
 * Usable only where it is deterministic: on the node thread, inside {@link StateMachine#apply},
 * {@link StateMachine#onTimeAdvanced}, {@link StateMachine#onTimer}, {@link StateMachine#onSessionOpen} and
 * {@link StateMachine#onSessionClose}, which every replica runs at the same log index. Anywhere else (a query, a
 * snapshot load, another thread) it throws {@link IllegalStateException}: a timer scheduled or a message sent there
 * would exist on one replica only.
 * <p>
 * <b>Timers.</b> A timer is a correlation id (any long, chosen by the state machine) and a deadline in cluster time:
 * the entries' leader timestamps, epoch nanoseconds, the clock the callbacks are given. When the leader's clock passes
 * the earliest deadline it appends a TIMER entry; applying it, on every replica at the same index, calls
 * {@link StateMachine#onTimer} for every timer still scheduled with a deadline at or before the entry's timestamp,
 * in order of deadline, then correlation id, and forgets each before its call. A timer fires once: a TIMER entry that
 * finds it cancelled, already fired or moved to a later deadline fires nothing for it. Only TIMER entries fire timers
 * (a command whose timestamp passes a deadline does not), so the index at which a timer fires is always its own
 * entry's. The scheduled timers are part of the replicated state: they survive leader changes, restarts and
 * snapshots without the state machine writing them anywhere.
 * <p>
 * Cost: scheduling, rescheduling and cancelling are O(log n) in the scheduled timers and allocate nothing once the
 * table has grown to its working size.
 * <p>
 * <b>Session messages.</b> {@link #sendToSession} sends bytes to a session's client at any time, not only as the
 * response to that session's command (a fill to the trader who placed an order, a price to a subscriber). Each
 * session's messages are numbered 1, 2, 3... in the order they are sent, the same on every replica, and kept in the
 * replicated state until the client acknowledges them (through the log, so every replica forgets them at the same
 * index). The leader sends them once the entry that sent them is committed and applied; a new leader sends again
 * what was not acknowledged, and the client delivers each message once, in order, whatever the failovers and
 * retries ({@code FlotillaClient.Context.sessionMessageListener}). Nothing is lost while the session is open: a
 * message that cannot be kept is refused at the call ({@link #WINDOW_FULL}), the same on every replica, so the
 * state machine knows. When the session closes its unacknowledged messages are dropped.
 */
public interface StateMachineContext
{
    /** {@link #sendToSession} result: no session with this id is open. */
    long SESSION_NOT_OPEN = -1;

    /**
     * {@link #sendToSession} result: the session's client has not acknowledged 1 MiB of messages (payloads plus 16
     * bytes each); nothing was sent. A client that keeps up acknowledges within tens of milliseconds: this one is stalled or
     * gone (a gone client's session expires).
     */
    long WINDOW_FULL = -2;

    /**
     * Schedule a timer, or move the deadline of one already scheduled with this correlation id. A deadline already
     * passed fires at the next TIMER entry (within the same one when scheduled from {@link StateMachine#onTimer} with
     * a deadline at or before that entry's timestamp).
     *
     * @param correlationId identifies the timer to the state machine.
     * @param deadlineNs    cluster time, epoch nanoseconds, at or after which it fires.
     * @throws IllegalStateException outside the deterministic callbacks.
     */
    void scheduleTimer(long correlationId, long deadlineNs);

    /**
     * Cancel a timer.
     *
     * @param correlationId of the timer.
     * @return whether it was scheduled (false: unknown, or already fired).
     * @throws IllegalStateException outside the deterministic callbacks.
     */
    boolean cancelTimer(long correlationId);

    /**
     * The session whose command {@link StateMachine#apply} is applying: the one to remember for later messages to
     * the same client (the trader whose order rests on the book). Only the cluster says which session sent a
     * command (a session id the client wrote into its command could name anyone's session).
     *
     * @return the session id, the same on every replica; 0 inside any other callback, and for a command proposed
     * in process ({@code ClusterNode.propose}), which has no session.
     */
    long commandSessionId();

    /**
     * Send a message to an open session's client; the bytes are copied, so the buffer may be reused at once.
     *
     * @param sessionId of the session (as given to {@link StateMachine#onSessionOpen}).
     * @param buffer    holding the message.
     * @param offset    of the message.
     * @param length    of the message, at most {@code EntryFrame.MAX_PAYLOAD_LENGTH} (1 MiB); a client receives a
     *                  message too big for its response channel as {@code RESPONSE_TOO_LARGE}, without its bytes.
     * @return the message's sequence in the session (1, 2, 3...), or {@link #SESSION_NOT_OPEN} or
     * {@link #WINDOW_FULL}: the same on every replica.
     * @throws IllegalStateException    outside the deterministic callbacks.
     * @throws IllegalArgumentException when the length is negative or above the bound.
     */
    long sendToSession(long sessionId, DirectBuffer buffer, int offset, int length);
}
