package io.flotilla.perf.harness;

import org.agrona.concurrent.IdleStrategy;

/**
 * Fixed-rate latency run. Messages are due on a fixed schedule and each carries its INTENDED send time, so a
 * stall (back pressure, a pause of the load thread or of the system) shows up as latency of every message that
 * should have been sent during it: coordinated omission is corrected. When back pressured the same intended time
 * is retried, and the schedule catches up afterwards.
 */
public final class LatencyRun extends Runner
{
    private final long ratePerSecond;
    private final long intervalNs;
    private long nextSendNs;

    /**
     * @param ratePerSecond  offered rate in messages/s.
     * @param warmupNs       warm-up before the measured period.
     * @param durationNs     measured period.
     * @param drainTimeoutNs how long to wait after the period for outstanding echoes.
     * @param idleStrategy   used when a pass did no work.
     */
    public LatencyRun(
        final long ratePerSecond,
        final long warmupNs,
        final long durationNs,
        final long drainTimeoutNs,
        final IdleStrategy idleStrategy)
    {
        super("latency", warmupNs, durationNs, drainTimeoutNs, idleStrategy);
        if (ratePerSecond <= 0 || ratePerSecond > 1_000_000_000L)
        {
            throw new IllegalArgumentException("rate " + ratePerSecond + " must be in [1, 1e9] messages/s");
        }
        this.ratePerSecond = ratePerSecond;
        this.intervalNs = 1_000_000_000L / ratePerSecond;
    }

    protected void begin(final long startNs)
    {
        nextSendNs = startNs;
    }

    protected int send(final LoadTarget target, final long nowNs, final long endNs, final long outstanding)
    {
        int sent = 0;
        while (nextSendNs <= nowNs && nextSendNs < endNs && offer(target, nextSendNs))
        {
            nextSendNs += intervalNs;
            sent++;
        }
        return sent;
    }

    protected boolean pending(final long endNs)
    {
        return nextSendNs < endNs;
    }

    protected long rate()
    {
        return ratePerSecond;
    }

    protected int window()
    {
        return 0;
    }
}
