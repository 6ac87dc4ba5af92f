package io.flotilla.engine.sim;

/**
 * Client reads by kind and outcome (each read of a batch counts), over a node's lifetimes, a run or a sweep.
 */
public final class ReadCounts
{
    private static final SimRead.Outcome[] OUTCOMES = SimRead.Outcome.values();
    private static final ReadKind[] KINDS = ReadKind.values();

    private final long[][] counts = new long[KINDS.length][OUTCOMES.length];

    void add(final SimRead read)
    {
        counts[read.kind.ordinal()][read.outcome.ordinal()] += read.count;
    }

    public void add(final ReadCounts other)
    {
        for (int kind = 0; kind < KINDS.length; kind++)
        {
            for (int outcome = 0; outcome < OUTCOMES.length; outcome++)
            {
                counts[kind][outcome] += other.counts[kind][outcome];
            }
        }
    }

    public long count(final ReadKind kind, final SimRead.Outcome outcome)
    {
        return counts[kind.ordinal()][outcome.ordinal()];
    }

    /**
     * @return for each kind: served/failed/refused/lost.
     */
    public String toString()
    {
        final StringBuilder builder = new StringBuilder("reads served/failed/refused/lost");
        for (final ReadKind kind : KINDS)
        {
            final long[] row = counts[kind.ordinal()];
            builder.append(' ').append(kind).append(' ')
                .append(row[SimRead.Outcome.SERVED.ordinal()]).append('/')
                .append(row[SimRead.Outcome.FAILED.ordinal()]).append('/')
                .append(row[SimRead.Outcome.REFUSED.ordinal()]).append('/')
                .append(row[SimRead.Outcome.LOST.ordinal()]);
        }
        return builder.toString();
    }
}
