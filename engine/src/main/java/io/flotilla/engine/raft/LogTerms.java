package io.flotilla.engine.raft;

/**
 * The terms of one log, for log matching and back-tracking, answered only from what the log knows: its entries
 * and the last term of its compacted prefix ({@code termAt(firstIndex() - 1)}). Entries further back were
 * committed before they were compacted, so they match any leader's log. Terms never decrease along a log, which
 * makes the searches binary.
 */
final class LogTerms
{
    private final RaftLog log;

    LogTerms(final RaftLog log)
    {
        this.log = log;
    }

    /**
     * @param index at most the log's last index.
     * @return whether the log's entry at index has this term, or lies inside the compacted prefix (committed, so it
     * matches).
     */
    boolean matches(final long index, final long term)
    {
        return log.termAt(index) == term || index < log.firstIndex() - 1;
    }

    /**
     * @param low  lowest index to consider; the log's first index if that is higher.
     * @param high highest index to consider, at least the log's first index, whose term is at least {@code term}.
     * @return the smallest index in that range whose term is at least {@code term}.
     */
    long firstIndexWithTermAtLeast(final long term, final long low, final long high)
    {
        long lo = Math.max(low, log.firstIndex());
        long hi = high;
        while (lo < hi)
        {
            final long mid = (lo + hi) >>> 1;
            if (log.termAt(mid) >= term)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /**
     * @param high highest index to consider, at most the log's last index.
     * @return the largest index from the compacted prefix's last ({@code firstIndex() - 1}) to {@code high} whose
     * term is at most {@code term}; or {@code firstIndex() - 2} when even the compacted prefix ends in a higher
     * term, so the answer lies inside the prefix.
     */
    long lastIndexWithTermAtMost(final long term, final long high)
    {
        long lo = log.firstIndex() - 1;
        if (log.termAt(lo) > term)
        {
            return lo - 1;
        }

        long hi = high;
        while (lo < hi)
        {
            final long mid = (lo + hi + 1) >>> 1;
            if (log.termAt(mid) <= term)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
