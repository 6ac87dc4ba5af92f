package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.samples.KvStateMachine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Memory and disk over a long run with snapshots: a three-member cluster in this JVM takes KV puts over
 * {@link SnapshotSettings#keys()} keys, proposed in process on the leader at {@link SnapshotSettings#soakRate()}
 * commands/s (following the leader if leadership moves), and takes snapshots at
 * {@link SnapshotSettings#logEntries()} entries. Every {@link SnapshotSettings#sampleNs()} it samples the
 * process's resident set, the JVM's direct and mapped buffer pools (one process holds all three members, so these
 * are totals), and per member the data directory's bytes, the log's first index, the commit index (the log's last
 * index but for entries in flight) and the snapshot index.
 * <p>
 * Flat means: over the samples after every member has taken its first snapshot, the median of the later half is at
 * most {@link #FLAT_RATIO} times the median of the earlier half, for memory, disk and log length alike. A bounded
 * quantity saws (archive segments are purged a whole one at a time, snapshots replace snapshots) but does not climb;
 * medians see through the saw where maxima would depend on where a tooth falls.
 */
public final class SnapshotSoakRun
{
    /** Growth between the halves of the run after the first threshold that still counts as flat. */
    static final double FLAT_RATIO = 1.25;

    private static final long START_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MEMBERS = 3;

    private final FlotillaSettings settings;
    private final SnapshotSettings snapshot;

    /**
     * @param settings durability and threading.
     * @param snapshot keys, value length, threshold, length of the run, sample interval and rate.
     */
    public SnapshotSoakRun(final FlotillaSettings settings, final SnapshotSettings snapshot)
    {
        this.settings = settings;
        this.snapshot = snapshot;
    }

    /**
     * @return a line per sample, the verdict line, then the table.
     */
    public List<String> run()
    {
        try (LocalCluster cluster = new LocalCluster("snapshot-soak", MEMBERS, settings, ctx ->
        {
            ctx.stateMachine(new KvStateMachine());
            ctx.snapshotConfig().logEntries(snapshot.logEntries());
        }))
        {
            for (int i = 0; i < MEMBERS; i++)
            {
                cluster.launch(i);
            }
            ClusterNode leader = cluster.awaitLeader(System.nanoTime() + START_DEADLINE_NS);
            long failedSeen = 0;
            int leaderChanges = 0;
            final KvFill load = new KvFill(snapshot.keys(), snapshot.valueBytes());
            final List<Sample> samples = new ArrayList<>();
            final List<String> lines = new ArrayList<>();
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / snapshot.soakRate();
            final long startNs = System.nanoTime();
            final long endNs = startNs + snapshot.soakNs();
            long nextSendNs = startNs;
            long nextSampleNs = startNs;
            while (true)
            {
                final long nowNs = System.nanoTime();
                if (nowNs - nextSampleNs >= 0)
                {
                    final Sample sample = Sample.take(cluster, nowNs - startNs, load.committed());
                    samples.add(sample);
                    lines.add(sample.line());
                    System.out.println(sample.line());
                    nextSampleNs += snapshot.sampleNs();
                }
                if (nowNs - endNs >= 0)
                {
                    break;
                }
                if (load.failed() > failedSeen)
                {
                    // Leadership moved (two busy cores can starve a heartbeat): follow it, the run goes on.
                    failedSeen = load.failed();
                    final ClusterNode next = cluster.awaitLeader(nowNs + START_DEADLINE_NS);
                    leaderChanges += next == leader ? 0 : 1;
                    leader = next;
                }
                boolean sent = false;
                while (nextSendNs - nowNs <= 0 && load.proposeNext(leader))
                {
                    nextSendNs += intervalNs;
                    sent = true;
                }
                if (!sent)
                {
                    Thread.yield(); // two cores: leave the members' agents the CPU
                }
            }
            final double achievedRate = load.committed() * 1e9 / (System.nanoTime() - startNs);
            final String verdict = verdict(samples, achievedRate, leaderChanges, load.failed());
            lines.add(verdict);
            System.out.println(verdict);
            final String table = table(samples);
            System.out.print(table);
            lines.add(table);
            return lines;
        }
    }

    private String verdict(
        final List<Sample> samples, final double achievedRate, final int leaderChanges, final long failed)
    {
        int first = -1;
        for (int i = 0; i < samples.size() && first < 0; i++)
        {
            if (samples.get(i).minSnapshotIndex() > 0)
            {
                first = i;
            }
        }
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "target=flotilla mode=snapshot-soak verdict minutes=%.1f rate=%d achieved_cmd_per_s=%.0f keys=%d " +
            "value_bytes=%d snapshot_log_entries=%d samples=%d leader_changes=%d not_committed=%d",
            snapshot.soakNs() / 6e10, snapshot.soakRate(), achievedRate, snapshot.keys(), snapshot.valueBytes(),
            snapshot.logEntries(), samples.size(), leaderChanges, failed));
        final List<Sample> after = first < 0 ? List.of() : samples.subList(first, samples.size());
        if (after.size() < 2)
        {
            return line.append(" flat=n/a (fewer than two samples after every member's first snapshot: run longer)")
                .append(' ').append(settings.describe()).toString();
        }
        line.append(" first_threshold_s=").append(after.get(0).elapsedNs / 1_000_000_000L);
        boolean flat = true;
        for (final String metric : Sample.METRICS)
        {
            final double ratio = ratio(after, metric);
            flat &= ratio <= FLAT_RATIO;
            line.append(String.format(Locale.ROOT, " %s_growth=%.2f", metric, ratio));
        }
        return line.append(" flat=").append(flat ? "yes" : "no").append(' ').append(settings.describe()).toString();
    }

    private static double ratio(final List<Sample> samples, final String metric)
    {
        final int half = samples.size() / 2;
        return Math.max(1, median(samples.subList(half, samples.size()), metric)) /
            (double)Math.max(1, median(samples.subList(0, half), metric));
    }

    private static long median(final List<Sample> samples, final String metric)
    {
        final long[] values = new long[samples.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = samples.get(i).metric(metric);
        }
        Arrays.sort(values);
        return values[values.length / 2];
    }

    private static String table(final List<Sample> samples)
    {
        final ResultTable table = new ResultTable("t_s", "committed", "rss_MB", "direct_MB", "mapped_MB",
            "data_MB(0/1/2)", "log_first(0/1/2)", "commit(0/1/2)", "snapshot(0/1/2)");
        for (final Sample sample : samples)
        {
            table.row(sample.elapsedNs / 1_000_000_000L, sample.committed, mb(sample.rssBytes), mb(sample.directBytes),
                mb(sample.mappedBytes), join(sample.dataBytes, true), join(sample.logFirstIndex, false),
                join(sample.commitIndex, false), join(sample.snapshotIndex, false));
        }
        return table.render();
    }

    private static String mb(final long bytes)
    {
        return Long.toString(bytes / 1_000_000);
    }

    private static String join(final long[] values, final boolean megabytes)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.length; i++)
        {
            out.append(0 == i ? "" : "/").append(megabytes ? mb(values[i]) : Long.toString(values[i]));
        }
        return out.toString();
    }

    /**
     * One sample of the run.
     */
    private static final class Sample
    {
        static final List<String> METRICS = List.of("rss", "direct", "mapped", "data_dir", "log_length");

        final long elapsedNs;
        final long committed;
        final long rssBytes;
        final long directBytes;
        final long mappedBytes;
        final long[] dataBytes = new long[MEMBERS];
        final long[] logFirstIndex = new long[MEMBERS];
        final long[] commitIndex = new long[MEMBERS];
        final long[] snapshotIndex = new long[MEMBERS];

        private Sample(final long elapsedNs, final long committed)
        {
            this.elapsedNs = elapsedNs;
            this.committed = committed;
            rssBytes = Footprint.residentBytes();
            directBytes = Footprint.bufferPoolBytes("direct");
            mappedBytes = Footprint.bufferPoolBytes("mapped");
        }

        static Sample take(final LocalCluster cluster, final long elapsedNs, final long committed)
        {
            final Sample sample = new Sample(elapsedNs, committed);
            for (int i = 0; i < MEMBERS; i++)
            {
                final ClusterNode node = cluster.node(i);
                sample.dataBytes[i] = Footprint.directoryBytes(cluster.dataDirectory(i));
                sample.logFirstIndex[i] = node.logFirstIndex();
                sample.commitIndex[i] = node.commitIndex();
                sample.snapshotIndex[i] = node.snapshotIndex();
            }
            return sample;
        }

        long minSnapshotIndex()
        {
            long min = Long.MAX_VALUE;
            for (final long index : snapshotIndex)
            {
                min = Math.min(min, index);
            }
            return min;
        }

        long metric(final String name)
        {
            switch (name)
            {
                case "rss":
                    return rssBytes;
                case "direct":
                    return directBytes;
                case "mapped":
                    return mappedBytes;
                case "data_dir":
                    return max(dataBytes);
                case "log_length":
                {
                    long longest = 0;
                    for (int i = 0; i < MEMBERS; i++)
                    {
                        longest = Math.max(longest, commitIndex[i] - logFirstIndex[i] + 1);
                    }
                    return longest;
                }
                default:
                    throw new IllegalArgumentException(name);
            }
        }

        String line()
        {
            return String.format(Locale.ROOT,
                "target=flotilla mode=snapshot-soak t_s=%.0f committed=%d rss_bytes=%d direct_bytes=%d " +
                "mapped_bytes=%d data_dir_bytes=%s log_first_index=%s commit_index=%s snapshot_index=%s",
                elapsedNs / 1e9, committed, rssBytes, directBytes, mappedBytes, join(dataBytes, false),
                join(logFirstIndex, false), join(commitIndex, false), join(snapshotIndex, false));
        }

        private static long max(final long[] values)
        {
            long max = 0;
            for (final long value : values)
            {
                max = Math.max(max, value);
            }
            return max;
        }
    }
}
