package io.flotilla.samples.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The linearizability search for the sub-history of one key, a register that starts absent: Wing and Gong's
 * search made just-in-time by Lowe ("Testing for linearizability", 2017), as porcupine does it.
 * <p>
 * Calls and returns sit in one time-ordered doubly linked list. The search walks it from the head: at a call it
 * tries to linearize that operation next (the register model must accept its result), lifting its call and return
 * out of the list and pushing it on a stack; at a return it has met an operation that completed before anything
 * still in the list could be placed, so it backtracks. Each configuration reached is remembered and never explored
 * twice (see {@link ConfigurationMemo}); the set of completed operations linearized is kept as a 128-bit Zobrist
 * fingerprint (the XOR of a random pair per operation), so a step costs O(1); two sets collide with probability
 * about n^2 / 2^129.
 * <p>
 * An operation of unknown outcome has its return at +infinity: it may be linearized anywhere after its call, and
 * being linearized after everything else is the same as never taking effect. So the search is done once every
 * completed operation is placed, and at each point it tries the completed candidates before the unknown ones:
 * configurations with fewer unknown operations come first and dominate those with more.
 */
final class KeySearch
{
    private static final int ABSENT = 0;
    private static final int ILLEGAL = -1;
    private static final int UNKNOWN_RESULT = -1;
    private static final int KNOWN = -1;
    private static final int MAX_CONCURRENT_SHOWN = 16;
    private static final int TIME_CHECK_INTERVAL = 1024;

    private final String key;
    private final List<Operation> operations;
    private final int count;

    // The register model, over value ids: 0 is absent, 1.. are the distinct values of this key's history.
    private final KvOp.Kind[] kinds;
    private final int[] written;
    private final int[] expected;
    private final int[] result;
    private final int[] unknownIndex;
    private final int unknownCount;
    private final List<String> values = new ArrayList<>();

    // The list: entry 2i is the call of operation i, 2i + 1 its return; then a head and a tail sentinel.
    private final int head;
    private final int tail;
    private final int[] next;
    private final int[] prev;

    private final long[] zobristHigh;
    private final long[] zobristLow;
    private final ConfigurationMemo memo;

    private int bestDepth = -1;
    private int[] bestPrefix = new int[0];
    private int bestValue;
    private int unplaceable;
    private int[] concurrent = new int[0];

    KeySearch(final String key, final List<Operation> operations)
    {
        this.key = key;
        this.operations = operations;
        this.count = operations.size();
        kinds = new KvOp.Kind[count];
        written = new int[count];
        expected = new int[count];
        result = new int[count];
        unknownIndex = new int[count];
        int unknowns = 0;
        final Map<String, Integer> valueIds = new HashMap<>();
        values.add(null);
        for (int i = 0; i < count; i++)
        {
            final Operation operation = operations.get(i);
            final KvOp op = operation.op();
            kinds[i] = op.kind();
            written[i] = valueId(op.value(), valueIds);
            expected[i] = valueId(op.expected(), valueIds);
            unknownIndex[i] = Outcome.OK == operation.outcome() ? KNOWN : unknowns++;
            if (Outcome.OK != operation.outcome())
            {
                result[i] = UNKNOWN_RESULT;
            }
            else if (KvOp.Kind.GET == op.kind())
            {
                result[i] = valueId(operation.readValue(), valueIds);
            }
            else
            {
                result[i] = operation.swapped() ? 1 : 0;
            }
        }

        unknownCount = unknowns;
        memo = new ConfigurationMemo(unknowns);
        head = 2 * count;
        tail = head + 1;
        next = new int[tail + 1];
        prev = new int[tail + 1];
        linkInTimeOrder();

        // Fingerprints of operations, then of register values; seeded by the key so a run is reproducible.
        final SplittableRandom random = new SplittableRandom(0x5EED_F107_111AL ^ key.hashCode());
        // Pairs for each operation, each value, and each value before an unknown operation just placed.
        zobristHigh = new long[count + 2 * values.size()];
        zobristLow = new long[count + 2 * values.size()];
        for (int i = 0; i < zobristHigh.length; i++)
        {
            zobristHigh[i] = random.nextLong();
            zobristLow[i] = random.nextLong();
        }
    }

