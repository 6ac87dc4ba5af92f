package io.flotilla.engine.node;

import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.archive.SnapshotWriter;
import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sending and receiving chunks allocate nothing once a transfer is under way: the sender reads into one reused
 * buffer, the receiver writes from the message buffer, acks are encoded in place.
 */
class SnapshotTransferAllocationTest
{
    private static final int CHUNK = 16 * 1024;
    private static final long TERM = 2;
    private static final int PEER = 1;
    private static final int WINDOWS = 4;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @TempDir
    Path tempDir;

    private final CountersManager countersManager = new CountersManager(
        new UnsafeBuffer(new byte[16 * 1024]), new UnsafeBuffer(new byte[4 * 1024]));
    private final AtomicCounter bytes = countersManager.newCounter("snapshot bytes");

    @Test
    void theSenderAllocatesNothingPerChunk() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir.resolve("leader"), 1);
        final SnapshotInfo snapshot = writeSnapshot(store, 4 * 1024 * 1024);
        final CountingTransport transport = new CountingTransport();
        final SnapshotSender sender = new SnapshotSender(
            new SnapshotSender.Context().chunkLength(CHUNK).windowBytes(4 * CHUNK).budgetBytesPerCycle(2 * CHUNK),
            store, transport, Throwable::printStackTrace, bytes);
        try
        {
            sender.latest(snapshot);
            long nowNs = 1_000_000_000L;
            sender.offer(PEER, TERM, nowNs);
            sender.onAck(PEER, TERM, snapshot.index(), snapshot.term(), 0, SnapshotAckStatus.RECEIVING, nowNs);

            final long halfway = snapshot.length() / 2;
            while (transport.sentEnd < halfway)
            {
                nowNs = sendAndAck(sender, transport, snapshot, nowNs);
            }

            allocatedBytes();
            final long allocatedBefore = allocatedBytes();
            final long sentBefore = transport.chunks;
            while (transport.sentEnd < snapshot.length())
            {
                nowNs = sendAndAck(sender, transport, snapshot, nowNs);
            }
            final long allocated = allocatedBytes() - allocatedBefore;

            assertTrue(transport.chunks - sentBefore > 100, "measured over many chunks");
            assertEquals(0, allocated, "bytes allocated while sending " + (transport.chunks - sentBefore) + " chunks");
            assertEquals(snapshot.length(), bytes.get());
        }
        finally
        {
            CloseHelper.close(sender);
        }
    }

    @Test
    void theReceiverAllocatesNothingPerChunk() throws IOException
    {
        final int length = 4 * 1024 * 1024;
        final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(CHUNK));
        final CountingTransport transport = new CountingTransport();
        final SnapshotReceiver receiver = new SnapshotReceiver(
            1,
            System::nanoTime,
            SnapshotStore.open(tempDir.resolve("follower"), 1),
            null,
            transport,
            (from, term) -> true,
            () -> 0,
            (from, term, snapshot) -> { },
            Throwable::printStackTrace,
            bytes);
        try
        {
            // A file that never completes: the last byte is not sent, so no worker is needed.
            long offset = 0;
            while (offset < length / 2)
            {
                receiver.onChunk(0, TERM, 900, 2, length, 0x1234, offset, data, 0, CHUNK);
                offset += CHUNK;
            }

            // A JVM-internal one-off (a lazily grown table, a class initialised late) may land in any window; an
            // allocation per chunk lands in every one of them.
            final long[] allocatedPerWindow = new long[WINDOWS];
            final int chunksPerWindow = (length / 2 - CHUNK) / CHUNK / WINDOWS;
            allocatedBytes();
            for (int window = 0; window < WINDOWS; window++)
            {
                final long allocatedBefore = allocatedBytes();
                for (int i = 0; i < chunksPerWindow; i++)
                {
                    receiver.onChunk(0, TERM, 900, 2, length, 0x1234, offset, data, 0, CHUNK);
                    offset += CHUNK;
                }
                allocatedPerWindow[window] = allocatedBytes() - allocatedBefore;
            }
            while (offset < length - CHUNK)
            {
                receiver.onChunk(0, TERM, 900, 2, length, 0x1234, offset, data, 0, CHUNK);
                offset += CHUNK;
            }

            assertEquals(0, Arrays.stream(allocatedPerWindow).min().orElseThrow(),
                "bytes allocated in each window of " + chunksPerWindow + " chunks received: " +
                Arrays.toString(allocatedPerWindow));
            assertEquals(length - CHUNK, transport.lastNextOffset);
            assertEquals(length - CHUNK, bytes.get());
        }
        finally
        {
            CloseHelper.close(receiver);
        }
    }

    private static long sendAndAck(
        final SnapshotSender sender, final CountingTransport transport, final SnapshotInfo snapshot, final long nowNs)
    {
        final long next = nowNs + 1_000;
        sender.doWork(next);
        sender.onAck(PEER, TERM, snapshot.index(), snapshot.term(), transport.sentEnd, SnapshotAckStatus.RECEIVING, next);
        return next;
    }

    /**
     * The bytes this thread has allocated; called once ahead so that the measurement itself allocates nothing.
     */
    private static long allocatedBytes()
    {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static SnapshotInfo writeSnapshot(final SnapshotStore store, final int payloadLength) throws IOException
    {
        final byte[] payload = new byte[payloadLength];
        new SplittableRandom(7).nextBytes(payload);
        try (SnapshotWriter writer = store.begin(900, 2, new int[]{ 0, 1, 2 }))
        {
            final OutputStream out = writer.payload();
            out.write(payload);
            return writer.commit();
        }
    }

    private static final class CountingTransport implements SnapshotTransport
    {
        long chunks;
        long sentEnd;
        long lastNextOffset;

        public boolean sendSnapshotChunk(
            final int to,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long snapshotLength,
            final int snapshotChecksum,
            final long fileOffset,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (length > 0)
            {
                chunks++;
                sentEnd = fileOffset + length;
            }
            return true;
        }

        public boolean sendSnapshotAck(
            final int to,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
            lastNextOffset = nextOffset;
            return true;
        }

        public int maxSnapshotChunkLength()
        {
            return CHUNK;
        }
    }
}
