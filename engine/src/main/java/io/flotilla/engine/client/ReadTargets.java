package io.flotilla.engine.client;

import java.util.Arrays;

/**
 * Chooses the member a query goes to: with follower reads preferred, the members other than the one commands go
 * to, in turn; after a member left a query unanswered, the next member in turn. A member that left a query
 * unanswered is suspect for a while and skipped while another is available. Members are endpoint indexes.
 */
final class ReadTargets
{
    private final long suspectNs;
    private boolean[] suspected = new boolean[0];
    private long[] suspectUntilNs = new long[0];
    private int cursor;

    /**
     * @param suspectNs how long a member that left a query unanswered is skipped.
     */
    ReadTargets(final long suspectNs)
    {
        this.suspectNs = suspectNs;
    }

    /**
     * @param members how many endpoints there are now (hints may add some).
     */
    void ensureCapacity(final int members)
    {
        if (suspected.length < members)
        {
            suspected = Arrays.copyOf(suspected, members);
            suspectUntilNs = Arrays.copyOf(suspectUntilNs, members);
        }
    }

    void suspect(final int member, final long nowNs)
    {
        suspected[member] = true;
        suspectUntilNs[member] = nowNs + suspectNs;
    }

    boolean isSuspect(final int member, final long nowNs)
    {
        return suspected[member] && nowNs - suspectUntilNs[member] < 0;
    }

    /**
     * @return the next member in turn that is neither the command target nor suspect; the command target when there
     * is no such member.
     */
    int follower(final int commandTarget, final int members, final long nowNs)
    {
        for (int i = 0; i < members; i++)
        {
            cursor = (cursor + 1) % members;
            if (cursor != commandTarget && !isSuspect(cursor, nowNs))
            {
                return cursor;
            }
        }
        return commandTarget;
    }

    /**
     * @return the first member after this one that is not suspect; the one right after it when all are.
     */
    int after(final int member, final int members, final long nowNs)
    {
        for (int i = 1; i < members; i++)
        {
            final int candidate = (member + i) % members;
            if (!isSuspect(candidate, nowNs))
            {
                return candidate;
            }
        }
        return (member + 1) % members;
    }
}
