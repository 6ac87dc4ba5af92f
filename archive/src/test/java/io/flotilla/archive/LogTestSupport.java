package io.flotilla.archive;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entries with content derived from their index (so any prefix can be checked), and a node's media + log store.
 */
final class LogTestSupport implements AutoCloseable
{
    static final int SEGMENT_LENGTH = 4 * 1024 * 1024;
    static final int TERM_LENGTH = 1024 * 1024;
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    final NodeMedia media;
    final ArchiveLogStore store;

    LogTestSupport(final File dataDir, final Durability durability, final int nodeId)
    {
        this(dataDir, durability, nodeId, null, ctx -> {});
    }

    LogTestSupport(final File dataDir, final Durability durability, final int nodeId, final String aeronDir)
    {
        this(dataDir, durability, nodeId, aeronDir, ctx -> {});
    }

    LogTestSupport(
        final File dataDir, final Durability durability, final int nodeId, final Consumer<ArchiveLogStore.Context> config)
    {
        this(dataDir, durability, nodeId, null, config);
    }

    LogTestSupport(
        final File dataDir,
        final Durability durability,
        final int nodeId,
        final String aeronDir,
        final Consumer<ArchiveLogStore.Context> config)
    {
        this(dataDir, durability, nodeId, aeronDir, SEGMENT_LENGTH, config);
    }

    LogTestSupport(
        final File dataDir,
        final Durability durability,
        final int nodeId,
        final String aeronDir,
        final int segmentLength,
        final Consumer<ArchiveLogStore.Context> config)
    {
        final NodeMedia.Context mediaCtx = new NodeMedia.Context()
            .nodeId(nodeId)
            .dataDirectory(dataDir)
            .durability(durability)
            .segmentFileLength(segmentLength);
        if (null != aeronDir)
        {
            mediaCtx.aeronDirectoryName(aeronDir);
        }
        media = NodeMedia.launch(mediaCtx);
        try
        {
            final ArchiveLogStore.Context ctx = new ArchiveLogStore.Context()
                .media(media)
                .termLength(TERM_LENGTH)
                .windowCapacity(3 * 1024 * 1024);
            config.accept(ctx);
            store = ArchiveLogStore.open(ctx);
        }
        catch (final RuntimeException ex)
        {
            media.close();
            throw ex;
        }
    }

    static long termOf(final long index)
    {
        return 1 + index / 1000;
    }

    static int payloadLength(final long index)
    {
        return 32;
    }

    /**
     * Encode entry {@code index} with the standard content at {@code offset}.
     */
    static int encode(final MutableDirectBuffer buffer, final int offset, final long index, final int payloadLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)(1 + (index + i) % 250));
        }
        return EntryFrame.encode(buffer, offset, index, termOf(index), index * 1000, EntryType.COMMAND, 7, index,
            payload, 0, payloadLength);
    }

    /**
     * Append entries {@code first..last} in blocks of up to {@code blockSize}, with the given payload length.
     */
    void append(final long first, final long last, final int blockSize, final int payloadLength)
    {
        final UnsafeBuffer block = new UnsafeBuffer(new byte[blockSize * EntryFrame.frameLength(payloadLength)]);
        for (long index = first; index <= last; )
        {
            int length = 0;
            for (int i = 0; i < blockSize && index <= last; i++, index++)
            {
                length += encode(block, length, index, payloadLength);
            }
            store.append(block, 0, length);
            doWork();
        }
    }

    int doWork()
    {
        return media.doWork() + store.doWork();
    }

    void awaitDurable(final long index)
    {
        await(() -> store.durableIndex() >= index, "durable index " + index);
    }

    void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            if (0 == doWork())
            {
                Thread.yield();
            }
        }
    }

    /**
     * Check that the frames of a block are the standard entries {@code firstIndex..lastIndex}.
     */
    static void assertStandardEntries(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex,
        final int payloadLength)
    {
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[EntryFrame.frameLength(payloadLength)]);
        int position = offset;
        for (long index = firstIndex; index <= lastIndex; index++)
        {
            final int frameLength = encode(expected, 0, index, payloadLength);
            final int actualLength = EntryFrame.frameLength(buffer, position);
            assertEquals(frameLength, actualLength, "frame length of entry " + index);
            for (int i = 0; i < frameLength; i++)
            {
                if (expected.getByte(i) != buffer.getByte(position + i))
                {
                    throw new AssertionError("entry " + index + " differs at byte " + i);
                }
            }
            position += frameLength;
        }
        assertEquals(offset + length, position, "block length");
    }

    public void close()
    {
        try
        {
            store.close();
        }
        finally
        {
            media.close();
        }
    }
}
