package io.flotilla.samples;

import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.engine.client.Outcome;
import io.flotilla.engine.client.ResponseListener;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code KvClient load} ({@link LoadCommand}): PUTs of unique keys at a fixed rate for a duration, through one
 * session (a new one if the cluster expires it or no leader appears in time). Latency is measured from each request's
 * <em>intended</em> send time, so a stall (a failover, say) counts fully for every request it delayed
 * (coordinated omission corrected). Every acknowledged write is appended to the acks file for later checking,
 * and the longest gap between consecutive acknowledgements is the failover gap. An optional warm-up runs first at
 * the same rate (its writes are recorded as acknowledged but not measured), so JIT compilation in the cluster and the
 * client is not reported as latency.
 */
final class KvLoad implements ResponseListener
{
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long REPORT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final FlotillaClient.Context template;
    private final PrintStream out;
    private final BufferedWriter acks;
    private final long intervalNs;
    private final long total;
    private final long warmupRequests;
    private final String keyPrefix;
    private final String valuePadding;
    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final long[] intendedNs = new long[FlotillaClient.MAX_OUTSTANDING];
    private final long[] requestNumber = new long[FlotillaClient.MAX_OUTSTANDING];
    private final Map<Outcome, Long> failures = new EnumMap<>(Outcome.class);

    private FlotillaClient client;
    private long startNs;
    private long acked;
    private long warmupAcked;
    private long ackedAtLastReport;
    private long lastAckNs;
    private long maxGapNs;
    private long maxGapAtNs;
    private long sessions;
    private long resendPasses;
    private long redirects;

    private KvLoad(
        final FlotillaClient.Context template,
        final PrintStream out,
        final BufferedWriter acks,
        final long rate,
        final long warmupNs,
        final long durationNs,
        final int valueSize)
    {
        this.template = template;
        this.out = out;
        this.acks = acks;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        this.warmupRequests = requests(rate, warmupNs);
        this.total = warmupRequests + requests(rate, durationNs);
        this.keyPrefix = "load-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() + "-";
        this.valuePadding = "x".repeat(Math.max(0, valueSize - 12));
    }

    /**
     * @param rate       PUTs per second, 1 to 1,000,000.
     * @param warmupNs   how long the unmeasured warm-up runs first.
     * @param durationNs how long the measured load runs.
     * @param valueSize  bytes per value.
     * @param hgrm       where to write the latency histogram, or null.
     * @return 0 when every request was answered, 1 when some were still unanswered after the drain timeout.
     */
    static int run(
        final FlotillaClient.Context template,
        final long rate,
        final long warmupNs,
        final long durationNs,
        final int valueSize,
        final Path acksPath,
        final Path hgrm,
        final PrintStream out)
        throws IOException
    {
        try (BufferedWriter acks = Files.newBufferedWriter(acksPath, StandardCharsets.UTF_8))
        {
            final KvLoad load = new KvLoad(template, out, acks, rate, warmupNs, durationNs, valueSize);
            final boolean drained = load.drive();
            load.report(acksPath);
            if (null != hgrm)
            {
                load.writeHistogram(hgrm);
            }
            return drained ? 0 : 1;
        }
    }

    private static long requests(final long rate, final long durationNs)
    {
        return Math.round(rate * (durationNs / (double)TimeUnit.SECONDS.toNanos(1)));
    }

    private boolean drive()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        client = connect();
        startNs = System.nanoTime();
        lastAckNs = startNs;
        long nextReportNs = startNs + REPORT_INTERVAL_NS;
        long sent = 0;

