package io.flotilla.engine.node;

import io.flotilla.codecs.ReadMode;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store of queries waiting for a read index, driven by a fake core: one request per mode and duty cycle, answers
 * only once applied, failures, the count and byte bounds, out-of-order batches, and no query ever stranded.
 */
class PendingQueriesTest
{
    private static final long APPLY_TIMEOUT_NS = 1_000_000_000L;

    private final UnsafeBuffer query = new UnsafeBuffer(new byte[4096]);
    private final FakeCore core = new FakeCore();
    private final List<Answer> answers = new ArrayList<>();
    private final PendingQueries.Answerer recorder = (granted, sessionId, queryId, slot, buffer, offset, length) ->
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        answers.add(new Answer(granted, sessionId, queryId, slot, payload));
    };

    record Answer(boolean granted, long sessionId, long queryId, int slot, byte[] payload)
    {
    }

    /**
     * Records the read ids requested; grants, fails or refuses as the test says.
     */
    static final class FakeCore implements PendingQueries.Requester
    {
        final LongArrayList requested = new LongArrayList();
        final List<ReadMode> modes = new ArrayList<>();
        boolean refuse;

        public boolean requestReadIndex(final long readId, final ReadMode mode)
        {
            requested.addLong(readId);
            modes.add(mode);
            return !refuse;
        }
    }

    @Test
    void aBatchWhoseReadIndexIsNotAppliedWithinTheApplyTimeoutFailsAndOnlyThat()
    {
        final PendingQueries pending = new PendingQueries(16, 64 * 1024, APPLY_TIMEOUT_NS);
        add(pending, ReadMode.READ_INDEX, 1);
        add(pending, ReadMode.LEASE, 2);
        assertEquals(2, pending.requestOpenBatches(core));
        final long startNs = 5_000;
        assertTrue(pending.onReadIndex(core.requested.getLong(0), 20, startNs));
        assertTrue(pending.onReadIndex(core.requested.getLong(1), 30, startNs + 10));

        assertEquals(0, pending.answerResolved(10, startNs + APPLY_TIMEOUT_NS - 1, recorder));
        assertEquals(1, pending.answerResolved(20, startNs + APPLY_TIMEOUT_NS - 1, recorder), "applied in time");
        assertTrue(answers.get(0).granted());

        // Nothing else changes: the deadline alone answers the second batch, as failed.
        assertEquals(0, pending.answerResolved(20, startNs + APPLY_TIMEOUT_NS + 9, recorder));
        assertEquals(1, pending.answerResolved(20, startNs + APPLY_TIMEOUT_NS + 10, recorder));
        assertEquals(List.of(1L, 2L), answeredIds());
        assertFalse(answers.get(1).granted(), "the node stopped learning commits: the client retries elsewhere");
        assertEquals(0, pending.pendingQueries());
        assertEquals(0, pending.usedBytes());
    }

    @Test
    void theQueriesOfOneModeInOneCycleShareOneRequestAndAreAnsweredOnceApplied()
    {
        final PendingQueries pending = new PendingQueries(16, 64 * 1024, APPLY_TIMEOUT_NS);
        add(pending, ReadMode.READ_INDEX, 1);
        add(pending, ReadMode.LEASE, 2);
        add(pending, ReadMode.READ_INDEX, 3);

        assertEquals(2, pending.requestOpenBatches(core));
        assertEquals(List.of(ReadMode.READ_INDEX, ReadMode.LEASE), core.modes);
        final long readIndexBatch = core.requested.getLong(0);
        final long leaseBatch = core.requested.getLong(1);

        // The lease batch is granted first and answered first: it does not wait behind the ReadIndex round.
        assertTrue(pending.onReadIndex(leaseBatch, 10, 0));
        assertEquals(0, pending.answerResolved(9, 0, recorder));
        assertEquals(1, pending.answerResolved(10, 0, recorder));
        assertEquals(List.of(2L), answeredIds());

        assertTrue(pending.onReadIndex(readIndexBatch, 12, 0));
        assertEquals(0, pending.answerResolved(11, 0, recorder));
        assertEquals(2, pending.answerResolved(12, 0, recorder));
        assertEquals(List.of(2L, 1L, 3L), answeredIds());
        assertTrue(answers.stream().allMatch(Answer::granted));
        assertArrayEquals(payloadOf(3, 8), answers.get(2).payload());
        assertEquals(3, answers.get(2).sessionId());

        assertEquals(0, pending.pendingQueries());
        assertEquals(0, pending.pendingBatches());
        assertEquals(0, pending.usedBytes());

        // A later cycle's queries form a new batch with a new read id; a read id answered already is ignored.
        add(pending, ReadMode.READ_INDEX, 4);
        assertEquals(1, pending.requestOpenBatches(core));
        assertFalse(pending.onReadIndex(readIndexBatch, 13, 0));
        assertTrue(core.requested.getLong(2) > leaseBatch);
    }

    @Test
    void aFailedOrRefusedBatchIsAnsweredAtOnceAsNotGranted()
    {
        final PendingQueries pending = new PendingQueries(16, 64 * 1024, APPLY_TIMEOUT_NS);
        add(pending, ReadMode.READ_INDEX, 1);
        pending.requestOpenBatches(core);
        assertTrue(pending.onReadIndexFailed(core.requested.getLong(0)));
        assertEquals(1, pending.answerResolved(0, 0, recorder));

        core.refuse = true;
        add(pending, ReadMode.LEASE, 2);
        pending.requestOpenBatches(core);
        assertFalse(pending.onReadIndex(core.requested.getLong(1), 1, 0));
        assertEquals(1, pending.answerResolved(0, 0, recorder));

        assertEquals(List.of(1L, 2L), answeredIds());
        assertTrue(answers.stream().noneMatch(Answer::granted));
        assertEquals(0, pending.pendingQueries());
    }

    @Test
    void beyondTheCountOrTheBytesAQueryIsRefusedUntilSpaceIsReclaimed()
    {
        final PendingQueries byCount = new PendingQueries(2, 64 * 1024, APPLY_TIMEOUT_NS);
        assertTrue(add(byCount, ReadMode.READ_INDEX, 1));
        assertTrue(add(byCount, ReadMode.READ_INDEX, 2));
        assertFalse(add(byCount, ReadMode.LEASE, 3));
        byCount.requestOpenBatches(core);
        byCount.onReadIndex(core.requested.getLong(0), 0, 0);
        byCount.answerResolved(0, 0, recorder);
        assertTrue(add(byCount, ReadMode.LEASE, 3));

        final int recordLength = PendingQueries.recordLength(1000);
        final PendingQueries byBytes = new PendingQueries(1024, 3 * recordLength, APPLY_TIMEOUT_NS);
        assertTrue(add(byBytes, ReadMode.READ_INDEX, 1, 1000));
        assertTrue(add(byBytes, ReadMode.READ_INDEX, 2, 1000));
        assertTrue(add(byBytes, ReadMode.READ_INDEX, 3, 1000));
        assertFalse(add(byBytes, ReadMode.READ_INDEX, 4, 1));
        core.requested.clear();
        byBytes.requestOpenBatches(core);
        byBytes.onReadIndex(core.requested.getLong(0), 0, 0);
        byBytes.answerResolved(0, 0, recorder);
        assertEquals(0, byBytes.usedBytes());
        assertTrue(add(byBytes, ReadMode.READ_INDEX, 4, 1000));
    }

    @Test
    void spaceIsReclaimedInArrivalOrderBehindABatchStillWaiting()
    {
        final int recordLength = PendingQueries.recordLength(100);
        final PendingQueries pending = new PendingQueries(1024, 4 * recordLength, APPLY_TIMEOUT_NS);
        add(pending, ReadMode.READ_INDEX, 1, 100);
        pending.requestOpenBatches(core);
        add(pending, ReadMode.LEASE, 2, 100);
        pending.requestOpenBatches(core);
        pending.onReadIndex(core.requested.getLong(1), 0, 0);
        assertEquals(1, pending.answerResolved(0, 0, recorder));

        // The answered lease query's bytes stay taken until the ReadIndex query before it is answered.
        assertEquals(2 * recordLength, pending.usedBytes());
        assertEquals(2, pending.pendingBatches());
        pending.onReadIndex(core.requested.getLong(0), 0, 0);
        assertEquals(1, pending.answerResolved(0, 0, recorder));
        assertEquals(0, pending.usedBytes());
        assertEquals(0, pending.pendingBatches());
    }

    @Test
    void closingAnswersEveryWaitingQueryOpenBatchesIncluded()
    {
        final PendingQueries pending = new PendingQueries(16, 64 * 1024, APPLY_TIMEOUT_NS);
        add(pending, ReadMode.READ_INDEX, 1);
        pending.requestOpenBatches(core);
        add(pending, ReadMode.LEASE, 2);

        pending.clear(recorder);
        assertEquals(List.of(1L, 2L), answeredIds());
        assertEquals(0, pending.pendingQueries());
        assertEquals(0, pending.usedBytes());
    }

    /**
     * Random queries of random sizes and modes over many duty cycles, the core granting (at random read indexes),
     * failing or refusing in random order, the applied index moving on: every query is answered exactly once, with
     * its own bytes, never before its read index is applied; once the core has answered everything the store is
     * empty. A batch never answered (stranded) fails the test.
     */
    @Test
    void noQueryIsStrandedWhateverTheOrderOfTheCoresAnswers()
    {
        final SplittableRandom random = new SplittableRandom(15);
        final int recordLength = PendingQueries.recordLength(300);
        final PendingQueries pending = new PendingQueries(64, 40 * recordLength, APPLY_TIMEOUT_NS);
        final LongArrayList outstanding = new LongArrayList();
        final Map<Long, Long> readIndexOfBatch = new HashMap<>();
        final Map<Long, Long> batchOfQuery = new HashMap<>();
        final long[] applied = {0};
        long nextQueryId = 1;
        int refused = 0;
        final List<Long> added = new ArrayList<>();
        final PendingQueries.Answerer checker = (granted, sessionId, queryId, slot, buffer, offset, length) ->
        {
            recorder.answer(granted, sessionId, queryId, slot, buffer, offset, length);
            assertArrayEquals(payloadOf(queryId, length), answers.get(answers.size() - 1).payload());
            if (granted)
            {
                assertTrue(readIndexOfBatch.get(batchOfQuery.get(queryId)) <= applied[0], "answered once applied");
            }
        };

        for (int cycle = 0; cycle < 20_000; cycle++)
        {
            final Map<ReadMode, List<Long>> addedByMode = new EnumMap<>(ReadMode.class);
            for (int n = random.nextInt(4); n > 0; n--)
            {
                final ReadMode mode = random.nextBoolean() ? ReadMode.READ_INDEX : ReadMode.LEASE;
                if (add(pending, mode, nextQueryId, random.nextInt(301)))
                {
                    added.add(nextQueryId);
                    addedByMode.computeIfAbsent(mode, (m) -> new ArrayList<>()).add(nextQueryId);
                }
                else
                {
                    refused++;
                }
                nextQueryId++;
            }

            core.refuse = random.nextInt(10) == 0;
            final int before = core.requested.size();
            pending.requestOpenBatches(core);
            for (int i = before; i < core.requested.size(); i++)
            {
                final long readId = core.requested.getLong(i);
                addedByMode.get(core.modes.get(i)).forEach((queryId) -> batchOfQuery.put(queryId, readId));
                if (!core.refuse)
                {
                    outstanding.addLong(readId);
                }
            }
            assertEquals(addedByMode.size(), core.requested.size() - before, "one request per mode and cycle");

            if (!outstanding.isEmpty() && random.nextInt(3) == 0)
            {
                final long readId = outstanding.removeAt(random.nextInt(outstanding.size()));
                if (random.nextInt(5) == 0)
                {
                    assertTrue(pending.onReadIndexFailed(readId));
                }
                else
                {
                    final long readIndex = applied[0] + random.nextInt(5);
                    readIndexOfBatch.put(readId, readIndex);
                    assertTrue(pending.onReadIndex(readId, readIndex, 0));
                }
            }
            applied[0] += random.nextInt(2);
            pending.answerResolved(applied[0], 0, checker);
        }

        while (!outstanding.isEmpty())
        {
            final long readId = outstanding.removeAt(0);
            readIndexOfBatch.put(readId, applied[0]);
            pending.onReadIndex(readId, applied[0], 0);
        }
        pending.answerResolved(applied[0] + 1, 0, checker);

        assertTrue(refused > 0, "the bounds were reached");
        assertEquals(added.size(), answers.size(), "every query answered");
        assertEquals(added, answers.stream().map(Answer::queryId).sorted().toList(), "each exactly once");
        assertEquals(0, pending.pendingQueries());
        assertEquals(0, pending.pendingBatches());
        assertEquals(0, pending.usedBytes());
    }

    private boolean add(final PendingQueries pending, final ReadMode mode, final long queryId)
    {
        return add(pending, mode, queryId, 8);
    }

    private boolean add(final PendingQueries pending, final ReadMode mode, final long queryId, final int length)
    {
        query.putBytes(0, payloadOf(queryId, length));
        return pending.add(mode, queryId, queryId, -1, query, 0, length);
    }

    private static byte[] payloadOf(final long queryId, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(queryId * 31 + i);
        }
        return bytes;
    }

    private List<Long> answeredIds()
    {
        return answers.stream().map(Answer::queryId).toList();
    }
}
