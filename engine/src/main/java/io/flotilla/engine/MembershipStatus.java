package io.flotilla.engine;

/**
 * Why a membership change failed ({@link MembershipException#status()}).
 */
public enum MembershipStatus
{
    /** This node does not lead: ask the leader ({@link MembershipException#leaderEndpoint()}). */
    NOT_LEADER,
    /** The leader is new and has not committed an entry of its term yet: try again shortly. */
    TERM_NOT_COMMITTED,
    /** Another change has not finished (committed, joint configuration left): one at a time. */
    CHANGE_IN_PROGRESS,
    /** A member id outside 0..127, or the same member named twice. */
    INVALID_MEMBER,
    /** An endpoint that is not {@code host:consensusPort:ingressPort}. */
    INVALID_ENDPOINT,
    /** The member to add is already a voter or a learner. */
    ALREADY_MEMBER,
    /** The learner to promote already votes. */
    ALREADY_VOTER,
    /** The member to promote, replace or remove is not one (to promote: not a learner). */
    NOT_A_MEMBER,
    /** The change would leave the cluster without a voter. */
    REMOVES_LAST_VOTER,
    /** The learner is further behind the leader than {@code flotilla.membership.catchup.entries}: it stays a learner. */
    NOT_CAUGHT_UP,
    /**
     * This node stopped leading before the change committed: it may or may not take effect; read
     * {@link ClusterNode#membership()} on the new leader.
     */
    LEADERSHIP_LOST,
    /** The node closed before the change finished: it may or may not take effect. */
    CLOSED
}
