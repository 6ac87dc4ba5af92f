package io.flotilla.perf.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The outcome of one run: a round-trip histogram in nanoseconds plus counts, written as an {@code .hgrm} file and
 * a one-line summary.
 */
public final class RunResult
{
    /**
     * Name of the file, in a results directory, that collects one summary line per run.
     */
    public static final String SUMMARY_FILE = "summary.txt";

    /**
     * Highest round trip a histogram tracks; larger values are clamped to it.
     */
    public static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    /**
     * Significant digits of every histogram.
     */
    public static final int SIGNIFICANT_DIGITS = 3;

    private static final double NS_PER_US = 1000.0;

    private final String target;
    private final String mode;
    private final String config;
    private final long rate;
    private final int messageLength;
    private final int window;
    private final Histogram histogram;
    private final long sent;
    private final long received;
    private final double throughput;
    private final long malformed;
    private final long allocatedBytes;
    private final long cpuNs;
    private final long loadCpuNs;
    private final long durationNs;

    /**
     * Record the outcome of a run.
     *
     * @param target        name of the target.
     * @param mode          {@code latency} or {@code throughput}.
     * @param config        the target's {@link LoadTarget#config()}.
     * @param rate          offered rate in messages/s, 0 when unpaced.
     * @param messageLength message length in bytes.
     * @param window        bound on outstanding messages, 0 when unbounded.
     * @param histogram     round-trip times in nanoseconds of the messages sent in the measured period.
     * @param sent          messages sent in the measured period.
     * @param received      of those, echoes received.
     * @param throughput    echoes received per second during the measured period.
     * @param malformed     malformed echoes the target dropped during the run.
     * @param allocatedBytes bytes the load thread allocated during the run (warm-up included), -1 if unknown.
     * @param cpuNs          CPU time of the target over the measured period (every thread of the process but the load
     *                       thread), -1 if unknown.
     * @param loadCpuNs      CPU time of the load thread over the measured period, -1 if unknown.
     * @param durationNs     the measured period.
     */
    public RunResult(
        final String target,
        final String mode,
        final String config,
        final long rate,
        final int messageLength,
        final int window,
        final Histogram histogram,
        final long sent,
        final long received,
        final double throughput,
        final long malformed,
        final long allocatedBytes,
        final long cpuNs,
        final long loadCpuNs,
        final long durationNs)
    {
        this.target = target;
        this.mode = mode;
        this.config = config;
        this.rate = rate;
        this.messageLength = messageLength;
        this.window = window;
        this.histogram = histogram;
        this.sent = sent;
        this.received = received;
        this.throughput = throughput;
        this.malformed = malformed;
        this.allocatedBytes = allocatedBytes;
        this.cpuNs = cpuNs;
        this.loadCpuNs = loadCpuNs;
        this.durationNs = durationNs;
    }

    /**
     * New histogram with the range and precision every run uses.
     *
     * @return an empty histogram of nanoseconds.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    /**
     * @return round-trip times in nanoseconds.
     */
    public Histogram histogram()
    {
        return histogram;
    }

    /**
     * @return messages sent in the measured period.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * @return echoes received for the messages sent in the measured period.
     */
    public long received()
    {
        return received;
    }

    /**
     * @return malformed echoes dropped by the target.
     */
    public long malformed()
    {
        return malformed;
    }

    /**
     * @return bytes the load thread allocated during the run, -1 if the JVM cannot tell.
     */
    public long allocatedBytes()
    {
        return allocatedBytes;
    }

    /**
     * @return the target's CPU time (every thread but the load thread's) per echo that arrived in the measured
     * period, in microseconds; -1 if unknown.
     */
    public double cpuUsPerMessage()
    {
        final long arrived = Math.round(throughput * durationNs / 1e9);
        return cpuNs < 0 || arrived <= 0 ? -1 : cpuNs / NS_PER_US / arrived;
    }

    /**
     * @return the target's CPU time over the measured period divided by the period: cores it kept busy; -1 if
     * unknown.
     */
    public double cpuCores()
    {
        return cpuNs < 0 || durationNs <= 0 ? -1 : (double)cpuNs / durationNs;
    }

    /**
     * @return the load thread's CPU time over the measured period divided by the period; -1 if unknown.
     */
    public double loadCpuCores()
    {
        return loadCpuNs < 0 || durationNs <= 0 ? -1 : (double)loadCpuNs / durationNs;
    }

    /**
     * File name stem of this run: target, mode and rate or window, e.g. {@code ping-latency-10000}.
     *
     * @return the stem.
     */
    public String fileStem()
    {
        return target + "-" + mode + ("latency".equals(mode) ? "-" + rate : "-w" + window);
    }

    /**
     * One line of {@code key=value} pairs, latencies in microseconds; {@link ComparisonTable} parses it.
     *
     * @return the summary line.
     */
    public String summaryLine()
    {
        return String.format(
            Locale.ROOT,
            "target=%s mode=%s rate=%d size=%d window=%d count=%d p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f " +
            "throughput=%.0f sent=%d received=%d malformed=%d alloc_bytes=%d cpu_us_per_msg=%.2f cpu_cores=%.2f " +
            "load_cpu_cores=%.2f unit=us %s",
            target, mode, rate, messageLength, window, histogram.getTotalCount(),
            percentileUs(50.0), percentileUs(90.0), percentileUs(99.0), percentileUs(99.9),
            histogram.getMaxValue() / NS_PER_US, throughput, sent, received, malformed, allocatedBytes,
            cpuUsPerMessage(), cpuCores(), loadCpuCores(), config).trim();
    }

    /**
     * Write {@code <stem>.hgrm} (percentile distribution in microseconds) and append the summary line to
     * {@link #SUMMARY_FILE}.
     *
     * @param directory results directory, created if missing.
     * @return the {@code .hgrm} file written.
     * @throws IOException if the files cannot be written.
     */
    public Path writeTo(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final Path hgrm = directory.resolve(fileStem() + ".hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(out, NS_PER_US);
        }
        Files.writeString(
            directory.resolve(SUMMARY_FILE),
            summaryLine() + System.lineSeparator(),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return hgrm;
    }

    private double percentileUs(final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / NS_PER_US;
    }
}
