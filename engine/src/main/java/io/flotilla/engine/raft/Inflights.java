package io.flotilla.engine.raft;

/**
 * The batches a leader has sent a peer in replicate mode and not yet seen acknowledged: a fixed ring of each
 * batch's last index and send time, oldest first. Its capacity is the window ({@code maxInflight}); it allocates
 * nothing after construction.
 */
final class Inflights
{
    private final long[] ends;
    private final long[] sentNs;
    private int head;
    private int count;

    /**
     * @param capacity the most batches in flight at once, at least 1.
     */
    Inflights(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        ends = new long[capacity];
        sentNs = new long[capacity];
    }

    /**
     * Record a batch just sent; batches are added in the order of their indices.
     *
     * @param endIndex last index of the batch, above the last index of every batch held.
     * @param nowNs    when it was sent.
     */
    void add(final long endIndex, final long nowNs)
    {
        if (isFull())
        {
            throw new IllegalStateException("window of " + ends.length + " batches is full");
        }
        if (count > 0 && endIndex <= ends[position(count - 1)])
        {
            throw new IllegalArgumentException(
                "batch end " + endIndex + " is not above the last in flight " + ends[position(count - 1)]);
        }
        final int position = position(count);
        ends[position] = endIndex;
        sentNs[position] = nowNs;
        count++;
    }

    /**
     * The peer acknowledged everything up to an index: the batches that end there or before are answered.
     */
    void freeUpTo(final long index)
    {
        while (count > 0 && ends[head] <= index)
        {
            head = position(1);
            count--;
        }
    }

    /**
     * Forget every batch: they are resent, or the peer is no longer replicated optimistically.
     */
    void reset()
    {
        head = 0;
        count = 0;
    }

    /**
     * @return when the oldest unanswered batch was sent; only when the window is not empty.
     */
    long oldestSentNs()
    {
        if (0 == count)
        {
            throw new IllegalStateException("no batch in flight");
        }

        return sentNs[head];
    }

    boolean isFull()
    {
        return ends.length == count;
    }

    boolean isEmpty()
    {
        return 0 == count;
    }

    int count()
    {
        return count;
    }

    private int position(final int offset)
    {
        return (head + offset) % ends.length;
    }
}
