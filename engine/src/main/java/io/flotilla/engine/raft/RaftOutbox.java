package io.flotilla.engine.raft;

import org.agrona.DirectBuffer;

/**
 * Everything the consensus core asks the world to do. The core performs no I/O itself: the node runtime
 * implements this with Aeron publications, the log store and the state file; the simulator with in-memory
 * queues and logs. Calls are made on the core's thread and must not block, except {@link #persistState}.
 */
public interface RaftOutbox
{
    /**
     * Durably record the current term and vote. The core calls this before it answers a vote or acts in a new
     * term, and relies on it being durable when the call returns.
     *
     * @param term     current term.
     * @param votedFor member voted for in that term, or {@link RaftNode#NO_MEMBER}.
     */
    void persistState(long term, int votedFor);

    /**
     * Append frames to the log ({@code LogStore.append} semantics: first index is the log's last index + 1).
     */
    void appendToLog(DirectBuffer buffer, int offset, int length);

    /**
     * Remove every log entry after {@code index}.
     */
    void truncateLogAfter(long index);

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

    /**
     * The commit index advanced: entries up to it may be applied, in order.
     */
    void onCommitIndex(long commitIndex);

    /**
     * The node's role, term or known leader changed.
     *
     * @param leaderId the known leader, or {@link RaftNode#NO_MEMBER}.
     */
    void onRoleChange(Role role, long term, int leaderId);
}
