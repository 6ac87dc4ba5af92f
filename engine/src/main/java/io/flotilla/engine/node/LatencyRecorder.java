package io.flotilla.engine.node;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;

/**
 * A latency recorded on the node's thread without allocation or locks, read from any other thread as everything
 * recorded since launch. Two significant digits (1 %) from 1 ns to a minute; longer values count as a minute.
 */
public final class LatencyRecorder
{
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(1);
    private static final int SIGNIFICANT_DIGITS = 2;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    private Histogram interval;

    /**
     * The node's thread only.
     *
     * @param durationNs to record.
     */
    public void record(final long durationNs)
    {
        recorder.recordValue(Math.min(Math.max(durationNs, 1), HIGHEST_TRACKABLE_NS));
    }

    /**
     * Any thread.
     *
     * @return a copy of everything recorded since launch, in nanoseconds.
     */
    public synchronized Histogram cumulative()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total.copy();
    }
}
