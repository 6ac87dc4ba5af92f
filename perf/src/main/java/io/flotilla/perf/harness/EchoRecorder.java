package io.flotilla.perf.harness;

import org.HdrHistogram.Histogram;

/**
 * Records each echo's round trip, from the send time it carries to now, for messages sent in the measured period,
 * and counts the echoes arriving during that period for throughput. Allocates nothing.
 */
final class EchoRecorder implements EchoHandler
{
    private final Histogram histogram;
    private long measureFromNs = Long.MAX_VALUE;
    private long measureToNs = Long.MAX_VALUE;
    private long receivedTotal;
    private long receivedMeasured;
    private long arrivedInPeriod;

    EchoRecorder(final Histogram histogram)
    {
        this.histogram = histogram;
    }

    void period(final long fromNs, final long toNs)
    {
        measureFromNs = fromNs;
        measureToNs = toNs;
    }

    public void onEcho(final long sendTimeNs)
    {
        final long nowNs = System.nanoTime();
        receivedTotal++;
        if (sendTimeNs >= measureFromNs && sendTimeNs < measureToNs)
        {
            histogram.recordValue(Math.min(nowNs - sendTimeNs, RunResult.HIGHEST_TRACKABLE_NS));
            receivedMeasured++;
        }
        if (nowNs >= measureFromNs && nowNs < measureToNs)
        {
            arrivedInPeriod++;
        }
    }

    long receivedTotal()
    {
        return receivedTotal;
    }

    long receivedMeasured()
    {
        return receivedMeasured;
    }

    long arrivedInPeriod()
    {
        return arrivedInPeriod;
    }
}
