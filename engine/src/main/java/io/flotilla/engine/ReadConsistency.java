package io.flotilla.engine;

/**
 * How a query (a read-only request, answered without a log entry) is made linearizable: the answer reflects every
 * command committed before the query was sent, and no answer reflects a state older than one already answered.
 */
public enum ReadConsistency
{
    /**
     * ReadIndex (Raft dissertation §6.4): the leader records its commit index, confirms it is still leader with one
     * round of heartbeats answered by a majority after the query arrived, and the answering member waits until it
     * has applied that index. Safe under any clock behaviour; costs a heartbeat round trip (shared by every query
     * that arrives in the same duty cycle). A follower asked for it asks the leader for the read index.
     */
    LINEARIZABLE,

    /**
     * Lease read: the leader answers from its local state with its commit index, with no round trip, while it holds
     * a lease: a majority echoed a heartbeat stamped {@code s} and its own clock is before
     * {@code s + electionTimeoutMin - leaseMargin} ({@code flotilla.raft.lease.margin}, a quarter of the minimum
     * election timeout by default). Safe as long as the members' monotonic clocks run at rates that differ by less
     * than {@code leaseMargin / electionTimeoutMin} and none jumps (check-quorum on); a clock outside that bound can
     * make the answer stale. When the lease is not held (just elected, no recent majority, a leadership transfer)
     * the read is a {@link #LINEARIZABLE} one. A follower asked for a lease read asks the leader, which answers
     * from its lease. Docs: raft-core.md, "Reads without the log".
     */
    LEASE
}