    /**
     * Run the search within a budget.
     *
     * @param maxSteps  list entries to visit at most.
     * @param maxTimeNs time to spend at most.
     * @return the result for this key.
     */
    KeyResult run(final long maxSteps, final long maxTimeNs)
    {
        final long startNs = System.nanoTime();
        final int[] stackOp = new int[count];
        final int[] stackValue = new int[count];
        final long[] unknownSet = new long[(unknownCount + 63) >> 6];
        int depth = 0;
        int value = ABSENT;
        long high = 0;
        long low = 0;
        long steps = 0;
        boolean unknownPass = false;
        int entry = next[head];

        while (true)
        {
            if (++steps > maxSteps ||
                (0 == steps % TIME_CHECK_INTERVAL && System.nanoTime() - startNs > maxTimeNs))
            {
                return result(Verdict.UNKNOWN, steps, startNs);
            }

            final int op = entry >> 1;
            if (tail == entry || (1 == (entry & 1) && KNOWN != unknownIndex[op]))
            {
                // Every completed operation is placed; the unknown ones left take effect at the end, or never.
                return result(Verdict.LINEARIZABLE, steps, startNs);
            }

            if (1 == (entry & 1))
            {
                if (!unknownPass)
                {
                    // The completed candidates before this return are tried; now the unknown ones.
                    unknownPass = true;
                    entry = next[head];
                    continue;
                }
                // Operation op completed, yet nothing open before its return could be placed next: backtrack.
                if (depth > bestDepth)
                {
                    recordExplanation(stackOp, depth, value, entry);
                }
                if (0 == depth)
                {
                    return result(Verdict.NOT_LINEARIZABLE, steps, startNs);
                }
                depth--;
                final int undone = stackOp[depth];
                value = stackValue[depth];
                if (KNOWN == unknownIndex[undone])
                {
                    high ^= zobristHigh[undone];
                    low ^= zobristLow[undone];
                }
                else
                {
                    flip(unknownSet, unknownIndex[undone]);
                }
                unlift(undone);
                unknownPass = KNOWN != unknownIndex[undone];
                entry = next[2 * undone];
                continue;
            }

            final boolean known = KNOWN == unknownIndex[op];
            final boolean afterUnknown = depth > 0 && KNOWN != unknownIndex[stackOp[depth - 1]];
            final boolean candidate = known == !unknownPass &&
                (known ? !afterUnknown || needsPrecedingUnknown(op, stackValue[depth - 1]) :
                isUseful(op, value, afterUnknown));
            final int newValue = candidate ? step(op, value) : ILLEGAL;
            if (ILLEGAL != newValue)
            {
                long newHigh = high ^ zobristHigh[count + newValue];
                long newLow = low ^ zobristLow[count + newValue];
                if (known)
                {
                    newHigh ^= zobristHigh[op];
                    newLow ^= zobristLow[op];
                }
                else
                {
                    // The next placement depends on the value before this one, so it is part of the configuration.
                    newHigh ^= zobristHigh[count + values.size() + value];
                    newLow ^= zobristLow[count + values.size() + value];
                    flip(unknownSet, unknownIndex[op]);
                }
                if (memo.add(newHigh, newLow, unknownSet))
                {
                    stackOp[depth] = op;
                    stackValue[depth] = value;
                    depth++;
                    value = newValue;
                    if (known)
                    {
                        high ^= zobristHigh[op];
                        low ^= zobristLow[op];
                    }
                    lift(op);
                    unknownPass = false;
                    entry = next[head];
                    continue;
                }
                if (!known)
                {
                    flip(unknownSet, unknownIndex[op]);
                }
            }
            entry = next[entry];
        }
    }

    /**
     * Whether placing the unknown operation op next can matter. The search looks only for linearizations in which
     * every unknown operation placed is needed by the operation placed right after it; any linearization can be
     * rearranged into one (an unknown operation not needed there moves after that operation, or to the end). So a
     * compare-and-set that would not swap is never placed (it changes nothing), nor is a blind write right after
     * another unknown operation (which it would hide).
     */
    private boolean isUseful(final int op, final int value, final boolean afterUnknown)
    {
        if (KvOp.Kind.CAS == kinds[op])
        {
            return value == expected[op];
        }
        return !afterUnknown;
    }

    /**
     * Whether completed operation op, placed right after an unknown one, needs it: a blind write does not (it hides
     * it), nor does a read or a failed compare-and-set that would have been legal before it (it can go first).
     */
    private boolean needsPrecedingUnknown(final int op, final int valueBeforeUnknown)
    {
        switch (kinds[op])
        {
            case GET:
                return ILLEGAL == step(op, valueBeforeUnknown);
            case CAS:
                return 1 == result[op] || ILLEGAL == step(op, valueBeforeUnknown);
            default:
                return false;
        }
    }

