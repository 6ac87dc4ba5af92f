package io.flotilla.engine;

import io.flotilla.archive.NodeStateFile;
import io.flotilla.archive.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots over real Aeron on loopback: taken by every node, compacting the log; loaded at restart; installed on a
 * node whose data directory was lost; requested through the API; a corrupt one reported and passed over.
 */
class SnapshotClusterTest
{
    private static final int SEGMENT_LENGTH = 256 * 1024;
    private static final int TERM_LENGTH = 64 * 1024;

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void everyNodeSnapshotsAndCompactsAndARestartReplaysOnlyWhatFollows()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 2_000, 100, false);
            cluster.proposeAllAcrossLeaderChanges(20_000, 256, "cmd-");
            cluster.awaitConverged(20_000);
            final ClusterNode leader = cluster.awaitLeader();
            for (int i = 0; i < 3; i++)
            {
                final ClusterNode node = cluster.node(i);
                cluster.await("member " + i + " snapshot and compaction", () ->
                    node.snapshotIndex() >= 10_000 && node.logFirstIndex() > 1);
            }

            final int follower = (leader.memberId() + 1) % 3;
            final long snapshotIndex = cluster.node(follower).snapshotIndex();
            cluster.stop(follower);
            cluster.start(follower, context(cluster, follower, 2_000, 100));
            cluster.awaitConverged(20_000);
            assertEquals(1, cluster.machine(follower).loadedSnapshots());
            assertTrue(cluster.node(follower).snapshotIndex() >= snapshotIndex);
        }
    }

    @Test
    @Timeout(120)
    void aNodeWithAnEmptyDataDirectoryJoinsThroughASnapshotInstall() throws IOException
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 2_000, 0, false);
            cluster.proposeAllAcrossLeaderChanges(5_000, 256, "before-");
            cluster.awaitConverged(5_000);

            final int lost = (cluster.awaitLeader().memberId() + 1) % 3;
            cluster.stop(lost);
            deleteRecursively(cluster.dataDirectory(lost).toPath());

            cluster.proposeAllAcrossLeaderChanges(15_000, 256, "while-down-");
            final ClusterNode leader = cluster.awaitLeader();
            cluster.await("the leader compacted its log", () -> leader.logFirstIndex() > 1);

            cluster.start(lost, context(cluster, lost, 2_000, 0).rejoinAfterDataLoss(true));
            cluster.awaitConverged(20_000);
            assertTrue(cluster.machine(lost).loadedSnapshots() >= 1, "installed a snapshot");

            cluster.proposeAllAcrossLeaderChanges(1_000, 64, "after-");
            cluster.awaitConverged(21_000);

            // The rejoined node takes a leadership transfer in the term its fence lifted in (a TimeoutNow starts a
            // campaign in the next term), as a rolling restart's graceful stop of the leader asks of it.
            final ClusterNode current = cluster.awaitLeader();
            if (current.memberId() != lost)
            {
                assertTrue(current.transferLeadership(lost));
                cluster.await("the rejoined node leads by a transfer", () -> Role.LEADER == cluster.node(lost).role());
                assertEquals(1, cluster.node(lost).counter(NodeCounter.TRANSFER_ELECTIONS));
            }

            // The rejoined node votes again once caught up: with the third member stopped, the one it hands
            // leadership to can win only with its vote.
            final int next = (lost + 1) % 3;
            cluster.stop((lost + 2) % 3);
            assertTrue(cluster.node(lost).transferLeadership(next));
            cluster.await("member " + next + " leads with the rejoined node's vote",
                () -> Role.LEADER == cluster.node(next).role());
            cluster.proposeAllAcrossLeaderChanges(100, 64, "two-left-");
            cluster.awaitConverged(21_100);
        }
    }

    @Test
    @Timeout(120)
    void aRejoiningNodeRestartedBeforeItCaughtUpIsStillFencedWithoutBeingToldAgain() throws IOException
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 2_000, 0, false);
            cluster.proposeAllAcrossLeaderChanges(3_000, 256, "before-");
            cluster.awaitConverged(3_000);

            final int lost = (cluster.awaitLeader().memberId() + 1) % 3;
            for (int i = 0; i < 3; i++)
            {
                cluster.stop(i);
            }
            deleteRecursively(cluster.dataDirectory(lost).toPath());

            // Alone, it can learn no term, let alone catch up: its fence cannot lift before it stops again.
            cluster.start(lost, context(cluster, lost, 2_000, 0).rejoinAfterDataLoss(true));
            assertTrue(cluster.node(lost).status().votingFence());
            assertEquals(1, cluster.node(lost).counter(NodeCounter.VOTING_FENCE));
            cluster.stop(lost);
            assertTrue(NodeStateFile.open(cluster.dataDirectory(lost)).votingFence(), "the fence is on disk");

            // Started again as a plain member, on a directory no longer empty: the fence holds.
            cluster.start(lost, context(cluster, lost, 2_000, 0));
            assertTrue(cluster.node(lost).status().votingFence(), "still fenced after the restart");
            for (int i = 0; i < 3; i++)
            {
                if (i != lost)
                {
                    cluster.start(i, context(cluster, i, 2_000, 0));
                }
            }
            cluster.proposeAllAcrossLeaderChanges(1_000, 64, "after-");
            cluster.awaitConverged(4_000);
            cluster.await("the rejoined node caught up and its fence lifted",
                () -> !cluster.node(lost).status().votingFence());
            final long liftedInTerm = cluster.node(lost).term();
            cluster.stop(lost);

            final NodeStateFile state = NodeStateFile.open(cluster.dataDirectory(lost));
            assertFalse(state.votingFence(), "the lifted fence is on disk");
            assertTrue(state.votesRefusedThroughTerm() > 0 && state.votesRefusedThroughTerm() <= liftedInTerm,
                "votes refused through the term the fence lifted in: " + state.votesRefusedThroughTerm());
            cluster.start(lost, context(cluster, lost, 2_000, 0));
            assertFalse(cluster.node(lost).status().votingFence(), "no fence after a restart once lifted");
            cluster.awaitConverged(4_000);
        }
    }

    @Test
    @Timeout(60)
    void aSnapshotOnRequestCompletesWithItsIndex() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 0, 0, false);
            cluster.proposeAllAcrossLeaderChanges(1_000, 64, "cmd-");
            final ClusterNode leader = cluster.awaitLeader();
            final long applied = leader.appliedIndex();
            final long index = leader.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(index >= applied, "snapshot at " + index + " covers " + applied);
            assertEquals(index, leader.snapshotIndex());
            assertEquals(Role.LEADER, leader.role(), "a non-blocking snapshot leaves the leader in place");
        }
    }

    @Test
    @Timeout(60)
    void aLeaderWithABlockingStateMachineHandsLeadershipOverBeforeItSnapshots() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            startAll(cluster, 0, 0, true);
            cluster.proposeAllAcrossLeaderChanges(1_000, 64, "cmd-");
            final ClusterNode leader = cluster.awaitLeader();
            final long index = leader.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertTrue(index >= 1_000);
            assertNotEquals(Role.LEADER, leader.role(), "the old leader wrote the snapshot as a follower");
            assertNotEquals(leader.memberId(), cluster.awaitLeader().memberId());
        }
    }

    @Test
    @Timeout(60)
    void aCorruptNewestSnapshotIsReportedAndThePreviousOneUsedOrTheNodeStopsWithWhatToDo() throws IOException
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            cluster.start(0, context(cluster, 0, 1_000, 1_000_000));
            final ClusterNode node = cluster.awaitLeader();
            TestCluster.proposeAll(node, 5_000, 256, "cmd-");
            cluster.await("two snapshots", () -> snapshotFiles(cluster).size() >= 2 && node.snapshotIndex() >= 3_000);
            cluster.stop(0);

            final List<Path> files = snapshotFiles(cluster);
            flipByte(files.get(0));
            cluster.start(0, context(cluster, 0, 1_000, 1_000_000));
            cluster.awaitConverged(5_000);
            assertEquals(1, cluster.machine(0).loadedSnapshots(), "the previous snapshot was loaded");
            cluster.stop(0);
        }

        try (TestCluster cluster = new TestCluster(new File(tempDir, "uncovered"), 1))
        {
            cluster.start(0, context(cluster, 0, 1_000, 0));
            final ClusterNode node = cluster.awaitLeader();
            TestCluster.proposeAll(node, 20_000, 256, "cmd-");
            cluster.await("a compacted log", () -> node.logFirstIndex() > 1);
            cluster.stop(0);
            for (final Path file : snapshotFiles(cluster))
            {
                flipByte(file);
            }
            final IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> cluster.start(0, context(cluster, 0, 1_000, 0)));
            assertTrue(String.valueOf(failure.getMessage()).contains("move its data directory aside") ||
                String.valueOf(failure.getCause()).contains("move its data directory aside"), failure.toString());
        }
    }

    private static void startAll(
        final TestCluster cluster, final long logEntries, final long retainEntries, final boolean blocking)
    {
        for (int i = 0; i < 3; i++)
        {
            cluster.start(i, context(cluster, i, logEntries, retainEntries), new ChecksumStateMachine(blocking));
        }
    }

    private static ClusterNode.Context context(
        final TestCluster cluster, final int memberId, final long logEntries, final long retainEntries)
    {
        final ClusterNode.Context ctx =
            cluster.context(memberId).archiveSegmentLength(SEGMENT_LENGTH).logTermLength(TERM_LENGTH);
        ctx.snapshotConfig().logEntries(logEntries).logBytes(0).retainEntries(retainEntries);
        return ctx;
    }

    private static List<Path> snapshotFiles(final TestCluster cluster)
    {
        final Path dir = cluster.dataDirectory(0).toPath().resolve(SnapshotStore.DIRECTORY_NAME);
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((p) -> p.getFileName().toString().endsWith(".snap"))
                .sorted(Comparator.reverseOrder())
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void flipByte(final Path file) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final long position = raf.length() / 2;
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5a);
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
