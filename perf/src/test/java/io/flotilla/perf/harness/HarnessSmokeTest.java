package io.flotilla.perf.harness;

import io.flotilla.perf.flotilla.FlotillaSettings;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of the harness against the real baseline targets at tiny rates: messages round-trip and histograms
 * fill. No speed is asserted.
 */
class HarnessSmokeTest
{
    private static final int SIZE = 32;
    private static final long WARMUP_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long DURATION_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path results;

    @Test
    @Timeout(60)
    void pingRoundTripsInLatencyAndThroughputRuns() throws Exception
    {
        try (LoadTarget target = Targets.create("ping", FlotillaSettings.defaults()))
        {
            target.start(SIZE);
            assertRoundTripped(new LatencyRun(500, WARMUP_NS, DURATION_NS, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
            assertRoundTripped(new ThroughputRun(8, WARMUP_NS, DURATION_NS / 2, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
        }
    }

    @Test
    @Timeout(120)
    void flotillaEchoesEveryCommittedCommand() throws Exception
    {
        try (LoadTarget target = Targets.create("flotilla", FlotillaSettings.defaults()))
        {
            target.start(SIZE);
            assertRoundTripped(new LatencyRun(200, WARMUP_NS, DURATION_NS, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
            assertRoundTripped(new ThroughputRun(64, WARMUP_NS, DURATION_NS / 2, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
        }
    }

    @Test
    @Timeout(120)
    void flotillaEgressEchoesEveryCommandAsASessionMessage() throws Exception
    {
        try (LoadTarget target = Targets.create("flotilla-egress", FlotillaSettings.defaults()))
        {
            target.start(SIZE);
            assertRoundTripped(new LatencyRun(200, WARMUP_NS, DURATION_NS, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
            assertEquals(0, target.malformedEchoes());
        }
    }

    @Test
    @Timeout(120)
    void aeronClusterEchoesEveryMessage() throws Exception
    {
        try (LoadTarget target = Targets.create("aeron-cluster", FlotillaSettings.defaults()))
        {
            target.start(SIZE);
            assertRoundTripped(new LatencyRun(200, WARMUP_NS, DURATION_NS, DRAIN_NS, new YieldingIdleStrategy())
                .run(target, SIZE));
        }
    }

    @Test
    void resultsFeedTheComparisonTableAndThePlot() throws Exception
    {
        final RunResult ping = result("ping", 50_000, 10_000);
        final RunResult cluster = result("aeron-cluster", 1_000_000, 10_000);
        final Path pingFile = ping.writeTo(results);
        final Path clusterFile = cluster.writeTo(results);

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ComparisonTable(Files.readAllLines(results.resolve(RunResult.SUMMARY_FILE)))
            .print(new PrintStream(out, true, StandardCharsets.UTF_8));
        final String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("aeron-cluster"), table);
        assertTrue(table.contains(" 0.05 "), "ping p50 / cluster p50 = 50 us / 1 ms\n" + table);

        final Path png = results.resolve("latency.png");
        HgrmPlot.plot(png, "smoke", List.of(pingFile, clusterFile));
        assertTrue(Files.size(png) > 0);
    }

    private static void assertRoundTripped(final RunResult result)
    {
        assertTrue(result.sent() > 0, result.summaryLine());
        assertEquals(result.sent(), result.received(), result.summaryLine());
        assertEquals(result.received(), result.histogram().getTotalCount(), result.summaryLine());
        assertEquals(0, result.malformed(), result.summaryLine());
    }

    private static RunResult result(final String target, final long p50Ns, final int count)
    {
        final Histogram histogram = RunResult.newHistogram();
        for (int i = 0; i < count; i++)
        {
            histogram.recordValue(p50Ns + (i % 2 == 0 ? -i % 100 : i % 100));
        }
        return new RunResult(target, "latency", "", 10_000, SIZE, 0, histogram, count, count, 10_000, 0, 0,
            TimeUnit.MILLISECONDS.toNanos(250), TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.SECONDS.toNanos(1));
    }
}
