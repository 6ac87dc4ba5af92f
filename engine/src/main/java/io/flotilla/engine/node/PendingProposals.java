package io.flotilla.engine.node;

/**
 * In-process proposals appended to the log and awaiting apply, in log order (agent thread only). A proposal
 * completes when its index is applied: with the state machine's result if the applied entry is the one proposed
 * (same term), or DROPPED if another leader's entry took its place or the log was truncated below it.
 */
public final class PendingProposals
{
    private final long[] indices;
    private final long[] terms;
    private final int[] slots;
    private final int mask;
    private long head;
    private long tail;

    /**
     * @param capacity a power of two, at least the number of proposal slots.
     */
    public PendingProposals(final int capacity)
    {
        indices = new long[capacity];
        terms = new long[capacity];
        slots = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * Track a proposal the Raft node appended.
     *
     * @param index of its entry.
     * @param term  of its entry.
     * @param slot  of its callback.
     */
    public void add(final long index, final long term, final int slot)
    {
        final int i = (int)(tail & mask);
        indices[i] = index;
        terms[i] = term;
        slots[i] = slot;
        tail++;
    }

    public boolean isEmpty()
    {
        return head == tail;
    }

    /**
     * @return log index of the oldest pending proposal; only when not {@link #isEmpty()}.
     */
    public long headIndex()
    {
        return indices[(int)(head & mask)];
    }

    /**
     * @return term of the oldest pending proposal; only when not {@link #isEmpty()}.
     */
    public long headTerm()
    {
        return terms[(int)(head & mask)];
    }

    /**
     * Remove the oldest pending proposal.
     *
     * @return its slot.
     */
    public int removeHead()
    {
        final int slot = slots[(int)(head & mask)];
        head++;
        return slot;
    }

    /**
     * @return log index of the newest pending proposal; only when not {@link #isEmpty()}.
     */
    public long tailIndex()
    {
        return indices[(int)((tail - 1) & mask)];
    }

    /**
     * Remove the newest pending proposal.
     *
     * @return its slot.
     */
    public int removeTail()
    {
        tail--;
        return slots[(int)(tail & mask)];
    }
}
