package io.flotilla.engine.raft;

import io.flotilla.engine.Role;

/**
 * What the consensus core asks of its host besides the log ({@link RaftLog}) and the messages to peers
 * ({@link RaftTransport}): durable term and vote, and the events the runtime acts on. The core performs no I/O
 * itself. Calls are made on the core's thread and must not block, except {@link #persistState}.
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
     * The commit index advanced: entries up to it may be applied, in order.
     */
    void onCommitIndex(long commitIndex);

    /**
     * The node's role, term or known leader changed.
     *
     * @param leaderId the known leader, or {@link RaftNode#NO_MEMBER}.
     */
    void onRoleChange(Role role, long term, int leaderId);

    /**
     * A message was dropped without effect: it came from a stranger, was malformed, or claimed a term or an index
     * this node knows to be impossible (see {@code docs/raft-core.md}, Bounds). Also counted by
     * {@link RaftNode#droppedMessages()}.
     */
    void onMessageDropped();

    /**
     * A read started with {@link RaftNode#requestReadIndex} may be answered once the state machine has applied
     * {@code readIndex} (on a follower that may be beyond its commit index: wait for it).
     */
    void onReadIndex(long readId, long readIndex);

    /**
     * A read started with {@link RaftNode#requestReadIndex} cannot be answered here: the leadership it relied on
     * changed, or the leader refused or did not answer. The client may retry, here or elsewhere.
     */
    void onReadIndexFailed(long readId);

    /**
     * The configuration in effect changed (a configuration entry was appended, truncated away or installed with a
     * snapshot), or the committed one did: the runtime learns the new members' endpoints and keeps what it needs to
     * reach the members of both. A member that the configuration in effect drops is still reached until that
     * configuration commits: a leader removing itself counts its followers' acknowledgements of the entry that
     * removes it, and hands over once it commits.
     *
     * @param configuration the configuration now in effect (not necessarily committed).
     * @param committed     the newest committed configuration (the same object while no change is in flight).
     */
    void onConfigurationChanged(Configuration configuration, Configuration committed);
}
