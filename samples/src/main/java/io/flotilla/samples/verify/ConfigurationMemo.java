package io.flotilla.samples.verify;

import java.util.Arrays;

/**
 * The search's memo of configurations already explored, with subsumption for operations of unknown outcome.
 * <p>
 * A configuration is (completed operations linearized, register value, unknown operations linearized). The first
 * two are given as a 128-bit fingerprint and map to the unknown sets seen with them. A configuration is dominated by
 * one seen before with the same fingerprint and a subset of its unknown operations: whatever completes from it also
 * completes from the smaller one, whose extra unknown operations can take effect at the end, that is never. So
 * a dominated configuration need not be explored.
 * <p>
 * Open addressing and flat arrays, no boxing: a few dozen bytes a configuration.
 */
final class ConfigurationMemo
{
    private static final int INITIAL_CAPACITY = 1 << 12;
    private static final int NO_NODE = -1;

    private final int words;
    private long[] keys = new long[INITIAL_CAPACITY * 2];
    private int[] heads = new int[INITIAL_CAPACITY];
    private int mask = INITIAL_CAPACITY - 1;
    private int keyCount;

    private int[] nodeNext = new int[INITIAL_CAPACITY];
    private long[] nodeSets;
    private int nodeCount;

    /**
     * @param unknownCount unknown operations of the key, the size of the unknown sets.
     */
    ConfigurationMemo(final int unknownCount)
    {
        words = (unknownCount + 63) >> 6;
        nodeSets = new long[INITIAL_CAPACITY * words];
        Arrays.fill(heads, NO_NODE);
    }

    /**
     * Record a configuration unless it is dominated.
     *
     * @param high       half of the fingerprint of the completed operations and the value.
     * @param low        half of that fingerprint.
     * @param unknownSet bit set of the unknown operations linearized, {@code words} long.
     * @return true when it is new and not dominated, so it should be explored.
     */
    boolean add(final long high, final long low, final long[] unknownSet)
    {
        final int slot = slotOf(high, low);
        for (int node = heads[slot]; NO_NODE != node; node = nodeNext[node])
        {
            if (isSubset(node, unknownSet))
            {
                return false;
            }
        }
        final int node = newNode(unknownSet);
        if (NO_NODE == heads[slot])
        {
            keys[slot << 1] = high;
            keys[(slot << 1) + 1] = low;
            keyCount++;
        }
        nodeNext[node] = heads[slot];
        heads[slot] = node;
        if (keyCount > (mask + 1) >> 1)
        {
            grow();
        }
        return true;
    }

    /**
     * @return configurations recorded.
     */
    int size()
    {
        return nodeCount;
    }

    private int slotOf(final long high, final long low)
    {
        int slot = (int)(low ^ (low >>> 32)) & mask;
        while (NO_NODE != heads[slot] && (keys[slot << 1] != high || keys[(slot << 1) + 1] != low))
        {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private boolean isSubset(final int node, final long[] set)
    {
        final int base = node * words;
        for (int i = 0; i < words; i++)
        {
            if (0 != (nodeSets[base + i] & ~set[i]))
            {
                return false;
            }
        }
        return true;
    }

    private int newNode(final long[] set)
    {
        if (nodeCount == nodeNext.length)
        {
            nodeNext = Arrays.copyOf(nodeNext, nodeCount * 2);
            nodeSets = Arrays.copyOf(nodeSets, nodeCount * 2 * words);
        }
        System.arraycopy(set, 0, nodeSets, nodeCount * words, words);
        return nodeCount++;
    }

    private void grow()
    {
        final long[] oldKeys = keys;
        final int[] oldHeads = heads;
        keys = new long[oldKeys.length * 2];
        heads = new int[oldHeads.length * 2];
        Arrays.fill(heads, NO_NODE);
        mask = (mask << 1) | 1;
        for (int i = 0; i < oldHeads.length; i++)
        {
            if (NO_NODE != oldHeads[i])
            {
                final int slot = slotOf(oldKeys[i << 1], oldKeys[(i << 1) + 1]);
                keys[slot << 1] = oldKeys[i << 1];
                keys[(slot << 1) + 1] = oldKeys[(i << 1) + 1];
                heads[slot] = oldHeads[i];
            }
        }
    }
}
