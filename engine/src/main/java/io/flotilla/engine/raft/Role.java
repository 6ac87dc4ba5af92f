package io.flotilla.engine.raft;

/**
 * The role a node plays in the Raft protocol.
 */
public enum Role
{
    FOLLOWER,
    /** Collecting pre-votes: has not incremented its term yet. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
