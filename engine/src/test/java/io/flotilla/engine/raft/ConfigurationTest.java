package io.flotilla.engine.raft;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration value: its members, the changes it accepts and refuses, what a change leads to, its log form.
 */
class ConfigurationTest
{
    private static final int[] NONE = {};
    private final Configuration three = Configuration.ofVoters(2, 0, 1);
    private final Configuration withLearner = new Configuration(new int[]{ 0, 1, 2 }, NONE, new int[]{ 3 });

    @Test
    void membersAndRoles()
    {
        assertArrayEquals(new int[]{ 0, 1, 2 }, three.voters(), "sorted");
        assertFalse(three.isJoint());
        assertTrue(withLearner.isMember(3));
        assertTrue(withLearner.isLearner(3));
        assertFalse(withLearner.isVoter(3));
        assertFalse(withLearner.isMember(4));
        assertArrayEquals(new int[]{ 0, 1, 2, 3 }, withLearner.members());

        final Configuration joint = new Configuration(new int[]{ 1, 2, 3 }, new int[]{ 0, 1, 2 }, NONE);
        assertTrue(joint.isJoint());
        assertTrue(joint.isVoter(0), "an outgoing voter votes until the joint configuration is left");
        assertArrayEquals(new int[]{ 1, 2, 3, 0 }, joint.members(), "voters first, each once");
        assertEquals(Configuration.ofVoters(1, 2, 3), joint.leaveJoint());
    }

    @Test
    void refusesImpossibleConfigurations()
    {
        assertThrows(IllegalArgumentException.class, () -> Configuration.ofVoters());
        assertThrows(IllegalArgumentException.class, () -> Configuration.ofVoters(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Configuration.ofVoters(Configuration.MAX_MEMBER_ID + 1));
        assertThrows(IllegalArgumentException.class, () -> Configuration.ofVoters(-1));
        assertThrows(IllegalArgumentException.class,
            () -> new Configuration(new int[]{ 1 }, NONE, new int[]{ 1 }), "a learner that votes");
        assertThrows(IllegalArgumentException.class,
            () -> new Configuration(new int[]{ 1 }, new int[]{ 2 }, new int[]{ 2 }), "an outgoing voter as learner");
    }

    @Test
    void aChangeOfLearnersTakesEffectDirectly()
    {
        final ConfigChange add = new ConfigChange().addLearner(3);
        assertEquals(0, three.refusal(add));
        assertEquals(withLearner, three.apply(add));
        assertEquals(three, withLearner.apply(new ConfigChange().remove(3)));
    }

    @Test
    void aChangeOfVotersEntersAJointConfiguration()
    {
        final Configuration promoted = withLearner.apply(new ConfigChange().promote(3));
        assertEquals(new Configuration(new int[]{ 0, 1, 2, 3 }, new int[]{ 0, 1, 2 }, NONE), promoted);

        final Configuration removed = three.apply(new ConfigChange().remove(0));
        assertEquals(new Configuration(new int[]{ 1, 2 }, new int[]{ 0, 1, 2 }, NONE), removed);

        // Replace 0 by 3 in one change, and add 4 as a learner with it.
        final Configuration replaced = withLearner.apply(new ConfigChange().promote(3).remove(0).addLearner(4));
        assertEquals(new Configuration(new int[]{ 1, 2, 3 }, new int[]{ 0, 1, 2 }, new int[]{ 4 }), replaced);
        assertEquals(new Configuration(new int[]{ 1, 2, 3 }, NONE, new int[]{ 4 }), replaced.leaveJoint());
    }

    @Test
    void refusalsAreNamed()
    {
        assertEquals(ConfigChange.EMPTY_CHANGE, three.refusal(new ConfigChange()));
        assertEquals(ConfigChange.INVALID_MEMBER_ID, three.refusal(new ConfigChange().addLearner(-1)));
        assertEquals(ConfigChange.INVALID_MEMBER_ID,
            three.refusal(new ConfigChange().addLearner(Configuration.MAX_MEMBER_ID + 1)));
        assertEquals(ConfigChange.MEMBER_NAMED_TWICE, withLearner.refusal(new ConfigChange().promote(3).remove(3)));
        assertEquals(ConfigChange.ALREADY_MEMBER, withLearner.refusal(new ConfigChange().addLearner(1)));
        assertEquals(ConfigChange.ALREADY_MEMBER, withLearner.refusal(new ConfigChange().addLearner(3)));
        assertEquals(ConfigChange.ALREADY_VOTER, withLearner.refusal(new ConfigChange().promote(1)));
        assertEquals(ConfigChange.NOT_A_MEMBER, withLearner.refusal(new ConfigChange().promote(5)));
        assertEquals(ConfigChange.NOT_A_MEMBER, withLearner.refusal(new ConfigChange().remove(5)));
        assertEquals(ConfigChange.REMOVES_LAST_VOTER,
            Configuration.ofVoters(4).refusal(new ConfigChange().remove(4)));
        assertEquals(ConfigChange.REMOVES_LAST_VOTER, three.refusal(new ConfigChange().remove(0).remove(1).remove(2)));
        assertEquals(0, withLearner.refusal(new ConfigChange().remove(0).remove(1).promote(3)), "3 remains");
        assertEquals("CHANGE_IN_PROGRESS", ConfigChange.describe(ConfigChange.CHANGE_IN_PROGRESS));
        assertEquals("index 7", ConfigChange.describe(7));
    }

    @Test
    void roundTripsThroughItsLogForm()
    {
        final Configuration joint = new Configuration(new int[]{ 1, 2, 127 }, new int[]{ 0, 1, 2 }, new int[]{ 5, 64 });
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int length = joint.encode(buffer, 7);
        assertEquals(joint.encodedLength(), length);
        assertEquals(joint, Configuration.decode(buffer, 7, length));
        assertNull(Configuration.decode(buffer, 7, length - 1), "malformed bytes are no configuration");
    }
}
