package io.flotilla.perf.snapshot;

import io.flotilla.engine.SnapshotConfig;

/**
 * Parameters of the snapshot benchmarks, from the command line ({@link SnapshotOptions}).
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
    /**
     * @return keys of the large state: one value of {@link #stateValueBytes()} each.
     */
    public int stateKeys()
    {
        return (int)(stateBytes / stateValueBytes);
    }
}
