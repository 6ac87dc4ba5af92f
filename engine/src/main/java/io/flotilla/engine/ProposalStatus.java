package io.flotilla.engine;

/**
 * How an in-process proposal ({@link ClusterNode#propose}) ended.
 */
public enum ProposalStatus
{
    /** Committed and applied; the payload is the state machine's response. */
    OK,
    /** Committed and applied, but the state machine refused it; the payload is its reason. */
    REJECTED,
    /** This node is not the leader; {@link ProposalResult#leaderMemberId()} and the endpoint name the leader if known. */
    NOT_LEADER,
    /** Leadership was lost before the entry committed: another leader's entry replaced it, it was not applied. */
    DROPPED,
    /** Too much is in flight (proposal queue full or the leader's uncommitted bound reached): retry later. */
    BACK_PRESSURED,
    /** The node closed before the proposal completed; its outcome is unknown. */
    CLOSED,
    /**
     * The entry may or may not have been applied: this node replaced its state with a snapshot from the leader that
     * covers the entry's index, and cannot tell whether the entry in that snapshot is this proposal's.
     */
    UNKNOWN
}
