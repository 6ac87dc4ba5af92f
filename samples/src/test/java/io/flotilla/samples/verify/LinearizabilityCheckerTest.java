package io.flotilla.samples.verify;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearizabilityCheckerTest
{
    private static final String K = "k";

    private final LinearizabilityChecker checker = new LinearizabilityChecker(1_000_000, TimeUnit.SECONDS.toNanos(30));

    @Test
    void emptyHistoryIsLinearizable()
    {
        assertLinearizable(new HistoryBuilder());
    }

    @Test
    void sequentialHistoryIsLinearizable()
    {
        assertLinearizable(new HistoryBuilder()
            .get(0, K, null, 0, 1)
            .cas(0, K, null, "a", true, 2, 3)
            .put(1, K, "b", 4, 5)
            .get(0, K, "b", 6, 7)
            .cas(1, K, "a", "c", false, 8, 9)
            .cas(0, K, "b", "c", true, 10, 11)
            .delete(1, K, 12, 13)
            .get(0, K, null, 14, 15)
            .cas(1, K, "c", "d", false, 16, 17)
            .cas(0, K, null, "e", true, 18, 19)
            .get(1, K, "e", 20, 21));
    }

    @Test
    void sequentialReadOfTheWrongValueIsNot()
    {
        final CheckResult result = assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 1)
            .get(0, K, "b", 2, 3));
        assertEquals(1, result.firstViolation().unplaceable().id());
    }

    @Test
    void overlappingOperationsMayTakeEffectInEitherOrder()
    {
        // A read concurrent with a write may see the value before or after it; concurrent writes may land in either
        // order, as long as every later read agrees on the order.
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 100)
            .get(1, K, null, 10, 20)
            .get(2, K, "a", 30, 40)
            .put(1, K, "b", 110, 200)
            .put(2, K, "c", 120, 210)
            .get(0, K, "b", 150, 160)
            .get(0, K, "c", 220, 230)
            .get(1, K, "c", 240, 250));
    }

    @Test
    void readsMustNotGoBackInTimeDuringAWrite()
    {
        // The first read saw the write, so the write took effect before the second read began.
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 100)
            .get(1, K, "a", 10, 20)
            .get(2, K, null, 30, 40));
    }

    @Test
    void concurrentWritesMustBeSeenInOneOrder()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .put(1, K, "b", 0, 10)
            .get(2, K, "b", 20, 30)
            .get(2, K, "a", 40, 50));
    }

    @Test
    void touchingOperationsAreConcurrent()
    {
        // The read began in the very nanosecond the write completed: with clocks that coarse, either may be first.
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 5)
            .get(1, K, null, 5, 6));
    }

    @Test
    void staleReadAfterLeaderChangeIsDetected()
    {
        final HistoryBuilder history = new HistoryBuilder()
            .put(0, K, "1", 0, 10)          // committed by the old leader
            .put(0, K, "2", 20, 30);        // committed by the new leader after an election
        history.get(1, K, "1", 40, 50);     // answered by the deposed leader from its stale state
        final long staleRead = history.lastId();

        final CheckResult result = assertNotLinearizable(history);
        final KeyResult violation = result.firstViolation();
        assertEquals(K, violation.key());
        assertEquals(staleRead, violation.unplaceable().id());
        assertEquals("2", violation.valueAfterPrefix());
        assertEquals(List.of(0L, 1L), ids(violation.longestPrefix()));
        assertTrue(result.report().contains("#" + staleRead), result.report());
    }

    @Test
    void lostAcknowledgedWriteIsDetected()
    {
        // "2" was acknowledged, yet later reads only ever see the older value.
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .put(1, K, "2", 20, 30)
            .get(2, K, "1", 100, 110)
            .get(0, K, "1", 120, 130));
    }

    @Test
    void lostAcknowledgedFirstWriteIsDetected()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .get(1, K, null, 20, 30));
    }

    @Test
    void putAppliedTwiceIsDetected()
    {
        // "1" is visible, overwritten, then visible again with no new put of it: the first put was applied twice.
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .get(1, K, "1", 20, 30)
            .put(0, K, "2", 40, 50)
            .get(1, K, "2", 60, 70)
            .get(2, K, "1", 80, 90));
    }

    @Test
    void casSucceedingTwiceIsDetected()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "0", 0, 10)
            .cas(1, K, "0", "1", true, 20, 30)
            .cas(2, K, "0", "1", true, 40, 50));
    }

    @Test
    void twoConcurrentCasCannotBothWin()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "0", 0, 10)
            .cas(1, K, "0", "1", true, 20, 60)
            .cas(2, K, "0", "2", true, 30, 50));
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "0", 0, 10)
            .cas(1, K, "0", "1", true, 20, 60)
            .cas(2, K, "0", "2", false, 30, 50));
    }

    @Test
    void casReappliedAfterAnOverwriteIsDetected()
    {
        // The cas's value reappears after a later put replaced it: the cas was applied a second time.
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .cas(1, K, "a", "b", true, 20, 30)
            .put(0, K, "a", 40, 50)
            .get(2, K, "a", 60, 70)
            .get(2, K, "b", 80, 90));
    }

    @Test
    void failedComparisonIsAnObservation()
    {
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .cas(1, K, "b", "c", false, 20, 30)
            .get(2, K, "a", 40, 50));
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .cas(1, K, "a", "c", false, 20, 30));
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .cas(1, K, null, "c", true, 20, 30));
    }

    @Test
    void unknownWriteMustBeConsideredApplied()
    {
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.put(K, "2"), 20, 30)
            .get(2, K, "2", 40, 50));
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .pending(1, KvOp.put(K, "2"), 20)
            .get(2, K, "2", 40, 50));
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .info(1, KvOp.cas(K, "a", "b"), 20, 30)
            .get(2, K, "b", 40, 50));
    }

    @Test
    void unknownWriteMayTakeEffectAfterItTimedOut()
    {
        // The client gave up at 30, but the entry was still committed later (by a new leader, say).
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.put(K, "2"), 20, 30)
            .put(0, K, "3", 40, 50)
            .get(2, K, "3", 60, 70)
            .get(2, K, "2", 80, 90));
    }

    @Test
    void unknownWriteMustBeConsideredNotApplied()
    {
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.put(K, "2"), 20, 30)
            .get(2, K, "1", 40, 50)
            .get(0, K, "1", 1000, 1010));
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .info(1, KvOp.cas(K, "a", "b"), 20, 30)
            .get(2, K, "a", 40, 50));
        assertLinearizable(new HistoryBuilder()
            .put(0, K, "a", 0, 10)
            .info(1, KvOp.delete(K), 20, 30)
            .get(2, K, "a", 40, 50)
            .pending(2, KvOp.delete(K), 60));
    }

    @Test
    void unknownWriteTakesEffectAtMostOnce()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.put(K, "2"), 20, 30)
            .get(2, K, "2", 40, 50)
            .put(0, K, "3", 60, 70)
            .get(2, K, "3", 80, 90)
            .get(2, K, "2", 100, 110));
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItsInvocation()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .get(2, K, "2", 20, 30)
            .info(1, KvOp.put(K, "2"), 40, 50));
    }

    @Test
    void unknownCasAppliesOnlyIfItsComparisonHolds()
    {
        // Whenever the cas could have run, the value was "x", so it cannot have produced "b".
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "x", 0, 10)
            .info(1, KvOp.cas(K, "a", "b"), 20, 30)
            .get(2, K, "b", 40, 50));
    }

    @Test
    void failedOperationIsDefinitelyNotApplied()
    {
        assertNotLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .fail(1, KvOp.put(K, "2"), 20, 30)
            .get(2, K, "2", 40, 50));
        final CheckResult result = assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .fail(1, KvOp.put(K, "2"), 20, 30)
            .get(2, K, "1", 40, 50));
        assertEquals(1, result.droppedCount());
    }

    @Test
    void readsOfUnknownOutcomeConstrainNothing()
    {
        final CheckResult result = assertLinearizable(new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.get(K), 20, 30)
            .pending(2, KvOp.get(K), 40));
        assertEquals(2, result.droppedCount());
    }

    @Test
    void keysAreCheckedIndependentlyAndTheEarliestViolationIsNamed()
    {
        final CheckResult result = assertNotLinearizable(new HistoryBuilder()
            .put(0, "a", "1", 0, 10)
            .put(1, "c", "1", 5, 15)
            .put(2, "b", "1", 10, 20)
            .put(0, "c", "2", 20, 30)
            .get(0, "c", "1", 300, 310)           // stale, but shows late
            .put(1, "b", "2", 40, 50)
            .get(2, "b", "1", 100, 110)           // stale, shows first
            .get(1, "a", "1", 120, 130));

        assertEquals("b", result.firstViolation().key());
        assertEquals(List.of("a", "c", "b"), result.keys().stream().map(KeyResult::key).collect(Collectors.toList()));
        assertEquals(Verdict.LINEARIZABLE, result.keys().get(0).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.keys().get(1).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.keys().get(2).verdict());
    }

    @Test
    void historyWithClearIsRejected()
    {
        final History history = new HistoryBuilder()
            .put(0, K, "1", 0, 10)
            .info(1, KvOp.clear(), 20, 30)
            .build();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> checker.check(history));
        assertTrue(ex.getMessage().contains("clear"), ex.getMessage());
    }

    @Test
    void exhaustedBudgetIsUnknownNeverLinearizable()
    {
        // Twelve concurrent writes and a read of a value nobody wrote: proving it wrong means trying every subset.
        final HistoryBuilder history = new HistoryBuilder();
        for (int i = 0; i < 12; i++)
        {
            history.put(i, K, "v" + i, 0, 100);
        }
        history.get(12, K, "nobody", 200, 210);
        history.put(0, "other", "1", 0, 10);

        final CheckResult result = new LinearizabilityChecker(1_000, TimeUnit.SECONDS.toNanos(30))
            .check(history.build());
        assertEquals(Verdict.UNKNOWN, result.verdict());
        assertFalse(result.isLinearizable());
        assertNull(result.firstViolation());
        assertEquals(Verdict.UNKNOWN, result.keys().get(0).verdict());
        assertEquals(Verdict.LINEARIZABLE, result.keys().get(1).verdict());
        assertTrue(result.report().contains(LinearizabilityChecker.MAX_STEPS_PROP_NAME), result.report());

        final CheckResult outOfTime = new LinearizabilityChecker(Long.MAX_VALUE, 1).check(history.build());
        assertEquals(Verdict.UNKNOWN, outOfTime.verdict(), outOfTime.report());

        final CheckResult decided = checker.check(history.build());
        assertEquals(Verdict.NOT_LINEARIZABLE, decided.verdict(), decided.report());
    }

    @Test
    void badBudgetIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new LinearizabilityChecker(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LinearizabilityChecker(1, 0));
    }

    private CheckResult assertLinearizable(final HistoryBuilder history)
    {
        final CheckResult result = checker.check(history.build());
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.report());
        assertNull(result.firstViolation());
        return result;
    }

    private CheckResult assertNotLinearizable(final HistoryBuilder history)
    {
        final CheckResult result = checker.check(history.build());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result.report());
        assertNotNull(result.firstViolation());
        assertNotNull(result.firstViolation().unplaceable());
        return result;
    }

    private static List<Long> ids(final List<Operation> operations)
    {
        return operations.stream().map(Operation::id).collect(Collectors.toList());
    }
}
