package io.flotilla.engine.node;

import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProposalQueueTest
{
    @Test
    @Timeout(30)
    void everyProposalFromManyThreadsCompletesExactlyOnceWithItsOwnCommand() throws InterruptedException
    {
        final int threads = 4;
        final int perThread = 20_000;
        final ProposalQueue queue = new ProposalQueue(64 * 1024, 256);
        final AtomicIntegerArray completions = new AtomicIntegerArray(threads * perThread);
        final AtomicInteger done = new AtomicInteger();

        final List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int base = t * perThread;
            producers.add(new Thread(() ->
            {
                final UnsafeBuffer command = new UnsafeBuffer(new byte[4]);
                for (int i = 0; i < perThread; i++)
                {
                    final int id = base + i;
                    command.putInt(0, id);
                    while (!queue.offer(command, 0, 4, (result) ->
                    {
                        // BACK_PRESSURED (all slots taken) is completed here and the offer retried.
                        if (ProposalStatus.BACK_PRESSURED != result.status())
                        {
                            assertEquals(id, (int)result.logIndex());
                            completions.incrementAndGet(id);
                            done.incrementAndGet();
                        }
                    }))
                    {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        producers.forEach(Thread::start);

        // The "agent": completes each proposal with its own command's id as the log index.
        while (done.get() < threads * perThread)
        {
            queue.drain((slot, buffer, offset, length) ->
            {
                final int id = buffer.getInt(offset);
                queue.complete(slot, queue.agentResult().set(ProposalStatus.OK, id, 0, "", null, 0, 0));
            }, 100);
        }
        for (final Thread producer : producers)
        {
            producer.join();
        }

        for (int i = 0; i < threads * perThread; i++)
        {
            assertEquals(1, completions.get(i), "proposal " + i);
        }
    }

    @Test
    void fullSlotsBackPressureOnTheCallersThreadAndCloseCompletesTheRest()
    {
        final ProposalQueue queue = new ProposalQueue(4096, 2);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[8]);
        final List<ProposalStatus> statuses = new ArrayList<>();
        final Thread caller = Thread.currentThread();
        final List<Boolean> onCaller = new ArrayList<>();

        assertTrue(queue.offer(command, 0, 8, (r) -> statuses.add(r.status())));
        assertTrue(queue.offer(command, 0, 8, (r) -> statuses.add(r.status())));
        assertFalse(queue.offer(command, 0, 8, (r) ->
        {
            statuses.add(r.status());
            onCaller.add(Thread.currentThread() == caller);
        }));
        assertEquals(List.of(ProposalStatus.BACK_PRESSURED), statuses);
        assertEquals(List.of(true), onCaller);

        queue.close();
        assertEquals(List.of(ProposalStatus.BACK_PRESSURED, ProposalStatus.CLOSED, ProposalStatus.CLOSED), statuses);

        assertFalse(queue.offer(command, 0, 8, (r) -> statuses.add(r.status())));
        assertEquals(ProposalStatus.CLOSED, statuses.get(3));
    }

    @Test
    void aFullRingBackPressures()
    {
        final ProposalQueue queue = new ProposalQueue(4096, 1024);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[400]);
        final List<ProposalResult> refused = new ArrayList<>();
        int queued = 0;
        while (queue.offer(command, 0, 400, (r) -> refused.add(r)))
        {
            queued++;
        }
        assertTrue(queued > 0 && queued < 4096 / 400);
        assertEquals(ProposalStatus.BACK_PRESSURED, refused.get(0).status());
    }

    @Test
    void aCommandLongerThanTheQueueAllowsIsRefusedLoudly()
    {
        final ProposalQueue queue = new ProposalQueue(4096, 4);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[4096]);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> queue.offer(command, 0, queue.maxCommandLength() + 1, (r) -> { }));
        assertTrue(ex.getMessage().contains("flotilla.proposal.queue.bytes"));
    }
}
