package io.flotilla.samples.verify;

import java.util.List;

/**
 * The checker's conclusion for one key, with an explanation when it is not linearizable: the longest
 * linearization the search found, the value it leaves, and the operation that could not be placed after it.
 */
public final class KeyResult
{
    private static final int PREFIX_SHOWN = 10;

    private final String key;
    private final Verdict verdict;
    private final int operationCount;
    private final long steps;
    private final long elapsedNs;
    private final List<Operation> longestPrefix;
    private final String valueAfterPrefix;
    private final Operation unplaceable;
    private final List<Operation> concurrent;

    KeyResult(
        final String key,
        final Verdict verdict,
        final int operationCount,
        final long steps,
        final long elapsedNs,
        final List<Operation> longestPrefix,
        final String valueAfterPrefix,
        final Operation unplaceable,
        final List<Operation> concurrent)
    {
        this.key = key;
        this.verdict = verdict;
        this.operationCount = operationCount;
        this.steps = steps;
        this.elapsedNs = elapsedNs;
        this.longestPrefix = List.copyOf(longestPrefix);
        this.valueAfterPrefix = valueAfterPrefix;
        this.unplaceable = unplaceable;
        this.concurrent = List.copyOf(concurrent);
    }

    /**
     * @return the key.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the conclusion for this key.
     */
    public Verdict verdict()
    {
        return verdict;
    }

    /**
     * @return operations of the key that were checked (failed operations and unknown reads are left out).
     */
    public int operationCount()
    {
        return operationCount;
    }

    /**
     * @return list entries the search visited.
     */
    public long steps()
    {
        return steps;
    }

    /**
     * @return time the search took.
     */
    public long elapsedNs()
    {
        return elapsedNs;
    }

    /**
     * @return when not linearizable, the longest legal sequential order the search found, in order; else empty.
     */
    public List<Operation> longestPrefix()
    {
        return longestPrefix;
    }

    /**
     * @return when not linearizable, the value after {@link #longestPrefix()}, {@code null} meaning absent.
     */
    public String valueAfterPrefix()
    {
        return valueAfterPrefix;
    }

    /**
     * @return when not linearizable, the operation that completed yet could not be placed after the longest
     * prefix (nor could any operation still open before it); else {@code null}.
     */
    public Operation unplaceable()
    {
        return unplaceable;
    }

    /**
     * @param originNs time shown as zero.
     * @return a readable account of the conclusion, several lines for a violation.
     */
    public String describe(final long originNs)
    {
        final StringBuilder builder = new StringBuilder()
            .append("key ").append(HistoryFormat.quote(key)).append(": ").append(verdict)
            .append(" (").append(operationCount).append(" operations, ").append(steps).append(" steps, ")
            .append(elapsedNs / 1_000_000).append(" ms)");
        if (Verdict.UNKNOWN == verdict)
        {
            builder.append("\n  the search ran out of its budget; raise ")
                .append(LinearizabilityChecker.MAX_STEPS_PROP_NAME).append(" or ")
                .append(LinearizabilityChecker.MAX_TIME_PROP_NAME).append(", or check shorter histories per key");
        }
        if (Verdict.NOT_LINEARIZABLE != verdict)
        {
            return builder.toString();
        }

        final int shown = Math.min(PREFIX_SHOWN, longestPrefix.size());
        builder.append("\n  longest linearizable prefix: ").append(longestPrefix.size()).append(" operations");
        if (shown < longestPrefix.size())
        {
            builder.append(", the last ").append(shown);
        }
        for (int i = longestPrefix.size() - shown; i < longestPrefix.size(); i++)
        {
            builder.append("\n    ").append(longestPrefix.get(i).describe(originNs));
        }
        builder.append("\n  value after it: ").append(HistoryFormat.quote(valueAfterPrefix))
            .append("\n  cannot be placed: ").append(unplaceable.describe(originNs))
            .append("\n  (it must precede every later call, yet neither it nor any other open operation can extend")
            .append(" the prefix)");
        if (!concurrent.isEmpty())
        {
            builder.append("\n  other operations open then:");
            for (final Operation operation : concurrent)
            {
                builder.append("\n    ").append(operation.describe(originNs));
            }
        }
        return builder.toString();
    }
}
