package io.flotilla.archive;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogIndexTest
{
    @Test
    void holdsEveryEntryAcrossChunkBoundaries()
    {
        final LogIndex index = new LogIndex();
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
        assertEquals(40 * 10, index.bytes(LogIndex.CHUNK_ENTRIES - 4, LogIndex.CHUNK_ENTRIES + 5));
    }

    @Test
    void overwritesAfterATruncationWithoutGrowing()
    {
        final LogIndex index = new LogIndex();
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
        final LogIndex index = new LogIndex();
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
}
