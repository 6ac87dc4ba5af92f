package io.flotilla.engine.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadTargetsTest
{
    private final ReadTargets targets = new ReadTargets(100);

    @Test
    void followersInTurnSkippingTheCommandTargetAndSuspects()
    {
        targets.ensureCapacity(4);
        assertEquals(1, targets.follower(0, 4, 0));
        assertEquals(2, targets.follower(0, 4, 0));
        assertEquals(3, targets.follower(0, 4, 0));
        assertEquals(1, targets.follower(0, 4, 0));

        targets.suspect(2, 0);
        assertTrue(targets.isSuspect(2, 99));
        assertEquals(3, targets.follower(0, 4, 50));
        assertEquals(1, targets.follower(0, 4, 50));
        assertEquals(3, targets.follower(0, 4, 50));
        assertFalse(targets.isSuspect(2, 100), "suspect for a while only");
        assertEquals(1, targets.follower(0, 4, 100));
        assertEquals(2, targets.follower(0, 4, 100));
    }

    @Test
    void theCommandTargetWhenNoFollowerIsAvailable()
    {
        targets.ensureCapacity(2);
        targets.suspect(1, 0);
        assertEquals(0, targets.follower(0, 2, 10));
        assertEquals(0, targets.follower(0, 1, 10));
    }

    @Test
    void afterASilentMemberTheNextOneThatIsNotSuspect()
    {
        targets.ensureCapacity(3);
        assertEquals(1, targets.after(0, 3, 0));
        targets.suspect(1, 0);
        assertEquals(2, targets.after(0, 3, 0));
        targets.suspect(2, 0);
        targets.suspect(0, 0);
        assertEquals(1, targets.after(0, 3, 0), "all suspect: the next in turn");
    }
}
