package io.flotilla.engine.raft;

import java.util.Arrays;

/**
 * The majority rule over one set of voters: which index a majority has reached, and whether a set of members is a
 * majority. Each answer is about this set alone, so a joint configuration is two of them that must both agree.
 * Members outside the set are never asked about. Allocates nothing after construction.
 */
final class MajorityQuorum
{
    /**
     * An index per member, such as the durable index each voter acknowledged.
     */
    @FunctionalInterface
    interface AckedIndexes
    {
        long ackedIndex(int memberId);
    }

    /**
     * A set of members, such as those that granted their vote or were heard from recently.
     */
    @FunctionalInterface
    interface Members
    {
        boolean contains(int memberId);
    }

    private final int[] voterIds;
    private final long[] scratch;
    private final int majority;

    /**
     * @param voterIds the voting members' ids, at least one, each once.
     */
    MajorityQuorum(final int[] voterIds)
    {
        if (0 == voterIds.length)
        {
            throw new IllegalArgumentException("a quorum needs at least one voter");
        }
        this.voterIds = voterIds.clone();
        final int[] sorted = voterIds.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException("voter " + sorted[i] + " is listed more than once");
            }
        }
        scratch = new long[voterIds.length];
        majority = voterIds.length / 2 + 1;
    }

    /**
     * @return the highest index that a majority of the voters has reached: the majority-th highest of their
     * indices.
     */
    long committedIndex(final AckedIndexes acked)
    {
        final long[] indices = scratch;
        for (int i = 0; i < indices.length; i++)
        {
            indices[i] = acked.ackedIndex(voterIds[i]);
        }

        // Insertion sort, descending: clusters are small and this must not allocate.
        for (int i = 1; i < indices.length; i++)
        {
            final long value = indices[i];
            int j = i - 1;
            while (j >= 0 && indices[j] < value)
            {
                indices[j + 1] = indices[j];
                j--;
            }
            indices[j + 1] = value;
        }

        return indices[majority - 1];
    }

    /**
     * @return whether the members include a majority of the voters (granted votes win an election; recently heard
     * members keep a leader in office).
     */
    boolean isQuorum(final Members members)
    {
        int count = 0;
        for (final int voterId : voterIds)
        {
            if (members.contains(voterId))
            {
                count++;
            }
        }

        return count >= majority;
    }
}
