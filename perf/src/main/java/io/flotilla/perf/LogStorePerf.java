package io.flotilla.perf;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.Durability;
import io.flotilla.archive.NodeMedia;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Log store figures on this machine, one durability mode per run (named in every line of output):
 * <ol>
 *     <li>append throughput of 32-byte entries, COMPACT mode on one thread, measured from the first append to the
 *     last entry durable, with a histogram of append-to-durable latency per block;</li>
 *     <li>recovery rate on restart ({@link ArchiveLogStore#open}: read every segment, validate every frame, rebuild
 *     the index) and the blocking startup {@link ArchiveLogStore#replay} rate;</li>
 *     <li>the cost of one fsync ({@code FileChannel.force(false)} after a 4 KiB write) in the same directory.</li>
 * </ol>
 * Usage: {@code LogStorePerf <FSYNC|ASYNC> [entries] [dataDir] [COMPACT|DEDICATED] [blocksPerDutyCycle]}: the
 * appender offers up to that many 64-entry blocks per duty cycle (as a leader appends what arrived while the
 * previous fsync ran), at most 65,536 entries ahead of the durable index.
 */
public final class LogStorePerf
{
    private static final int PAYLOAD = 32;
    private static final int BLOCK = 64;
    private static final long MAX_AHEAD = 64 * BLOCK * 16;

    private LogStorePerf()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Durability durability = Durability.valueOf(args.length > 0 ? args[0] : "ASYNC");
        final int entries = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        final File dataDir = new File(args.length > 2 ? args[2] : "target/perf-log-" + durability.name().toLowerCase());
        final NodeMedia.Threading threading = NodeMedia.Threading.valueOf(args.length > 3 ? args[3] : "COMPACT");
        final int blocksPerCycle = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        IoUtil.delete(dataDir, true);

        final int frameLength = EntryFrame.frameLength(PAYLOAD);
        final UnsafeBuffer frames = new UnsafeBuffer(ByteBuffer.allocateDirect(entries * frameLength));
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        for (int i = 0; i < entries; i++)
        {
            payload.putLong(0, i);
            EntryFrame.encode(frames, i * frameLength, i + 1, 1, i, EntryType.COMMAND, 1, i, payload, 0, PAYLOAD);
        }

        for (int run = 0; run < 2; run++) // the first run warms up the JIT; each run gets a fresh node directory
        {
            final File runDir = new File(dataDir, "run-" + run);
            try (NodeMedia media = NodeMedia.launch(new NodeMedia.Context()
                .dataDirectory(runDir).durability(durability).threading(threading)))
            {
                appendRun(media, durability, frames, frameLength, entries, blocksPerCycle,
                    (0 == run ? "warm-up " : "measured ") + threading + " " + blocksPerCycle + " block(s)/cycle");
                recoveryRun(media, durability, entries);
            }
            IoUtil.delete(runDir, true);
        }

        fsyncCost(dataDir);
        IoUtil.delete(dataDir, true);
    }

    private static void appendRun(
        final NodeMedia media, final Durability durability, final UnsafeBuffer frames, final int frameLength,
        final int entries, final int blocksPerCycle, final String label)
    {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long[] appendedAtNs = new long[entries / BLOCK + 2];
        try (ArchiveLogStore store = ArchiveLogStore.open(new ArchiveLogStore.Context().media(media)))
        {
            final long startNs = System.nanoTime();
            int appended = 0;
            int nextBlock = 0;
            while (store.durableIndex() < entries)
            {
                for (int i = 0; i < blocksPerCycle && appended < entries && appended - store.durableIndex() < MAX_AHEAD; i++)
                {
                    final int count = Math.min(BLOCK, entries - appended);
                    store.append(frames, appended * frameLength, count * frameLength);
                    appendedAtNs[appended / BLOCK] = System.nanoTime();
                    appended += count;
                }
                media.doWork();
                store.doWork();

                final long durable = store.durableIndex();
                if ((long)(nextBlock + 1) * BLOCK <= durable)
                {
                    final long nowNs = System.nanoTime();
                    while ((long)(nextBlock + 1) * BLOCK <= durable)
                    {
                        latency.recordValue(nowNs - appendedAtNs[nextBlock++]);
                    }
                }
            }
            final long elapsedNs = System.nanoTime() - startNs;

            System.out.printf("%s append %s: %,d entries of %d-byte payload (%d-byte frames) in %.3f s = %,.0f entries/s, " +
                "%.1f MB/s of frames; append-to-durable per %d-entry block: p50 %.1f us, p99 %.1f us, max %.1f us%n",
                durability, label, entries, PAYLOAD, frameLength, elapsedNs / 1e9, entries * 1e9 / elapsedNs,
                (double)entries * frameLength * 1e3 / elapsedNs, BLOCK,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3);
        }
    }

    private static void recoveryRun(final NodeMedia media, final Durability durability, final int entries)
    {
        final long openStartNs = System.nanoTime();
        try (ArchiveLogStore store = ArchiveLogStore.open(new ArchiveLogStore.Context().media(media).windowCapacity(4 << 20)))
        {
            final long openNs = System.nanoTime() - openStartNs;
            if (store.lastIndex() != entries)
            {
                throw new IllegalStateException("recovered " + store.lastIndex() + " entries, expected " + entries);
            }

            final long[] delivered = { 0 };
            final long replayStartNs = System.nanoTime();
            store.replay(1, entries, (buffer, offset, length, first, last) -> delivered[0] += last - first + 1);
            final long replayNs = System.nanoTime() - replayStartNs;

            System.out.printf("%s recovery on open (read + validate + index %,d entries, page cache warm): %.3f s = " +
                "%,.0f entries/s; blocking replay of all entries: %.3f s = %,.0f entries/s%n",
                durability, entries, openNs / 1e9, entries * 1e9 / openNs, replayNs / 1e9, delivered[0] * 1e9 / replayNs);
        }
    }

    private static void fsyncCost(final File dataDir) throws IOException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final File file = new File(dataDir, "fsync-probe.dat");
        final ByteBuffer block = ByteBuffer.allocateDirect(4096);
        try (FileChannel channel = FileChannel.open(file.toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ))
        {
            for (int i = 0; i < 1000; i++)
            {
                block.clear();
                channel.write(block, (long)(i % 256) * 4096);
                final long startNs = System.nanoTime();
                channel.force(false);
                histogram.recordValue(System.nanoTime() - startNs);
            }
        }

        System.out.printf("fsync (FileChannel.force(false) after a 4 KiB write) in %s: mean %.1f us, p50 %.1f us, " +
            "p99 %.1f us, max %.1f us over %d%n", dataDir, histogram.getMean() / 1e3,
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getMaxValue() / 1e3, histogram.getTotalCount());
    }
}
