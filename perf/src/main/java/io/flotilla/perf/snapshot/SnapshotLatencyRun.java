package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Role;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.perf.flotilla.FlotillaTarget;
import io.flotilla.perf.harness.EchoHandler;
import io.flotilla.perf.harness.LatencyRun;
import io.flotilla.perf.harness.RunResult;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client latency while snapshots of a large state are taken, against the same run without. The harness's Flotilla
 * target (three members, a client over UDP) runs a {@link KvEchoStateMachine} filled in process with a KV state of
 * {@link SnapshotSettings#stateBytes()}; then two latency runs at the same rate follow one another: one without
 * snapshots, one during which the leader and a follower each take a snapshot ({@link ClusterNode#takeSnapshot()}),
 * both asked for a tenth into the measured period. Automatic snapshots are off, so those are the only ones; the
 * election timeout is widened as {@link LocalCluster#LARGE_STATE_ELECTION_TIMEOUT_MIN_NS} says. Both runs write an
 * {@code .hgrm}; the table gives p50, p99, p99.9 and max each way, and how long the snapshots took.
 */
public final class SnapshotLatencyRun
{
    private static final long START_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private final FlotillaSettings settings;
    private final SnapshotSettings snapshot;

    /**
     * @param settings durability, threading and client settings.
     * @param snapshot the state's size and value length.
     */
    public SnapshotLatencyRun(final FlotillaSettings settings, final SnapshotSettings snapshot)
    {
        this.settings = settings;
        this.snapshot = snapshot;
    }

    /**
     * @param rate         offered messages per second.
     * @param size         message length.
     * @param warmupNs     warm-up of each run.
     * @param durationNs   measured period of each run.
     * @param drainNs      drain of each run.
     * @param idleStrategy of the load loop.
     * @param resultsDir   where the {@code .hgrm} files go.
     * @return the {@code key=value} result lines, then the table.
     * @throws Exception when the target fails, or a snapshot fails or outlasts its deadline.
     */
    public List<String> run(
        final long rate,
        final int size,
        final long warmupNs,
        final long durationNs,
        final long drainNs,
        final IdleStrategy idleStrategy,
        final Path resultsDir) throws Exception
    {
        final KvFill fill = new KvFill(snapshot.stateKeys(), snapshot.stateValueBytes());
        if (fill.commandLength() == size)
        {
            throw new IllegalArgumentException("--size " + size + " equals the fill's command length: choose another");
        }
        try (FlotillaTarget target = new FlotillaTarget(settings, ctx ->
        {
            ctx.stateMachine(new KvEchoStateMachine(size)).electionTimeoutNs(
                LocalCluster.LARGE_STATE_ELECTION_TIMEOUT_MIN_NS, LocalCluster.LARGE_STATE_ELECTION_TIMEOUT_MAX_NS);
            ctx.snapshotConfig().logEntries(0).logBytes(0);
        }))
        {
            target.start(size);
            final ClusterNode leader = leader(target);
            final ClusterNode follower = target.node((leader.memberId() + 1) % target.memberCount());
            final long fillStartNs = System.nanoTime();
            // The client is polled meanwhile, or its session would expire before the load begins.
            final EchoHandler noEchoes = (sendTimeNs) -> {};
            fill.fill(leader, fill.keyCount(), fillStartNs + TimeUnit.MINUTES.toNanos(1) +
                snapshot.stateBytes() / 1_000_000 * TimeUnit.MILLISECONDS.toNanos(50), () ->
                {
                    if (0 == target.poll(noEchoes))
                    {
                        Thread.yield();
                    }
                });
            final long fillNs = System.nanoTime() - fillStartNs;
            awaitApplied(follower, leader.commitIndex(), System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
            System.out.printf(Locale.ROOT, "filled %d keys x %d B in %.1f s%n",
                fill.keyCount(), snapshot.stateValueBytes(), fillNs / 1e9);

            final RunResult without =
                new LatencyRun(rate, warmupNs, durationNs, drainNs, idleStrategy).run(target, size);

            final AtomicLong leaderSnapshotNs = new AtomicLong(-1);
            final AtomicLong followerSnapshotNs = new AtomicLong(-1);
            final CompletableFuture<Void> snapshots = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(warmupNs + durationNs / 10, TimeUnit.NANOSECONDS).execute(() ->
            {
                final long startNs = System.nanoTime();
                CompletableFuture.allOf(
                    timed(leader.takeSnapshot(), startNs, leaderSnapshotNs),
                    timed(follower.takeSnapshot(), startNs, followerSnapshotNs))
                    .whenComplete((ignored, failure) -> complete(snapshots, failure));
            });
            final RunResult with = new LatencyRun(rate, warmupNs, durationNs, drainNs, idleStrategy).run(target, size);
            snapshots.get(TimeUnit.MINUTES.toNanos(5), TimeUnit.NANOSECONDS);
            if (0 == without.received() || 0 == with.received())
            {
                throw new IllegalStateException("no echoes in a latency run (without: " + without.received() +
                    " of " + without.sent() + ", with: " + with.received() + " of " + with.sent() + ")");
            }
            final boolean within = Math.max(leaderSnapshotNs.get(), followerSnapshotNs.get()) < durationNs * 9 / 10;

            final List<String> lines = new ArrayList<>();
            final ResultTable table = new ResultTable(
                "snapshots", "rate", "count", "p50_us", "p99_us", "p99.9_us", "max_us", "leader_snap_ms",
                "follower_snap_ms");
            for (final RunResult result : List.of(without, with))
            {
                final boolean taken = result == with;
                final String name = taken ? "with" : "without";
                writeHgrm(resultsDir.resolve("flotilla-snapshot-latency-" + rate + "-" + name + ".hgrm"),
                    result.histogram());
                final Histogram histogram = result.histogram();
                final String line = String.format(Locale.ROOT,
                    "target=flotilla mode=snapshot-latency snapshots=%s rate=%d size=%d state_bytes=%d " +
                    "value_bytes=%d count=%d p50=%.1f p99=%.1f p99.9=%.1f max=%.1f leader_snapshot_ms=%.0f " +
                    "follower_snapshot_ms=%.0f snapshots_within_period=%s sent=%d received=%d unit=us %s",
                    name, rate, size, snapshot.stateBytes(), snapshot.stateValueBytes(), histogram.getTotalCount(),
                    us(histogram, 50), us(histogram, 99), us(histogram, 99.9), histogram.getMaxValue() / 1e3,
                    taken ? leaderSnapshotNs.get() / 1e6 : 0, taken ? followerSnapshotNs.get() / 1e6 : 0,
                    taken ? within : "n/a", result.sent(), result.received(), settings.describe());
                lines.add(line);
                System.out.println(line);
                table.row(name, rate, histogram.getTotalCount(), fmt(us(histogram, 50)), fmt(us(histogram, 99)),
                    fmt(us(histogram, 99.9)), fmt(histogram.getMaxValue() / 1e3),
                    taken ? fmt(leaderSnapshotNs.get() / 1e6) : "-", taken ? fmt(followerSnapshotNs.get() / 1e6) : "-");
            }
            final String rendered = table.render() + (within ? "" :
                "note: a snapshot ran past 90% of the measured period; raise --duration" + System.lineSeparator());
            System.out.print(rendered);
            lines.add(rendered);
            return lines;
        }
    }

    private static ClusterNode leader(final FlotillaTarget target)
    {
        final long deadlineNs = System.nanoTime() + START_DEADLINE_NS;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (int i = 0; i < target.memberCount(); i++)
            {
                if (Role.LEADER == target.node(i).role())
                {
                    return target.node(i);
                }
            }
            Thread.yield();
        }
        throw new IllegalStateException("no member led by the deadline");
    }

    private static void awaitApplied(final ClusterNode node, final long index, final long deadlineNs)
    {
        while (node.appliedIndex() < index)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("member " + node.memberId() + " applied " + node.appliedIndex() +
                    " of " + index + " by the deadline");
            }
            Thread.yield();
        }
    }

    private static CompletableFuture<Long> timed(
        final CompletableFuture<Long> snapshot, final long startNs, final AtomicLong elapsedNs)
    {
        return snapshot.whenComplete((index, failure) -> elapsedNs.set(System.nanoTime() - startNs));
    }

    private static void complete(final CompletableFuture<Void> future, final Throwable failure)
    {
        if (null == failure)
        {
            future.complete(null);
        }
        else
        {
            future.completeExceptionally(failure);
        }
    }

    private static void writeHgrm(final Path file, final Histogram histogram) throws IOException
    {
        Files.createDirectories(file.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(out, 1e3);
        }
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
