package io.flotilla.archive;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogIndexTest
{
    @Test
    void holdsALogWhoseIndicesAreBeyondTwoToThe31AndTwoToThe32()
    {
        // Past 2^31 an int cast of an index turns negative; past 2^32 it wraps to a small positive one.
        for (final long previous : new long[]{ 3_000_000_000L, (1L << 32) - LogIndex.CHUNK_ENTRIES / 2 })
        {
            final LogIndex index = new LogIndex(previous, 9);
            final long last = previous + LogIndex.CHUNK_ENTRIES + 10;
            for (long i = previous + 1; i <= last; i++)
            {
                index.append(9 + (i - previous) / 1000, 40, 64 * (i - previous));
            }
            assertEquals(last, index.lastIndex());
            for (long i = previous + 1; i <= last; i++)
            {
                assertEquals(9 + (i - previous) / 1000, index.term(i), "term of " + i);
                assertEquals(40 * (i - previous), index.frameEnd(i), "frame end of " + i);
                assertEquals(64 * (i - previous), index.endPosition(i), "end position of " + i);
            }
            assertEquals(40 * 21, index.bytes(last - 20, last));
            assertEquals(previous + 5, index.lastFrameEndingBy(previous + 1, last, 40 * 5 + 39));

            index.truncateAfter(last - 5);
            index.append(77, 8, 0);
            assertEquals(last - 4, index.lastIndex());
            assertEquals(77, index.term(last - 4));
            assertEquals(40 * (last - 5 - previous) + 8, index.frameEnd(last - 4));

            final long prefix = previous + LogIndex.CHUNK_ENTRIES + 3;
            index.compact(prefix);
            assertEquals(prefix + 1, index.firstIndex());
            assertEquals(9 + (prefix - previous) / 1000, index.term(prefix), "the new prefix keeps its term");
            assertEquals(LogIndex.CHUNK_ENTRIES, index.capacity(), "the chunk wholly before the prefix is freed");
            assertEquals(77, index.term(last - 4));

            index.reset(5_000_000_000L, 12);
            index.append(12, 40, 7);
            assertEquals(5_000_000_001L, index.lastIndex());
            assertEquals(12, index.term(5_000_000_000L));
            assertEquals(40, index.frameEnd(5_000_000_001L));
            index.reset(0, 0);
        }
    }

    @Test
    void holdsEveryEntryAcrossChunkBoundaries()
    {
        final LogIndex index = new LogIndex(0, 0);
        final long entries = 3L * LogIndex.CHUNK_ENTRIES + 5;
        for (long i = 1; i <= entries; i++)
        {
            index.append(i / 1000 + 1, 40, 64 * i + 7);
        }

        assertEquals(entries, index.lastIndex());
        assertEquals(4L * LogIndex.CHUNK_ENTRIES, index.capacity());
        for (long i = 1; i <= entries; i++)
        {
            assertEquals(i / 1000 + 1, index.term(i));
            assertEquals(40 * i, index.frameEnd(i));
            assertEquals(64 * i + 7, index.endPosition(i));
        }
        assertEquals(0, index.frameEnd(0), "the empty prefix ends at 0");
        assertEquals(0, index.term(0), "the empty prefix has term 0");
        assertEquals(1, index.firstIndex());
        assertEquals(40 * 10, index.bytes(LogIndex.CHUNK_ENTRIES - 4, LogIndex.CHUNK_ENTRIES + 5));
    }

    @Test
    void overwritesAfterATruncationWithoutGrowing()
    {
        final LogIndex index = new LogIndex(0, 0);
        for (long i = 1; i <= 100; i++)
        {
            index.append(1, 1, i);
        }
        index.endPosition(50, -1);
        index.truncateAfter(50);
        assertEquals(50, index.lastIndex());
        index.append(2, 949, 1000);

        assertEquals(51, index.lastIndex());
        assertEquals(-1, index.endPosition(50));
        assertEquals(2, index.term(51));
        assertEquals(999, index.frameEnd(51));
        assertEquals(LogIndex.CHUNK_ENTRIES, index.capacity());
    }

    @Test
    void findsTheLastFrameEndingByALimit()
    {
        final LogIndex index = new LogIndex(0, 0);
        for (long i = 1; i <= LogIndex.CHUNK_ENTRIES + 10; i++)
        {
            index.append(1, 10, 0);
        }

        assertEquals(5, index.lastFrameEndingBy(1, 20, 50));
        assertEquals(5, index.lastFrameEndingBy(1, 20, 59));
        assertEquals(20, index.lastFrameEndingBy(1, 20, 10_000));
        assertEquals(3, index.lastFrameEndingBy(3, 20, 0), "the first index when even it ends after the limit");
        final long last = LogIndex.CHUNK_ENTRIES + 10;
        assertEquals(LogIndex.CHUNK_ENTRIES + 2, index.lastFrameEndingBy(LogIndex.CHUNK_ENTRIES - 3, last,
            10L * (LogIndex.CHUNK_ENTRIES + 2) + 9));
    }

    @Test
    void beginsAfterACompactedPrefixAcrossChunkBoundaries()
    {
        final long previous = 5L * LogIndex.CHUNK_ENTRIES - 3; // the chunks split the log off its own boundaries
        final LogIndex index = new LogIndex(previous, 42);
        assertEquals(previous, index.lastIndex(), "empty");
        assertEquals(previous + 1, index.firstIndex());
        assertEquals(42, index.term(previous), "the prefix keeps its term");
        assertEquals(0, index.frameEnd(previous), "the prefix ends at 0");

        final long entries = 2L * LogIndex.CHUNK_ENTRIES + 10;
        for (long i = previous + 1; i <= previous + entries; i++)
        {
            index.append(42 + (i - previous) / 1000, 40, 64 * i);
        }

        assertEquals(previous + entries, index.lastIndex());
        assertEquals(3L * LogIndex.CHUNK_ENTRIES, index.capacity(), "chunks count from the prefix, not from index 0");
        for (long i = previous + 1; i <= previous + entries; i++)
        {
            assertEquals(42 + (i - previous) / 1000, index.term(i));
            assertEquals(40 * (i - previous), index.frameEnd(i));
            assertEquals(64 * i, index.endPosition(i));
        }
        final long boundary = previous + LogIndex.CHUNK_ENTRIES; // last slot of the first chunk
        assertEquals(40 * 4, index.bytes(boundary - 1, boundary + 2));
        assertEquals(boundary + 1,
            index.lastFrameEndingBy(boundary - 5, previous + entries, 40L * (LogIndex.CHUNK_ENTRIES + 1)));
        assertEquals(previous + 1, index.lastFrameEndingBy(previous + 1, previous + entries, 0));
    }

    @Test
    void truncatesDownToThePrefixAndAppendsAgain()
    {
        final long previous = LogIndex.CHUNK_ENTRIES + 100;
        final LogIndex index = new LogIndex(previous, 7);
        for (long i = previous + 1; i <= previous + LogIndex.CHUNK_ENTRIES; i++)
        {
            index.append(7, 10, i);
        }

        index.truncateAfter(previous);
        assertEquals(previous, index.lastIndex());
        assertEquals(7, index.term(previous), "the prefix survives a truncation of every entry");
        index.append(8, 33, 99);
        assertEquals(previous + 1, index.lastIndex());
        assertEquals(8, index.term(previous + 1));
        assertEquals(33, index.frameEnd(previous + 1));
        assertEquals(2L * LogIndex.CHUNK_ENTRIES, index.capacity());
    }

    @Test
    void compactionFreesWholeChunksBeforeTheNewPrefixAndKeepsItsTerm()
    {
        final long previous = 500;
        final LogIndex index = new LogIndex(previous, 3);
        final long entries = 4L * LogIndex.CHUNK_ENTRIES;
        for (long i = previous + 1; i <= previous + entries; i++)
        {
            index.append(3 + i / 10_000, 40, 64 * i);
        }
        assertEquals(5L * LogIndex.CHUNK_ENTRIES, index.capacity(), "four chunks of entries and the prefix's");

        final long inSecondChunk = previous + LogIndex.CHUNK_ENTRIES + 17;
        index.compact(inSecondChunk);
        assertEquals(inSecondChunk, index.previousIndex());
        assertEquals(inSecondChunk + 1, index.firstIndex());
        assertEquals(previous + entries, index.lastIndex());
        assertEquals(4L * LogIndex.CHUNK_ENTRIES, index.capacity(), "the first chunk is freed");
        assertEquals(3 + inSecondChunk / 10_000, index.term(inSecondChunk), "the new prefix keeps its term");
        for (long i = inSecondChunk; i <= previous + entries; i++)
        {
            assertEquals(3 + i / 10_000, index.term(i));
            assertEquals(40 * (i - previous), index.frameEnd(i));
            assertEquals(64 * i, index.endPosition(i));
        }
        assertEquals(40 * 3, index.bytes(inSecondChunk + 1, inSecondChunk + 3));

        final long nearTheEnd = previous + entries - 5;
        index.compact(nearTheEnd);
        assertEquals(2L * LogIndex.CHUNK_ENTRIES, index.capacity(), "only the last chunk and the one past it are left");
        assertEquals(40 * 5, index.bytes(nearTheEnd + 1, previous + entries));
        index.append(99, 40, 1);
        assertEquals(99, index.term(previous + entries + 1));
        assertEquals(40 * (entries + 1), index.frameEnd(previous + entries + 1));

        index.compact(index.lastIndex());
        assertEquals(index.lastIndex() + 1, index.firstIndex(), "compacted to empty");
        assertEquals(99, index.term(index.previousIndex()));
    }

    @Test
    void resetForgetsEverythingAndBeginsAfterTheNewPrefix()
    {
        final LogIndex index = new LogIndex(0, 0);
        for (long i = 1; i <= 3L * LogIndex.CHUNK_ENTRIES; i++)
        {
            index.append(1, 40, i);
        }

        index.reset(1_000_000, 9);
        assertEquals(1_000_000, index.previousIndex());
        assertEquals(1_000_000, index.lastIndex());
        assertEquals(9, index.term(1_000_000));
        assertEquals(0, index.frameEnd(1_000_000));
        assertEquals(LogIndex.CHUNK_ENTRIES, index.capacity());
        index.append(10, 40, 7);
        assertEquals(10, index.term(1_000_001));
        assertEquals(40, index.bytes(1_000_001, 1_000_001));

        index.reset(5, 1);
        assertEquals(5, index.lastIndex(), "a reset may also move the log back");
        assertEquals(1, index.term(5));
    }
}
