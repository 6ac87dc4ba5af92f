package io.flotilla.archive;

import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.flotilla.codecs.EntryFrame;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM appending under load is killed with SIGKILL; the restarted store must hold a clean prefix of the log
 * that includes everything the child acknowledged as durable.
 */
class CrashRecoveryTest
{
    private static final long ACKS_BEFORE_KILL = 30_000;

    @TempDir
    Path tempDir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void killedAppenderLosesNothingItAcknowledged(final Durability durability) throws Exception
    {
        final File dataDir = tempDir.resolve("node").toFile();
        long acknowledged = -1;
        for (int round = 0; round < 2; round++) // the second round extends the recovered log, then is killed too
        {
            final long before = acknowledged;
            acknowledged = runAndKill(dataDir, durability);
            assertTrue(acknowledged > before, "round " + round + " acknowledged nothing new");

            try (LogTestSupport log = new LogTestSupport(dataDir, durability, 0))
            {
                final long lastIndex = log.store.lastIndex();
                System.out.println(durability + " round " + round + ": acknowledged " + acknowledged + ", recovered " +
                    lastIndex + ", tail cut at " + log.store.tailCutPosition());
                assertTrue(lastIndex >= acknowledged, durability + ": recovered " + lastIndex +
                    " entries but the child had acknowledged " + acknowledged + " as durable");
                assertEquals(lastIndex, log.store.durableIndex());

                final long[] next = { 1 };
                log.store.replay(1, lastIndex, (buffer, offset, length, first, last) ->
                {
                    assertEquals(next[0], first);
                    LogTestSupport.assertStandardEntries(buffer, offset, length, first, last, 32);
                    next[0] = last + 1;
                });
                assertEquals(lastIndex + 1, next[0]);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tornLastWriteOfAKilledAppenderIsCut() throws Exception
    {
        final File dataDir = tempDir.resolve("torn").toFile();
        runAndKill(dataDir, Durability.ASYNC);

        // Simulate the write the kill interrupted: keep the last entry's frame header, zero the rest of its bytes.
        final File[] segments = new File(dataDir, "archive").listFiles((dir, name) -> name.endsWith(".rec"));
        assertTrue(null != segments && segments.length > 0);
        Arrays.sort(segments, Comparator.comparingLong(CrashRecoveryTest::basePosition).reversed());
        long lastEntryIndex = -1;
        for (int i = 0; i < segments.length && lastEntryIndex < 0; i++) // the newest segment may be empty yet
        {
            lastEntryIndex = tearLastEntry(segments[i]);
        }
        assertTrue(lastEntryIndex > 0, "no entry found in the segment files");

        try (LogTestSupport log = new LogTestSupport(dataDir, Durability.ASYNC, 0))
        {
            assertEquals(lastEntryIndex - 1, log.store.lastIndex());
            log.store.replay(1, log.store.lastIndex(), (buffer, offset, length, first, last) ->
                LogTestSupport.assertStandardEntries(buffer, offset, length, first, last, 32));
            log.append(lastEntryIndex, lastEntryIndex + 100, 10, 32);
            log.awaitDurable(lastEntryIndex + 100);
        }
    }

    /**
     * @return the index of the segment's last entry, whose bytes after its first 40 are zeroed; -1 if it has none.
     */
    private static long tearLastEntry(final File segmentFile) throws IOException
    {
        try (FileChannel channel = FileChannel.open(segmentFile.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            try
            {
                final UnsafeBuffer segment = new UnsafeBuffer(mapped);
                int offset = 0;
                int lastFrame = -1;
                while (offset + DataHeaderFlyweight.HEADER_LENGTH <= segment.capacity())
                {
                    final int frameLength = segment.getInt(offset, ByteOrder.LITTLE_ENDIAN);
                    if (frameLength <= 0)
                    {
                        break;
                    }
                    lastFrame = offset;
                    offset += BitUtil.align(frameLength, FrameDescriptor.FRAME_ALIGNMENT);
                }
                if (lastFrame < 0)
                {
                    return -1;
                }

                final long index = EntryFrame.index(segment, lastFrame + DataHeaderFlyweight.HEADER_LENGTH);
                final int tornFrom = lastFrame + DataHeaderFlyweight.HEADER_LENGTH + 40;
                segment.setMemory(tornFrom, offset - tornFrom, (byte)0);
                mapped.force();
                return index;
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    private static long basePosition(final File segment)
    {
        final String name = segment.getName();
        return Long.parseLong(name.substring(name.indexOf('-') + 1, name.indexOf('.')));
    }

    private static long runAndKill(final File dataDir, final Durability durability) throws Exception
    {
        final String aeronDir = "/dev/shm/flotilla-crash-" + UUID.randomUUID();
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashingAppender.class.getName());
        command.add(dataDir.getPath());
        command.add(aeronDir);
        command.add(durability.name());

        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final AtomicLong maxAck = new AtomicLong(-1);
        final Thread reader = new Thread(() -> readAcks(process, maxAck), "ack-reader");
        reader.start();
        try
        {
            final long initial = waitForAck(process, maxAck, 0, 30);
            waitForAck(process, maxAck, initial + ACKS_BEFORE_KILL, 30);
        }
        finally
        {
            process.destroyForcibly();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "child did not die");
            reader.join(TimeUnit.SECONDS.toMillis(20));
            IoUtil.delete(new File(aeronDir), true);
        }

        return maxAck.get();
    }

    private static long waitForAck(final Process process, final AtomicLong maxAck, final long target, final int seconds)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (maxAck.get() < target)
        {
            assertTrue(process.isAlive(), "child died on its own, exit " + (process.isAlive() ? "" : process.exitValue()));
            assertTrue(System.nanoTime() < deadline, "child acknowledged only " + maxAck.get() + " of " + target);
            Thread.sleep(5);
        }
        return maxAck.get();
    }

    private static void readAcks(final Process process, final AtomicLong maxAck)
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.startsWith("D "))
                {
                    maxAck.accumulateAndGet(Long.parseLong(line.substring(2).trim()), Math::max);
                }
            }
        }
        catch (final IOException | NumberFormatException ignore)
        {
            // the child was killed mid-line: every complete line was counted
        }
    }
}
