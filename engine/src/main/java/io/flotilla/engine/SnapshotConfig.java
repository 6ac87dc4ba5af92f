package io.flotilla.engine;

import io.flotilla.archive.Settings;

import java.util.List;

/**
 * Settings of snapshots, log compaction and snapshot install. Mutable with fluent setters; defaults come from
 * {@code flotilla.snapshot.*} system properties (sizes take Agrona's suffixes: {@code 64k}, {@code 256m}).
 * {@link #validate()} fails with a message naming the setting and what to change.
 * <p>
 * A node takes a snapshot when the log it has applied since its last one passes {@link #logEntries()} entries or
 * {@link #logBytes()} bytes (each node at its own point: the thresholds are staggered per member and per
 * snapshot). After a snapshot the log before it is released, except the last {@link #retainEntries()} entries, so
 * that a briefly lagging follower still catches up from the log rather than by an install.
 */
public final class SnapshotConfig
{
    /** Entries applied since the last snapshot that trigger the next; 0 for no entry threshold. */
    public static final String LOG_ENTRIES_PROP = "flotilla.snapshot.log.entries";
    public static final long LOG_ENTRIES_DEFAULT = 1_000_000;
    /** Log bytes applied since the last snapshot that trigger the next; 0 for no byte threshold. */
    public static final String LOG_BYTES_PROP = "flotilla.snapshot.log.bytes";
    public static final long LOG_BYTES_DEFAULT = 256L * 1024 * 1024;
    /** Entries kept in the log behind a snapshot. */
    public static final String RETAIN_ENTRIES_PROP = "flotilla.snapshot.retain.entries";
    public static final long RETAIN_ENTRIES_DEFAULT = 10_000;
    /** Complete snapshot files kept (the newest and older ones, a fallback if the newest is found corrupt). */
    public static final String RETAIN_COUNT_PROP = "flotilla.snapshot.retain.count";
    public static final int RETAIN_COUNT_DEFAULT = 2;
    /** Bytes of snapshot per install chunk message. */
    public static final String CHUNK_BYTES_PROP = "flotilla.snapshot.chunk.bytes";
    public static final int CHUNK_BYTES_DEFAULT = 64 * 1024;
    /** Install bytes a leader sends a peer ahead of its acknowledgements. */
    public static final String INSTALL_WINDOW_BYTES_PROP = "flotilla.snapshot.install.window.bytes";
    public static final int INSTALL_WINDOW_BYTES_DEFAULT = 4 * 1024 * 1024;
    /** Install bytes a leader sends in one duty cycle, over all peers: the bound that keeps replication flowing. */
    public static final String INSTALL_CYCLE_BYTES_PROP = "flotilla.snapshot.install.cycle.bytes";
    public static final int INSTALL_CYCLE_BYTES_DEFAULT = 256 * 1024;

    /** Largest install chunk: it must fit one consensus message with room to spare. */
    public static final int MAX_CHUNK_BYTES = 1024 * 1024;

    /** Every property this config reads. */
    public static final List<String> PROPERTIES = Settings.names(LOG_ENTRIES_PROP, LOG_BYTES_PROP, RETAIN_ENTRIES_PROP,
        RETAIN_COUNT_PROP, CHUNK_BYTES_PROP, INSTALL_WINDOW_BYTES_PROP, INSTALL_CYCLE_BYTES_PROP);

    private long logEntries = Settings.sizeAsLong(LOG_ENTRIES_PROP, LOG_ENTRIES_DEFAULT);
    private long logBytes = Settings.sizeAsLong(LOG_BYTES_PROP, LOG_BYTES_DEFAULT);
    private long retainEntries = Settings.sizeAsLong(RETAIN_ENTRIES_PROP, RETAIN_ENTRIES_DEFAULT);
    private int retainCount = Settings.integer(RETAIN_COUNT_PROP, RETAIN_COUNT_DEFAULT);
    private int chunkBytes = Settings.sizeAsInt(CHUNK_BYTES_PROP, CHUNK_BYTES_DEFAULT);
    private int installWindowBytes = Settings.sizeAsInt(INSTALL_WINDOW_BYTES_PROP, INSTALL_WINDOW_BYTES_DEFAULT);
    private int installCycleBytes = Settings.sizeAsInt(INSTALL_CYCLE_BYTES_PROP, INSTALL_CYCLE_BYTES_DEFAULT);

