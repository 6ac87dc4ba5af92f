package io.flotilla.engine;

/**
 * What the runtime offers a {@link StateMachine} beyond its callbacks: deterministic timers. Handed to the state
 * machine once, by {@link StateMachine#onStart}, before any snapshot is loaded or entry applied.
 * <p>
 * Usable only where it is deterministic: on the node thread, inside {@link StateMachine#apply},
 * {@link StateMachine#onTimeAdvanced}, {@link StateMachine#onTimer}, {@link StateMachine#onSessionOpen} and
 * {@link StateMachine#onSessionClose}, which every replica runs at the same log index. Anywhere else (a query, a
 * snapshot load, another thread) it throws {@link IllegalStateException}: a timer scheduled there would exist on one
 * replica only.
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
 */
public interface StateMachineContext
{
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
}
