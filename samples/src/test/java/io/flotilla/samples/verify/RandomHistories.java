package io.flotilla.samples.verify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Linearizable histories by construction: operations from several sequential processes get random overlapping
 * intervals and a linearization point inside each one; the results are those of running the applied operations on
 * a map in linearization-point order. Written values are unique unless asked otherwise. Some outcomes are unknown
 * (applied within or after their interval, or not at all), some failed (not applied), and the last operations may
 * never complete. A compare-and-set expects a recent value of an applied write, or absent, as a client that read it
 * would.
 */
final class RandomHistories
{
    private final Random random;
    private final int processes;
    private final int keys;
    private final double unknownRate;
    private final double failRate;
    private int distinctValues;

    RandomHistories(
        final long seed, final int processes, final int keys, final double unknownRate, final double failRate)
    {
        this.random = new Random(seed);
        this.processes = processes;
        this.keys = keys;
        this.unknownRate = unknownRate;
        this.failRate = failRate;
    }

    /**
     * Draw written values from a few instead of making each unique, so that writes repeat values.
     */
    RandomHistories distinctValues(final int count)
    {
        distinctValues = count;
        return this;
    }

    History generate(final int operationCount)
    {
        final List<Draft> drafts = new ArrayList<>(operationCount);
        final long[] processTime = new long[processes];
        final Map<String, List<String>> writtenSoFar = new HashMap<>();
        for (int i = 0; i < operationCount; i++)
        {
            final int process = random.nextInt(processes);
            final long invoke = processTime[process] + random.nextInt(30);
            final long duration = 2 + random.nextInt(100);
            final double roll = random.nextDouble();
            final boolean applied = roll >= unknownRate + failRate || (roll < unknownRate && random.nextBoolean());
            final Draft draft = new Draft(i, process, nextOp(i, applied, writtenSoFar), invoke, invoke + duration);
            draft.applied = applied;
            if (roll < unknownRate)
            {
                draft.outcome = Outcome.UNKNOWN;
                // An unknown operation may still take effect well after the client gave up.
                draft.point = invoke + 1 + random.nextInt((int)duration * (random.nextBoolean() ? 1 : 5));
                if (operationCount - i <= processes && random.nextBoolean())
                {
                    draft.complete = Operation.NEVER;
                }
            }
            else if (roll < unknownRate + failRate)
            {
                draft.outcome = Outcome.FAIL;
            }
            processTime[process] = invoke + duration;
            drafts.add(draft);
        }

        final List<Draft> byPoint = new ArrayList<>(drafts);
        byPoint.sort(Comparator.comparingLong((Draft d) -> d.point).thenComparingInt((d) -> d.index));
        final Map<String, String> store = new HashMap<>();
        for (final Draft draft : byPoint)
        {
            if (draft.applied)
            {
                draft.execute(store);
            }
        }

        final List<Operation> operations = new ArrayList<>(operationCount);
        for (final Draft draft : drafts)
        {
            operations.add(draft.toOperation());
        }
        return History.of(operations);
    }

    private KvOp nextOp(final int index, final boolean applied, final Map<String, List<String>> writtenSoFar)
    {
        final String key = "k" + random.nextInt(keys);
        final List<String> written = writtenSoFar.computeIfAbsent(key, (k) -> new ArrayList<>());
        final String value = "v" + (0 == distinctValues ? index : random.nextInt(distinctValues));
        final int roll = random.nextInt(10);
        if (roll < 4)
        {
            return KvOp.get(key);
        }
        if (roll < 7)
        {
            if (applied)
            {
                written.add(value);
            }
            return KvOp.put(key, value);
        }
        if (roll < 8)
        {
            return KvOp.delete(key);
        }
        // Expect one of the latest values written, or absent, so that some swaps succeed and some do not.
        final String expected = written.isEmpty() || random.nextInt(4) == 0 ?
            null : written.get(Math.max(0, written.size() - 1 - random.nextInt(2)));
        if (applied)
        {
            written.add(value);
        }
        return KvOp.cas(key, expected, value);
    }

    private final class Draft
    {
        final int index;
        final int process;
        final KvOp op;
        final long invoke;
        long complete;
        long point;
        Outcome outcome = Outcome.OK;
        boolean applied = true;
        String readValue;
        boolean swapped;

        Draft(final int index, final int process, final KvOp op, final long invoke, final long complete)
        {
            this.index = index;
            this.process = process;
            this.op = op;
            this.invoke = invoke;
            this.complete = complete;
            this.point = invoke + 1 + random.nextInt((int)(complete - invoke - 1));
        }

        void execute(final Map<String, String> store)
        {
            switch (op.kind())
            {
                case PUT:
                    store.put(op.key(), op.value());
                    break;
                case DELETE:
                    store.remove(op.key());
                    break;
                case GET:
                    readValue = store.get(op.key());
                    break;
                case CAS:
                    swapped = Objects.equals(store.get(op.key()), op.expected());
                    if (swapped)
                    {
                        store.put(op.key(), op.value());
                    }
                    break;
                default:
                    throw new IllegalStateException(op.toString());
            }
        }

        Operation toOperation()
        {
            final boolean ok = Outcome.OK == outcome;
            return new Operation(index, process, op, invoke, outcome, complete, ok ? readValue : null, ok && swapped);
        }
    }
}
