package io.flotilla.engine.raft;

/**
 * The quorum rule of a {@link Configuration}: a majority of its voters, and while it is joint also a majority of its
 * outgoing voters (etcd's {@code JointConfig}). Learners are never asked. Allocates nothing after construction.
 */
final class JointQuorum
{
    private final MajorityQuorum incoming;
    private final MajorityQuorum outgoing;

    JointQuorum(final Configuration configuration)
    {
        incoming = new MajorityQuorum(configuration.votersView());
        outgoing = configuration.isJoint() ? new MajorityQuorum(configuration.outgoingView()) : null;
    }

    /**
     * @return the highest index that both majorities have reached.
     */
    long committedIndex(final MajorityQuorum.AckedIndexes acked)
    {
        final long index = incoming.committedIndex(acked);
        return null == outgoing ? index : Math.min(index, outgoing.committedIndex(acked));
    }

    /**
     * @return whether the members include a majority of the voters and, while joint, of the outgoing voters.
     */
    boolean isQuorum(final MajorityQuorum.Members members)
    {
        return incoming.isQuorum(members) && (null == outgoing || outgoing.isQuorum(members));
    }
}
