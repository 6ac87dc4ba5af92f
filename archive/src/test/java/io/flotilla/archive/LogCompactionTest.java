package io.flotilla.archive;

import io.flotilla.codecs.EntryFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.flotilla.archive.LogTestSupport.assertStandardEntries;
import static io.flotilla.archive.LogTestSupport.termOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction and reset of the log against a real embedded archive with 64 KiB segments and terms, so that a few
 * thousand 1 KiB entries span many segments and most of them have left the 3 MiB window.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LogCompactionTest
{
    private static final int SEGMENT = 64 * 1024;
    private static final int PAYLOAD = 1000;
    private static final Consumer<ArchiveLogStore.Context> SMALL_TERMS = ctx -> ctx.termLength(SEGMENT);

    @TempDir
    Path tempDir;

    @Test
    void compactsWholeSegmentsAndReopensAfterThem()
    {
        final File dir = tempDir.toFile();
        final long first;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            log.append(1, 6000, 16, PAYLOAD);
            log.awaitDurable(6000);
            final long bytesBefore = segmentBytes(log);
            final int segmentsBefore = segmentFiles(log).size();

            first = log.store.compact(3000);
            assertTrue(first > 2900 && first <= 3000, "first index " + first + " lands at a segment boundary at or before");
            assertEquals(first, log.store.firstIndex());
            assertEquals(6000, log.store.lastIndex());
            assertEquals(termOf(first - 1), log.store.termAt(first - 1), "the term before the first is kept");
            assertEquals(LogStore.NO_TERM, log.store.termAt(first - 2));
            assertEquals(6000, log.store.durableIndex());
            final long startPosition = log.media.aeronArchive().getStartPosition(log.store.recordingId());
            assertEquals(0, startPosition % SEGMENT);
            assertEquals(startPosition, log.store.endPosition(first - 1), "the first entry begins at the new start");

            final int purged = (int)(startPosition / SEGMENT);
            assertTrue(purged > 40, "segments purged: " + purged);
            log.await(() -> segmentFiles(log).size() == segmentsBefore - purged, "purged segment files to be deleted");
            assertEquals(bytesBefore - startPosition, segmentBytes(log), "disk use drops by the purged segments");

            assertReadable(log, first, 6000);
            assertEquals(0, log.store.readEntries(first - 1, 64 * 1024, (b, o, l, f, t) -> fail()));
            assertThrows(IllegalArgumentException.class, () -> log.store.replay(first - 1, 6000, (b, o, l, f, t) -> { }));
            assertThrows(IllegalArgumentException.class, () -> log.store.batchEnd(first - 1, 1024));

            assertEquals(first, log.store.compact(first), "nothing more to release");
            assertEquals(first, log.store.compact(2000), "a lower index releases nothing");
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(first, log.store.firstIndex());
            assertEquals(6000, log.store.lastIndex());
            assertEquals(termOf(first - 1), log.store.termAt(first - 1));
            assertEquals(-1, log.store.tailCutPosition());
            assertReplays(log, first, 6000);
            assertReadable(log, first, 6000);

            log.append(6001, 6100, 16, PAYLOAD);
            log.awaitDurable(6100);
            assertReadable(log, 6050, 6100);
        }
    }

    @Test
    void compactionWithNothingWhollyBeforeMovesNothing()
    {
        try (LogTestSupport log = open(tempDir.toFile(), Durability.ASYNC))
        {
            assertEquals(1, log.store.compact(1), "empty log");
            log.append(1, 50, 10, PAYLOAD); // about 54 KiB: all in the first segment
            log.awaitDurable(50);
            assertEquals(1, log.store.compact(40));
            assertEquals(1, log.store.compact(1000), "beyond the log: only durable entries, and none past a segment");
            assertFalse(Files.exists(tempDir.resolve(LogStartFile.FILE_NAME)), "no record when nothing moved");
            assertReplays(log, 1, 50);
        }
    }

    @Test
    void compactsRepeatedlyWhileAppending()
    {
        final File dir = tempDir.toFile();
        long first = 1;
        long last = 0;
        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            for (int round = 0; round < 12; round++)
            {
                log.append(last + 1, last + 700, 8, PAYLOAD);
                last += 700;
                final long target = last - 500;
                final long compacted = log.store.compact(target);
                assertTrue(compacted >= first && compacted <= target, "round " + round + ": " + compacted);
                assertEquals(termOf(compacted - 1), log.store.termAt(compacted - 1));
                assertEquals(last, log.store.lastIndex());
                first = compacted;
            }
            assertTrue(first > 5000, "the log moved on: first index " + first);
            log.awaitDurable(last);
            assertReadable(log, first, last);
            assertReadable(log, last - 10, last);
            final long max = last;
            log.await(() -> segmentFiles(log).size() < (max - 500) * 1088 / SEGMENT, "purged segments deleted");
        }

        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            assertEquals(first, log.store.firstIndex());
            assertEquals(last, log.store.lastIndex());
            assertReplays(log, first, last);
        }
    }

    @Test
    void aPurgeThatACrashInterruptedIsCompletedOnOpen()
    {
        final File dir = tempDir.toFile();
        final long boundary = 20L * SEGMENT;
        final long firstAfterBoundary;
        final int segmentsBefore;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            log.append(1, 3000, 16, PAYLOAD);
            log.awaitDurable(3000);
            long index = 1;
            while (log.store.endPosition(index) <= boundary)
            {
                index++;
            }
            firstAfterBoundary = index;
            segmentsBefore = segmentFiles(log).size();
            // What compact does before it purges: the crash comes right after the record is durable.
            new LogStartFile(dir).write(boundary, firstAfterBoundary - 1, termOf(firstAfterBoundary - 1), 0);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(boundary, log.media.aeronArchive().getStartPosition(log.store.recordingId()));
            assertEquals(firstAfterBoundary, log.store.firstIndex());
            assertEquals(3000, log.store.lastIndex());
            assertEquals(termOf(firstAfterBoundary - 1), log.store.termAt(firstAfterBoundary - 1));
            assertReplays(log, firstAfterBoundary, 3000);
            log.await(() -> segmentFiles(log).size() == segmentsBefore - 20, "the 20 purged segment files deleted");
        }
    }

    @Test
    void aRecordingThatBeginsAfterTheRecordedStartIsRefused()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            log.append(1, 3000, 16, PAYLOAD);
            log.awaitDurable(3000);
            final long first = log.store.compact(2000);
            final LogStartFile record = new LogStartFile(dir);
            record.write(record.startPosition() - SEGMENT, first - 60, termOf(first - 60), 0);
        }

        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, () -> open(dir, Durability.ASYNC));
        assertTrue(ex.getMessage().contains("segments holding needed entries were removed"), ex.getMessage());
    }

    @Test
    void truncationStillWorksAfterCompaction()
    {
        final File dir = tempDir.toFile();
        final long first;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            first = compactWithPurgeInFlight(log, 4000, 2500);
            log.store.truncateAfter(first + 10);
            assertFalse(log.store.isPurging(), "the truncation completed the purge in flight first");
            assertEquals(log.store.endPosition(first - 1), archiveStart(log));
            assertEquals(first + 10, log.store.lastIndex());
            log.append(first + 11, first + 100, 16, PAYLOAD);
            log.awaitDurable(first + 100);

            log.store.truncateAfter(first - 1);
            assertEquals(first - 1, log.store.lastIndex(), "down to the compacted prefix");
            assertEquals(termOf(first - 1), log.store.lastTerm());
            assertThrows(IllegalArgumentException.class, () -> log.store.truncateAfter(first - 2));
            log.append(first, first + 200, 16, PAYLOAD);
            log.awaitDurable(first + 200);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(first, log.store.firstIndex());
            assertEquals(first + 200, log.store.lastIndex());
            assertReplays(log, first, first + 200);
        }
    }

    @Test
    void resetDiscardsEverythingAndTheLogBeginsAfterTheSnapshot()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            log.append(1, 3000, 16, PAYLOAD);
            log.awaitDurable(2000);
            log.append(3001, 3100, 16, PAYLOAD); // some of them not recorded yet
            log.store.readEntries(10, 4096, (b, o, l, f, t) -> { }); // starts a read-back, still in flight

            log.store.reset(10_000, 9);
            assertEquals(10_001, log.store.firstIndex());
            assertEquals(10_000, log.store.lastIndex());
            assertEquals(10_000, log.store.durableIndex());
            assertEquals(9, log.store.lastTerm());
            assertEquals(9, log.store.termAt(10_000));
            assertEquals(LogStore.NO_TERM, log.store.termAt(9_999));
            assertEquals(LogStore.NO_TERM, log.store.termAt(10));
            assertEquals(0, log.store.readEntries(10, 4096, (b, o, l, f, t) -> fail()));
            assertThrows(IllegalArgumentException.class, () -> log.append(3101, 3101, 1, PAYLOAD));
            log.await(() -> segmentFiles(log).size() <= 1, "the discarded segment files deleted");

            log.append(10_001, 12_000, 16, PAYLOAD);
            log.awaitDurable(12_000);
            assertReadable(log, 10_001, 12_000); // the new entries, never the abandoned read-back's old ones
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(10_001, log.store.firstIndex());
            assertEquals(12_000, log.store.lastIndex());
            assertEquals(9, log.store.termAt(10_000));
            assertReplays(log, 10_001, 12_000);
            log.store.reset(5, 1);
            assertEquals(5, log.store.lastIndex(), "a reset may also go back, to an older snapshot");
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(6, log.store.firstIndex());
            assertEquals(5, log.store.lastIndex());
            assertEquals(1, log.store.termAt(5));
        }
    }

    @Test
    void aLogBeginningBeyondTwoToThe32AppendsTruncatesCompactsAndRecovers()
    {
        final File dir = tempDir.toFile();
        final long previous = (1L << 32) - 1500;
        final long first;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            log.store.reset(3_000_000_000L, termOf(3_000_000_000L));
            log.append(3_000_000_001L, 3_000_000_100L, 16, PAYLOAD);
            log.awaitDurable(3_000_000_100L);
            assertReadable(log, 3_000_000_001L, 3_000_000_100L);

            // Across 2^32: appends, lookups, a truncation and a compaction.
            log.store.reset(previous, termOf(previous));
            log.append(previous + 1, previous + 3000, 16, PAYLOAD);
            log.awaitDurable(previous + 3000);
            assertEquals(termOf(1L << 32), log.store.termAt(1L << 32));
            log.store.truncateAfter((1L << 32) + 10);
            assertEquals((1L << 32) + 10, log.store.lastIndex());
            log.append((1L << 32) + 11, previous + 3500, 16, PAYLOAD);
            log.awaitDurable(previous + 3500);
            first = log.store.compact((1L << 32) + 500);
            assertTrue(first > previous + 1 && first <= (1L << 32) + 501, "compacted to " + first);
            assertReadable(log, first, previous + 3500);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(first, log.store.firstIndex());
            assertEquals(previous + 3500, log.store.lastIndex());
            assertEquals(termOf(first - 1), log.store.termAt(first - 1));
            assertReplays(log, first, previous + 3500);
        }
    }

    @Test
    void resetOfAnEmptyLogAndOfACompactedOne()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            log.store.reset(500, 3);
            assertEquals(501, log.store.firstIndex());
            assertEquals(500, log.store.lastIndex());
            log.append(501, 3500, 16, PAYLOAD);
            log.awaitDurable(3500);
            final long first = log.store.compact(2000);
            assertTrue(first > 501);

            log.store.reset(4000, 4);
            assertEquals(4000, log.store.lastIndex());
            log.append(4001, 4100, 16, PAYLOAD);
            log.awaitDurable(4100);
        }

        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            assertEquals(4001, log.store.firstIndex());
            assertEquals(4100, log.store.lastIndex());
            assertEquals(4, log.store.termAt(4000));
            assertReplays(log, 4001, 4100);
        }
    }

    @Test
    void aResetThatACrashInterruptedIsCompletedOnOpen()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            log.append(1, 2000, 16, PAYLOAD);
            log.awaitDurable(2000);
            // What reset does before it touches the recording: the crash comes right after the record is durable.
            new LogStartFile(dir).write(0, 7000, 8, LogStartFile.RESET_PENDING);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(7001, log.store.firstIndex());
            assertEquals(7000, log.store.lastIndex());
            assertEquals(8, log.store.termAt(7000));
            assertFalse(new LogStartFile(dir).isResetPending(), "the reset is recorded as done");
            log.append(7001, 7100, 16, PAYLOAD);
            log.awaitDurable(7100);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(7001, log.store.firstIndex());
            assertEquals(7100, log.store.lastIndex(), "entries appended after a completed reset are kept");
            assertReplays(log, 7001, 7100);
        }
    }

    @Test
    void aDamagedLogStartRecordStopsTheOpen() throws Exception
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.ASYNC))
        {
            log.append(1, 3000, 16, PAYLOAD);
            log.awaitDurable(3000);
            log.store.compact(2000);
        }
        final Path record = tempDir.resolve(LogStartFile.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(record);
        bytes[17] ^= 1;
        Files.write(record, bytes);

        final LogCorruptionException ex = assertThrows(LogCorruptionException.class, () -> open(dir, Durability.ASYNC));
        assertTrue(ex.getMessage().contains(LogStartFile.FILE_NAME), ex.getMessage());
    }

    @Test
    void compactsAndResetsWithTheArchiveOnItsOwnThread()
    {
        try (NodeMedia media = NodeMedia.launch(new NodeMedia.Context()
            .dataDirectory(tempDir.toFile())
            .threading(NodeMedia.Threading.DEDICATED)
            .segmentFileLength(SEGMENT));
            ArchiveLogStore store = ArchiveLogStore.open(new ArchiveLogStore.Context().media(media).termLength(SEGMENT)))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[EntryFrame.frameLength(PAYLOAD)]);
            for (long index = 1; index <= 2000; index++)
            {
                store.append(frame, 0, LogTestSupport.encode(frame, 0, index, PAYLOAD));
                store.doWork();
            }
            final long deadline = System.nanoTime() + LogTestSupport.TIMEOUT_NS;
            while (store.durableIndex() < store.lastIndex())
            {
                assertTrue(System.nanoTime() < deadline, "not durable: " + store.durableIndex());
                store.doWork();
                Thread.yield();
            }

            final long first = store.compact(1500);
            assertTrue(first > 1400 && first <= 1500, "first index " + first);
            assertEquals(store.endPosition(first - 1), media.aeronArchive().getStartPosition(store.recordingId()));
            store.reset(3000, 3);
            assertEquals(3000, store.lastIndex());
            store.append(frame, 0, LogTestSupport.encode(frame, 0, 3001, PAYLOAD));
            assertEquals(3001, store.lastIndex());
        }
    }

    @Test
    void compactReturnsBeforeTheArchivePurgesAndTheLogKeepsWorking()
    {
        final File dir = tempDir.toFile();
        final long first;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            first = compactWithPurgeInFlight(log, 8000, 3000);
            assertTrue(first > 2900 && first <= 3000, "first index " + first);
            assertEquals(first, log.store.firstIndex(), "the entries are released at once");
            assertEquals(LogStore.NO_TERM, log.store.termAt(first - 2));
            final long startPosition = log.store.endPosition(first - 1);
            assertEquals(startPosition / SEGMENT, segmentFilesBefore(log, startPosition), "no segment deleted yet");

            // A read-back of kept entries older than the window, asked while the purge is in flight, and appends.
            assertReadable(log, first, first + 300);
            log.append(8001, 8200, 16, PAYLOAD);
            log.await(() -> !log.store.isPurging(), "the purge done");
            assertEquals(startPosition, archiveStart(log));
            log.await(() -> segmentFilesBefore(log, startPosition) == 0, "the purged segment files deleted");

            log.awaitDurable(8200);
            assertReadable(log, first, 8200);
            assertEquals(0, log.store.readEntries(first - 1, 64 * 1024, (b, o, l, f, t) -> fail()));
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(first, log.store.firstIndex());
            assertEquals(8200, log.store.lastIndex());
            assertReplays(log, first, 8200);
        }
    }

    @Test
    void compactionsInQuickSuccessionEndWithTheHighestStart()
    {
        try (LogTestSupport log = open(tempDir.toFile(), Durability.ASYNC))
        {
            log.append(1, 9000, 16, PAYLOAD);
            log.awaitDurable(9000);

            final long lower = log.store.compact(2000);
            final long higher = log.store.compact(5000);
            assertTrue(lower < higher, lower + " then " + higher);
            assertEquals(higher, log.store.firstIndex());
            log.await(() -> !log.store.isPurging(), "the purges done");
            assertEquals(log.store.endPosition(higher - 1), archiveStart(log));

            // Asked at once after the last one's answer, while the archive may still be deleting its segments and
            // refuse ("another delete operation in progress"): asked again until done.
            final long highest = log.store.compact(7000);
            log.await(() -> !log.store.isPurging(), "the purge done");
            final long startPosition = log.store.endPosition(highest - 1);
            assertEquals(startPosition, archiveStart(log));
            log.await(() -> segmentFilesBefore(log, startPosition) == 0, "the purged segment files deleted");
            assertReadable(log, highest, 9000);
        }
    }

    @Test
    void aPurgeWhoseAnswerIsLostIsAskedAgain()
    {
        final AtomicLong skewNs = new AtomicLong();
        final long timeoutNs = TimeUnit.SECONDS.toNanos(5);
        try (LogTestSupport log = new LogTestSupport(tempDir.toFile(), Durability.ASYNC, 0, null, SEGMENT,
            ctx -> ctx.termLength(SEGMENT).readBackTimeoutNs(timeoutNs).nanoClock(() -> System.nanoTime() + skewNs.get())))
        {
            log.append(1, 9000, 16, PAYLOAD);
            log.awaitDurable(9000);

            // The archive purges; the synchronous call on the same client takes the answer and drops it.
            final long first = log.store.compact(2000);
            assertEquals(log.store.endPosition(first - 1), archiveStart(log));
            assertLostUntilTimeout(log, skewNs, timeoutNs);
            log.await(() -> !log.store.isPurging(), "the lost purge recognised as done");

            // The archive is still deleting the segments of that purge when the next is asked: the answer dropped is
            // likely a refusal, and the archive's start, asked after the timeout, is not there yet.
            final long next = log.store.compact(4000);
            log.await(() -> !log.store.isPurging(), "the purge done");
            final long last = log.store.compact(6000);
            log.media.aeronArchive().getStopPosition(log.store.recordingId());
            assertLostUntilTimeout(log, skewNs, timeoutNs);
            log.await(() -> !log.store.isPurging(), "the purge done after asking again");
            assertTrue(next < last);
            assertEquals(log.store.endPosition(last - 1), archiveStart(log));
            assertReadable(log, last, 9000);
        }
    }

    @Test
    void closeWithAPurgeInFlightAndReopen()
    {
        final File dir = tempDir.toFile();
        final long first;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            first = compactWithPurgeInFlight(log, 4000, 3000);
        }

        assertReopensAfter(dir, first, 4000);
    }

    @Test
    void aCrashWithAPurgeInFlightIsCompletedOnOpen()
    {
        final File dir = tempDir.toFile();
        final long first;
        final long recordingId;
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            recordingId = log.store.recordingId();
            first = compactWithPurgeInFlight(log, 4000, 3000);
            log.media.close(); // before the archive saw the purge: the store is left as a crash leaves it
        }

        try (NodeMedia media = NodeMedia.launch(new NodeMedia.Context().dataDirectory(dir).segmentFileLength(SEGMENT)))
        {
            assertEquals(0, media.aeronArchive().getStartPosition(recordingId), "the archive never got the purge");
        }
        assertReopensAfter(dir, first, 4000);
    }

    @Test
    void resetDuringAPurgeInFlight()
    {
        final File dir = tempDir.toFile();
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            final long first = compactWithPurgeInFlight(log, 4000, 3000);
            final long startPosition = log.store.endPosition(first - 1);

            log.store.reset(10_000, 9);
            assertFalse(log.store.isPurging(), "the reset completed the purge in flight first");
            assertEquals(startPosition, archiveStart(log));
            assertEquals(10_001, log.store.firstIndex());
            assertEquals(10_000, log.store.lastIndex());
            log.append(10_001, 11_000, 16, PAYLOAD);
            log.awaitDurable(11_000);
            assertReadable(log, 10_001, 11_000);
        }

        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(10_001, log.store.firstIndex());
            assertEquals(11_000, log.store.lastIndex());
            assertEquals(9, log.store.termAt(10_000));
            assertReplays(log, 10_001, 11_000);
        }
    }

    private static LogTestSupport open(final File dir, final Durability durability)
    {
        return new LogTestSupport(dir, durability, 0, null, SEGMENT, SMALL_TERMS);
    }

    /**
     * Append entries 1..{@code last} and compact before {@code firstIndexToKeep}: the purge is asked, not answered.
     *
     * @return the first index after the compaction.
     */
    private static long compactWithPurgeInFlight(final LogTestSupport log, final long last, final long firstIndexToKeep)
    {
        log.append(1, last, 16, PAYLOAD);
        log.awaitDurable(last);
        final long first = log.store.compact(firstIndexToKeep);
        assertTrue(log.store.isPurging(), "the archive has not answered: nothing has driven it since");
        return first;
    }

    /**
     * The store waits for the answer the archive sent and a synchronous call dropped, until its timeout passes on the
     * store's clock; then it asks again.
     */
    private static void assertLostUntilTimeout(final LogTestSupport log, final AtomicLong skewNs, final long timeoutNs)
    {
        for (int i = 0; i < 100; i++)
        {
            log.doWork();
        }
        assertTrue(log.store.isPurging(), "no answer: still waiting");
        skewNs.addAndGet(timeoutNs + 1);
    }

    /**
     * Reopen the log compacted to {@code first}: the recording begins there, nothing before it is readable and the
     * entries after it are intact.
     */
    private static void assertReopensAfter(final File dir, final long first, final long last)
    {
        try (LogTestSupport log = open(dir, Durability.FSYNC))
        {
            assertEquals(log.store.endPosition(first - 1), archiveStart(log), "the purge is done");
            assertEquals(first, log.store.firstIndex());
            assertEquals(last, log.store.lastIndex());
            assertEquals(termOf(first - 1), log.store.termAt(first - 1));
            assertEquals(0, log.store.readEntries(first - 1, 64 * 1024, (b, o, l, f, t) -> fail()));
            assertReplays(log, first, last);
            assertReadable(log, first, last);
        }
    }

    private static long archiveStart(final LogTestSupport log)
    {
        return log.media.aeronArchive().getStartPosition(log.store.recordingId());
    }

    /**
     * Read {@code first..last} through readEntries, reading back from the archive where the window does not hold them.
     */
    private static void assertReadable(final LogTestSupport log, final long first, final long last)
    {
        final long[] next = { first };
        final EntryBlockHandler handler = (buffer, offset, length, from, to) ->
        {
            assertEquals(next[0], from);
            assertStandardEntries(buffer, offset, length, from, to, PAYLOAD);
            next[0] = to + 1;
        };
        log.await(() ->
        {
            if (next[0] <= last)
            {
                log.store.readEntries(next[0], 32 * EntryFrame.frameLength(PAYLOAD), handler);
            }
            return next[0] > last;
        }, "entries " + first + ".." + last + " read");
    }

    private static void assertReplays(final LogTestSupport log, final long first, final long last)
    {
        final long[] next = { first };
        log.store.replay(first, last, (buffer, offset, length, from, to) ->
        {
            assertEquals(next[0], from);
            assertStandardEntries(buffer, offset, length, from, to, PAYLOAD);
            next[0] = to + 1;
        });
        assertEquals(last + 1, next[0]);
    }

    private static List<File> segmentFiles(final LogTestSupport log)
    {
        final File[] files = log.media.context().archiveDirectory().listFiles((d, name) -> name.endsWith(".rec"));
        return null == files ? List.of() : List.of(files);
    }

    private static long segmentFilesBefore(final LogTestSupport log, final long position)
    {
        return segmentFiles(log).stream()
            .map(file -> file.getName().substring(file.getName().indexOf('-') + 1, file.getName().indexOf('.')))
            .filter(base -> Long.parseLong(base) < position)
            .count();
    }

    private static long segmentBytes(final LogTestSupport log)
    {
        return segmentFiles(log).stream().mapToLong(File::length).sum();
    }

    private static void fail()
    {
        throw new AssertionError("nothing may be delivered below the first index");
    }
}
