package io.flotilla.perf.flotilla;

import io.flotilla.perf.harness.EchoHandler;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The command load of the fault runs ({@link FailoverRun}, {@link RollingRestartRun}): commands offered to a
 * {@link FlotillaTarget} at a fixed rate from their intended send times, echoes handed to the run's handler, on the
 * caller's thread.
 */
final class PacedLoad
{
    private final FlotillaTarget target;
    private final EchoHandler handler;
    private final long intervalNs;
    private final IdleStrategy idleStrategy;
    private long nextSendNs;
    private long sent;

    /**
     * @param target       the cluster under load.
     * @param handler      given every echo.
     * @param rate         commands per second.
     * @param idleStrategy of the load loop.
     */
    PacedLoad(final FlotillaTarget target, final EchoHandler handler, final long rate, final IdleStrategy idleStrategy)
    {
        this.target = target;
        this.handler = handler;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        this.idleStrategy = idleStrategy;
    }

    /**
     * The first command is due now.
     */
    void start()
    {
        nextSendNs = System.nanoTime();
    }

    /**
     * @return commands sent so far.
     */
    long sent()
    {
        return sent;
    }

    /**
     * @return the rate, commands per second.
     */
    long rate()
    {
        return TimeUnit.SECONDS.toNanos(1) / intervalNs;
    }

    /**
     * Send and poll until the clock passes {@code untilNs}.
     */
    void runUntil(final long untilNs)
    {
        while (System.nanoTime() - untilNs < 0)
        {
            step();
        }
    }

    /**
     * Send the commands due (a command held back by the client's full window keeps its due time), poll once, idle.
     */
    void step()
    {
        int workCount = 0;
        final long nowNs = System.nanoTime();
        while (nextSendNs <= nowNs && target.offer(nextSendNs))
        {
            nextSendNs += intervalNs;
            sent++;
            workCount++;
        }
        workCount += target.poll(handler);
        idleStrategy.idle(workCount);
    }

    /**
     * Poll, sending nothing more, until every command sent was answered or 10 s passed.
     *
     * @param received how many were answered so far.
     */
    void drain(final LongSupplier received)
    {
        final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.getAsLong() < sent && System.nanoTime() - drainDeadlineNs < 0)
        {
            idleStrategy.idle(target.poll(handler));
        }
    }
}
