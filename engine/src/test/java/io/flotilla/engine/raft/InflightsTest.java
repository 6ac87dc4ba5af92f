package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inflight window: a ring of batch ends and send times, freed by acknowledgements.
 */
class InflightsTest
{
    private final Inflights inflights = new Inflights(3);

    @Test
    void fillsUpToItsCapacity()
    {
        assertTrue(inflights.isEmpty());
        inflights.add(5, 100);
        inflights.add(9, 200);
        assertFalse(inflights.isFull());
        inflights.add(12, 300);
        assertTrue(inflights.isFull());
        assertEquals(3, inflights.count());
        assertThrows(IllegalStateException.class, () -> inflights.add(15, 400));
    }

    @Test
    void freesTheBatchesAnAcknowledgementCovers()
    {
        inflights.add(5, 100);
        inflights.add(9, 200);
        inflights.add(12, 300);

        inflights.freeUpTo(4);
        assertEquals(3, inflights.count(), "batch 1..5 is not wholly acknowledged");
        inflights.freeUpTo(10);
        assertEquals(1, inflights.count());
        assertEquals(300, inflights.oldestSentNs());
        inflights.freeUpTo(12);
        assertTrue(inflights.isEmpty());
        assertThrows(IllegalStateException.class, inflights::oldestSentNs);
    }

    @Test
    void wrapsAroundTheRing()
    {
        long end = 0;
        for (int round = 0; round < 10; round++)
        {
            inflights.add(++end, end * 10);
            inflights.add(++end, end * 10);
            assertEquals((end - 1) * 10, inflights.oldestSentNs());
            inflights.freeUpTo(end - 1);
            assertEquals(end * 10, inflights.oldestSentNs(), "round " + round);
            inflights.freeUpTo(end);
        }
        assertTrue(inflights.isEmpty());
    }

    @Test
    void resetForgetsEverything()
    {
        inflights.add(5, 100);
        inflights.add(9, 200);
        inflights.reset();
        assertTrue(inflights.isEmpty());
        inflights.add(3, 50);
        assertEquals(50, inflights.oldestSentNs(), "batch ends may start lower after a reset");
    }

    @Test
    void refusesBatchesOutOfOrderAndAnEmptyWindow()
    {
        inflights.add(5, 100);
        assertThrows(IllegalArgumentException.class, () -> inflights.add(5, 200));
        assertThrows(IllegalArgumentException.class, () -> new Inflights(0));
    }
}
