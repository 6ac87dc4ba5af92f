package io.flotilla.engine.sim;

import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.ForwardingRaftLog;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.raft.RaftTransport;
import io.flotilla.engine.raft.Role;
import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * One simulated member: its log store and state file (which survive crashes, minus what was not durable), the
 * {@link RaftNode} of its current lifetime (null while down), and the runtime around it: the outbox that turns
 * the core's actions into simulated messages, disk writes and state machine applies. As the core's log port it
 * wraps the in-memory log, so that every append and truncation is checked by the invariants.
 */
public final class SimNode extends ForwardingRaftLog implements RaftTransport, RaftOutbox
{
    private final Simulation simulation;
    private final int id;
    private long persistedTerm;
    private int persistedVote = RaftNode.NO_MEMBER;
    private RaftNode raft;
    private int lifetime;
    private long lastCommitSeen;
    private long appliedIndex;
    private long commitBeforeCrash;
    private boolean diskAuto = true;
    private boolean flushScheduled;
    private long appendRejectionsSent;

    SimNode(final Simulation simulation, final int id)
    {
        super(new InMemoryRaftLog(256, 64 * 1024));
        this.simulation = simulation;
        this.id = id;
    }

    public int id()
    {
        return id;
    }

    /**
     * @return the core of the current lifetime, or null while the node is down.
     */
    public RaftNode raft()
    {
        return raft;
    }

    public boolean isUp()
    {
        return null != raft;
    }


    public long persistedTerm()
    {
        return persistedTerm;
    }

