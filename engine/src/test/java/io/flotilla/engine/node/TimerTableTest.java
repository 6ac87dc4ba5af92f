package io.flotilla.engine.node;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerTableTest
{
    @Test
    void scheduleReplacesCancelAnswersWhetherScheduled()
    {
        final TimerTable timers = new TimerTable();
        assertEquals(TimerTable.NO_DEADLINE, timers.earliestDeadline());
        assertFalse(timers.cancel(7));

        timers.schedule(7, 500);
        timers.schedule(8, 300);
        assertEquals(300, timers.earliestDeadline());
        timers.schedule(8, 900);
        assertEquals(2, timers.size(), "rescheduling an id replaces its deadline");
        assertEquals(500, timers.earliestDeadline());
        assertEquals(900, timers.deadlineOf(8));

        assertTrue(timers.cancel(7));
        assertFalse(timers.cancel(7), "cancelled already");
        assertEquals(TimerTable.NO_DEADLINE, timers.deadlineOf(7));
        assertEquals(900, timers.earliestDeadline());
    }

    @Test
    void dueTimersFireOnceInOrderOfDeadlineThenIdAndNeverEarly()
    {
        final TimerTable timers = new TimerTable();
        timers.schedule(3, 200);
        timers.schedule(-5, 200);
        timers.schedule(1, 100);
        timers.schedule(9, 201);
        timers.schedule(Long.MIN_VALUE, 300);

        final List<Long> fired = new ArrayList<>();
        assertEquals(0, timers.fireDue(99, fired::add));
        assertEquals(3, timers.fireDue(200, fired::add));
        assertEquals(List.of(1L, -5L, 3L), fired);
        assertEquals(0, timers.fireDue(200, fired::add), "a fired timer does not fire again");
        assertEquals(2, timers.fireDue(Long.MAX_VALUE, fired::add));
        assertEquals(List.of(1L, -5L, 3L, 9L, Long.MIN_VALUE), fired);
        assertEquals(0, timers.size());
    }

    @Test
    void aTimerCanRescheduleItselfAndCancelOthersWhileFiring()
    {
        final TimerTable timers = new TimerTable();
        timers.schedule(1, 10);
        timers.schedule(2, 10);
        timers.schedule(3, 20);
        final List<Long> fired = new ArrayList<>();
        timers.fireDue(20, (id) ->
        {
            fired.add(id);
            if (1 == id)
            {
                assertTrue(timers.cancel(2));
                timers.schedule(1, 50);
                timers.schedule(4, 15);
            }
        });
        assertEquals(List.of(1L, 4L, 3L), fired, "a timer scheduled at or before the time reached fires in the same call");
        assertEquals(50, timers.deadlineOf(1));
        assertEquals(1, timers.size());
    }

    @Test
    void snapshotRoundTripKeepsEveryTimerAndTheFiringOrder() throws IOException
    {
        final TimerTable timers = new TimerTable();
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 1000; i++)
        {
            timers.schedule(random.nextLong(), random.nextLong(1_000_000));
        }
        timers.schedule(42, 5);
        timers.schedule(42, 7);

        final TimerTable loaded = new TimerTable();
        loaded.schedule(99, 1);
        loaded.loadFrom(read(write(timers)));
        assertEquals(timers.size(), loaded.size());
        assertEquals(TimerTable.NO_DEADLINE, loaded.deadlineOf(99), "loading replaces what was scheduled");
        assertEquals(7, loaded.deadlineOf(42));
        assertEquals(drain(timers), drain(loaded));
    }

    @Test
    void bytesThatAreNotATimerTableAreRefused() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2);
        out.writeLong(5);
        out.writeLong(100);
        out.writeLong(5);
        out.writeLong(200);
        final TimerTable timers = new TimerTable();
        assertThrows(IOException.class, () -> timers.loadFrom(read(bytes.toByteArray())), "an id twice");
        assertEquals(0, timers.size());

        final ByteArrayOutputStream negative = new ByteArrayOutputStream();
        new DataOutputStream(negative).writeInt(-1);
        assertThrows(IOException.class, () -> timers.loadFrom(read(negative.toByteArray())));

        final ByteArrayOutputStream truncated = new ByteArrayOutputStream();
        new DataOutputStream(truncated).writeInt(3);
        assertThrows(IOException.class, () -> timers.loadFrom(read(truncated.toByteArray())));
    }

    @Test
    void randomOperationsAgreeWithAPlainModel()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final TimerTable timers = new TimerTable();
        final Map<Long, Long> model = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 200_000; step++)
        {
            final long id = random.nextInt(64) - 32;
            switch (random.nextInt(4))
            {
                case 0:
                case 1:
                {
                    final long deadline = now + random.nextInt(1000) - 100;
                    timers.schedule(id, deadline);
                    model.put(id, deadline);
                    break;
                }
                case 2:
                    assertEquals(model.remove(id) != null, timers.cancel(id), "seed " + seed + " step " + step);
                    break;
                default:
                {
                    now += random.nextInt(300);
                    final long reached = now;
                    final List<Long> fired = new ArrayList<>();
                    timers.fireDue(reached, (fid) ->
                    {
                        assertTrue(model.get(fid) <= reached, "seed " + seed + ": timer " + fid + " fired early");
                        fired.add(fid);
                    });
                    assertEquals(due(model, reached), fired, "seed " + seed + " step " + step);
                    break;
                }
            }
            assertEquals(model.size(), timers.size(), "seed " + seed);
            assertEquals(model.values().stream().mapToLong(Long::longValue).min().orElse(TimerTable.NO_DEADLINE),
                timers.earliestDeadline(), "seed " + seed + " step " + step);
        }
    }

    @Test
    void steadyStateAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final TimerTable timers = new TimerTable();
        final long[] fired = new long[1];
        final LongConsumer onTimer = (id) -> fired[0]++;
        // Warm up: grow the table to its working size and let the JIT compile the paths.
        for (int round = 0; round < 20; round++)
        {
            churn(timers, onTimer, round);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 20; round < 40; round++)
        {
            churn(timers, onTimer, round);
        }
        assertEquals(0, threads.getCurrentThreadAllocatedBytes() - before);
        assertTrue(fired[0] > 0);
    }

    private static void churn(final TimerTable timers, final LongConsumer onTimer, final int round)
    {
        final long base = round * 10_000L;
        for (int i = 0; i < 2_000; i++)
        {
            timers.schedule(i, base + (i * 7919L) % 10_000);
            if (0 == i % 3)
            {
                timers.cancel(i - 1);
            }
        }
        timers.fireDue(base + 10_000, onTimer);
    }

    /**
     * Remove the model's timers due by {@code reached}, in firing order, and return their ids.
     */
    private static List<Long> due(final Map<Long, Long> model, final long reached)
    {
        final List<Map.Entry<Long, Long>> due = new ArrayList<>();
        for (final Map.Entry<Long, Long> timer : model.entrySet())
        {
            if (timer.getValue() <= reached)
            {
                due.add(Map.entry(timer.getKey(), timer.getValue()));
            }
        }
        due.sort(Map.Entry.<Long, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        final List<Long> ids = new ArrayList<>();
        for (final Map.Entry<Long, Long> timer : due)
        {
            model.remove(timer.getKey());
            ids.add(timer.getKey());
        }
        return ids;
    }

    private static List<Long> drain(final TimerTable timers)
    {
        final List<Long> fired = new ArrayList<>();
        timers.fireDue(Long.MAX_VALUE, fired::add);
        return fired;
    }

    private static byte[] write(final TimerTable timers) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        timers.writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static DataInputStream read(final byte[] bytes)
    {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }
}
