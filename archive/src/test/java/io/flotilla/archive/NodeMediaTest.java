package io.flotilla.archive;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeMediaTest
{
    @TempDir
    Path tempDir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void compactModeRunsOnTheCallersThreadAndSynchronousArchiveCallsReturn()
    {
        final NodeMedia.Context ctx = new NodeMedia.Context()
            .nodeId(3)
            .dataDirectory(tempDir.toFile())
            .threading(NodeMedia.Threading.COMPACT)
            .durability(Durability.ASYNC);
        final String aeronDir;
        try (NodeMedia media = NodeMedia.launch(ctx))
        {
            aeronDir = ctx.aeronDirectoryName();
            assertTrue(aeronDir.contains("flotilla-3-"), aeronDir);
            assertFalse(threadNamed("archive-conductor") || threadNamed("driver-conductor") ||
                threadNamed("sender") || threadNamed("aeron-client-conductor"), "COMPACT mode started a thread");

            // Every call below is synchronous and nobody else drives the archive or driver: they must still return.
            final AeronArchive archive = media.aeronArchive();
            assertEquals(3, archive.archiveId());
            final String channel = "aeron:ipc?term-length=64k";
            final ExclusivePublication publication = media.aeron().addExclusivePublication(channel, ctx.logStreamId());
            final long subscriptionId = archive.startRecording(channel, ctx.logStreamId(), SourceLocation.LOCAL, true);

            final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long position;
            while ((position = publication.offer(message)) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "publication never connected");
                media.doWork();
            }

            final long recordingId = awaitRecording(archive, deadline);
            while (archive.getRecordingPosition(recordingId) < position)
            {
                assertTrue(System.nanoTime() < deadline, "recording never caught up");
                media.doWork();
            }
            archive.stopRecording(subscriptionId);
            publication.close();
            assertEquals(position, archive.getStopPosition(recordingId));
            assertTrue(media.countersReader().maxCounterId() > 0);
        }
        assertFalse(new File(aeronDir).exists(), "aeron dir not removed on close");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void dedicatedModeRunsDriverAndArchiveOnTheirOwnThreads()
    {
        final NodeMedia.Context ctx = new NodeMedia.Context()
            .nodeId(4)
            .dataDirectory(tempDir.toFile())
            .threading(NodeMedia.Threading.DEDICATED);
        try (NodeMedia media = NodeMedia.launch(ctx))
        {
            assertTrue(threadNamed("archive-conductor") || threadNamed("archive"), "no archive thread");
            assertEquals(0, media.doWork());
            assertEquals(4, media.aeronArchive().archiveId());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void twoNodesInOneJvmShareNothing()
    {
        try (NodeMedia a = NodeMedia.launch(new NodeMedia.Context().nodeId(0).dataDirectory(tempDir.resolve("a").toFile()));
            NodeMedia b = NodeMedia.launch(new NodeMedia.Context().nodeId(1).dataDirectory(tempDir.resolve("b").toFile())))
        {
            assertEquals(0, a.aeronArchive().archiveId());
            assertEquals(1, b.aeronArchive().archiveId());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void secondMediaOnTheSameDataDirectoryIsRefused()
    {
        final File dir = tempDir.resolve("node").toFile();
        try (NodeMedia first = NodeMedia.launch(new NodeMedia.Context().nodeId(0).dataDirectory(dir)))
        {
            assertEquals(0, first.aeronArchive().archiveId());
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> NodeMedia.launch(new NodeMedia.Context().nodeId(1).dataDirectory(dir)).close());
            assertTrue(ex.getMessage().contains(dir.getPath()), ex.getMessage());
        }

        // Released on close: the node can start again at once.
        NodeMedia.launch(new NodeMedia.Context().nodeId(0).dataDirectory(dir)).close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSecondMediaOnALiveDriversDirectoryIsRefusedAndTheFirstKeepsIt()
    {
        final File aeronDir = tempDir.resolve("aeron").toFile();
        try (NodeMedia first = NodeMedia.launch(new NodeMedia.Context()
            .nodeId(1)
            .dataDirectory(tempDir.resolve("first").toFile())
            .aeronDirectoryName(aeronDir.getPath())
            .durability(Durability.ASYNC)))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeMedia.launch(
                new NodeMedia.Context()
                    .nodeId(2)
                    .dataDirectory(tempDir.resolve("second").toFile())
                    .aeronDirectoryName(aeronDir.getPath())
                    .durability(Durability.ASYNC)));
            assertTrue(ex.getMessage().contains(NodeMedia.Context.AERON_DIR_PROP) &&
                ex.getMessage().contains("still running"), ex.getMessage());

            assertTrue(new File(aeronDir, CncFileDescriptor.CNC_FILE).exists(), "the running driver's CnC file is gone");
            assertTrue(CommonContext.isDriverActive(aeronDir, 10_000, (message) -> {}));
            assertEquals(1, first.aeronArchive().archiveId(), "the first media no longer answers");
            first.doWork();
        }
        assertFalse(aeronDir.exists(), "aeron dir not removed on close");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aDirectoryWhoseDriverProcessIsGoneIsTakenAtOnce() throws Exception
    {
        // What kill -9 of a node leaves, moments later: its directory, a heartbeat younger than the driver timeout
        // (a clean close clears it, so it is written back here) and the pid of a process that is gone. Only the pid
        // tells the driver is dead.
        final File aeronDir = tempDir.resolve("aeron").toFile();
        MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnShutdown(false)).close();
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, CncFileDescriptor.CNC_FILE);
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            metaData.putLong(CncFileDescriptor.pidOffset(0), gone.pid());
            new ManyToOneRingBuffer(CncFileDescriptor.createToDriverBuffer(cnc, metaData))
                .consumerHeartbeatTime(System.currentTimeMillis());
        }
        finally
        {
            BufferUtil.free(cnc);
        }
        assertTrue(CommonContext.isDriverActive(aeronDir, 10_000, (message) -> {}), "Aeron alone would refuse it");

        try (NodeMedia media = NodeMedia.launch(new NodeMedia.Context()
            .nodeId(1)
            .dataDirectory(tempDir.resolve("node").toFile())
            .aeronDirectoryName(aeronDir.getPath())
            .durability(Durability.ASYNC)))
        {
            assertEquals(1, media.aeronArchive().archiveId());
        }
        assertFalse(aeronDir.exists(), "aeron dir not removed on close");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTakenArchiveControlPortFailsNamingTheSetting() throws Exception
    {
        final File aeronDir = tempDir.resolve("aeron").toFile();
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("localhost", 0)))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeMedia.launch(
                new NodeMedia.Context()
                    .nodeId(1)
                    .dataDirectory(tempDir.resolve("node").toFile())
                    .aeronDirectoryName(aeronDir.getPath())
                    .archiveControlChannel("aeron:udp?endpoint=localhost:" + squatter.getLocalPort())
                    .durability(Durability.ASYNC)));
            assertTrue(ex.getMessage().contains(NodeMedia.Context.CONTROL_CHANNEL_PROP) &&
                ex.getMessage().contains("localhost:" + squatter.getLocalPort()) &&
                ex.getMessage().contains("Address already in use"), ex.getMessage());
        }
        assertFalse(aeronDir.exists(), "the failed start left its aeron dir");
    }

    private static long awaitRecording(final AeronArchive archive, final long deadline)
    {
        final long[] found = { -1 };
        while (-1 == found[0])
        {
            assertTrue(System.nanoTime() < deadline, "recording never started");
            archive.listRecordings(0, 1, (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp,
                startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId,
                streamId, strippedChannel, originalChannel, sourceIdentity) -> found[0] = recordingId);
        }
        return found[0];
    }

    private static boolean threadNamed(final String name)
    {
        return Thread.getAllStackTraces().keySet().stream().anyMatch((t) -> t.getName().contains(name));
    }
}