    private static void flip(final long[] set, final int index)
    {
        set[index >> 6] ^= 1L << index;
    }

    /**
     * The register model.
     *
     * @return the value after operation op runs on value, or {@link #ILLEGAL} when its recorded result is
     * impossible from that value.
     */
    private int step(final int op, final int value)
    {
        switch (kinds[op])
        {
            case PUT:
                return written[op];
            case DELETE:
                return ABSENT;
            case GET:
                return value == result[op] ? value : ILLEGAL;
            case CAS:
                if (UNKNOWN_RESULT == result[op])
                {
                    return value == expected[op] ? written[op] : value;
                }
                if (1 == result[op])
                {
                    return value == expected[op] ? written[op] : ILLEGAL;
                }
                return value != expected[op] ? value : ILLEGAL;
            default:
                throw new IllegalStateException("cannot check " + kinds[op] + " per key");
        }
    }

    private void lift(final int op)
    {
        unlink(2 * op);
        unlink(2 * op + 1);
    }

    private void unlift(final int op)
    {
        relink(2 * op + 1);
        relink(2 * op);
    }

    private void unlink(final int entry)
    {
        next[prev[entry]] = next[entry];
        prev[next[entry]] = prev[entry];
    }

    private void relink(final int entry)
    {
        next[prev[entry]] = entry;
        prev[next[entry]] = entry;
    }

    private void linkInTimeOrder()
    {
        final Integer[] entries = new Integer[2 * count];
        final long[] times = new long[2 * count];
        for (int i = 0; i < count; i++)
        {
            final Operation operation = operations.get(i);
            entries[2 * i] = 2 * i;
            entries[2 * i + 1] = 2 * i + 1;
            times[2 * i] = operation.invokeNs();
            // Unknown outcome: the response is at +infinity.
            times[2 * i + 1] = Outcome.OK == operation.outcome() ? operation.completeNs() : Long.MAX_VALUE;
        }
        // On a tie a call goes before a return: operations that touch are taken as concurrent.
        Arrays.sort(entries, (a, b) -> times[a] != times[b] ?
            Long.compare(times[a], times[b]) : Integer.compare(a & 1, b & 1) != 0 ?
            Integer.compare(a & 1, b & 1) : Integer.compare(a, b));

        int last = head;
        for (final int entry : entries)
        {
            next[last] = entry;
            prev[entry] = last;
            last = entry;
        }
        next[last] = tail;
        prev[tail] = last;
    }

    private void recordExplanation(final int[] stackOp, final int depth, final int value, final int returnEntry)
    {
        bestDepth = depth;
        bestPrefix = Arrays.copyOf(stackOp, depth);
        bestValue = value;
        unplaceable = returnEntry >> 1;
        final int[] open = new int[MAX_CONCURRENT_SHOWN];
        int openCount = 0;
        for (int e = next[head]; e != returnEntry && openCount < MAX_CONCURRENT_SHOWN; e = next[e])
        {
            if (0 == (e & 1) && (e >> 1) != unplaceable)
            {
                open[openCount++] = e >> 1;
            }
        }
        concurrent = Arrays.copyOf(open, openCount);
    }

    private KeyResult result(final Verdict verdict, final long steps, final long startNs)
    {
        final long elapsedNs = System.nanoTime() - startNs;
        if (Verdict.NOT_LINEARIZABLE != verdict)
        {
            return new KeyResult(key, verdict, count, steps, elapsedNs, List.of(), null, null, List.of());
        }
        return new KeyResult(key, verdict, count, steps, elapsedNs, operationsAt(bestPrefix), values.get(bestValue),
            operations.get(unplaceable), operationsAt(concurrent));
    }

    private List<Operation> operationsAt(final int[] indices)
    {
        final List<Operation> list = new ArrayList<>(indices.length);
        for (final int index : indices)
        {
            list.add(operations.get(index));
        }
        return list;
    }

    private int valueId(final String value, final Map<String, Integer> valueIds)
    {
        if (null == value)
        {
            return ABSENT;
        }
        return valueIds.computeIfAbsent(value, (v) ->
        {
            values.add(v);
            return values.size() - 1;
        });
    }
}
