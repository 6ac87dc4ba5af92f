package io.flotilla.samples.verify;

import java.util.List;

/**
 * The checker's conclusion for a whole history: linearizable only if every key is; not linearizable if any key
 * is not; unknown if no key is shown to be wrong yet some key's search ran out of budget.
 */
public final class CheckResult
{
    private final Verdict verdict;
    private final List<KeyResult> keys;
    private final KeyResult firstViolation;
    private final int operationCount;
    private final int droppedCount;
    private final long originNs;
    private final long elapsedNs;

    CheckResult(
        final List<KeyResult> keys,
        final int operationCount,
        final int droppedCount,
        final long originNs,
        final long elapsedNs)
    {
        this.keys = List.copyOf(keys);
        this.operationCount = operationCount;
        this.droppedCount = droppedCount;
        this.originNs = originNs;
        this.elapsedNs = elapsedNs;

        KeyResult first = null;
        boolean unknown = false;
        for (final KeyResult key : keys)
        {
            unknown |= Verdict.UNKNOWN == key.verdict();
            if (Verdict.NOT_LINEARIZABLE == key.verdict() &&
                (null == first || key.unplaceable().completeNs() < first.unplaceable().completeNs()))
            {
                first = key;
            }
        }
        firstViolation = first;
        verdict = null != first ? Verdict.NOT_LINEARIZABLE : unknown ? Verdict.UNKNOWN : Verdict.LINEARIZABLE;
    }

    /**
     * @return the conclusion for the history.
     */
    public Verdict verdict()
    {
        return verdict;
    }

    /**
     * @return whether the history was shown linearizable (an exhausted budget is not).
     */
    public boolean isLinearizable()
    {
        return Verdict.LINEARIZABLE == verdict;
    }

    /**
     * @return one result per key, in order of the keys' first invocation.
     */
    public List<KeyResult> keys()
    {
        return keys;
    }

    /**
     * @return the non-linearizable key whose violation shows earliest (its unplaceable operation completed first),
     * or {@code null} when there is none.
     */
    public KeyResult firstViolation()
    {
        return firstViolation;
    }

    /**
     * @return operations in the history.
     */
    public int operationCount()
    {
        return operationCount;
    }

    /**
     * @return operations left out of the search: the failed ones and the reads of unknown outcome.
     */
    public int droppedCount()
    {
        return droppedCount;
    }

    /**
     * @return time the whole check took.
     */
    public long elapsedNs()
    {
        return elapsedNs;
    }

    /**
     * @return a readable report: the verdict, counts, then the first violation explained, every other violating
     * key and every key whose search ran out of budget.
     */
    public String report()
    {
        final StringBuilder builder = new StringBuilder()
            .append(verdict).append(": ").append(operationCount).append(" operations (").append(droppedCount)
            .append(" failed or unknown reads left out) over ").append(keys.size())
            .append(1 == keys.size() ? " key" : " keys").append(", checked in ")
            .append(elapsedNs / 1_000_000).append(" ms");
        if (null != firstViolation)
        {
            builder.append("\nfirst violation, times in microseconds from the first invocation:\n")
                .append(firstViolation.describe(originNs));
        }
        for (final KeyResult key : keys)
        {
            if (key != firstViolation && Verdict.LINEARIZABLE != key.verdict())
            {
                builder.append('\n').append(key.describe(originNs));
            }
        }
        return builder.toString();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return report();
    }
}
