package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.samples.KvStateMachine;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot install rate on loopback. Two members of a three-member cluster hold a KV state of
 * {@link SnapshotSettings#stateBytes()} (one put per key, proposed in process on the leader); the leader takes a
 * snapshot, which releases its log (no entries retained behind it, 16 MiB archive segments), so the third member,
 * launched on an empty data directory, can only join through an install. The figure is the time from that launch
 * until its applied index reaches the leader's commit index, and the rate is the snapshot file's bytes over that
 * time. The joined state's digest must equal the leader's.
 * <p>
 * Automatic snapshots are off, so the only snapshot is the one asked for; the election timeout is widened as
 * {@link LocalCluster#LARGE_STATE_ELECTION_TIMEOUT_MIN_NS} says. Three copies of the state live in this
 * JVM: the heap needs about 3.5 times the state.
 */
public final class SnapshotInstallRun
{
    private static final long START_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int JOINER = 2;

    /** The smallest segment the log's default 16 MiB term allows, so that even a small state's log is released. */
    private static final int ARCHIVE_SEGMENT_LENGTH = 16 * 1024 * 1024;

    private final FlotillaSettings settings;
    private final SnapshotSettings snapshot;

    /**
     * @param settings durability and threading.
     * @param snapshot the state's size and value length.
     */
    public SnapshotInstallRun(final FlotillaSettings settings, final SnapshotSettings snapshot)
    {
        this.settings = settings;
        this.snapshot = snapshot;
    }

    /**
     * @return the {@code key=value} result line, then the table.
     * @throws Exception when the snapshot fails or the blank member does not catch up by the deadline.
     */
    public List<String> run() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster("snapshot-install", 3, settings, ctx ->
        {
            ctx.stateMachine(new KvStateMachine())
                .archiveSegmentLength(ARCHIVE_SEGMENT_LENGTH)
                .electionTimeoutNs(
                    LocalCluster.LARGE_STATE_ELECTION_TIMEOUT_MIN_NS, LocalCluster.LARGE_STATE_ELECTION_TIMEOUT_MAX_NS);
            ctx.snapshotConfig().logEntries(0).logBytes(0).retainEntries(0);
        }))
        {
            cluster.launch(0);
            cluster.launch(1);
            final ClusterNode leader = cluster.awaitLeader(System.nanoTime() + START_DEADLINE_NS);
            final KvFill fill = new KvFill(snapshot.stateKeys(), snapshot.stateValueBytes());
            final long fillStartNs = System.nanoTime();
            fill.fill(leader, fill.keyCount(), System.nanoTime() + deadlineNs(snapshot.stateBytes()));
            final long fillNs = System.nanoTime() - fillStartNs;

            final long snapshotStartNs = System.nanoTime();
            final long snapshotIndex = leader.takeSnapshot()
                .get(deadlineNs(snapshot.stateBytes()), TimeUnit.NANOSECONDS);
            final long snapshotNs = System.nanoTime() - snapshotStartNs;
            final long[] newest = Footprint.newestSnapshot(leader.context().dataDirectory());
            // The log is compacted just after the snapshot completes (its start record is forced first).
            final long compactedDeadlineNs = System.nanoTime() + START_DEADLINE_NS;
            while (leader.logFirstIndex() <= 1 && System.nanoTime() < compactedDeadlineNs)
            {
                Thread.sleep(10);
            }
            if (newest[0] != snapshotIndex || leader.logFirstIndex() <= 1)
            {
                throw new IllegalStateException("the leader's snapshot at " + snapshotIndex + " (newest file at " +
                    newest[0] + ") left its log starting at " + leader.logFirstIndex() +
                    ": no install would be needed");
            }
            final long leaderCommit = leader.commitIndex();

            final long launchStartNs = System.nanoTime();
            final ClusterNode joiner = cluster.launch(JOINER);
            final long launchNs = System.nanoTime() - launchStartNs;
            final long deadlineNs = launchStartNs + deadlineNs(newest[1]);
            while (joiner.appliedIndex() < leaderCommit)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("blank member applied " + joiner.appliedIndex() + " of " +
                        leaderCommit + " by the deadline (snapshot index " + joiner.snapshotIndex() + ")");
                }
                Thread.yield();
            }
            final long installNs = System.nanoTime() - launchStartNs;
            // The node publishes its applied index as it loads the snapshot, its snapshot index just after.
            while (joiner.snapshotIndex() < snapshotIndex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("blank member caught up without the snapshot (its snapshot " +
                        "index " + joiner.snapshotIndex() + ", the leader's " + snapshotIndex + ")");
                }
                Thread.yield();
            }
            checkSameState(leader, joiner, deadlineNs);

            final double mbPerS = newest[1] / 1e6 / (installNs / 1e9);
            final String line = String.format(Locale.ROOT,
                "target=flotilla mode=snapshot-install state_bytes=%d keys=%d value_bytes=%d fill_s=%.1f " +
                "fill_MB_per_s=%.0f snapshot_take_ms=%.0f snapshot_index=%d snapshot_bytes=%d launch_ms=%.0f " +
                "install_ms=%.0f install_MB_per_s=%.0f %s",
                snapshot.stateBytes(), fill.keyCount(), snapshot.stateValueBytes(), fillNs / 1e9,
                (double)fill.keyCount() * fill.commandLength() / 1e6 / (fillNs / 1e9), snapshotNs / 1e6,
                snapshotIndex, newest[1], launchNs / 1e6, installNs / 1e6, mbPerS, settings.describe());
            final String table = new ResultTable(
                "state_MB", "keys", "snapshot_MB", "snapshot_take_ms", "launch_ms", "install_ms", "install_MB_per_s")
                .row(fmt(snapshot.stateBytes() / 1e6), fill.keyCount(), fmt(newest[1] / 1e6), fmt(snapshotNs / 1e6),
                    fmt(launchNs / 1e6), fmt(installNs / 1e6), fmt(mbPerS))
                .render();
            System.out.println(line);
            System.out.print(table);
            return List.of(line, table);
        }
    }

    private static void checkSameState(final ClusterNode leader, final ClusterNode joiner, final long deadlineNs)
    {
        final KvStateMachine leaderState = (KvStateMachine)leader.context().stateMachine();
        final KvStateMachine joinerState = (KvStateMachine)joiner.context().stateMachine();
        while (true)
        {
            final KvStateMachine.Summary expected = leaderState.summary();
            final KvStateMachine.Summary actual = joinerState.summary();
            if (expected.equals(actual))
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("joined state " + actual + " differs from the leader's " + expected);
            }
            Thread.yield();
        }
    }

    /**
     * A minute plus 50 ms per MB: slower than 20 MB/s is a broken run, not a figure.
     */
    private static long deadlineNs(final long bytes)
    {
        return TimeUnit.MINUTES.toNanos(1) + bytes / 1_000_000 * TimeUnit.MILLISECONDS.toNanos(50);
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.0f", value);
    }
}
