package io.flotilla.engine.client;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryWindowTest
{
    private final QueryWindow window = new QueryWindow(100);

    private long add()
    {
        final long queryId = window.nextQueryId();
        window.buffer().putLong(window.offset(queryId), queryId);
        return window.add(8, 0, 0, 10, 20);
    }

    @Test
    void idsStartAtOneAndSlotsKeepTheirBytes()
    {
        assertEquals(1, add());
        assertEquals(2, add());
        assertEquals(2L, window.buffer().getLong(window.offset(2)));
        assertEquals(8, window.length(1));
        assertEquals(2, window.open());
        assertTrue(window.isWaiting(1));
        assertEquals(20, window.giveUpNs(1));
    }

    @Test
    void answersInAnyOrderFreeTheWindowFromTheOldest()
    {
        for (int i = 0; i < QueryWindow.CAPACITY; i++)
        {
            add();
        }
        assertTrue(window.isFull());
        assertThrows(IllegalStateException.class, () -> window.add(8, 0, 0, 10, 20));

        window.release(2);
        assertTrue(window.isFull(), "the oldest still open holds the window");
        assertFalse(window.isOpen(2));
        window.release(1);
        assertFalse(window.isFull());
        assertEquals(3, window.oldest());
        assertEquals(QueryWindow.CAPACITY - 2, window.open());
        assertEquals(QueryWindow.CAPACITY + 1, add());
    }

    @Test
    void sentAndWaitingKeepTheMemberAndDeadlines()
    {
        final long queryId = add();
        window.sent(queryId, 30);
        assertTrue(window.isOpen(queryId));
        assertFalse(window.isWaiting(queryId));
        assertEquals(30, window.memberDeadlineNs(queryId));

        window.waitFor(queryId, 2, 40, 50);
        assertTrue(window.isWaiting(queryId));
        assertEquals(2, window.member(queryId));
        assertEquals(40, window.sendAtNs(queryId));
        assertEquals(50, window.memberDeadlineNs(queryId));
    }

    @Test
    void heldOutcomeKeepsItsPayloadUntilReleased()
    {
        final long queryId = add();
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[300]);
        answer.putStringWithoutLengthAscii(250, "late");
        window.hold(queryId, Outcome.REJECTED, 77, answer, 250, 4);
        answer.putStringWithoutLengthAscii(250, "gone");

        assertFalse(window.isOpen(queryId));
        assertTrue(window.isHeld(queryId));
        assertEquals(0, window.open());
        assertEquals(1, window.held());
        assertEquals(Outcome.REJECTED, window.heldOutcome(queryId));
        assertEquals(77, window.heldReadIndex(queryId));
        assertEquals("late", window.heldPayload(queryId).getStringWithoutLengthAscii(0, window.heldLength(queryId)));

        window.release(queryId);
        assertEquals(0, window.held());
        assertFalse(window.isHeld(queryId));
        assertEquals(2, window.oldest());
    }
}
