package io.flotilla.engine.raft;

import io.flotilla.codecs.ReadMode;

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
        int to,
        long term,
        long prevLogIndex,
        long prevLogTerm,
        long leaderCommit,
        long fromIndex,
        long toIndex,
        long leaderStamp);

    boolean sendAppendResponse(
        int to,
        long term,
        boolean success,
        long lastAppendedIndex,
        long durableIndex,
        long conflictIndex,
        long conflictTerm,
        long echoStamp);

    boolean sendTimeoutNow(int to, long term);

    /**
     * Leader, or candidate: tell a peer it has not heard from for a while how to reach this node. A member whose
     * configuration does not name this node (it fell behind the change that added it, or lost its data) receives its
     * AppendEntries or RequestVote but cannot answer until it knows this node's endpoint. A leader sends it once per
     * heartbeat interval per silent peer, a candidate with its vote requests (at most once per heartbeat interval).
     *
     * @param to   the silent peer.
     * @param term the leader's term (a receiver in a later term answers it all the same: that deposes it).
     * @return false when it cannot be sent now (the peer is down, say): the core tries again a heartbeat interval
     * later, as after one sent.
     */
    boolean sendLeaderIntroduction(int to, long term);

    /**
     * A member that lost its data asks a voter its current term ({@link RaftNode#probeTermBeforeFollowing}); the
     * voter answers through {@link #sendTermProbeResponse}. Sent again a heartbeat interval later until enough voters
     * answered, so a probe that cannot go now is simply not sent.
     *
     * @param probeId names this node's probe (its answers echo it).
     * @return false when it could not be sent now.
     */
    boolean sendTermProbe(int to, long probeId);

    /**
     * The answer to a TermProbe: this node's current term. Not retried: the prober asks again.
     */
    boolean sendTermProbeResponse(int to, long term, long probeId);

    /**
     * Send (or keep sending) this node's newest snapshot to a peer that needs entries the log no longer holds. The
     * runtime owns the snapshot bytes and their chunked, flow-controlled transfer; the core calls this when the
     * peer's progress enters {@code SNAPSHOT} and again at least once per heartbeat interval while it stays there:
     * a transfer to that peer already in progress just continues, a stalled one restarts. The runtime stops a
     * transfer once this node no longer leads {@code term}. The peer reports chunks through
     * {@link RaftNode#onSnapshotChunk} and the loaded snapshot through {@link RaftNode#onSnapshotInstalled}; the
     * runtime reports the peer's chunk acknowledgements through {@link RaftNode#onSnapshotAck}.
     *
     * @param to   the peer.
     * @param term the leader's term, carried by every chunk.
     * @return false when nothing can be sent now (no snapshot yet, back-pressure): the core calls again at a later
     * tick.
     */
    boolean sendInstallSnapshot(int to, long term);

    /**
     * Follower to leader: ask for the index at which the read {@code readId} may be answered.
     *
     * @return false when it could not be sent now: the core fails the read.
     */
    boolean sendReadIndexRequest(int to, long term, long readId, ReadMode mode);

    /**
     * Leader to follower: the answer to a read index request; {@code granted} false (with index 0) when refused.
     * A refusal that cannot be sent is not retried: the follower's request times out.
     */
    boolean sendReadIndexResponse(int to, long term, long readId, long readIndex, boolean granted);
}
