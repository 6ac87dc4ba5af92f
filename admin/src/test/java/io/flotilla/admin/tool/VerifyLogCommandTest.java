package io.flotilla.admin.tool;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flotilla verify-log} on the data directories of a real cluster's nodes: running, stopped and clean, with a
 * flipped byte in a recorded entry, with a flipped byte in a snapshot.
 */
class VerifyLogCommandTest
{
    private static final int COMMANDS = 400;
    // Aeron's data frame header before each entry frame in a segment file, and the entry frame's own header.
    private static final int AERON_HEADER_LENGTH = 32;
    private static final int ENTRY_HEADER_LENGTH = io.flotilla.codecs.EntryFrame.HEADER_LENGTH;

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void aRunningNodeIsRefusedAndAStoppedCleanNodeIsSummarised() throws Exception
    {
        final long lastIndex;
        final long snapshotIndex;
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, COMMANDS, 64, "verify-");
            cluster.awaitConverged(COMMANDS);
            final ClusterNode follower = cluster.node((leader.memberId() + 1) % 3);
            snapshotIndex = follower.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);

            final ToolRun running = ToolRun.run("verify-log", "--data-dir", follower.context().dataDirectory().getPath());
            assertEquals(FlotillaTool.EXIT_FAILED, running.exitCode, running.toString());
            assertTrue(running.err.contains("is already in use") && running.err.contains("stop the node first"),
                running.toString());

            cluster.close();
            lastIndex = follower.status().logLastIndex();
            final ToolRun clean = ToolRun.run("verify-log", "--data-dir", follower.context().dataDirectory().getPath());
            assertEquals(FlotillaTool.EXIT_OK, clean.exitCode, clean.toString());
            assertTrue(clean.out.contains(lastIndex + " entries, index 1.." + lastIndex + ","), clean.toString());
            assertTrue(clean.out.contains("snapshots: 1"), clean.toString());
            assertTrue(clean.out.contains(": index " + snapshotIndex + ", term "), clean.toString());
            assertTrue(clean.out.contains("members 0,1,2, ok"), clean.toString());
            assertTrue(clean.out.contains("verified: no corruption"), clean.toString());
            assertFalse(clean.out.contains("CORRUPT"), clean.toString());
        }
    }

    @Test
    @Timeout(120)
    void aFlippedByteInARecordedEntryIsCorruptionNamingTheEntryAndFile() throws Exception
    {
        final File dataDirectory = stoppedNodeDirectory(false);
        final File segment = segmentFile(dataDirectory);
        final long entry = COMMANDS / 2;
        flipByte(segment, payloadPositionOfEntry(segment, entry));

        final ToolRun corrupt = ToolRun.run("verify-log", "--data-dir", dataDirectory.getPath());
        assertEquals(FlotillaTool.EXIT_FAILED, corrupt.exitCode, corrupt.toString());
        assertTrue(corrupt.out.contains("CORRUPT: log corrupt after entry " + (entry - 1)), corrupt.toString());
        assertTrue(corrupt.out.contains("BAD_CHECKSUM") && corrupt.out.contains(segment.getName()), corrupt.toString());
        assertTrue(corrupt.out.contains("1 problems found"), corrupt.toString());

        // Nothing was cut or repaired: the second look finds the same.
        assertEquals(corrupt.out, ToolRun.run("verify-log", "--data-dir", dataDirectory.getPath()).out);
    }

    @Test
    @Timeout(120)
    void aFlippedByteInASnapshotIsCorruption() throws Exception
    {
        final File dataDirectory = stoppedNodeDirectory(true);
        final Path snapshot;
        try (Stream<Path> files = Files.list(dataDirectory.toPath().resolve("snapshots")))
        {
            snapshot = files.filter((file) -> file.toString().endsWith(".snap")).findFirst().orElseThrow();
        }
        flipByte(snapshot.toFile(), Files.size(snapshot) - 1);

        final ToolRun corrupt = ToolRun.run("verify-log", "--data-dir", dataDirectory.getPath());
        assertEquals(FlotillaTool.EXIT_FAILED, corrupt.exitCode, corrupt.toString());
        assertTrue(corrupt.out.contains(snapshot.getFileName() + ": index "), corrupt.toString());
        assertTrue(corrupt.out.contains("bytes, CORRUPT"), corrupt.toString());
        assertTrue(corrupt.out.contains("CORRUPT: ") && corrupt.out.contains(snapshot.toString()), corrupt.toString());
    }

    @Test
    void aMissingDirectoryOrOneWithoutANodesDataIsAUsageError() throws IOException
    {
        final ToolRun missing = ToolRun.run("verify-log", "--data-dir", new File(tempDir, "absent").getPath());
        assertEquals(FlotillaTool.EXIT_USAGE, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("no data directory"), missing.toString());

        final File empty = Files.createDirectory(tempDir.toPath().resolve("empty")).toFile();
        final ToolRun notANode = ToolRun.run("verify-log", "--data-dir", empty.getPath());
        assertEquals(FlotillaTool.EXIT_USAGE, notANode.exitCode, notANode.toString());
        assertTrue(notANode.err.contains("is not a node's data directory"), notANode.toString());
        assertEquals(List.of(), List.of(empty.list()), "nothing was created in it");

        final ToolRun noOption = ToolRun.run("verify-log");
        assertEquals(FlotillaTool.EXIT_USAGE, noOption.exitCode, noOption.toString());
        assertTrue(noOption.err.contains("--data-dir"), noOption.toString());
    }

    /**
     * A follower's data directory after the cluster applied {@link #COMMANDS} and stopped, with a snapshot if asked.
     */
    private File stoppedNodeDirectory(final boolean snapshot) throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode leader = cluster.awaitLeader();
            TestCluster.proposeAll(leader, COMMANDS, 64, "verify-");
            cluster.awaitConverged(COMMANDS);
            final ClusterNode follower = cluster.node((leader.memberId() + 1) % 3);
            if (snapshot)
            {
                follower.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            return follower.context().dataDirectory();
        }
    }

    private static File segmentFile(final File dataDirectory)
    {
        final File[] segments = new File(dataDirectory, "archive").listFiles((dir, name) -> name.endsWith(".rec"));
        assertTrue(null != segments && 1 == segments.length, "one segment file in " + dataDirectory);
        return segments[0];
    }

    /**
     * Walk the Aeron frames of the segment (one entry per frame) to the first payload byte of entry {@code index}.
     */
    private static long payloadPositionOfEntry(final File segment, final long index) throws IOException
    {
        try (FileChannel channel = FileChannel.open(segment.toPath()))
        {
            final ByteBuffer header = ByteBuffer.allocate(AERON_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            long position = 0;
            for (long entry = 1; ; entry++)
            {
                header.clear();
                channel.read(header, position);
                final int frameLength = header.getInt(0);
                assertTrue(frameLength > AERON_HEADER_LENGTH, "a data frame at " + position);
                if (entry == index)
                {
                    assertTrue(frameLength > AERON_HEADER_LENGTH + ENTRY_HEADER_LENGTH, "entry " + index + " has a payload");
                    return position + AERON_HEADER_LENGTH + ENTRY_HEADER_LENGTH;
                }
                position += (frameLength + 31) & ~31;
            }
        }
    }

    private static void flipByte(final File file, final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }
}
