package io.flotilla.engine.node;

import io.flotilla.codecs.EntryType;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;

/**
 * The leader's side of timers: when its clock passes the earliest deadline in its applied {@link TimerTable}, it
 * appends a TIMER entry (no payload; its timestamp is the leader's clock, so at or after that deadline). Applying the
 * entry fires the due timers on every replica. One TIMER entry at a time: the next is proposed only once the last is
 * applied here (then the table shows what it fired) or the term has changed (it may be lost). A duplicate, say from
 * a new leader whose table lags the log, finds its timers fired already and fires nothing, so no bookkeeping has to
 * survive a leader change.
 */
public final class TimerTrigger
{
    private final TimerTable timers;
    private long proposedIndex;
    private long proposedTerm = -1;

    /**
     * @param timers the applied timer table.
     */
    public TimerTrigger(final TimerTable timers)
    {
        this.timers = timers;
    }

    /**
     * On every node, every duty cycle: propose a TIMER entry if this node leads and a timer is due.
     *
     * @param raft         the core.
     * @param nowNs        the core's clock now; given to the core first, so that the entry is stamped with it.
     * @param appliedIndex the index the timer table reflects.
     * @return 1 when an entry was proposed, else 0.
     */
    public int doWork(final RaftNode raft, final long nowNs, final long appliedIndex)
    {
        if (nowNs < timers.earliestDeadline() || Role.LEADER != raft.role() ||
            (appliedIndex < proposedIndex && raft.currentTerm() == proposedTerm))
        {
            return 0;
        }
        raft.advanceClock(nowNs);
        final long index = raft.propose(EntryType.TIMER, 0, 0, null, 0, 0);
        if (index > 0)
        {
            proposedIndex = index;
            proposedTerm = raft.currentTerm();
            return 1;
        }
        return 0;
    }
}
