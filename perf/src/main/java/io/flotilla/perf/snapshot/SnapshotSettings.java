package io.flotilla.perf.snapshot;

import io.flotilla.engine.SnapshotConfig;
import org.agrona.SystemUtil;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parameters of the snapshot benchmarks, from the command line.
 *
 * @param commands        restart: commands filled before each restart.
 * @param restartWith     restart: with snapshots (true), without (false), in that order.
 * @param keys            restart and soak: distinct keys of the KV state.
 * @param valueBytes      restart and soak: bytes per value.
 * @param logEntries      restart and soak: the snapshot entry threshold ({@link SnapshotConfig#logEntries()}).
 * @param stateBytes      install and latency: bytes of KV values in the large state.
 * @param stateValueBytes install and latency: bytes per value of the large state (keys = state / value bytes).
 * @param soakNs          soak: length of the run.
 * @param sampleNs        soak: interval between samples.
 * @param soakRate        soak: commands per second.
 */
public record SnapshotSettings(
    long[] commands,
    boolean[] restartWith,
    int keys,
    int valueBytes,
    long logEntries,
    long stateBytes,
    int stateValueBytes,
    long soakNs,
    long sampleNs,
    long soakRate)
{
    /** The options' names, for the usage text and for telling them from unknown ones. */
    public static final List<String> OPTIONS = List.of(
        "commands", "snapshots", "keys", "value-bytes", "snapshot-log-entries", "state-bytes", "state-value-bytes",
        "soak-minutes", "sample-seconds", "soak-rate");

    /** Usage lines of the options. */
    public static final String USAGE = String.join(System.lineSeparator(),
        "  --commands LIST        snapshot-restart: commands before each restart (default 1000000,10000000)",
        "  --snapshots on,off     snapshot-restart: restart with snapshots, without, or both (default on,off)",
        "  --keys N               snapshot-restart, snapshot-soak: KV keys put in turn (default 100000)",
        "  --value-bytes N        snapshot-restart, snapshot-soak: bytes per value (default 32)",
        "  --snapshot-log-entries N  snapshot-restart, snapshot-soak: entries between snapshots (default " +
            SnapshotConfig.LOG_ENTRIES_DEFAULT + ", the engine's)",
        "  --state-bytes SIZE     snapshot-install, snapshot-latency: KV state, e.g. 64m, 1g (default 1g)",
        "  --state-value-bytes N  snapshot-install, snapshot-latency: bytes per value of that state (default 10240)",
        "  --soak-minutes M       snapshot-soak: length (default 30)",
        "  --sample-seconds S     snapshot-soak: sample interval (default 10)",
        "  --soak-rate N          snapshot-soak: commands/s (default 50000)");

    /**
     * @param values the command line's {@code name -> value}; the options read here are removed from it.
     * @return the settings.
     * @throws IllegalArgumentException naming a bad value.
     */
    public static SnapshotSettings parse(final Map<String, String> values)
    {
        final String[] commandList = take(values, "commands", "1000000,10000000").split(",");
        final long[] commands = new long[commandList.length];
        for (int i = 0; i < commandList.length; i++)
        {
            commands[i] = Long.parseLong(commandList[i].trim());
            if (commands[i] < 1)
            {
                throw new IllegalArgumentException("--commands must be positive, got " + commands[i]);
            }
        }
        final List<String> modes = List.of(take(values, "snapshots", "on,off").split(","));
        if (modes.isEmpty() || !List.of("on", "off").containsAll(modes))
        {
            throw new IllegalArgumentException("--snapshots must list on, off or both");
        }
        final boolean[] restartWith = new boolean[modes.size()];
        for (int i = 0; i < restartWith.length; i++)
        {
            restartWith[i] = "on".equals(modes.get(i));
        }
        final long stateBytes = SystemUtil.parseSize("state-bytes", take(values, "state-bytes", "1g"));
        final int stateValueBytes = Integer.parseInt(take(values, "state-value-bytes", "10240"));
        if (stateValueBytes < Long.BYTES || stateBytes < stateValueBytes)
        {
            throw new IllegalArgumentException("--state-value-bytes must be >= 8 and --state-bytes at least one value");
        }
        return new SnapshotSettings(
            commands,
            restartWith,
            Integer.parseInt(take(values, "keys", "100000")),
            Integer.parseInt(take(values, "value-bytes", "32")),
            Long.parseLong(take(values, "snapshot-log-entries", Long.toString(SnapshotConfig.LOG_ENTRIES_DEFAULT))),
            stateBytes,
            stateValueBytes,
            (long)(Double.parseDouble(take(values, "soak-minutes", "30")) * TimeUnit.MINUTES.toNanos(1)),
            (long)(Double.parseDouble(take(values, "sample-seconds", "10")) * TimeUnit.SECONDS.toNanos(1)),
            Long.parseLong(take(values, "soak-rate", "50000")));
    }

    /**
     * @return keys of the large state: one value of {@link #stateValueBytes()} each.
     */
    public int stateKeys()
    {
        return (int)(stateBytes / stateValueBytes);
    }

    private static String take(final Map<String, String> values, final String name, final String defaultValue)
    {
        final String value = values.remove(name);
        return null == value ? defaultValue : value;
    }
}
