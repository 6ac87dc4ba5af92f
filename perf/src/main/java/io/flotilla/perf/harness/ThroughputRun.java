package io.flotilla.perf.harness;

import org.agrona.concurrent.IdleStrategy;

/**
 * Maximum sustained rate: keeps up to {@code window} messages outstanding and sends a new one as soon as an echo
 * frees a slot. Throughput is the echoes received per second during the measured period; the histogram holds the
 * round trips under that load, from the actual send time (there is no schedule to omit).
 */
public final class ThroughputRun extends Runner
{
    private final int window;

    /**
     * @param window         bound on outstanding messages.
     * @param warmupNs       warm-up before the measured period.
     * @param durationNs     measured period.
     * @param drainTimeoutNs how long to wait after the period for outstanding echoes.
     * @param idleStrategy   used when a pass did no work.
     */
    public ThroughputRun(
        final int window,
        final long warmupNs,
        final long durationNs,
        final long drainTimeoutNs,
        final IdleStrategy idleStrategy)
    {
        super("throughput", warmupNs, durationNs, drainTimeoutNs, idleStrategy);
        if (window <= 0)
        {
            throw new IllegalArgumentException("window " + window + " must be > 0");
        }
        this.window = window;
    }

    protected void begin(final long startNs)
    {
    }

    protected int send(final LoadTarget target, final long nowNs, final long endNs, final long outstanding)
    {
        int sent = 0;
        long sendTimeNs = nowNs;
        while (outstanding + sent < window && sendTimeNs < endNs && offer(target, sendTimeNs))
        {
            sent++;
            sendTimeNs = System.nanoTime();
        }
        return sent;
    }

    protected long rate()
    {
        return 0;
    }

    protected int window()
    {
        return window;
    }
}
