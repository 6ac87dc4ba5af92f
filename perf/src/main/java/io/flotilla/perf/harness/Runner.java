package io.flotilla.perf.harness;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.lang.management.ManagementFactory;

/**
 * Drives a {@link LoadTarget} from the calling thread: a warm-up, a measured period, then a bounded drain of the
 * echoes still outstanding. Subclasses decide when to send. The loop allocates nothing: the bytes the calling
 * thread allocated from start to end of the run (target's offer and poll included) are reported with the result.
 * So is CPU time over the measured period: the target's (every thread of this JVM but the load thread: every target
 * runs in the load's JVM, its nodes, its client's driver, and the JVM's own compiler and collector threads), and the
 * load thread's own (the load loop and the client library's offer and poll, spinning or yielding when idle).
 */
public abstract class Runner
{
    private static final long NO_CPU_TIME = Long.MIN_VALUE;

    private final String mode;
    private final long warmupNs;
    private final long durationNs;
    private final long drainTimeoutNs;
    private final IdleStrategy idleStrategy;
    private long measureFromNs;
    private long measureToNs;
    private long sentTotal;
    private long sentMeasured;

    /**
     * @param mode           name of the mode in results, e.g. {@code latency}.
     * @param warmupNs       warm-up before the measured period; its messages are not recorded.
     * @param durationNs     measured period.
     * @param drainTimeoutNs how long to wait after the period for outstanding echoes.
     * @param idleStrategy   used by the load loop when a pass did no work.
     */
    protected Runner(
        final String mode,
        final long warmupNs,
        final long durationNs,
        final long drainTimeoutNs,
        final IdleStrategy idleStrategy)
    {
        if (durationNs <= 0 || warmupNs < 0 || drainTimeoutNs < 0)
        {
            throw new IllegalArgumentException("duration must be > 0, warm-up and drain timeout >= 0");
        }
        this.mode = mode;
        this.warmupNs = warmupNs;
        this.durationNs = durationNs;
        this.drainTimeoutNs = drainTimeoutNs;
        this.idleStrategy = idleStrategy;
    }

    /**
     * Run against a started target.
     *
     * @param target        started target.
     * @param messageLength message length the target was started with (for the summary).
     * @return the result.
     */
    public final RunResult run(final LoadTarget target, final int messageLength)
    {
        final Histogram histogram = RunResult.newHistogram();
        final EchoRecorder recorder = new EchoRecorder(histogram);
        final long malformedBefore = target.malformedEchoes();
        final long allocatedBefore = allocatedBytes();
        sentTotal = 0;
        sentMeasured = 0;

        final long startNs = System.nanoTime();
        measureFromNs = startNs + warmupNs;
        measureToNs = measureFromNs + durationNs;
        recorder.period(measureFromNs, measureToNs);
        begin(startNs);

        // Messages due within the period but held back by back pressure are still sent after it (bounded by the
        // drain timeout), so the worst stall at the end of the period is not omitted either.
        final long sendDeadlineNs = measureToNs + drainTimeoutNs;
        long cpuFromNs = NO_CPU_TIME;
        long cpuToNs = NO_CPU_TIME;
        long loadCpuFromNs = NO_CPU_TIME;
        long loadCpuToNs = NO_CPU_TIME;
        long nowNs;
        while ((nowNs = System.nanoTime()) < measureToNs || (pending(measureToNs) && nowNs < sendDeadlineNs))
        {
            if (NO_CPU_TIME == cpuFromNs && nowNs >= measureFromNs)
            {
                loadCpuFromNs = loadThreadCpuNs();
                cpuFromNs = processCpuNs();
            }
            else if (NO_CPU_TIME == cpuToNs && nowNs >= measureToNs)
            {
                cpuToNs = processCpuNs();
                loadCpuToNs = loadThreadCpuNs();
            }
            int workCount = send(target, nowNs, measureToNs, sentTotal - recorder.receivedTotal());
            workCount += target.poll(recorder);
            idleStrategy.idle(workCount);
        }

        if (NO_CPU_TIME == cpuToNs)
        {
            cpuToNs = processCpuNs();
            loadCpuToNs = loadThreadCpuNs();
        }
        final long loadCpuNs = loadCpuFromNs < 0 || loadCpuToNs < 0 ? -1 : loadCpuToNs - loadCpuFromNs;
        final long cpuNs = cpuFromNs < 0 || cpuToNs < 0 || loadCpuNs < 0 ? -1 : cpuToNs - cpuFromNs - loadCpuNs;
        final long drainDeadlineNs = System.nanoTime() + drainTimeoutNs;
        while (recorder.receivedTotal() < sentTotal && System.nanoTime() < drainDeadlineNs)
        {
            idleStrategy.idle(target.poll(recorder));
        }
        final long allocated = allocatedBytes() - allocatedBefore;

        return new RunResult(
            target.name(),
            mode,
            target.config(),
            rate(),
            messageLength,
            window(),
            histogram,
            sentMeasured,
            recorder.receivedMeasured(),
            recorder.arrivedInPeriod() * 1e9 / durationNs,
            target.malformedEchoes() - malformedBefore,
            allocated,
            cpuNs,
            loadCpuNs,
            durationNs);
    }

    /**
     * Offer one message and count it if accepted.
     *
     * @param target     to offer to.
     * @param sendTimeNs send time to carry.
     * @return true if accepted.
     */
    protected final boolean offer(final LoadTarget target, final long sendTimeNs)
    {
        if (!target.offer(sendTimeNs))
        {
            return false;
        }
        sentTotal++;
        if (sendTimeNs >= measureFromNs && sendTimeNs < measureToNs)
        {
            sentMeasured++;
        }
        return true;
    }

    // The CPU time of every thread of this JVM so far, ns; -1 when the JVM cannot tell.
    private static long processCpuNs()
    {
        final java.lang.management.OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        return bean instanceof com.sun.management.OperatingSystemMXBean ?
            ((com.sun.management.OperatingSystemMXBean)bean).getProcessCpuTime() : -1;
    }

    // The CPU time of the calling (load) thread so far, ns; -1 when the JVM cannot tell.
    private static long loadThreadCpuNs()
    {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    // -1 when the JVM cannot measure per-thread allocation.
    private static long allocatedBytes()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean)
        {
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
            if (threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
            {
                return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            }
        }
        return -1;
    }

    /**
     * Called once when the run starts.
     *
     * @param startNs start of the warm-up.
     */
    protected abstract void begin(long startNs);

    /**
     * Send whatever is due.
     *
     * @param target      to send to, via {@link #offer(LoadTarget, long)}.
     * @param nowNs       current time.
     * @param endNs       end of the measured period: nothing is due at or after it.
     * @param outstanding messages sent and not yet echoed.
     * @return messages sent.
     */
    protected abstract int send(LoadTarget target, long nowNs, long endNs, long outstanding);

    /**
     * Whether messages due before {@code endNs} are still waiting to be sent.
     *
     * @param endNs end of the measured period.
     * @return true if some are; false by default.
     */
    protected boolean pending(final long endNs)
    {
        return false;
    }

    /**
     * @return offered rate in messages/s for the summary, 0 when unpaced.
     */
    protected abstract long rate();

    /**
     * @return bound on outstanding messages for the summary, 0 when unbounded.
     */
    protected abstract int window();
}
