package io.flotilla.engine.node;

import org.agrona.concurrent.EpochNanoClock;

/**
 * Times each entry from its append to this node's log to this node learning that it is committed: on the leader
 * the replication and durability round, on a follower its lag behind the leader's commit. Entries this node did not
 * append since launch (recovered, or in an installed snapshot) and entries further than a window behind the commit
 * are not timed.
 */
final class CommitLatency
{
    private static final int WINDOW = 1 << 16;
    private static final int MASK = WINDOW - 1;

    private final long[] appendedIndex = new long[WINDOW];
    private final long[] appendedNs = new long[WINDOW];
    private final EpochNanoClock clock;
    private final LatencyRecorder recorder;
    private long committedIndex;

    CommitLatency(final EpochNanoClock clock, final LatencyRecorder recorder)
    {
        this.clock = clock;
        this.recorder = recorder;
    }

    /**
     * @param fromIndex first entry just appended.
     * @param toIndex   last entry just appended.
     */
    void onAppended(final long fromIndex, final long toIndex)
    {
        final long nowNs = clock.nanoTime();
        for (long index = Math.max(fromIndex, toIndex - MASK); index <= toIndex; index++)
        {
            final int slot = (int)(index & MASK);
            appendedIndex[slot] = index;
            appendedNs[slot] = nowNs;
        }
    }

    /**
     * @param commitIndex the commit index this node now knows.
     */
    void onCommitted(final long commitIndex)
    {
        if (commitIndex <= committedIndex)
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        for (long index = Math.max(committedIndex + 1, commitIndex - MASK); index <= commitIndex; index++)
        {
            final int slot = (int)(index & MASK);
            if (appendedIndex[slot] == index)
            {
                recorder.record(nowNs - appendedNs[slot]);
                appendedIndex[slot] = 0;
            }
        }
        committedIndex = commitIndex;
    }
}
