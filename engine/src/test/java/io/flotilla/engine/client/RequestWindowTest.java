package io.flotilla.engine.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestWindowTest
{
    private final RequestWindow window = new RequestWindow(100);

    private long add()
    {
        final long sequence = window.nextSequence();
        window.buffer().putLong(window.offset(sequence), sequence);
        return window.add(8);
    }

    @Test
    void sequencesStartAtOneAndSlotsKeepTheirBytes()
    {
        assertEquals(1, add());
        assertEquals(2, add());
        assertEquals(2L, window.buffer().getLong(window.offset(2)));
        assertEquals(8, window.length(1));
        assertEquals(2, window.outstanding());
        assertEquals(0, window.slotCapacity() % 64);
    }

    @Test
    void fullAtCapacityAndFreedByAnswers()
    {
        for (int i = 0; i < RequestWindow.CAPACITY; i++)
        {
            add();
        }
        assertTrue(window.isFull());
        assertThrows(IllegalStateException.class, () -> window.add(8));
        assertTrue(window.markAnswered(1));
        assertFalse(window.isFull());
        assertEquals(RequestWindow.CAPACITY + 1, add());
        assertEquals(1L + RequestWindow.CAPACITY, window.buffer().getLong(window.offset(RequestWindow.CAPACITY + 1)));
    }

    @Test
    void outOfOrderAnswersAdvanceOnlyWhenTheOldestIsAnswered()
    {
        add();
        add();
        add();
        assertTrue(window.markAnswered(2));
        assertEquals(1, window.firstUnanswered());
        assertFalse(window.markAnswered(2), "a repeat answer is not outstanding");
        assertTrue(window.markAnswered(1));
        assertEquals(3, window.firstUnanswered());
        assertEquals(1, window.outstanding());
        assertFalse(window.isUnanswered(4));
    }

    @Test
    void rewindResendsUnansweredFromTheOldestSkippingAnsweredOnes()
    {
        for (int i = 0; i < 5; i++)
        {
            add();
        }
        for (int i = 0; i < 5; i++)
        {
            window.sent();
        }
        assertFalse(window.hasUnsent());
        window.markAnswered(1);
        window.markAnswered(3);

        window.rewind();
        assertEquals(2, window.nextToSend());
        window.sent();
        assertEquals(4, window.nextToSend(), "3 was answered: not sent again");
        window.sent();
        assertEquals(5, window.nextToSend());
    }

    @Test
    void clearForgetsOutstandingButKeepsNumbering()
    {
        add();
        add();
        window.clear();
        assertEquals(0, window.outstanding());
        assertFalse(window.hasUnsent());
        assertEquals(3, add());
    }
}
