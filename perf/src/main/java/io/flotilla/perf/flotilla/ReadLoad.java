package io.flotilla.perf.flotilla;

import io.flotilla.engine.ReadConsistency;

/**
 * What a read target sends: queries of one consistency, to the leader or spread over the followers. Each query is
 * answered from the state machine without a log entry ({@link EchoStateMachine#query} echoes it), so the harness
 * measures the read path beside the command path of the {@code flotilla} target in the same run.
 *
 * @param name            the target's name in results and tables.
 * @param consistency     how each query is made linearizable.
 * @param preferFollowers whether the clients send their queries to followers (follower reads).
 */
public record ReadLoad(String name, ReadConsistency consistency, boolean preferFollowers)
{
    /** ReadIndex reads at the leader: one heartbeat round confirms a batch of them. */
    public static final ReadLoad READ_INDEX = new ReadLoad("flotilla-read-index", ReadConsistency.LINEARIZABLE, false);
    /** Lease reads at the leader: answered from local state while the lease holds. */
    public static final ReadLoad LEASE = new ReadLoad("flotilla-lease", ReadConsistency.LEASE, false);
    /** ReadIndex reads at the followers, which ask the leader for the read index. */
    public static final ReadLoad FOLLOWER = new ReadLoad("flotilla-follower-read", ReadConsistency.LINEARIZABLE, true);
}
