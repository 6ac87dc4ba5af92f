package io.flotilla.samples.verify;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryRecorderTest
{
    private final LinearizabilityChecker checker = new LinearizabilityChecker(5_000_000, TimeUnit.SECONDS.toNanos(60));

    @Test
    void recordsEveryOutcomeWithItsTimes()
    {
        final AtomicLong clock = new AtomicLong();
        final StringWriter eventLog = new StringWriter();
        final HistoryRecorder recorder = new HistoryRecorder(() -> clock.addAndGet(10), eventLog);
        final long put = recorder.invoke(0, KvOp.put("k", "a"));          // 10
        final long get = recorder.invoke(1, KvOp.get("k"));               // 20
        recorder.ok(put);                                                 // 30
        recorder.ok(get, "a");                                            // 40
        final long cas = recorder.invoke(0, KvOp.cas("k", "a", "b"));     // 50
        recorder.ok(cas, true);                                           // 60
        final long delete = recorder.invoke(1, KvOp.delete("k"));         // 70
        recorder.fail(delete);                                            // 80
        final long timedOut = recorder.invoke(2, KvOp.put("k", "c"));     // 90
        recorder.info(timedOut);                                          // 100
        final long inFlight = recorder.invoke(3, KvOp.get("k"));          // 110
        assertEquals(1, recorder.inFlightCount());

        final List<Operation> operations = recorder.history().operations();
        assertEquals(List.of(
            new Operation(put, 0, KvOp.put("k", "a"), 10, Outcome.OK, 30, null, false),
            new Operation(get, 1, KvOp.get("k"), 20, Outcome.OK, 40, "a", false),
            new Operation(cas, 0, KvOp.cas("k", "a", "b"), 50, Outcome.OK, 60, null, true),
            new Operation(delete, 1, KvOp.delete("k"), 70, Outcome.FAIL, 80, null, false),
            new Operation(timedOut, 2, KvOp.put("k", "c"), 90, Outcome.UNKNOWN, 100, null, false),
            new Operation(inFlight, 3, KvOp.get("k"), 110, Outcome.UNKNOWN, Operation.NEVER, null, false)),
            operations);
        assertFalse(operations.get(5).completed());
        assertEquals(Verdict.LINEARIZABLE, checker.check(recorder.history()).verdict());

        recorder.flush();
        assertEquals(recorder.history(), readLog(eventLog), "the event log holds the same history, as it happened");
        assertEquals(1 + 6 + 5, eventLog.toString().split("\n").length);
    }

    @Test
    void rejectsACompletionThatDoesNotFit()
    {
        final HistoryRecorder recorder = new HistoryRecorder();
        final long get = recorder.invoke(0, KvOp.get("k"));
        final long put = recorder.invoke(0, KvOp.put("k", "v"));
        final long cas = recorder.invoke(0, KvOp.cas("k", null, "v"));

        assertThrows(IllegalArgumentException.class, () -> recorder.ok(get));
        assertThrows(IllegalArgumentException.class, () -> recorder.ok(get, true));
        assertThrows(IllegalArgumentException.class, () -> recorder.ok(put, "v"));
        assertThrows(IllegalArgumentException.class, () -> recorder.ok(cas, "v"));
        assertThrows(IllegalStateException.class, () -> recorder.ok(99));
        assertEquals(3, recorder.inFlightCount(), "a rejected completion leaves the operation in flight");

        recorder.ok(get, null);
        recorder.ok(put);
        recorder.ok(cas, false);
        assertThrows(IllegalStateException.class, () -> recorder.info(put));
        assertEquals(0, recorder.inFlightCount());
        assertNull(recorder.history().operations().get(0).readValue());
    }

    @Test
    void rejectsMalformedOperations()
    {
        assertThrows(NullPointerException.class, () -> KvOp.get(null));
        assertThrows(IllegalArgumentException.class, () -> KvOp.put("k", null));
        assertThrows(IllegalArgumentException.class, () -> KvOp.cas("k", "a", null));
        assertThrows(IllegalArgumentException.class, () -> new KvOp(KvOp.Kind.GET, "k", "v", null));
        assertThrows(IllegalArgumentException.class, () -> new KvOp(KvOp.Kind.CLEAR, "k", null, null));
        assertThrows(IllegalArgumentException.class,
            () -> new Operation(0, 0, KvOp.get("k"), 10, Outcome.OK, 5, null, false));
        assertThrows(IllegalArgumentException.class,
            () -> new Operation(0, 0, KvOp.put("k", "v"), 10, Outcome.OK, Operation.NEVER, null, false));
        assertThrows(IllegalArgumentException.class,
            () -> new Operation(0, 0, KvOp.put("k", "v"), 10, Outcome.OK, 20, "v", false));
    }

    @Test
    void concurrentClientsOfALinearizableStoreRecordALinearizableHistory() throws Exception
    {
        final StringWriter eventLog = new StringWriter();
        final HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, eventLog);
        final Map<String, String> store = new HashMap<>();
        final int clients = 6;
        final int operationsPerClient = 1500;
        final ExecutorService executor = Executors.newFixedThreadPool(clients);
        try
        {
            final Future<?>[] futures = new Future<?>[clients];
            for (int c = 0; c < clients; c++)
            {
                final int process = c;
                futures[c] = executor.submit(() -> runClient(process, operationsPerClient, recorder, store));
            }
            for (final Future<?> future : futures)
            {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }

        final History history = recorder.history();
        assertEquals(clients * operationsPerClient, history.operations().size());
        assertEquals(history, readLog(eventLog));
        final CheckResult result = checker.check(history);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.report());
        System.out.println("recorded " + history.operations().size() + " operations from " + clients +
            " threads: " + result.report());
    }

    @Test
    void storeThatLosesAcknowledgedWritesIsCaught()
    {
        // Each client reads its own key right after writing it; the store acknowledges every 7th put without
        // applying it, so the read that follows sees the older value.
        final HistoryRecorder recorder = new HistoryRecorder();
        final Map<String, String> store = new HashMap<>();
        int puts = 0;
        for (int i = 0; i < 100; i++)
        {
            final String key = "k" + (i % 3);
            final long put = recorder.invoke(i % 3, KvOp.put(key, "v" + i));
            if (++puts % 7 != 0)
            {
                store.put(key, "v" + i);
            }
            recorder.ok(put);
            final long get = recorder.invoke(i % 3, KvOp.get(key));
            recorder.ok(get, store.get(key));
        }

        final CheckResult result = checker.check(recorder.history());
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result.report());
        final Operation lostRead = result.firstViolation().unplaceable();
        assertEquals(KvOp.Kind.GET, lostRead.op().kind());
        assertTrue(result.report().contains("#" + lostRead.id()), result.report());
    }

    private static History readLog(final StringWriter eventLog)
    {
        try
        {
            return HistoryFormat.read(new BufferedReader(new StringReader(eventLog.toString())));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A client of a store guarded by a lock: the operation takes effect inside its recorded interval. Some requests
     * time out (applied or not: unknown) and some are refused (not applied: failed).
     */
    private static void runClient(
        final int process, final int operations, final HistoryRecorder recorder, final Map<String, String> store)
    {
        final Random random = new Random(process);
        for (int i = 0; i < operations; i++)
        {
            final String key = "k" + random.nextInt(4);
            final String value = process + "-" + i;
            final KvOp op;
            switch (random.nextInt(4))
            {
                case 0:
                    op = KvOp.put(key, value);
                    break;
                case 1:
                    op = KvOp.delete(key);
                    break;
                case 2:
                    op = KvOp.cas(key, process + "-" + (i - 1 - random.nextInt(2)), value);
                    break;
                default:
                    op = KvOp.get(key);
            }
            final long id = recorder.invoke(process, op);
            final int fault = random.nextInt(100);
            if (fault < 1)
            {
                recorder.fail(id);
                continue;
            }
            final Object result = fault < 3 && random.nextBoolean() ? null : apply(store, op);
            if (fault < 3)
            {
                recorder.info(id);
            }
            else if (KvOp.Kind.GET == op.kind())
            {
                recorder.ok(id, (String)result);
            }
            else if (KvOp.Kind.CAS == op.kind())
            {
                recorder.ok(id, (boolean)(Boolean)result);
            }
            else
            {
                recorder.ok(id);
            }
        }
    }

    private static Object apply(final Map<String, String> store, final KvOp op)
    {
        synchronized (store)
        {
            switch (op.kind())
            {
                case PUT:
                    return store.put(op.key(), op.value());
                case DELETE:
                    return store.remove(op.key());
                case CAS:
                    if (Objects.equals(store.get(op.key()), op.expected()))
                    {
                        store.put(op.key(), op.value());
                        return true;
                    }
                    return false;
                default:
                    return store.get(op.key());
            }
        }
    }
}
