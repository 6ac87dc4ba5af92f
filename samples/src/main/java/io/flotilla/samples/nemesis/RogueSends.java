package io.flotilla.samples.nemesis;

import io.aeron.ExclusivePublication;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How the rogue hosts send: offer until accepted or a deadline passes (the member may be down or cut off).
 */
final class RogueSends
{
    private RogueSends()
    {
    }

    /**
     * @return true if the publication took the message within the timeout.
     */
    static boolean offer(
        final ExclusivePublication publication, final DirectBuffer buffer, final int length, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (publication.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
