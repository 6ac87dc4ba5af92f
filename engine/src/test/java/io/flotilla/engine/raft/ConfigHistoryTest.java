package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configurations of a log: in effect from their append, reverted by a truncation, forgotten once superseded by
 * a committed one, replaced by a snapshot's.
 */
class ConfigHistoryTest
{
    private final Configuration a = Configuration.ofVoters(0, 1, 2);
    private final Configuration b = new Configuration(new int[]{ 0, 1, 2 }, new int[0], new int[]{ 3 });
    private final Configuration c = new Configuration(new int[]{ 0, 1, 2, 3 }, new int[]{ 0, 1, 2 }, new int[0]);

    @Test
    void theNewestIsInEffectAndATruncationRevertsToTheOneBefore()
    {
        final ConfigHistory history = new ConfigHistory(0, a);
        history.appended(10, b);
        history.appended(20, c);
        assertSame(c, history.latest());
        assertEquals(20, history.latestIndex());
        assertSame(b, history.at(19));
        assertSame(a, history.at(9));
        assertThrows(IllegalArgumentException.class, () -> history.appended(20, a), "not after the last");

        assertFalse(history.truncatedAfter(20), "the entry at 20 stays");
        assertTrue(history.truncatedAfter(15));
        assertSame(b, history.latest());
        assertTrue(history.truncatedAfter(0));
        assertSame(a, history.latest());
        assertFalse(history.truncatedAfter(0), "the base is never removed");
        assertTrue(history.votesInAny(2));
    }

    @Test
    void aCommittedConfigurationSupersedesTheOnesBefore()
    {
        final ConfigHistory history = new ConfigHistory(0, a);
        history.appended(10, b);
        history.appended(20, c);
        history.committed(15);
        assertSame(b, history.at(0), "only the newest committed one is kept of those up to the commit index");
        assertSame(c, history.latest());
        assertTrue(history.votesInAny(3), "3 votes in the uncommitted one");
        assertFalse(new ConfigHistory(0, b).votesInAny(3), "a learner votes nowhere");
        history.committed(20);
        assertSame(c, history.at(0));
    }

    @Test
    void aSnapshotReplacesWhatItCovers()
    {
        final ConfigHistory history = new ConfigHistory(0, a);
        history.appended(10, b);
        history.appended(20, c);
        history.installed(12, b);
        assertSame(b, history.at(12));
        assertSame(c, history.latest(), "the entry after the snapshot stays");
        history.installed(30, a);
        assertSame(a, history.latest());
        assertEquals(30, history.latestIndex());
    }
}
