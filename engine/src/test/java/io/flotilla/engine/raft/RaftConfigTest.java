package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftConfigTest
{
    @Test
    void defaultsAreValid()
    {
        new RaftConfig().validate();
    }

    @Test
    void everyBadSettingIsNamedWithWhatToChange()
    {
        assertRejected(c -> c.electionTimeoutMinNs(0), "electionTimeoutMinNs");
        assertRejected(c -> c.electionTimeoutMinNs(500).electionTimeoutMaxNs(500), "raise the max");
        assertRejected(c -> c.electionTimeoutMinNs(100_000_000).heartbeatIntervalNs(60_000_000),
            "lower the heartbeat interval");
        assertRejected(c -> c.heartbeatIntervalNs(0), "heartbeatIntervalNs");
        assertRejected(c -> c.resendTimeoutNs(0), "resendTimeoutNs");
        assertRejected(c -> c.resendTimeoutNs(c.electionTimeoutMinNs()), "resent well before");
        assertRejected(c -> c.maxBatchBytes(0), "maxBatchBytes");
        assertRejected(c -> c.maxInflight(0), "maxInflight");
        assertRejected(c -> c.maxUncommittedEntries(0), "maxUncommittedEntries");
    }

    @Test
    void nodeRefusesAnInvalidConfig()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new RaftNode(new RaftConfig().maxInflight(0), 0, new int[]{ 0 },
                new InMemoryRaftLog(), 0, RaftNode.NO_MEMBER, 0, null, null, new SplittableRandom(1)));
        assertTrue(error.getMessage().contains("maxInflight"));
    }

    private static void assertRejected(final UnaryOperator<RaftConfig> change, final String expected)
    {
        final IllegalArgumentException error =
            assertThrows(IllegalArgumentException.class, () -> change.apply(new RaftConfig()).validate());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}
