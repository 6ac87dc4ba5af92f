package io.flotilla.engine;


/**
 * Events of a node, called on its agent thread (quick, non-blocking, must not throw). Every method has an empty
 * default, so implement only what you need.
 */
public interface NodeListener
{
    /**
     * The node's role or term changed.
     *
     * @param memberId of this node.
     * @param role     now played.
     * @param term     current term.
     */
    default void onRoleChange(final int memberId, final Role role, final long term)
    {
    }

    /**
     * A leader became known to this node (this node itself, or another member).
     *
     * @param memberId       of this node.
     * @param leaderMemberId of the leader.
     * @param term           of the leader.
     */
    default void onLeaderElected(final int memberId, final int leaderMemberId, final long term)
    {
    }

    /**
     * The commit index advanced.
     *
     * @param memberId    of this node.
     * @param commitIndex new commit index.
     */
    default void onCommit(final int memberId, final long commitIndex)
    {
    }
}