    public int persistedVote()
    {
        return persistedVote;
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return AppendEntries this node rejected (log mismatch), over all lifetimes.
     */
    public long appendRejectionsSent()
    {
        return appendRejectionsSent;
    }

    public int lifetime()
    {
        return lifetime;
    }

    /**
     * @param auto true: appended entries become durable after a random delay; false: only by {@link #flush}.
     */
    public void diskAuto(final boolean auto)
    {
        diskAuto = auto;
    }

    /**
     * Make entries durable up to an index now.
     */
    public void flush(final long index)
    {
        store.markDurable(index);
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " durable to " + store.durableIndex());
        }
        if (null != raft)
        {
            raft.onDurable(store.durableIndex());
        }
    }

    void start(final long commitHint, final SplittableRandom random)
    {
        final long commit = Math.min(commitHint, store.lastIndex());
        raft = new RaftNode(
            simulation.raftConfig(), id, simulation.memberIds(), this, persistedTerm, persistedVote, commit, this, this,
            new SplittableRandom(random.nextLong()));
        lifetime++;
        // Recovery applies the entries known committed, without onCommitIndex.
        for (long index = appliedIndex + 1; index <= commit; index++)
        {
            simulation.invariants().onApply(this, index);
        }
        appliedIndex = commit;
        lastCommitSeen = commit;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " started (lifetime " + lifetime + ") term=" + persistedTerm + " vote=" +
                persistedVote + " commitHint=" + commit + " log=" + store);
        }
    }

    void crash()
    {
        commitBeforeCrash = raft.commitIndex();
        raft = null;
        store.crash();
        appliedIndex = 0;
        flushScheduled = false;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " CRASHED, kept " + store);
        }
    }

    long commitBeforeCrash()
    {
        return commitBeforeCrash;
    }

    void onFlushTimer(final SplittableRandom random)
    {
        flushScheduled = false;
        if (null != raft && diskAuto)
        {
            // A disk writes part of what is pending at a time.
            final long pending = store.lastIndex() - store.durableIndex();
            if (pending > 0)
            {
                flush(store.durableIndex() + 1 + random.nextLong(pending));
            }
            if (store.lastIndex() > store.durableIndex())
            {
                flushScheduled = true;
                simulation.scheduleFlush(this);
            }
        }
    }

    void checkCommitMonotonic()
    {
        if (null != raft)
        {
            final long commit = raft.commitIndex();
            if (commit < lastCommitSeen)
            {
                throw new SimulationFailure(
                    "commit index of node " + id + " went from " + lastCommitSeen + " back to " + commit);
            }
            lastCommitSeen = commit;
        }
    }

    public void persistState(final long term, final int votedFor)
    {
        if (term < persistedTerm)
        {
            throw new SimulationFailure("node " + id + " persisted term " + term + " below " + persistedTerm);
        }
        if (term == persistedTerm && RaftNode.NO_MEMBER != persistedVote && votedFor != persistedVote)
        {
            throw new SimulationFailure("node " + id + " changed its vote in term " + term + " from " +
                persistedVote + " to " + votedFor);
        }
        persistedTerm = term;
        persistedVote = votedFor;
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        simulation.invariants().onAppend(this, buffer, offset, length);
        super.append(buffer, offset, length);
        if (diskAuto && !flushScheduled)
        {
            flushScheduled = true;
            simulation.scheduleFlush(this);
        }
    }

    public void truncateAfter(final long index)
    {
        if (index < raft.commitIndex())
        {
            throw new SimulationFailure(
                "node " + id + " truncates after " + index + " below its commit index " + raft.commitIndex());
        }
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " truncates after " + index);
        }
        super.truncateAfter(index);
    }

    public boolean sendRequestVote(
        final int to, final long term, final long lastLogIndex, final long lastLogTerm, final boolean preVote,
        final boolean transfer)
    {
        return simulation.send(SimMessage.requestVote(id, to, term, lastLogIndex, lastLogTerm, preVote, transfer));
    }

    public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
    {
        if (!preVote && granted && (persistedTerm != term || persistedVote != to))
        {
            throw new SimulationFailure("node " + id + " granted its vote in term " + term + " to " + to +
                " before persisting it (persisted term " + persistedTerm + " vote " + persistedVote + ")");
        }
        return simulation.send(SimMessage.voteResponse(id, to, term, preVote, granted));
    }

    public boolean sendAppendEntries(
        final int to, final long term, final long prevLogIndex, final long prevLogTerm, final long leaderCommit,
        final long fromIndex, final long toIndex)
    {
        if (simulation.sendFails())
        {
            return false;
        }
        final byte[] entries;
        if (fromIndex <= toIndex)
        {
            entries = new byte[store.rangeLength(fromIndex, toIndex)];
            store.readRange(fromIndex, toIndex, (buffer, offset, length, first, last) ->
                buffer.getBytes(offset, entries, 0, length));
        }
        else
        {
            entries = new byte[0];
        }
        return simulation.send(
            SimMessage.appendEntries(id, to, term, prevLogIndex, prevLogTerm, leaderCommit, entries));
    }

    public boolean sendAppendResponse(
        final int to, final long term, final boolean success, final long lastAppendedIndex, final long durableIndex,
        final long conflictIndex, final long conflictTerm)
    {
        if (durableIndex > store.durableIndex())
        {
            throw new SimulationFailure("node " + id + " acknowledges durable index " + durableIndex +
                " but its store is durable only to " + store.durableIndex());
        }
        if (term != persistedTerm)
        {
            throw new SimulationFailure("node " + id + " answers in term " + term + " not persisted (" +
                persistedTerm + ")");
        }
        if (simulation.sendFails())
        {
            return false;
        }
        if (!success && term == raft.currentTerm() && conflictIndex > 0)
        {
            appendRejectionsSent++;
        }
        return simulation.send(SimMessage.appendResponse(
            id, to, term, success, lastAppendedIndex, durableIndex, conflictIndex, conflictTerm));
    }

    public boolean sendTimeoutNow(final int to, final long term)
    {
        return simulation.send(SimMessage.timeoutNow(id, to, term));
    }

    public boolean sendInstallSnapshot(final int to, final long term)
    {
        // The simulated runtime takes no snapshot yet.
        return false;
    }

    public void onCommitIndex(final long commitIndex)
    {
        if (commitIndex < lastCommitSeen)
        {
            throw new SimulationFailure(
                "node " + id + " signalled commit index " + commitIndex + " below " + lastCommitSeen);
        }
        lastCommitSeen = commitIndex;
        for (long index = appliedIndex + 1; index <= commitIndex; index++)
        {
            simulation.invariants().onApply(this, index);
        }
        appliedIndex = commitIndex;
        raft.onApplied(commitIndex);
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " is " + role + " term=" + term + " leader=" + leaderId +
                " last=" + store.lastIndex() + "/t" + store.lastTerm());
        }
        if (Role.LEADER == role)
        {
            if (term != persistedTerm)
            {
                throw new SimulationFailure("node " + id + " leads term " + term + " not persisted");
            }
            simulation.invariants().onLeader(this, term);
        }
    }

    public String toString()
    {
        return "node " + id + (null == raft ? " DOWN term=" + persistedTerm + " " + store : " " + raft) +
            " applied=" + appliedIndex;
    }
}
