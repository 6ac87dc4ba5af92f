package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quorum of a configuration: a majority of its voters and, while joint, of its outgoing voters too; learners are
 * never counted.
 */
class JointQuorumTest
{
    @Test
    void aSimpleConfigurationIsOneMajorityAndLearnersDoNotCount()
    {
        final JointQuorum quorum = new JointQuorum(new Configuration(new int[]{ 0, 1, 2 }, new int[0], new int[]{ 3, 4 }));
        assertFalse(quorum.isQuorum(Set.of(0, 3, 4)::contains), "two learners and a voter are no majority");
        assertTrue(quorum.isQuorum(Set.of(0, 2)::contains));
        final long[] acked = { 5, 1, 1, 9, 9 };
        assertEquals(1, quorum.committedIndex(member -> acked[member]), "the learners' 9 does not commit");
    }

    @Test
    void aJointConfigurationNeedsBothMajorities()
    {
        // Replace 0 by 3: old voters 0, 1, 2; new voters 1, 2, 3.
        final JointQuorum quorum = new JointQuorum(
            new Configuration(new int[]{ 1, 2, 3 }, new int[]{ 0, 1, 2 }, new int[0]));
        assertFalse(quorum.isQuorum(Set.of(0, 1)::contains), "a majority of the old voters only");
        assertFalse(quorum.isQuorum(Set.of(2, 3)::contains), "a majority of the new voters only");
        assertTrue(quorum.isQuorum(Set.of(1, 2)::contains));
        assertTrue(quorum.isQuorum(Set.of(0, 2, 3)::contains));

        final long[] acked = { 9, 2, 7, 8 };
        // Old majority: 9, 7 -> 7; new majority: 8, 7 -> 7.
        assertEquals(7, quorum.committedIndex(member -> acked[member]));
        final long[] newSideBehind = { 9, 9, 3, 1 };
        // Old: 9, 9 -> 9; new: 9, 3 -> 3: the lower one.
        assertEquals(3, quorum.committedIndex(member -> newSideBehind[member]));
    }
}