        while (true)
        {
            final long nowNs = System.nanoTime();
            int work = 0;
            while (sent < total && startNs + sent * intervalNs - nowNs <= 0)
            {
                final long sequence = offer(sent);
                if (sequence == FlotillaClient.BACK_PRESSURED)
                {
                    break;
                }
                if (sequence < 0)
                {
                    client = reconnect();
                    continue; // the same request again, on the new session
                }
                final int slot = (int)(sequence % FlotillaClient.MAX_OUTSTANDING);
                intendedNs[slot] = startNs + sent * intervalNs;
                requestNumber[slot] = sent;
                sent++;
                work++;
            }

            work += client.poll(this);
            if (sent == total && 0 == client.outstanding())
            {
                return true;
            }
            if (nowNs - (startNs + total * intervalNs + DRAIN_TIMEOUT_NS) > 0)
            {
                out.println("load: gave up with " + client.outstanding() + " requests unanswered");
                return false;
            }
            if (nowNs - nextReportNs >= 0)
            {
                out.printf("t=%2ds acked/s=%d outstanding=%d%n",
                    TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs), acked + warmupAcked - ackedAtLastReport,
                    client.outstanding());
                ackedAtLastReport = acked + warmupAcked;
                nextReportNs += REPORT_INTERVAL_NS;
            }
            idle.idle(work);
        }
    }

    private long offer(final long number)
    {
        final int length = commands.put(buffer, 0, key(number), value(number), 0);
        return client.offer(buffer, 0, length);
    }

    private String key(final long number)
    {
        return keyPrefix + number;
    }

    private byte[] value(final long number)
    {
        final String text = "v" + number + "-" + valuePadding;
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public void onResponse(
        final long sequence,
        final Outcome outcome,
        final long logIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final long nowNs = System.nanoTime();
        final int slot = (int)(sequence % FlotillaClient.MAX_OUTSTANDING);
        if (Outcome.OK != outcome)
        {
            failures.merge(outcome, 1L, Long::sum);
            return;
        }

        final long number = requestNumber[slot];
        if (number < warmupRequests)
        {
            warmupAcked++;
        }
        else
        {
            histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), nowNs - intendedNs[slot]));
            acked++;
            if (acked > 1 && nowNs - lastAckNs > maxGapNs)
            {
                maxGapNs = nowNs - lastAckNs;
                maxGapAtNs = lastAckNs - startNs;
            }
        }
        lastAckNs = nowNs;

        try
        {
            acks.write(key(number));
            acks.write(' ');
            acks.write(new String(value(number), StandardCharsets.UTF_8));
            acks.newLine();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private FlotillaClient connect()
    {
        sessions++;
        return FlotillaClient.connect(copy(template));
    }

    private FlotillaClient reconnect()
    {
        resendPasses += client.resendPasses();
        redirects += client.redirects();
        client.close();
        final long giveUpNs = startNs + total * intervalNs + DRAIN_TIMEOUT_NS;
        while (true)
        {
            try
            {
                return connect();
            }
            catch (final FlotillaClientException ex)
            {
                if (System.nanoTime() - giveUpNs > 0)
                {
                    throw ex;
                }
                out.println("load: " + ex.getMessage() + "; trying again");
            }
        }
    }

    private static FlotillaClient.Context copy(final FlotillaClient.Context template)
    {
        return new FlotillaClient.Context()
            .ingressEndpoints(template.ingressEndpoints())
            .aeronDirectoryName(template.aeronDirectoryName())
            .connectTimeoutNs(template.connectTimeoutNs())
            .responseTimeoutNs(template.responseTimeoutNs());
    }

    private void report(final Path acksPath)
    {
        final long measuredStartNs = startNs + warmupRequests * intervalNs;
        final long elapsedNs = lastAckNs - measuredStartNs;
        resendPasses += client.resendPasses();
        redirects += client.redirects();
        client.close();

        if (warmupRequests > 0)
        {
            out.printf("warm-up: %d writes acknowledged in the first %.1f s (recorded, not measured)%n",
                warmupAcked, warmupRequests * intervalNs / 1e9);
        }
        out.printf("load: acked=%d failed=%s in %.1f s -> throughput %.0f writes/s%n",
            acked, failures, elapsedNs / 1e9, acked / Math.max(elapsedNs / 1e9, 1e-9));
        out.printf("latency (us, from intended send time): p50=%d p90=%d p99=%d p99.9=%d max=%d%n",
            micros(50), micros(90), micros(99), micros(99.9), histogram.getMaxValue() / 1000);
        out.printf("failover gap: longest time between acknowledged writes = %.1f ms (starting at t=%.2f s)%n",
            maxGapNs / 1e6, maxGapAtNs / 1e9);
        out.printf("client: sessions=%d resend passes=%d redirects=%d; acknowledged writes recorded in %s%n",
            sessions, resendPasses, redirects, acksPath);
    }

    private long micros(final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1000;
    }

    private void writeHistogram(final Path path) throws IOException
    {
        try (PrintStream file = new PrintStream(Files.newOutputStream(path), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(file, 1000.0);
        }
    }
}
