package io.flotilla.samples.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The linearizability search for the sub-history of one key, a register that starts absent: Wing and Gong's
 * search made just-in-time by Lowe ("Testing for linearizability", 2017), as porcupine does it, extended for
 * operations of unknown outcome.
 * <p>
 * Calls and returns of completed operations sit in one time-ordered doubly linked list. The search walks it from
 * the head: at a call it tries to linearize that operation next (the register model must accept its result),
 * lifting its call and return out of the list and pushing it on a stack; at a return it has met an operation that
 * completed before anything still open could be placed, so, once the unknown candidates are tried too, it
 * backtracks. Each configuration reached (operations linearized, register value) is remembered and never explored
 * twice. It is kept as a 128-bit Zobrist fingerprint (the XOR of a random pair per operation and one for the
 * value) in a {@link FingerprintSet}, so a step costs O(1) and the memo 16 bytes a configuration; two of n
 * configurations collide with probability about n^2 / 2^129.
 * <p>
 * An operation of unknown outcome has its return at +infinity: it may be linearized anywhere after its call, and
 * being linearized after everything else is the same as never taking effect. Their calls sit in other lists: one
 * for blind writes, one per expected value for compare-and-sets. The search is done once every completed operation
 * is placed. Three reductions keep unknown operations cheap, each exact (it loses no linearization):
 * <ul>
 *     <li>completed candidates are tried before unknown ones, and an unknown operation is placed only where the
 *     operation placed right after it needs it (any linearization can be rearranged that way: an unknown operation
 *     not needed there moves after that operation, or to the end);</li>
 *     <li>values no operation observes (no read returned them, no compare-and-set expects them) behave alike, so
 *     the model merges them into one;</li>
 *     <li>unknown blind writes of the same (merged) value that are both invoked are interchangeable, so only the
 *     earliest one still open is tried.</li>
 * </ul>
 */
final class KeySearch
{
    private static final int ABSENT = 0;
    private static final int ILLEGAL = -1;
    private static final int UNKNOWN_RESULT = -1;
    private static final int NONE = -1;
    private static final int MAX_CONCURRENT_SHOWN = 16;
    private static final int TIME_CHECK_INTERVAL = 1024;

    private final String key;
    private final List<Operation> operations;
    private final int count;

    // The register model over value ids: 0 is absent, then one id per observed value and one for all the others.
    private final KvOp.Kind[] kinds;
    private final int[] written;
    private final int[] expected;
    private final int[] result;
    private final int valueCount;

    // Outcome unknown; unknown blind writes of one value form a class, of which only the earliest open one is in the
    // list, and each links to the next of its class.
    private final boolean[] unknown;
    private final int[] nextWriter;

    // Lists over entries 2i (call of operation i) and 2i + 1 (its return), then sentinels: completed operations'
    // calls and returns; unknown blind writes' calls; unknown compare-and-sets' calls, one list per expected value.
    // rank orders all entries in time.
    private final int knownHead;
    private final int knownTail;
    private final int writerHead;
    private final int writerTail;
    private final int casBase;
    private final int[] next;
    private final int[] prev;
    private final int[] rank;

    private final long[] zobristHigh;
    private final long[] zobristLow;
    private final FingerprintSet memo = new FingerprintSet();

    private int bestDepth = -1;
    private final int[] bestPrefix;
    private int unchangedDepth;
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
        unknown = new boolean[count];
        nextWriter = new int[count];

        final Map<String, Integer> valueIds = observedValueIds();
        final int junk = valueIds.size() + 1;
        valueCount = junk + 1;
        Arrays.fill(nextWriter, NONE);
        for (int i = 0; i < count; i++)
        {
            final Operation operation = operations.get(i);
            final KvOp op = operation.op();
            kinds[i] = op.kind();
            written[i] = null == op.value() ? ABSENT : valueIds.getOrDefault(op.value(), junk);
            expected[i] = null == op.expected() ? ABSENT : valueIds.get(op.expected());
            final boolean known = Outcome.OK == operation.outcome();
            if (!known)
            {
                result[i] = UNKNOWN_RESULT;
            }
            else if (KvOp.Kind.GET == op.kind())
            {
                result[i] = null == operation.readValue() ? ABSENT : valueIds.get(operation.readValue());
            }
            else
            {
                result[i] = operation.swapped() ? 1 : 0;
            }
            unknown[i] = !known;
        }

        knownHead = 2 * count;
        knownTail = knownHead + 1;
        writerHead = knownHead + 2;
        writerTail = knownHead + 3;
        casBase = knownHead + 4;
        next = new int[casBase + 2 * valueCount];
        prev = new int[casBase + 2 * valueCount];
        bestPrefix = new int[count];
        rank = new int[2 * count];
        linkInTimeOrder();

