package io.flotilla.archive;

import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
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
