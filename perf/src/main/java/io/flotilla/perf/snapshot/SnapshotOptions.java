package io.flotilla.perf.snapshot;

import io.flotilla.admin.cli.RateConverter;
import io.flotilla.admin.cli.SizeConverter;
import io.flotilla.engine.SnapshotConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot benchmarks' options of {@code PerfMain} (a picocli mixin), concluded into {@link SnapshotSettings}.
 */
public final class SnapshotOptions
{
    private static final String ON = "on";
    private static final String OFF = "off";

    @Option(names = "--commands", paramLabel = "N[,N...]", split = ",", defaultValue = "1000000,10000000",
        description = "snapshot-restart: commands filled before each restart (default: ${DEFAULT-VALUE}).")
    private List<Long> commands;

    @Option(names = "--snapshots", paramLabel = "on|off[,...]", split = ",", defaultValue = "on,off",
        description = "snapshot-restart: restart with snapshots, without, or both in that order " +
            "(default: ${DEFAULT-VALUE}).")
    private List<String> snapshots;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000",
        description = "snapshot-restart, snapshot-soak: KV keys put in turn (default: ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--value-bytes", paramLabel = "SIZE", defaultValue = "32", converter = SizeConverter.class,
        description = "snapshot-restart, snapshot-soak: bytes per value (default: ${DEFAULT-VALUE}).")
    private long valueBytes;

    @Option(names = "--snapshot-log-entries", paramLabel = "N", defaultValue = "" + SnapshotConfig.LOG_ENTRIES_DEFAULT,
        description = "snapshot-restart, snapshot-soak: entries between snapshots (default: ${DEFAULT-VALUE}, the " +
            "engine's).")
    private long logEntries;

    @Option(names = "--state-bytes", paramLabel = "SIZE", defaultValue = "1g", converter = SizeConverter.class,
        description = "snapshot-install, snapshot-latency: bytes of KV values in the large state, e.g. 64m, 1g " +
            "(default: ${DEFAULT-VALUE}).")
    private long stateBytes;

    @Option(names = "--state-value-bytes", paramLabel = "SIZE", defaultValue = "10240", converter = SizeConverter.class,
        description = "snapshot-install, snapshot-latency: bytes per value of that state, e.g. 10240 or 10k " +
            "(default: ${DEFAULT-VALUE}).")
    private long stateValueBytes;

    @Option(names = "--soak-minutes", paramLabel = "M", defaultValue = "30",
        description = "snapshot-soak: length in minutes, e.g. 30 or 0.5 (default: ${DEFAULT-VALUE}).")
    private double soakMinutes;

    @Option(names = "--sample-seconds", paramLabel = "S", defaultValue = "10",
        description = "snapshot-soak: seconds between samples (default: ${DEFAULT-VALUE}).")
    private double sampleSeconds;

    @Option(names = "--soak-rate", paramLabel = "RATE", defaultValue = "50000/s", converter = RateConverter.class,
        description = "snapshot-soak: commands offered per second, e.g. 50k/s (default: ${DEFAULT-VALUE}).")
    private long soakRate;

    /**
     * @param spec the command line, named in a usage error.
     * @return the settings given.
     * @throws CommandLine.ParameterException naming a bad value.
     */
    public SnapshotSettings settings(final CommandSpec spec)
    {
        final long[] commandCounts = new long[commands.size()];
        for (int i = 0; i < commandCounts.length; i++)
        {
            commandCounts[i] = commands.get(i);
            require(spec, commandCounts[i] >= 1, "--commands must be positive, got " + commandCounts[i]);
        }
        require(spec, List.of(ON, OFF).containsAll(snapshots), "--snapshots must list on, off or both");
        final boolean[] restartWith = new boolean[snapshots.size()];
        for (int i = 0; i < restartWith.length; i++)
        {
            restartWith[i] = ON.equals(snapshots.get(i));
        }
        require(spec, keys >= 1, "--keys must be at least 1");
        require(spec, valueBytes >= 1 && valueBytes <= Integer.MAX_VALUE, "--value-bytes must be 1 to " +
            Integer.MAX_VALUE);
        require(spec, logEntries >= 1, "--snapshot-log-entries must be at least 1");
        require(spec, stateValueBytes >= Long.BYTES && stateValueBytes <= Integer.MAX_VALUE &&
            stateBytes >= stateValueBytes, "--state-value-bytes must be >= 8 and --state-bytes at least one value");
        require(spec, soakMinutes >= 0 && sampleSeconds > 0, "--soak-minutes must be >= 0 and --sample-seconds > 0");
        return new SnapshotSettings(
            commandCounts,
            restartWith,
            keys,
            (int)valueBytes,
            logEntries,
            stateBytes,
            (int)stateValueBytes,
            (long)(soakMinutes * TimeUnit.MINUTES.toNanos(1)),
            (long)(sampleSeconds * TimeUnit.SECONDS.toNanos(1)),
            soakRate);
    }

    private static void require(final CommandSpec spec, final boolean condition, final String problem)
    {
        if (!condition)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
    }
}