        // Pairs for each operation, each value, and each value before an unknown operation just placed; seeded by
        // the key so that a run is reproducible.
        final SplittableRandom random = new SplittableRandom(0x5EED_F107_111AL ^ key.hashCode());
        zobristHigh = new long[count + 2 * valueCount];
        zobristLow = new long[count + 2 * valueCount];
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
        int depth = 0;
        int value = ABSENT;
        long high = 0;
        long low = 0;
        long steps = 0;
        boolean unknownPass = false;
        boolean casPass = false;
        int bound = -1;
        int entry = next[knownHead];

        while (next[knownHead] != knownTail)
        {
            if (++steps > maxSteps ||
                (0 == steps % TIME_CHECK_INTERVAL && System.nanoTime() - startNs > maxTimeNs))
            {
                return result(Verdict.UNKNOWN, steps, startNs);
            }

            if (!unknownPass && 1 == (entry & 1))
            {
                // The completed candidates before this return are tried; now the unknown ones invoked before it.
                unknownPass = true;
                bound = entry;
                // A blind write right after an unknown operation would hide it: go straight to compare-and-sets.
                casPass = depth > 0 && unknown[stackOp[depth - 1]];
                entry = casPass ? next[casHead(value)] : next[writerHead];
                continue;
            }

            if (unknownPass && !casPass && (writerTail == entry || rank[entry] > rank[bound]))
            {
                // Then the compare-and-sets that would swap: those expecting the current value.
                casPass = true;
                entry = next[casHead(value)];
                continue;
            }

            if (unknownPass && casPass && (casTail(value) == entry || rank[entry] > rank[bound]))
            {
                // Operation bound completed, yet nothing open before its return could be placed next: backtrack.
                if (depth > bestDepth)
                {
                    recordExplanation(stackOp, depth, bound);
                }
                if (0 == depth)
                {
                    return result(Verdict.NOT_LINEARIZABLE, steps, startNs);
                }
                depth--;
                unchangedDepth = Math.min(unchangedDepth, depth);
                final int undone = stackOp[depth];
                value = stackValue[depth];
                unlift(undone);
                high ^= zobristHigh[undone];
                low ^= zobristLow[undone];
                if (unknown[undone])
                {
                    casPass = KvOp.Kind.CAS == kinds[undone];
                    bound = firstKnownReturn();
                }
                else
                {
                    unknownPass = false;
                }
                entry = next[2 * undone];
                continue;
            }

            final int op = entry >> 1;
            final boolean afterUnknown = depth > 0 && unknown[stackOp[depth - 1]];
            final boolean candidate = unknown[op] ? isUseful(op, value, afterUnknown) :
                !afterUnknown || needsPrecedingUnknown(op, stackValue[depth - 1]);
            final int newValue = candidate ? step(op, value) : ILLEGAL;
            if (ILLEGAL != newValue)
            {
                long newHigh = high ^ zobristHigh[op] ^ zobristHigh[count + newValue];
                long newLow = low ^ zobristLow[op] ^ zobristLow[count + newValue];
                if (unknown[op])
                {
                    // What may be placed next depends on the value before this one, so it is part of the configuration.
                    newHigh ^= zobristHigh[count + valueCount + value];
                    newLow ^= zobristLow[count + valueCount + value];
                }
                if (memo.add(newHigh, newLow))
                {
                    stackOp[depth] = op;
                    stackValue[depth] = value;
                    depth++;
                    value = newValue;
                    high ^= zobristHigh[op];
                    low ^= zobristLow[op];
                    lift(op);
                    unknownPass = false;
                    casPass = false;
                    entry = next[knownHead];
                    continue;
                }
            }
            entry = next[entry];
        }
        return result(Verdict.LINEARIZABLE, steps, startNs);
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

