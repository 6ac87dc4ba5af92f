package io.flotilla.perf.jmh;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.Durability;
import io.flotilla.archive.NodeMedia;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * The log's hot path: a leader encoding a block of {@link #BLOCK} entries and appending it to the
 * {@link ArchiveLogStore} (an Aeron Archive recording, COMPACT threading: the driver and the archive run on this
 * thread through {@link NodeMedia#doWork()}), one duty cycle per block. The result is the cost per entry, and with
 * {@code -prof gc} the allocation per entry. At most {@link #MAX_AHEAD} entries are let run ahead of the durable
 * index: beyond that the benchmark drives the media until the archive has caught up, so the figure is the sustained
 * append-to-durable rate (ASYNC: written to the page cache; FSYNC: forced to disk, one force per block the archive
 * writes, i.e. group commit).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(LogAppendBenchmark.BLOCK)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "-Djava.net.preferIPv4Stack=true" })
public class LogAppendBenchmark
{
    /** Entries appended per benchmark operation. */
    static final int BLOCK = 64;
    private static final long MAX_AHEAD = 64 * 1024;

    @Param({ "ASYNC", "FSYNC" })
    public Durability durability;

    @Param({ "32" })
    public int payloadLength;

    private File dataDir;
    private NodeMedia media;
    private ArchiveLogStore store;
    private UnsafeBuffer payload;
    private UnsafeBuffer block;
    private int frameLength;
    private long nextIndex = 1;

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        dataDir = Files.createTempDirectory("flotilla-jmh-log").toFile();
        media = NodeMedia.launch(new NodeMedia.Context()
            .dataDirectory(dataDir)
            .durability(durability)
            .threading(NodeMedia.Threading.COMPACT));
        store = ArchiveLogStore.open(new ArchiveLogStore.Context().media(media));
        frameLength = EntryFrame.frameLength(payloadLength);
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadLength));
        block = new UnsafeBuffer(ByteBuffer.allocateDirect(BLOCK * frameLength));
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.closeAll(store, media);
        IoUtil.delete(dataDir, true);
    }

    @Benchmark
    public long appendBlock()
    {
        for (int i = 0; i < BLOCK; i++)
        {
            final long index = nextIndex++;
            payload.putLong(0, index);
            EntryFrame.encode(block, i * frameLength, index, 1, index, EntryType.COMMAND, 1, index, payload, 0,
                payloadLength);
        }
        store.append(block, 0, BLOCK * frameLength);
        media.doWork();
        store.doWork();
        while (nextIndex - 1 - store.durableIndex() > MAX_AHEAD)
        {
            media.doWork();
            store.doWork();
        }
        return store.durableIndex();
    }
}
