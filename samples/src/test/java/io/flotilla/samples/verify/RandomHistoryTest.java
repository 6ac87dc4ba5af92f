package io.flotilla.samples.verify;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized checks with fixed seeds: histories generated from a real sequential execution must pass, the same
 * histories with one read falsified must fail, and on small histories the checker must agree with brute force.
 */
class RandomHistoryTest
{
    private final LinearizabilityChecker checker = new LinearizabilityChecker(5_000_000, TimeUnit.SECONDS.toNanos(60));

    @Test
    void generatedHistoriesAreLinearizable()
    {
        for (long seed = 0; seed < 200; seed++)
        {
            final History history = new RandomHistories(seed, 5, 3, 0.05, 0.03).generate(300);
            final CheckResult result = checker.check(history);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), "seed " + seed + ": " + result.report());
        }
    }

    @Test
    void readOfAValueNeverWrittenIsDetected()
    {
        final Random random = new Random(7);
        for (long seed = 0; seed < 100; seed++)
        {
            final History history = new RandomHistories(seed, 5, 3, 0.05, 0.03).generate(300);
            final List<Integer> reads = completedReads(history);
            final Operation read = history.operations().get(reads.get(random.nextInt(reads.size())));
            final History mutated = replace(history, withRead(read, "never-written"));

            final CheckResult result = checker.check(mutated);
            assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), "seed " + seed + ": " + result.report());
            assertEquals(read.op().key(), result.firstViolation().key(), "seed " + seed);
        }
    }

    @Test
    void staleReadIsDetected()
    {
        int mutations = 0;
        for (long seed = 0; seed < 100; seed++)
        {
            final History history = new RandomHistories(seed, 5, 3, 0.05, 0.03).generate(300);
            final Operation stale = staleReadMutation(history, new Random(seed));
            if (null == stale)
            {
                continue;
            }
            mutations++;
            final CheckResult result = checker.check(replace(history, stale));
            assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), "seed " + seed + ": " + result.report());
            assertEquals(stale.op().key(), result.firstViolation().key(), "seed " + seed);
        }
        assertTrue(mutations > 50, "too few histories had a read to falsify: " + mutations);
    }

    @Test
    void agreesWithBruteForceOnSmallHistories()
    {
        assertAgreesWithBruteForce(2, 0, 7, 0.15);
    }

    @Test
    void agreesWithBruteForceWhenUnknownOutcomesAndRepeatedValuesAbound()
    {
        assertAgreesWithBruteForce(2, 3, 9, 0.4);
        assertAgreesWithBruteForce(1, 2, 12, 0.3);
    }

    private void assertAgreesWithBruteForce(
        final int keys, final int distinctValues, final int length, final double unknownRate)
    {
        final Random random = new Random(11);
        int linearizableMutants = 0;
        int violatingMutants = 0;
        for (long seed = 0; seed < 3000; seed++)
        {
            final History history = new RandomHistories(seed, 3, keys, unknownRate, 0.1)
                .distinctValues(distinctValues).generate(length);
            assertEquals(Verdict.LINEARIZABLE, checker.check(history).verdict(), "seed " + seed);
            assertTrue(new ReferenceChecker(history).isLinearizable(), "seed " + seed);

            final History mutated = mutateAResult(history, random);
            if (null == mutated)
            {
                continue;
            }
            final boolean expected = new ReferenceChecker(mutated).isLinearizable();
            final CheckResult result = checker.check(mutated);
            assertEquals(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE, result.verdict(),
                "seed " + seed + ": " + result.report());
            if (expected)
            {
                linearizableMutants++;
            }
            else
            {
                violatingMutants++;
            }
        }
        System.out.println("brute-force agreement (" + keys + " keys, " + distinctValues + " distinct values, " +
            length + " operations, " + unknownRate + " unknown): " + linearizableMutants +
            " mutants still linearizable, " + violatingMutants + " not");
        assertTrue(linearizableMutants > 100 && violatingMutants > 300,
            linearizableMutants + " linearizable and " + violatingMutants + " violating mutants");
    }

    @Test
    void tenThousandOperationsCheckQuickly()
    {
        // 10k operations, 10 keys, 5 processes: report the time (no assertion on it); the budget keeps it bounded.
        for (final double unknownRate : new double[]{0.0, 0.02})
        {
            final History history = new RandomHistories(42, 5, 10, unknownRate, 0.01).generate(10_000);
            final CheckResult result = checker.check(history);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.report());
            final Operation stale = staleReadMutation(history, new Random(42));
            final CheckResult mutated = checker.check(replace(history, stale));
            assertEquals(Verdict.NOT_LINEARIZABLE, mutated.verdict(), mutated.report());
            System.out.printf("10k ops, 10 keys, 5 processes, %.0f%% unknown, 1%% failed: linearizable in %d ms, " +
                "stale read found in %d ms, %d steps on the busiest key%n", unknownRate * 100,
                result.elapsedNs() / 1_000_000, mutated.elapsedNs() / 1_000_000,
                result.keys().stream().mapToLong(KeyResult::steps).max().orElse(0));
        }
    }

    private static List<Integer> completedReads(final History history)
    {
        final List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < history.operations().size(); i++)
        {
            final Operation operation = history.operations().get(i);
            if (KvOp.Kind.GET == operation.op().kind() && Outcome.OK == operation.outcome())
            {
                reads.add(i);
            }
        }
        return reads;
    }

    /**
     * A read made to return a value that two completed writes had already replaced, one after the other, before
     * the read began; written values are unique, so this is always a violation.
     */
    private static Operation staleReadMutation(final History history, final Random random)
    {
        final List<Integer> reads = completedReads(history);
        final List<Operation> operations = history.operations();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final Operation read = operations.get(reads.get(random.nextInt(reads.size())));
            for (final Operation later : operations)
            {
                if (!completedWrite(later, read.op().key()) || later.completeNs() >= read.invokeNs())
                {
                    continue;
                }
                for (final Operation earlier : operations)
                {
                    if (completedWrite(earlier, read.op().key()) && null != earlier.op().value() &&
                        earlier.completeNs() < later.invokeNs() && !earlier.op().value().equals(read.readValue()))
                    {
                        return withRead(read, earlier.op().value());
                    }
                }
            }
        }
        return null;
    }

    private static boolean completedWrite(final Operation operation, final String key)
    {
        final KvOp.Kind kind = operation.op().kind();
        return Outcome.OK == operation.outcome() && key.equals(operation.op().key()) &&
            (KvOp.Kind.PUT == kind || KvOp.Kind.DELETE == kind || (KvOp.Kind.CAS == kind && operation.swapped()));
    }

    /**
     * One completed read given another value of the history (or absent), or one completed cas's result flipped.
     */
    private static History mutateAResult(final History history, final Random random)
    {
        final List<Operation> candidates = new ArrayList<>();
        final Set<String> values = new HashSet<>();
        values.add(null);
        for (final Operation operation : history.operations())
        {
            if (null != operation.op().value())
            {
                values.add(operation.op().value());
            }
            final KvOp.Kind kind = operation.op().kind();
            if (Outcome.OK == operation.outcome() && (KvOp.Kind.GET == kind || KvOp.Kind.CAS == kind))
            {
                candidates.add(operation);
            }
        }
        if (candidates.isEmpty())
        {
            return null;
        }
        final Operation target = candidates.get(random.nextInt(candidates.size()));
        if (KvOp.Kind.CAS == target.op().kind())
        {
            return replace(history, new Operation(target.id(), target.process(), target.op(), target.invokeNs(),
                target.outcome(), target.completeNs(), null, !target.swapped()));
        }
        values.remove(target.readValue());
        if (values.isEmpty())
        {
            return null;
        }
        final List<String> others = new ArrayList<>(values);
        others.sort((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
        return replace(history, withRead(target, others.get(random.nextInt(others.size()))));
    }

    private static Operation withRead(final Operation read, final String value)
    {
        return new Operation(read.id(), read.process(), read.op(), read.invokeNs(), read.outcome(),
            read.completeNs(), value, false);
    }

    private static History replace(final History history, final Operation replacement)
    {
        final List<Operation> operations = new ArrayList<>(history.operations());
        operations.replaceAll((o) -> o.id() == replacement.id() ? replacement : o);
        return History.of(operations);
    }
}
