package io.flotilla.engine.raft;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The simulator's and benchmark's log: durability, crash, truncation, batches and bounded memory.
 */
class InMemoryRaftLogTest
{
    private final InMemoryRaftLog store = new InMemoryRaftLog(4, 256);
    private final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);

    @Test
    void holdsIndicesBeyondTwoToThe31AndTwoToThe32()
    {
        store.reset(3_000_000_000L, 5);
        append(5, 6);
        assertEquals(3_000_000_002L, store.lastIndex());
        assertEquals(6, store.termAt(3_000_000_002L));

        final long previous = (1L << 32) - 3;
        store.reset(previous, 5);
        append(5, 5, 6, 6, 6, 7, 7, 7);
        assertEquals(previous + 1, store.firstIndex());
        assertEquals(previous + 8, store.lastIndex());
        assertEquals(6, store.termAt(1L << 32));
        assertEquals(3 * EntryFrame.frameLength(8), store.rangeLength((1L << 32) - 1, (1L << 32) + 1));
        assertEquals((1L << 32) + 1, store.batchEnd((1L << 32) - 1, 3 * EntryFrame.frameLength(8)));

        store.truncateAfter(1L << 32);
        append(8);
        assertEquals(8, store.termAt((1L << 32) + 1));
        store.markDurable((1L << 32) + 1);
        store.compact(1L << 32);
        assertEquals(1L << 32, store.firstIndex());
        assertEquals(5, store.termAt((1L << 32) - 1), "the compacted prefix keeps its term");
        assertEquals(RaftLog.NO_TERM, store.termAt((1L << 32) - 2));
        assertEquals(2, store.readEntries(1L << 32, 1 << 20, (buffer, offset, length, first, last) ->
            assertEquals(1L << 32, EntryFrame.index(buffer, offset))));
    }

    @Test
    void crashKeepsOnlyTheDurablePrefix()
    {
        append(1, 1, 2, 2);
        store.markDurable(2);
        store.markDurable(1);
        assertEquals(2, store.durableIndex(), "never lowered by markDurable");
        store.crash();
        assertEquals(2, store.lastIndex());
        assertEquals(1, store.lastTerm());
        assertEquals(RaftLog.NO_TERM, store.termAt(3));
    }

    @Test
    void truncationLowersTheDurableIndex()
    {
        append(1, 1, 1, 1);
        store.markDurable(4);
        store.truncateAfter(2);
        assertEquals(2, store.durableIndex());
        append(3, 3);
        assertEquals(3, store.termAt(3));
        store.markDurable(10);
        assertEquals(4, store.durableIndex(), "clamped to the last index");
    }

    @Test
    void batchEndRespectsTheByteLimitButTakesAtLeastOneEntry()
    {
        append(1, 1, 1, 1, 1);
        final int frame = EntryFrame.frameLength(8);
        assertEquals(1, store.batchEnd(1, 1));
        assertEquals(2, store.batchEnd(1, 2 * frame));
        assertEquals(3, store.batchEnd(2, 2 * frame + frame - 1));
        assertEquals(5, store.batchEnd(1, 1 << 20));
        final long[] delivered = new long[2];
        assertEquals(2, store.readEntries(2, 2 * frame, (buffer, offset, length, first, last) ->
        {
            delivered[0] = first;
            delivered[1] = EntryFrame.index(buffer, offset + frame);
        }));
        assertEquals(2, delivered[0]);
        assertEquals(3, delivered[1]);
    }

    @Test
    void compactedPrefixIsReleasedButItsLastTermKept()
    {
        for (long i = 1; i <= 1000; i++)
        {
            append(7);
            store.markDurable(i);
            store.compact(i);
        }
        assertEquals(1000, store.lastIndex());
        assertEquals(1000, store.firstIndex());
        assertEquals(7, store.termAt(999), "the base keeps its term");
        assertEquals(RaftLog.NO_TERM, store.termAt(998));
        assertThrows(IllegalArgumentException.class, () -> store.truncateAfter(998));
        assertThrows(IllegalArgumentException.class, () -> store.compact(1002), "1001 is not held");
        store.compact(500);
        assertEquals(1000, store.firstIndex(), "compacting further back changes nothing");
    }

    @Test
    void beginsAfterACompactedPrefix()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog(100, 3, 4, 256);
        assertEquals(101, log.firstIndex());
        assertEquals(100, log.lastIndex());
        assertEquals(3, log.lastTerm(), "the prefix's term while no entry is held");
        assertEquals(3, log.termAt(100));
        assertEquals(RaftLog.NO_TERM, log.termAt(99));
        assertEquals(RaftLog.NO_TERM, log.termAt(0));
        assertEquals(100, log.durableIndex(), "the prefix is durable");

        final int first = EntryFrame.encode(block, 0, 101, 4, 0, EntryType.COMMAND, 0, 0, block, 2048, 8);
        final int second = EntryFrame.encode(block, first, 102, 4, 0, EntryType.COMMAND, 0, 0, block, 2048, 8);
        log.append(block, 0, first + second);
        assertEquals(102, log.lastIndex());
        assertEquals(4, log.lastTerm());
        assertEquals(4, log.termAt(101));
        assertEquals(101, log.batchEnd(101, first));
        assertEquals(102, log.batchEnd(101, 1 << 20));

        log.crash();
        assertEquals(100, log.lastIndex(), "only the prefix was durable");
        assertEquals(3, log.lastTerm());
        assertThrows(IllegalArgumentException.class, () -> log.truncateAfter(99));
        assertThrows(IllegalArgumentException.class, () -> log.append(block, first, second), "102 after 100");
    }

    @Test
    void resetDiscardsEverythingAndBeginsAfterTheSnapshot()
    {
        append(1, 1, 2, 2, 2);
        store.markDurable(5);
        store.compact(3);
        store.reset(40, 6);
        assertEquals(41, store.firstIndex());
        assertEquals(40, store.lastIndex());
        assertEquals(6, store.lastTerm());
        assertEquals(6, store.termAt(40));
        assertEquals(RaftLog.NO_TERM, store.termAt(5));
        assertEquals(40, store.durableIndex(), "the snapshot covering the prefix is durable");

        append(6, 7);
        assertEquals(42, store.lastIndex());
        assertEquals(7, store.termAt(42));
        store.crash();
        assertEquals(40, store.lastIndex(), "41 and 42 were not durable");

        store.reset(3, 1);
        assertEquals(4, store.firstIndex(), "a reset may also go back (a wiped log restored from an older snapshot)");
        assertEquals(3, store.durableIndex());
        assertThrows(IllegalArgumentException.class, () -> store.reset(0, 1));
    }

    @Test
    void refusesAnImpossiblePrefix()
    {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRaftLog(-1, 0, 4, 256));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRaftLog(5, -1, 4, 256));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRaftLog(0, 2, 4, 256));
        assertEquals(1, new InMemoryRaftLog(0, 0, 4, 256).firstIndex());
    }

    @Test
    void refusesNonConsecutiveFrames()
    {
        append(1);
        final int length = EntryFrame.encode(block, 0, 3, 1, 0, EntryType.COMMAND, 0, 0, block, 100, 8);
        assertThrows(IllegalArgumentException.class, () -> store.append(block, 0, length));
    }

    private void append(final long... terms)
    {
        int length = 0;
        final long first = store.lastIndex() + 1;
        for (int i = 0; i < terms.length; i++)
        {
            length += EntryFrame.encode(
                block, length, first + i, terms[i], 0, EntryType.COMMAND, 0, 0, block, 2048, 8);
        }
        store.append(block, 0, length);
    }
}
