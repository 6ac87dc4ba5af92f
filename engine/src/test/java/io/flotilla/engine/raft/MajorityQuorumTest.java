package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The majority rule over a voter set: the index a majority reached and whether members form a majority.
 */
class MajorityQuorumTest
{
    @Test
    void committedIndexIsTheMajorityThHighest()
    {
        final MajorityQuorum three = new MajorityQuorum(new int[]{ 4, 7, 9 });
        assertEquals(5, three.committedIndex(acked(new long[]{ 0, 0, 0, 0, 8, 0, 0, 5, 0, 1 })));
        assertEquals(8, three.committedIndex(acked(new long[]{ 0, 0, 0, 0, 8, 0, 0, 9, 0, 8 })));

        final MajorityQuorum five = new MajorityQuorum(new int[]{ 0, 1, 2, 3, 4 });
        assertEquals(3, five.committedIndex(acked(new long[]{ 7, 3, 1, 9, 2 })), "three of five hold 3");
        assertEquals(0, five.committedIndex(acked(new long[]{ 7, 0, 0, 9, 0 })));
    }

    @Test
    void evenSetsNeedMoreThanHalf()
    {
        final MajorityQuorum four = new MajorityQuorum(new int[]{ 0, 1, 2, 3 });
        assertEquals(4, four.committedIndex(acked(new long[]{ 9, 4, 1, 6 })), "three of four hold 4");
        assertFalse(four.isQuorum(Set.of(0, 1)::contains));
        assertTrue(four.isQuorum(Set.of(0, 1, 3)::contains));
    }

    @Test
    void aSingleVoterDecidesAlone()
    {
        final MajorityQuorum one = new MajorityQuorum(new int[]{ 3 });
        assertEquals(6, one.committedIndex(member -> 6));
        assertTrue(one.isQuorum(member -> 3 == member));
        assertFalse(one.isQuorum(member -> false));
    }

    @Test
    void countsOnlyItsOwnVoters()
    {
        final MajorityQuorum voters = new MajorityQuorum(new int[]{ 1, 2, 3 });
        assertFalse(voters.isQuorum(Set.of(1, 5, 6, 7)::contains), "members outside the set do not count");
        assertTrue(voters.isQuorum(Set.of(1, 3, 5)::contains));
        assertEquals(2, voters.committedIndex(member -> member), "voters 1..3 hold their own id; 0 is not asked");
    }

    @Test
    void jointConfigurationsAreTwoSetsThatMustBothAgree()
    {
        final MajorityQuorum outgoing = new MajorityQuorum(new int[]{ 0, 1, 2 });
        final MajorityQuorum incoming = new MajorityQuorum(new int[]{ 2, 3, 4 });
        final MajorityQuorum.AckedIndexes acked = acked(new long[]{ 9, 9, 5, 1, 2 });
        assertEquals(9, outgoing.committedIndex(acked));
        assertEquals(2, incoming.committedIndex(acked));
        final MajorityQuorum.Members granted = Set.of(0, 1, 3)::contains;
        assertTrue(outgoing.isQuorum(granted));
        assertFalse(incoming.isQuorum(granted));
    }

    @Test
    void refusesAnEmptyOrRepeatingSet()
    {
        assertThrows(IllegalArgumentException.class, () -> new MajorityQuorum(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new MajorityQuorum(new int[]{ 1, 2, 1 }));
    }

    private static MajorityQuorum.AckedIndexes acked(final long[] indexByMember)
    {
        return member -> indexByMember[member];
    }
}
