package io.flotilla.archive;

import io.aeron.exceptions.ConfigurationException;
import io.flotilla.codecs.EntryFrame;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.flotilla.archive.LogTestSupport.assertStandardEntries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ArchiveLogStoreTest
{
    private static final int PAYLOAD = 32;

    @TempDir
    Path tempDir;

    @Test
    void appendsBecomeDurableAndReadBackFromTheWindow()
    {
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.FSYNC, 0))
        {
            assertEquals(0, log.store.lastIndex());
            assertEquals(0, log.store.durableIndex());
            log.append(1, 5000, 64, PAYLOAD);
            assertEquals(5000, log.store.lastIndex());
            assertEquals(LogTestSupport.termOf(5000), log.store.lastTerm());
            assertEquals(LogTestSupport.termOf(1234), log.store.termAt(1234));
            assertEquals(LogStore.NO_TERM, log.store.termAt(5001));
            assertEquals(0, log.store.termAt(0));

            log.awaitDurable(5000);
            assertTrue(log.store.durableIndex() <= log.store.lastIndex());

            final int frame = EntryFrame.frameLength(PAYLOAD);
            assertEquals(100 + 9, log.store.batchEnd(100, 10 * frame));
            assertEquals(100, log.store.batchEnd(100, 1));
            final int[] delivered = { 0 };
            final int count = log.store.readEntries(100, 10 * frame, (buffer, offset, length, first, last) ->
            {
                assertEquals(100, first);
                assertEquals(109, last);
                assertStandardEntries(buffer, offset, length, first, last, PAYLOAD);
                delivered[0]++;
            });
            assertEquals(10, count);
            assertEquals(1, delivered[0]);
        }
    }

    @Test
    void readsOlderEntriesBackFromTheArchiveWithoutBlocking()
    {
        final int payload = 1000; // 3 MiB window: older entries leave it
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.ASYNC, 0))
        {
            log.append(1, 6000, 16, payload);
            log.awaitDurable(6000);
            log.append(6001, 6100, 16, payload); // pushes the durable oldest entries out of the window
            log.awaitDurable(6100);

            final List<long[]> blocks = new ArrayList<>();
            final EntryBlockHandler handler = (buffer, offset, length, first, last) ->
            {
                assertStandardEntries(buffer, offset, length, first, last, payload);
                blocks.add(new long[]{ first, last });
            };
            assertEquals(0, log.store.readEntries(5, 64 * 1024, handler), "entry 5 should be out of the window");
            log.await(() -> log.store.readEntries(5, 64 * 1024, handler) > 0, "read-back of entry 5");
            assertEquals(1, blocks.size());
            assertEquals(5, blocks.get(0)[0]);
            assertTrue(blocks.get(0)[1] > 5 && blocks.get(0)[1] < 5 + 64);

            // Another range of the same read-back is served from memory at once.
            assertTrue(log.store.readEntries(6, 2048, handler) > 0);
            assertEquals(6, blocks.get(1)[0]);
        }
    }

    @Test
    void readBackDeadlineRunsOnTheInjectedClock()
    {
        final int payload = 1000;
        final CachedNanoClock frozen = new CachedNanoClock();
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.ASYNC, 0,
            ctx -> ctx.nanoClock(frozen).readBackTimeoutNs(1)))
        {
            log.append(1, 6100, 16, payload);
            log.awaitDurable(6100);

            // A 1 ns deadline on the system clock would abandon every read-back; on a frozen clock none expires.
            final EntryBlockHandler handler = (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, payload);
            assertEquals(0, log.store.readEntries(5, 64 * 1024, handler), "entry 5 should be out of the window");
            log.await(() -> log.store.readEntries(5, 64 * 1024, handler) > 0, "read-back of entry 5");
        }
    }

    @Test
    void restartRecoversTheIdenticalLogAndExtendsTheSameRecording()
    {
        final File dir = tempDir.toFile();
        final long recordingId;
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 1))
        {
            log.append(1, 3000, 100, PAYLOAD);
            recordingId = log.store.recordingId();
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 1))
        {
            assertEquals(recordingId, log.store.recordingId());
            assertEquals(3000, log.store.lastIndex());
            assertEquals(3000, log.store.durableIndex());
            assertEquals(-1, log.store.tailCutPosition());
            assertReplays(log, 1, 3000);

            log.append(3001, 4000, 100, PAYLOAD);
            log.awaitDurable(4000);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 1))
        {
            assertEquals(recordingId, log.store.recordingId());
            assertEquals(4000, log.store.lastIndex());
            assertReplays(log, 1, 4000);
        }
    }

    @Test
    void truncatesAtAnyEntryBoundaryAndExtends()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 2))
        {
            log.append(1, 2000, 50, PAYLOAD);
            log.awaitDurable(2000);
            final long endOf1500 = log.store.endPosition(1500);

            log.store.truncateAfter(1500);
            assertEquals(1500, log.store.lastIndex());
            assertEquals(1500, log.store.durableIndex());
            assertEquals(LogTestSupport.termOf(1500), log.store.lastTerm());
            assertEquals(LogStore.NO_TERM, log.store.termAt(1501));

            // Different content after the cut: payload length 40 instead of 32.
            log.append(1501, 1800, 50, 40);
            log.awaitDurable(1800);
            assertEquals(endOf1500, log.store.endPosition(1500));

            // Truncating entries appended but not yet durable works as well.
            log.append(1801, 1900, 50, 40);
            log.store.truncateAfter(1850);
            assertEquals(1850, log.store.lastIndex());
            log.awaitDurable(1850);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 2))
        {
            assertEquals(1850, log.store.lastIndex());
            assertReplays(log, 1, 1500);
            log.store.replay(1501, 1850, (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, 40));
        }
    }

    @Test
    void truncatesEntriesOfferedButNotYetRecorded()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 3))
        {
            log.append(1, 1000, 50, PAYLOAD);
            log.awaitDurable(1000);

            // COMPACT mode: without media.doWork() the archive records nothing of these before the truncation.
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            for (long index = 1001; index <= 2000; index++)
            {
                log.store.append(frame, 0, LogTestSupport.encode(frame, 0, index, PAYLOAD));
            }
            log.store.truncateAfter(1500);
            assertEquals(1500, log.store.lastIndex());
            assertTrue(log.store.durableIndex() <= 1500);

            for (long index = 1501; index <= 1600; index++)
            {
                log.store.append(frame, 0, LogTestSupport.encode(frame, 0, index, 40));
            }
            log.awaitDurable(1600);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 3))
        {
            assertEquals(1600, log.store.lastIndex());
            assertReplays(log, 1, 1500);
            log.store.replay(1501, 1600, (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, 40));
        }
    }

    @Test
    void flippedEntryByteBeforeValidEntriesStopsRecoveryNamingFileAndPosition() throws Exception
    {
        final LogCorruptionException ex = corruptEntry501(32 + 70, 0x10); // a payload byte of entry 501
        assertTrue(ex.getMessage().contains("BAD_CHECKSUM"), ex.getMessage());
    }

    @Test
    void damagedAeronFrameHeaderBeforeValidEntriesStopsRecovery() throws Exception
    {
        final LogCorruptionException ex = corruptEntry501(1, 0x7F); // the Aeron frame length of entry 501
        assertTrue(ex.getMessage().contains("log corrupt after entry 500"), ex.getMessage());
    }

    private LogCorruptionException corruptEntry501(final int byteOffset, final int xor) throws Exception
    {
        final File dir = tempDir.toFile();
        final long endOf500;
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 0))
        {
            log.append(1, 1000, 50, PAYLOAD);
            endOf500 = log.store.endPosition(500);
        }

        final File segment = segmentFile(dir);
        try (RandomAccessFile file = new RandomAccessFile(segment, "rw"))
        {
            final long bytePosition = endOf500 + byteOffset;
            file.seek(bytePosition);
            final int b = file.read();
            file.seek(bytePosition);
            file.write(b ^ xor);
        }

        final LogCorruptionException ex = assertThrows(LogCorruptionException.class,
            () -> new LogTestSupport(dir, Durability.FSYNC, 0).close());
        assertEquals(segment.getName(), ex.file().getName());
        assertEquals(endOf500, ex.position());

        // Still refused on the next attempt: nothing was cut.
        assertThrows(LogCorruptionException.class, () -> new LogTestSupport(dir, Durability.FSYNC, 0).close());
        return ex;
    }

    @Test
    void truncatedSegmentFileRecoversToTheLastCompleteEntry() throws Exception
    {
        final File dir = tempDir.toFile();
        final long endOf700;
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 0))
        {
            log.append(1, 1000, 50, PAYLOAD);
            endOf700 = log.store.endPosition(700);
        }

        final File segment = segmentFile(dir);
        try (RandomAccessFile file = new RandomAccessFile(segment, "rw"))
        {
            file.setLength(endOf700 + 50); // torn in the middle of entry 701
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 0))
        {
            assertEquals(700, log.store.lastIndex());
            assertEquals(endOf700, log.store.tailCutPosition());
            assertReplays(log, 1, 700);
            log.append(701, 800, 50, PAYLOAD);
            log.awaitDurable(800);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 0))
        {
            assertEquals(800, log.store.lastIndex());
            assertEquals(-1, log.store.tailCutPosition());
            assertReplays(log, 1, 800);
        }
    }

    @Test
    void replayDeliversEveryEntryOnceInOrderFromFilesAndWindow()
    {
        final int payload = 1000;
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.ASYNC, 0))
        {
            log.append(1, 6100, 16, payload);
            log.awaitDurable(6100);
            final long[] next = { 1 };
            log.store.replay(1, 6100, (buffer, offset, length, first, last) ->
            {
                assertEquals(next[0], first);
                assertStandardEntries(buffer, offset, length, first, last, payload);
                next[0] = last + 1;
            });
            assertEquals(6101, next[0]);
        }
    }

    @Test
    void indexSpansChunksThroughAppendTruncationAndRestart()
    {
        final File dir = tempDir.toFile();
        final long chunk = LogIndex.CHUNK_ENTRIES;
        try (LogTestSupport log = new LogTestSupport(dir, Durability.ASYNC, 3))
        {
            log.append(1, chunk + chunk / 2, 256, 8);
            log.awaitDurable(chunk + chunk / 2);
            assertEquals(LogTestSupport.termOf(chunk), log.store.termAt(chunk));
            assertEquals(LogTestSupport.termOf(chunk + 1), log.store.termAt(chunk + 1));
            final long end = log.store.batchEnd(chunk - 5, 64 * 1024);
            assertTrue(end > chunk, "a batch crosses the chunk boundary, ends at " + end);
            assertTrue(log.store.endPosition(chunk + 1) > log.store.endPosition(chunk));

            // Back into the first chunk, then over the boundary again with other content.
            log.store.truncateAfter(chunk - 10);
            assertEquals(LogStore.NO_TERM, log.store.termAt(chunk));
            log.append(chunk - 9, chunk + 100, 256, 40);
            log.awaitDurable(chunk + 100);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.ASYNC, 3))
        {
            assertEquals(chunk + 100, log.store.lastIndex());
            assertEquals(LogTestSupport.termOf(chunk + 100), log.store.lastTerm());
            log.store.replay(1, chunk - 10, (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, 8));
            log.store.replay(chunk - 9, chunk + 100, (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, 40));
        }
    }

    @Test
    void logBeginsAfterAGivenIndexThroughAppendTruncationReadBackAndRestart()
    {
        final File dir = tempDir.toFile();
        final long previous = 100_000;
        final long previousTerm = LogTestSupport.termOf(previous);
        final int payload = 1000; // 3 MiB window: older entries leave it
        try (LogTestSupport log = new LogTestSupport(dir, Durability.ASYNC, 4, ctx -> ctx.logStart(previous, previousTerm)))
        {
            assertEquals(previous + 1, log.store.firstIndex());
            assertEquals(previous, log.store.lastIndex());
            assertEquals(previous, log.store.durableIndex());
            assertEquals(previousTerm, log.store.lastTerm());
            assertEquals(previousTerm, log.store.termAt(previous));
            assertEquals(LogStore.NO_TERM, log.store.termAt(previous - 1));
            assertEquals(0, log.store.endPosition(previous), "the recording starts at the prefix");
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            final int first = LogTestSupport.encode(frame, 0, 1, PAYLOAD);
            assertThrows(IllegalArgumentException.class, () -> log.store.append(frame, 0, first));

            log.append(previous + 1, previous + 6100, 16, payload);
            log.awaitDurable(previous + 6100);
            assertEquals(previous + 1, log.store.firstIndex());
            assertEquals(LogTestSupport.termOf(previous + 6100), log.store.lastTerm());

            final long[] block = new long[2];
            final EntryBlockHandler handler = (buffer, offset, length, firstIndex, lastIndex) ->
            {
                assertStandardEntries(buffer, offset, length, firstIndex, lastIndex, payload);
                block[0] = firstIndex;
                block[1] = lastIndex;
            };
            assertEquals(0, log.store.readEntries(previous, 64 * 1024, handler), "the prefix is not held");
            assertEquals(0, log.store.readEntries(previous + 5, 64 * 1024, handler), "out of the window");
            log.await(() -> log.store.readEntries(previous + 5, 64 * 1024, handler) > 0, "read-back");
            assertEquals(previous + 5, block[0]);
            assertTrue(block[1] > previous + 5);

            assertThrows(IllegalArgumentException.class, () -> log.store.truncateAfter(previous - 1));
            log.store.truncateAfter(previous + 6000);
            assertEquals(previous + 6000, log.store.lastIndex());
            log.append(previous + 6001, previous + 6050, 16, PAYLOAD);
            log.awaitDurable(previous + 6050);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.ASYNC, 4, ctx -> ctx.logStart(previous, previousTerm)))
        {
            assertEquals(previous + 1, log.store.firstIndex());
            assertEquals(previous + 6050, log.store.lastIndex());
            assertEquals(previous + 6050, log.store.durableIndex());
            assertEquals(previousTerm, log.store.termAt(previous));
            log.store.replay(previous + 1, previous + 6000, (buffer, offset, length, first, last) ->
                assertStandardEntries(buffer, offset, length, first, last, payload));
            assertReplays(log, previous + 6001, previous + 6050);

            // Every entry truncated: the log is its prefix again, and continues from it.
            log.store.truncateAfter(previous);
            assertEquals(previous, log.store.lastIndex());
            assertEquals(previousTerm, log.store.lastTerm());
            log.append(previous + 1, previous + 10, 4, PAYLOAD);
            log.awaitDurable(previous + 10);
        }

        try (LogTestSupport log = new LogTestSupport(dir, Durability.ASYNC, 4, ctx -> ctx.logStart(previous, previousTerm)))
        {
            assertEquals(previous + 10, log.store.lastIndex());
            assertReplays(log, previous + 1, previous + 10);
        }
    }

    @Test
    void recordingThatDoesNotBeginAtTheConfiguredStartIsRefusedNamingTheSetting()
    {
        final File dir = tempDir.toFile();
        final long previous = 1000;
        final long previousTerm = LogTestSupport.termOf(previous);
        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 5, ctx -> ctx.logStart(previous, previousTerm)))
        {
            log.append(previous + 1, previous + 100, 10, PAYLOAD);
        }

        final ConfigurationException fromOne = assertThrows(ConfigurationException.class,
            () -> new LogTestSupport(dir, Durability.FSYNC, 5).close());
        assertTrue(fromOne.getMessage().contains("ArchiveLogStore.Context.logStart"), fromOne.getMessage());
        assertTrue(fromOne.getMessage().contains("begins with entry 1001"), fromOne.getMessage());
        assertThrows(ConfigurationException.class,
            () -> new LogTestSupport(dir, Durability.FSYNC, 5, ctx -> ctx.logStart(previous + 50, previousTerm)).close());
        assertThrows(ConfigurationException.class,
            () -> new LogTestSupport(dir, Durability.FSYNC, 5, ctx -> ctx.logStart(previous, previousTerm + 1)).close());

        try (LogTestSupport log = new LogTestSupport(dir, Durability.FSYNC, 5, ctx -> ctx.logStart(previous, previousTerm)))
        {
            assertEquals(previous + 100, log.store.lastIndex(), "nothing was cut");
            assertEquals(-1, log.store.tailCutPosition());
            assertReplays(log, previous + 1, previous + 100);
        }
    }

    @Test
    void rejectsAppendsThatDoNotContinueTheLog()
    {
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.ASYNC, 0))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            final int length = LogTestSupport.encode(frame, 0, 2, PAYLOAD);
            assertThrows(IllegalArgumentException.class, () -> log.store.append(frame, 0, length));
            assertEquals(0, log.store.lastIndex());
        }
    }

    @Test
    void worksWithDedicatedDriverAndArchiveThreads()
    {
        for (int run = 0; run < 2; run++)
        {
            try (NodeMedia media = NodeMedia.launch(new NodeMedia.Context()
                .dataDirectory(tempDir.toFile())
                .threading(NodeMedia.Threading.DEDICATED)
                .segmentFileLength(LogTestSupport.SEGMENT_LENGTH));
                ArchiveLogStore store = ArchiveLogStore.open(new ArchiveLogStore.Context()
                    .media(media)
                    .termLength(LogTestSupport.TERM_LENGTH)))
            {
                assertEquals(1000L * run, store.lastIndex());
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
                for (long index = store.lastIndex() + 1; index <= 1000L * (run + 1); index++)
                {
                    store.append(frame, 0, LogTestSupport.encode(frame, 0, index, PAYLOAD));
                }
                final long deadline = System.nanoTime() + LogTestSupport.TIMEOUT_NS;
                while (store.durableIndex() < store.lastIndex())
                {
                    assertTrue(System.nanoTime() < deadline, "not durable: " + store.durableIndex());
                    store.doWork();
                    Thread.yield();
                }
            }
        }
    }

    private static void assertReplays(final LogTestSupport log, final long from, final long to)
    {
        final long[] next = { from };
        log.store.replay(from, to, (buffer, offset, length, first, last) ->
        {
            assertEquals(next[0], first);
            assertStandardEntries(buffer, offset, length, first, last, PAYLOAD);
            next[0] = last + 1;
        });
        assertEquals(to + 1, next[0]);
    }

    static File segmentFile(final File dataDir)
    {
        final File[] files = new File(dataDir, "archive").listFiles((d, name) -> name.endsWith(".rec"));
        assertEquals(1, null == files ? 0 : files.length, "expected one segment file");
        return files[0];
    }
}
