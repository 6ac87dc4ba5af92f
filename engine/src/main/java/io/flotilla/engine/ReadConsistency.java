package io.flotilla.engine;

import io.flotilla.codecs.ReadMode;

/**
 * How a query is made linearizable: what a member confirms before it answers from its state machine.
 */
public enum ReadConsistency
{
    /**
     * ReadIndex: the leader records its commit index and confirms it still leads with a round of heartbeats to a
     * majority; the answering member waits until it has applied that far. Never stale, costs one round trip.
     */
    LINEARIZABLE(ReadMode.READ_INDEX),

    /**
     * The leader answers from its lease without a round trip while it holds one (falling back to ReadIndex when it
     * does not). Safe as long as the members' clocks run at rates that differ by less than the configured margin.
     */
    LEASE(ReadMode.LEASE);

    private final ReadMode mode;

    ReadConsistency(final ReadMode mode)
    {
        this.mode = mode;
    }

    /**
     * @return the wire's read mode.
     */
    public ReadMode mode()
    {
        return mode;
    }
}
