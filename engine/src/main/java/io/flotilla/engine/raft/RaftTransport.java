package io.flotilla.engine.raft;

/**
 * The consensus messages the core sends to its peers. The runtime implements it with Aeron publications, the
 * simulator with in-memory queues. Calls are made on the core's thread and never block: a message that cannot go
 * now is refused with {@code false} and the core decides whether to try again.
 */
public interface RaftTransport
{
    boolean sendRequestVote(int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote, boolean transfer);

    boolean sendVoteResponse(int to, long term, boolean preVote, boolean granted);

    /**
     * Send the log entries {@code fromIndex..toIndex} (read from the log by the implementation) after
     * {@code prevLogIndex}; an empty range ({@code fromIndex > toIndex}) is a heartbeat.
     *
     * @return false when it could not be sent now (back-pressure, or the entries are being read back from the
     * archive): the core tries again later and does not count it in flight.
     */
    boolean sendAppendEntries(
        int to, long term, long prevLogIndex, long prevLogTerm, long leaderCommit, long fromIndex, long toIndex);

    boolean sendAppendResponse(
        int to,
        long term,
        boolean success,
        long lastAppendedIndex,
        long durableIndex,
        long conflictIndex,
        long conflictTerm);

    boolean sendTimeoutNow(int to, long term);
}
