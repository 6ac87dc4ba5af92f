package io.flotilla.engine.raft;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log matching and back-tracking searches, on a whole log and on one that begins after a compacted prefix.
 */
class LogTermsTest
{
    private final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);

    @Test
    void searchesAWholeLog()
    {
        final InMemoryRaftLog log = log(new InMemoryRaftLog(), 1, 1, 2, 2, 2, 4);
        final LogTerms terms = new LogTerms(log);
        assertTrue(terms.matches(0, 0));
        assertTrue(terms.matches(4, 2));
        assertFalse(terms.matches(4, 3));
        assertEquals(3, terms.firstIndexWithTermAtLeast(2, 1, 5));
        assertEquals(4, terms.firstIndexWithTermAtLeast(2, 4, 5), "never below low");
        assertEquals(5, terms.lastIndexWithTermAtMost(3, 6));
        assertEquals(2, terms.lastIndexWithTermAtMost(1, 6));
        assertEquals(0, terms.lastIndexWithTermAtMost(0, 6));
    }

    @Test
    void staysWithinWhatACompactedLogKnows()
    {
        // Entries 1..100 are compacted, 100 has term 3; then 101..105 of terms 3 3 5 5 6.
        final InMemoryRaftLog log = log(new InMemoryRaftLog(100, 3, 16, 4096), 3, 3, 5, 5, 6);
        final LogTerms terms = new LogTerms(log);

        assertTrue(terms.matches(42, 1), "inside the compacted prefix: committed, so it matches");
        assertTrue(terms.matches(100, 3));
        assertFalse(terms.matches(100, 2), "the prefix's last term is known");
        assertFalse(terms.matches(103, 4));

        assertEquals(103, terms.firstIndexWithTermAtLeast(5, 1, 104), "the search starts at the first index");
        assertEquals(101, terms.firstIndexWithTermAtLeast(3, 50, 102));

        assertEquals(104, terms.lastIndexWithTermAtMost(5, 105));
        assertEquals(102, terms.lastIndexWithTermAtMost(4, 105));
        assertEquals(102, terms.lastIndexWithTermAtMost(3, 105));
        assertEquals(99, terms.lastIndexWithTermAtMost(2, 105), "below the first index - 1: inside the prefix");
    }

    private InMemoryRaftLog log(final InMemoryRaftLog log, final long... terms)
    {
        int length = 0;
        for (int i = 0; i < terms.length; i++)
        {
            length += EntryFrame.encode(
                block, length, log.lastIndex() + 1 + i, terms[i], 0, EntryType.COMMAND, 0, 0, null, 0, 0);
        }
        log.append(block, 0, length);
        return log;
    }
}
