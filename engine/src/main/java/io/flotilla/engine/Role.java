package io.flotilla.engine;

/**
 * The role a node plays in the Raft protocol: {@link ClusterNode#role()}, {@link NodeStatus#role()} and
 * {@link NodeListener} report it.
 */
public enum Role
{
    FOLLOWER,
    /** Collecting pre-votes: has not incremented its term yet. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
