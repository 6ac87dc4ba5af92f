package io.flotilla.engine.raft;

import org.agrona.DirectBuffer;

/**
 * A core's log port over an {@link InMemoryRaftLog}, for hosts that watch or change what the core writes (the
 * simulator checks invariants on every append, a test records the calls, a benchmark makes writes durable at once):
 * reads go straight to the log, writes through {@link #append}, {@link #truncateAfter} and {@link #reset}, which a
 * host overrides and calls back.
 */
public abstract class ForwardingRaftLog implements RaftLog
{
    protected final InMemoryRaftLog store;

    protected ForwardingRaftLog(final InMemoryRaftLog store)
    {
        this.store = store;
    }

    public InMemoryRaftLog store()
    {
        return store;
    }

    public long firstIndex()
    {
        return store.firstIndex();
    }

    public long lastIndex()
    {
        return store.lastIndex();
    }

    public long lastTerm()
    {
        return store.lastTerm();
    }

    public long termAt(final long index)
    {
        return store.termAt(index);
    }

    public long batchEnd(final long fromIndex, final int maxBytes)
    {
        return store.batchEnd(fromIndex, maxBytes);
    }

    public long durableIndex()
    {
        return store.durableIndex();
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        store.append(buffer, offset, length);
    }

    public void truncateAfter(final long index)
    {
        store.truncateAfter(index);
    }

    public void reset(final long previousIndex, final long previousTerm)
    {
        store.reset(previousIndex, previousTerm);
    }
}
