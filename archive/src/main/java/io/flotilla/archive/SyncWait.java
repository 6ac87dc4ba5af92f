package io.flotilla.archive;

import io.aeron.exceptions.AeronException;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The log store's blocking steps (open, truncation, close), each bounded by {@code syncTimeoutNs} on the store's
 * clock. While they wait
 * they drive the media: in COMPACT mode nothing else does, and the archive would never answer.
 */
final class SyncWait
{
    /** Entries between two services of the media in a long blocking loop (recovery, startup replay). */
    private static final int KEEP_ALIVE_ENTRY_INTERVAL = 16 * 1024;

    private final NodeMedia media;
    private final NanoClock clock;
    private final long timeoutNs;

    SyncWait(final NodeMedia media, final NanoClock clock, final long timeoutNs)
    {
        this.media = media;
        this.clock = clock;
        this.timeoutNs = timeoutNs;
    }

    /**
     * @param condition awaited.
     * @param what      is awaited, for the exception.
     * @throws IllegalStateException when the time is up first.
     */
    void await(final BooleanSupplier condition, final String what)
    {
        if (!awaitQuietly(condition))
        {
            throw new IllegalStateException("timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                " ms waiting for " + what + " (ArchiveLogStore.Context.syncTimeoutNs)");
        }
    }

    /**
     * @param condition awaited.
     * @return false when the time is up first.
     */
    boolean awaitQuietly(final BooleanSupplier condition)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (clock.nanoTime() > deadlineNs)
            {
                return false;
            }
            idle(media.doWork());
        }

        return true;
    }

    /**
     * Make an archive call the archive may refuse for a short while (it is still deleting truncated segments, or a
     * replay is still closing): retried until it is accepted or the time is up.
     *
     * @param call    the archive call.
     * @param refusal the exception by which the archive refuses it.
     * @return what the call returns.
     */
    long retry(final LongSupplier call, final Class<? extends AeronException> refusal)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        while (true)
        {
            try
            {
                return call.getAsLong();
            }
            catch (final AeronException ex)
            {
                if (!refusal.isInstance(ex) || clock.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                idle(media.doWork());
            }
        }
    }

    /**
     * In COMPACT mode nothing else drives the driver and the clients: a long recovery or replay must keep them
     * serviced or the client would exceed its service interval and the driver would time it out.
     *
     * @param index of the entry just handled.
     */
    void keepMediaAlive(final long index)
    {
        if (0 == (index & (KEEP_ALIVE_ENTRY_INTERVAL - 1)))
        {
            media.doWork();
        }
    }

    private static void idle(final int workCount)
    {
        if (0 == workCount)
        {
            Thread.yield();
        }
    }
}
