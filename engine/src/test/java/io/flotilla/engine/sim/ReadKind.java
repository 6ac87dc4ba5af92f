package io.flotilla.engine.sim;

import io.flotilla.codecs.ReadMode;

/**
 * Where a simulated client read was started and how leadership is confirmed for it: the four paths of the core's
 * reads (a leader's own ReadIndex or lease, a follower asking its leader for either).
 */
public enum ReadKind
{
    LEADER_READ_INDEX, LEADER_LEASE, FOLLOWER_READ_INDEX, FOLLOWER_LEASE;

    /**
     * @param leader whether the node believed it led when the read was started.
     */
    static ReadKind of(final boolean leader, final ReadMode mode)
    {
        if (ReadMode.LEASE == mode)
        {
            return leader ? LEADER_LEASE : FOLLOWER_LEASE;
        }
        return leader ? LEADER_READ_INDEX : FOLLOWER_READ_INDEX;
    }
}