    /**
     * Whether placing the unknown operation op next can matter: a compare-and-set that would not swap changes
     * nothing; a blind write right after another unknown operation hides it.
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

    private int firstKnownReturn()
    {
        int entry = next[knownHead];
        while (0 == (entry & 1))
        {
            entry = next[entry];
        }
        return entry;
    }

    private void lift(final int op)
    {
        unlink(2 * op);
        if (!unknown[op])
        {
            unlink(2 * op + 1);
        }
        else if (NONE != nextWriter[op])
        {
            // The next writer of the class takes its place, at its own time: later than this one.
            final int successor = 2 * nextWriter[op];
            int before = prev[2 * op];
            while (writerTail != next[before] && rank[next[before]] < rank[successor])
            {
                before = next[before];
            }
            prev[successor] = before;
            next[successor] = next[before];
            relink(successor);
        }
    }

    private void unlift(final int op)
    {
        if (!unknown[op])
        {
            relink(2 * op + 1);
        }
        else if (NONE != nextWriter[op])
        {
            unlink(2 * nextWriter[op]);
        }
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
        final int[] lastWriterOfClass = new int[valueCount];
        Arrays.fill(lastWriterOfClass, NONE);
        final Integer[] entries = new Integer[2 * count];
        final long[] times = new long[2 * count];
        for (int i = 0; i < count; i++)
        {
            entries[2 * i] = 2 * i;
            entries[2 * i + 1] = 2 * i + 1;
            times[2 * i] = operations.get(i).invokeNs();
            times[2 * i + 1] = !unknown[i] ? operations.get(i).completeNs() : Long.MAX_VALUE;
        }
        // On a tie a call goes before a return: operations that touch are taken as concurrent.
        Arrays.sort(entries, (a, b) -> times[a] != times[b] ? Long.compare(times[a], times[b]) :
            (a & 1) != (b & 1) ? Integer.compare(a & 1, b & 1) : Integer.compare(a, b));

        int lastKnown = knownHead;
        int lastWriter = writerHead;
        final int[] lastCas = new int[valueCount];
        for (int v = 0; v < valueCount; v++)
        {
            lastCas[v] = casHead(v);
        }
        for (int i = 0; i < entries.length; i++)
        {
            final int entry = entries[i];
            rank[entry] = i;
            if (!unknown[entry >> 1])
            {
                next[lastKnown] = entry;
                prev[entry] = lastKnown;
                lastKnown = entry;
            }
            else if (0 == (entry & 1) && KvOp.Kind.CAS == kinds[entry >> 1])
            {
                final int v = expected[entry >> 1];
                next[lastCas[v]] = entry;
                prev[entry] = lastCas[v];
                lastCas[v] = entry;
            }
            else if (0 == (entry & 1) && !isHiddenWriter(entry >> 1, lastWriterOfClass))
            {
                next[lastWriter] = entry;
                prev[entry] = lastWriter;
                lastWriter = entry;
            }
        }
        next[lastKnown] = knownTail;
        prev[knownTail] = lastKnown;
        next[lastWriter] = writerTail;
        prev[writerTail] = lastWriter;
        for (int v = 0; v < valueCount; v++)
        {
            next[lastCas[v]] = casTail(v);
            prev[casTail(v)] = lastCas[v];
        }
    }

    /**
     * Chain an unknown blind write to the previous one of its class (same value written); all but the first of a
     * class stay out of the list until the one before is placed, since two invoked ones are interchangeable.
     */
    private boolean isHiddenWriter(final int op, final int[] lastWriterOfClass)
    {
        if (KvOp.Kind.PUT != kinds[op] && KvOp.Kind.DELETE != kinds[op])
        {
            return false;
        }
        final int previous = lastWriterOfClass[written[op]];
        lastWriterOfClass[written[op]] = op;
        if (NONE == previous)
        {
            return false;
        }
        nextWriter[previous] = op;
        return true;
    }

    /**
     * Values some operation observes: a read returned them, or a compare-and-set expects them.
     */
    private Map<String, Integer> observedValueIds()
    {
        final Map<String, Integer> ids = new HashMap<>();
        for (final Operation operation : operations)
        {
            final String observed = KvOp.Kind.GET == operation.op().kind() ? operation.readValue() :
                operation.op().expected();
            if (null != observed)
            {
                ids.putIfAbsent(observed, ids.size() + 1);
            }
        }
        return ids;
    }

    private int casHead(final int value)
    {
        return casBase + 2 * value;
    }

    private int casTail(final int value)
    {
        return casBase + 2 * value + 1;
    }

    private void recordExplanation(final int[] stackOp, final int depth, final int returnEntry)
    {
        // Below unchangedDepth the stack is as it was at the last record: copy only the rest (amortized O(1)).
        System.arraycopy(stackOp, unchangedDepth, bestPrefix, unchangedDepth, depth - unchangedDepth);
        bestDepth = depth;
        unchangedDepth = depth;
        unplaceable = returnEntry >> 1;
        final int[] open = new int[MAX_CONCURRENT_SHOWN];
        int openCount = 0;
        for (final int head : new int[]{knownHead, writerHead})
        {
            for (int e = next[head]; rank.length > e && rank[e] < rank[returnEntry]; e = next[e])
            {
                if (0 == (e & 1) && (e >> 1) != unplaceable && openCount < MAX_CONCURRENT_SHOWN)
                {
                    open[openCount++] = e >> 1;
                }
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
        final List<Operation> prefix = operationsAt(Arrays.copyOf(bestPrefix, bestDepth));
        return new KeyResult(key, verdict, count, steps, elapsedNs, prefix, valueAfter(prefix),
            operations.get(unplaceable), operationsAt(concurrent));
    }

    /**
     * Replay a linearization on real values (the model merges the unobserved ones) to show the value it leaves.
     */
    private static String valueAfter(final List<Operation> linearization)
    {
        String value = null;
        for (final Operation operation : linearization)
        {
            final KvOp op = operation.op();
            final boolean swaps = KvOp.Kind.CAS == op.kind() &&
                (Outcome.OK == operation.outcome() ? operation.swapped() : Objects.equals(value, op.expected()));
            if (KvOp.Kind.PUT == op.kind() || swaps)
            {
                value = op.value();
            }
            else if (KvOp.Kind.DELETE == op.kind())
            {
                value = null;
            }
        }
        return value;
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
}
