package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * The configurations a node's log holds, by index: a base (the configuration as of the log's compacted prefix or the
 * bootstrap, at index 0 for a node that never compacted, or of the newest configuration entry known committed) and
 * the {@link io.flotilla.codecs.EntryType#CONFIG} entries after it. The newest one is in effect from its append
 * (Raft thesis 4.1), committed or not; a truncation of the log removes the entries after it, and with them their
 * configurations, so the node reverts to the one before. Entries superseded by a committed one are forgotten; so a
 * history holds one configuration, or two while a change is uncommitted (the leader allows one change at a time).
 * <p>
 * The runtime builds one to start a node ({@link RaftNode}'s constructor): the configuration as of its snapshot (or
 * the bootstrap) and every configuration entry of the log after it, in order.
 */
public final class ConfigHistory
{
    private long[] indices = new long[4];
    private Configuration[] configurations = new Configuration[4];
    private int size;

    /**
     * @param baseIndex     the index the base configuration is as of: a snapshot's index, or 0 for the bootstrap.
     * @param configuration the configuration in effect at that index.
     */
    public ConfigHistory(final long baseIndex, final Configuration configuration)
    {
        indices[0] = baseIndex;
        configurations[0] = configuration;
        size = 1;
    }

    /**
     * A configuration entry at an index after every one held.
     */
    public void appended(final long index, final Configuration configuration)
    {
        if (index <= indices[size - 1])
        {
            throw new IllegalArgumentException(
                "configuration entry at " + index + " is not after the last one at " + indices[size - 1]);
        }
        if (size == indices.length)
        {
            indices = Arrays.copyOf(indices, 2 * size);
            configurations = Arrays.copyOf(configurations, 2 * size);
        }
        indices[size] = index;
        configurations[size++] = configuration;
    }

    /**
     * @return the configuration in effect: the newest one.
     */
    public Configuration latest()
    {
        return configurations[size - 1];
    }

    /**
     * @return the index of the newest configuration (its entry, or the base's index).
     */
    public long latestIndex()
    {
        return indices[size - 1];
    }

    /**
     * @return the configuration in effect at an index: the newest one at or before it (the base if none is).
     */
    public Configuration at(final long index)
    {
        int i = size - 1;
        while (i > 0 && indices[i] > index)
        {
            i--;
        }
        return configurations[i];
    }

    /**
     * @return the index of the configuration in effect at {@code index}: of its entry, or the base index.
     */
    public long indexAt(final long index)
    {
        int i = size - 1;
        while (i > 0 && indices[i] > index)
        {
            i--;
        }
        return indices[i];
    }

    /**
     * @return whether the member votes in any configuration held: the one in effect, one not yet committed, or the
     * newest committed one.
     */
    boolean votesInAny(final int memberId)
    {
        for (int i = 0; i < size; i++)
        {
            if (configurations[i].isVoter(memberId))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The log was truncated after {@code index} (never below the commit index, so never below the base).
     *
     * @return whether the configuration in effect changed.
     */
    boolean truncatedAfter(final long index)
    {
        final int before = size;
        while (size > 1 && indices[size - 1] > index)
        {
            configurations[--size] = null;
        }
        return size != before;
    }

    /**
     * Forget the configurations superseded by one at or before the commit index.
     *
     * @return whether the committed configuration changed (one was forgotten).
     */
    boolean committed(final long commitIndex)
    {
        int keepFrom = 0;
        while (keepFrom + 1 < size && indices[keepFrom + 1] <= commitIndex)
        {
            keepFrom++;
        }
        if (keepFrom > 0)
        {
            System.arraycopy(indices, keepFrom, indices, 0, size - keepFrom);
            System.arraycopy(configurations, keepFrom, configurations, 0, size - keepFrom);
            Arrays.fill(configurations, size - keepFrom, size, null);
            size -= keepFrom;
        }
        return keepFrom > 0;
    }

    /**
     * A snapshot at {@code index}, beyond the commit index, was installed with the configuration in effect there:
     * it replaces what the history held up to there; the entries after it stay (the log kept them) or go (the log
     * was reset, and {@link #truncatedAfter} removes them).
     */
    void installed(final long index, final Configuration configuration)
    {
        // The base is at or before the commit index, so before index: at least one entry is replaced.
        int firstAfter = 0;
        while (firstAfter < size && indices[firstAfter] <= index)
        {
            firstAfter++;
        }
        final int kept = size - firstAfter;
        System.arraycopy(indices, firstAfter, indices, 1, kept);
        System.arraycopy(configurations, firstAfter, configurations, 1, kept);
        Arrays.fill(configurations, kept + 1, size, null);
        indices[0] = index;
        configurations[0] = configuration;
        size = kept + 1;
    }

    public String toString()
    {
        final StringBuilder builder = new StringBuilder("ConfigHistory{");
        for (int i = 0; i < size; i++)
        {
            builder.append(i > 0 ? ", " : "").append(indices[i]).append(": ").append(configurations[i]);
        }
        return builder.append('}').toString();
    }
}
