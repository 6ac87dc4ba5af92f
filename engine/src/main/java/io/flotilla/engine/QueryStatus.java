package io.flotilla.engine;

/**
 * How an in-process query ({@link ClusterNode#query}) ended.
 */
public enum QueryStatus
{
    /** Answered by the state machine; the payload is its answer. */
    OK,
    /** The state machine refused the query; the payload is its reason. */
    REJECTED,
    /** The state machine threw answering the query (reported to the node's error handler). */
    ERROR,
    /**
     * No read index could be had here: no leader known, leadership lost, or the read refused or timed out;
     * {@link QueryResult#leaderMemberId()} and the endpoint name the leader if known. Retry, here or there.
     */
    NOT_LEADER,
    /** Too many queries are pending on this node (or its query queue is full): retry later. */
    BACK_PRESSURED,
    /** The node closed before the query was answered. */
    CLOSED
}
