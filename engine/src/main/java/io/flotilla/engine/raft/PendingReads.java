package io.flotilla.engine.raft;

/**
 * Read index requests waiting for an answer, oldest first, in a fixed ring: a leader's wait for a majority to confirm
 * its leadership (each with the stamp it was registered at and the member that asked), or a follower's wait for its
 * leader's answer (each with its deadline). A follower's answers may come out of order (a lease answers at once), so
 * a request may also be removed by id; the ring then skips it when it reaches the head. Allocates nothing after
 * construction.
 */
final class PendingReads
{
    private static final int REMOVED = Integer.MIN_VALUE;

    private final long[] readIds;
    private final long[] stamps;
    private final int[] origins;
    private int head;
    private int size;

    PendingReads(final int capacity)
    {
        readIds = new long[capacity];
        stamps = new long[capacity];
        origins = new int[capacity];
    }

    /**
     * @param origin the member the answer goes to (not {@link #REMOVED}).
     * @return false when full.
     */
    boolean offer(final long readId, final int origin, final long stamp)
    {
        if (size == readIds.length)
        {
            return false;
        }
        final int slot = slot(size);
        readIds[slot] = readId;
        stamps[slot] = stamp;
        origins[slot] = origin;
        size++;

        return true;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    long oldestReadId()
    {
        return readIds[head];
    }

    long oldestStamp()
    {
        return stamps[head];
    }

    int oldestOrigin()
    {
        return origins[head];
    }

    /**
     * @return the stamp of the newest request; only when not empty.
     */
    long newestStamp()
    {
        return stamps[slot(size - 1)];
    }

    void removeOldest()
    {
        head = slot(1);
        size--;
        skipRemoved();
    }

    /**
     * Remove the oldest request with this id.
     *
     * @return false when none is pending.
     */
    boolean remove(final long readId)
    {
        for (int i = 0; i < size; i++)
        {
            final int slot = slot(i);
            if (REMOVED != origins[slot] && readIds[slot] == readId)
            {
                origins[slot] = REMOVED;
                skipRemoved();
                return true;
            }
        }

        return false;
    }

    private void skipRemoved()
    {
        while (size > 0 && REMOVED == origins[head])
        {
            head = slot(1);
            size--;
        }
    }

    private int slot(final int position)
    {
        final int slot = head + position;
        return slot >= readIds.length ? slot - readIds.length : slot;
    }
}