    /**
     * Check every setting.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting and what to change.
     */
    public SnapshotConfig validate()
    {
        if (logEntries < 0)
        {
            throw new IllegalArgumentException("snapshot logEntries " + logEntries + " must be >= 0 (" +
                LOG_ENTRIES_PROP + ", 0 for no entry threshold)");
        }
        if (logBytes < 0)
        {
            throw new IllegalArgumentException("snapshot logBytes " + logBytes + " must be >= 0 (" +
                LOG_BYTES_PROP + ", 0 for no byte threshold)");
        }
        if (retainEntries < 0)
        {
            throw new IllegalArgumentException("snapshot retainEntries " + retainEntries + " must be >= 0 (" +
                RETAIN_ENTRIES_PROP + ")");
        }
        if (retainCount < 1)
        {
            throw new IllegalArgumentException("snapshot retainCount " + retainCount + " must be at least 1 (" +
                RETAIN_COUNT_PROP + ")");
        }
        if (chunkBytes < 1024 || chunkBytes > MAX_CHUNK_BYTES)
        {
            throw new IllegalArgumentException("snapshot chunkBytes " + chunkBytes + " must be in 1024.." +
                MAX_CHUNK_BYTES + " (" + CHUNK_BYTES_PROP + ")");
        }
        if (installWindowBytes < chunkBytes)
        {
            throw new IllegalArgumentException("snapshot installWindowBytes " + installWindowBytes +
                " must hold at least one chunk of " + chunkBytes + " (" + INSTALL_WINDOW_BYTES_PROP + ")");
        }
        if (installCycleBytes < chunkBytes)
        {
            throw new IllegalArgumentException("snapshot installCycleBytes " + installCycleBytes +
                " must allow at least one chunk of " + chunkBytes + " (" + INSTALL_CYCLE_BYTES_PROP + ")");
        }
        return this;
    }

    /**
     * @return whether snapshots are taken automatically (either threshold set).
     */
    public boolean isAutomatic()
    {
        return logEntries > 0 || logBytes > 0;
    }

    public SnapshotConfig logEntries(final long logEntries)
    {
        this.logEntries = logEntries;
        return this;
    }

    public long logEntries()
    {
        return logEntries;
    }

    public SnapshotConfig logBytes(final long logBytes)
    {
        this.logBytes = logBytes;
        return this;
    }

    public long logBytes()
    {
        return logBytes;
    }

    public SnapshotConfig retainEntries(final long retainEntries)
    {
        this.retainEntries = retainEntries;
        return this;
    }

    public long retainEntries()
    {
        return retainEntries;
    }

    public SnapshotConfig retainCount(final int retainCount)
    {
        this.retainCount = retainCount;
        return this;
    }

    public int retainCount()
    {
        return retainCount;
    }

    public SnapshotConfig chunkBytes(final int chunkBytes)
    {
        this.chunkBytes = chunkBytes;
        return this;
    }

    public int chunkBytes()
    {
        return chunkBytes;
    }

    public SnapshotConfig installWindowBytes(final int installWindowBytes)
    {
        this.installWindowBytes = installWindowBytes;
        return this;
    }

    public int installWindowBytes()
    {
        return installWindowBytes;
    }

    public SnapshotConfig installCycleBytes(final int installCycleBytes)
    {
        this.installCycleBytes = installCycleBytes;
        return this;
    }

    public int installCycleBytes()
    {
        return installCycleBytes;
    }
}
