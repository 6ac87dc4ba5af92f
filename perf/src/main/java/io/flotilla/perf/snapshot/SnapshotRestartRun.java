package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.samples.KvStateMachine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Restart time after N commands over the same KV state, with snapshots and without. A one-member cluster is filled
 * by proposing puts in process at its pace ({@link KvFill}), closed, and launched again on its data directory; the
 * figure is the time from {@link ClusterNode#launch} until its applied index is back where it was (the launch loads
 * the newest snapshot, if any, and replays the log after it; the time until launch returns is given too). With
 * snapshots the node takes them at the configured entry threshold while it is filled; without, it replays the whole
 * log. The restarted state's digest must equal the filled one's.
 */
public final class SnapshotRestartRun
{
    private static final long START_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private final FlotillaSettings settings;
    private final SnapshotSettings snapshot;

    /**
     * @param settings durability and threading.
     * @param snapshot the commands, keys, value length and snapshot threshold.
     */
    public SnapshotRestartRun(final FlotillaSettings settings, final SnapshotSettings snapshot)
    {
        this.settings = settings;
        this.snapshot = snapshot;
    }

    /**
     * Every count of commands, with snapshots on and off as configured.
     *
     * @return the {@code key=value} result lines, then the table.
     */
    public List<String> run()
    {
        final List<String> lines = new ArrayList<>();
        final ResultTable table = new ResultTable("snapshots", "commands", "fill_s", "fill_cmd_per_s", "launch_ms",
            "restart_ms", "snapshot_index", "snapshot_MB", "replayed_entries", "log_first_index", "data_dir_MB");
        for (final long commands : snapshot.commands())
        {
            for (final boolean on : snapshot.restartWith())
            {
                final Result result = runOne(commands, on);
                lines.add(result.line());
                System.out.println(result.line());
                table.row(on ? "on" : "off", commands, fmt("%.1f", result.fillNs / 1e9),
                    fmt("%.0f", commands * 1e9 / result.fillNs), fmt("%.0f", result.launchNs / 1e6),
                    fmt("%.0f", result.restartNs / 1e6),
                    result.snapshotIndex, fmt("%.1f", result.snapshotBytes / 1e6), result.replayed,
                    result.logFirstIndex, fmt("%.0f", result.dataDirBytes / 1e6));
            }
        }
        final String rendered = table.render();
        System.out.print(rendered);
        lines.add(rendered);
        return lines;
    }

    private Result runOne(final long commands, final boolean snapshots)
    {
        try (LocalCluster cluster = new LocalCluster("snapshot-restart", 1, settings, ctx ->
        {
            ctx.stateMachine(new KvStateMachine());
            if (snapshots)
            {
                ctx.snapshotConfig().logEntries(snapshot.logEntries());
            }
            else
            {
                ctx.snapshotConfig().logEntries(0).logBytes(0);
            }
        }))
        {
            final KvFill fill = new KvFill(snapshot.keys(), snapshot.valueBytes());
            final ClusterNode filled = cluster.launch(0);
            final ClusterNode leader = cluster.awaitLeader(System.nanoTime() + START_DEADLINE_NS);
            final long fillStartNs = System.nanoTime();
            fill.fill(leader, commands, System.nanoTime() + fillDeadlineNs(commands));
            final long fillNs = System.nanoTime() - fillStartNs;
            final long appliedBefore = filled.appliedIndex();
            final KvStateMachine filledState = (KvStateMachine)filled.context().stateMachine();
            cluster.close(0);
            final KvStateMachine.Summary before = filledState.summary();
            final long[] newest = Footprint.newestSnapshot(cluster.dataDirectory(0));
            final long dataDirBytes = Footprint.directoryBytes(cluster.dataDirectory(0));

            final long restartStartNs = System.nanoTime();
            final ClusterNode restarted = cluster.launch(0);
            final long launchNs = System.nanoTime() - restartStartNs;
            final long replayedTo = restarted.appliedIndex();
            final long snapshotIndex = restarted.snapshotIndex();
            final long logFirstIndex = restarted.logFirstIndex();
            final long deadlineNs = restartStartNs + fillDeadlineNs(commands);
            while (restarted.appliedIndex() < appliedBefore)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("restarted node applied " + restarted.appliedIndex() + " of " +
                        appliedBefore + " by the deadline");
                }
                Thread.yield();
            }
            final long restartNs = System.nanoTime() - restartStartNs;
            final KvStateMachine.Summary after = ((KvStateMachine)restarted.context().stateMachine()).summary();
            if (after.digest() != before.digest() || after.size() != before.size())
            {
                throw new IllegalStateException("restarted state " + after + " differs from the filled " + before);
            }
            return new Result(commands, snapshots, fillNs, launchNs, restartNs, snapshotIndex,
                snapshotIndex == newest[0] ? newest[1] : 0, replayedTo - snapshotIndex, logFirstIndex, dataDirBytes,
                fill.commandLength());
        }
    }

    /**
     * A minute to start plus 20 µs a command: a fill slower than 50k commands/s is a broken run, not a figure.
     */
    private static long fillDeadlineNs(final long commands)
    {
        return TimeUnit.MINUTES.toNanos(1) + commands * TimeUnit.MICROSECONDS.toNanos(20);
    }

    private static String fmt(final String format, final double value)
    {
        return String.format(Locale.ROOT, format, value);
    }

    private final class Result
    {
        final long commands;
        final boolean snapshots;
        final long fillNs;
        final long launchNs;
        final long restartNs;
        final long snapshotIndex;
        final long snapshotBytes;
        final long replayed;
        final long logFirstIndex;
        final long dataDirBytes;
        final int commandLength;

        Result(
            final long commands,
            final boolean snapshots,
            final long fillNs,
            final long launchNs,
            final long restartNs,
            final long snapshotIndex,
            final long snapshotBytes,
            final long replayed,
            final long logFirstIndex,
            final long dataDirBytes,
            final int commandLength)
        {
            this.commands = commands;
            this.snapshots = snapshots;
            this.fillNs = fillNs;
            this.launchNs = launchNs;
            this.restartNs = restartNs;
            this.snapshotIndex = snapshotIndex;
            this.snapshotBytes = snapshotBytes;
            this.replayed = replayed;
            this.logFirstIndex = logFirstIndex;
            this.dataDirBytes = dataDirBytes;
            this.commandLength = commandLength;
        }

        String line()
        {
            return String.format(Locale.ROOT,
                "target=flotilla mode=snapshot-restart snapshots=%s commands=%d keys=%d value_bytes=%d " +
                "command_bytes=%d snapshot_log_entries=%d fill_s=%.1f fill_cmd_per_s=%.0f launch_ms=%.1f " +
                "restart_ms=%.1f " +
                "snapshot_index=%d snapshot_bytes=%d replayed_entries=%d log_first_index=%d data_dir_bytes=%d %s",
                snapshots ? "on" : "off", commands, snapshot.keys(), snapshot.valueBytes(), commandLength,
                snapshots ? snapshot.logEntries() : 0, fillNs / 1e9, commands * 1e9 / fillNs, launchNs / 1e6,
                restartNs / 1e6,
                snapshotIndex, snapshotBytes, replayed, logFirstIndex, dataDirBytes, settings.describe());
        }
    }
}
