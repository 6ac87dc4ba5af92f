package io.flotilla.samples.verify;

/**
 * An open-addressing hash set of 128-bit fingerprints, the search's memo of configurations already explored.
 * Two longs a slot and no boxing, so it holds millions of configurations in a small heap. (0, 0) marks an empty
 * slot, so that fingerprint is stored as (0, 1).
 */
final class FingerprintSet
{
    private static final int INITIAL_CAPACITY = 1 << 12;

    private long[] slots = new long[INITIAL_CAPACITY * 2];
    private int mask = INITIAL_CAPACITY - 1;
    private int size;

    /**
     * @param high half of the fingerprint.
     * @param low  half of the fingerprint.
     * @return true when it was not in the set yet.
     */
    boolean add(final long high, final long low)
    {
        final long lowKey = (0 == high && 0 == low) ? 1 : low;
        int index = (int)(lowKey ^ (lowKey >>> 32)) & mask;
        while (true)
        {
            final long slotHigh = slots[index << 1];
            final long slotLow = slots[(index << 1) + 1];
            if (0 == slotHigh && 0 == slotLow)
            {
                break;
            }
            if (slotHigh == high && slotLow == lowKey)
            {
                return false;
            }
            index = (index + 1) & mask;
        }
        slots[index << 1] = high;
        slots[(index << 1) + 1] = lowKey;
        if (++size > (mask + 1) >> 1)
        {
            grow();
        }
        return true;
    }

    /**
     * @return fingerprints held.
     */
    int size()
    {
        return size;
    }

    private void grow()
    {
        final long[] old = slots;
        slots = new long[old.length * 2];
        mask = (mask << 1) | 1;
        size = 0;
        for (int i = 0; i < old.length; i += 2)
        {
            if (0 != old[i] || 0 != old[i + 1])
            {
                add(old[i], old[i + 1]);
            }
        }
    }
}
