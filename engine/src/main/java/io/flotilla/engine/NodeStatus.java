package io.flotilla.engine;


import java.util.List;

/**
 * What a node reports about itself ({@link ClusterNode#status()}): read from any thread, off the node's own, without
 * stopping it. Each value is read once from the node's counters; together they are close in time, not one instant.
 */
public final class NodeStatus
{
    private final int memberId;
    private final Role role;
    private final long term;
    private final int leaderMemberId;
    private final long commitIndex;
    private final long appliedIndex;
    private final long durableIndex;
    private final long logFirstIndex;
    private final long logLastIndex;
    private final long snapshotIndex;
    private final int sessions;
    private final boolean votingFence;
    private final boolean running;
    private final String failure;
    private final long startedAtEpochMs;
    private final String version;
    private final List<Member> members;
    private final List<Follower> followers;

    NodeStatus(
        final int memberId,
        final Role role,
        final long term,
        final int leaderMemberId,
        final long commitIndex,
        final long appliedIndex,
        final long durableIndex,
        final long logFirstIndex,
        final long logLastIndex,
        final long snapshotIndex,
        final int sessions,
        final boolean votingFence,
        final boolean running,
        final String failure,
        final long startedAtEpochMs,
        final String version,
        final List<Member> members,
        final List<Follower> followers)
    {
        this.memberId = memberId;
        this.role = role;
        this.term = term;
        this.leaderMemberId = leaderMemberId;
        this.commitIndex = commitIndex;
        this.appliedIndex = appliedIndex;
        this.durableIndex = durableIndex;
        this.logFirstIndex = logFirstIndex;
        this.logLastIndex = logLastIndex;
        this.snapshotIndex = snapshotIndex;
        this.sessions = sessions;
        this.votingFence = votingFence;
        this.running = running;
        this.failure = failure;
        this.startedAtEpochMs = startedAtEpochMs;
        this.version = version;
        this.members = List.copyOf(members);
        this.followers = List.copyOf(followers);
    }

    public int memberId()
    {
        return memberId;
    }

    public Role role()
    {
        return role;
    }

    public long term()
    {
        return term;
    }

    /**
     * @return the leader this node knows, or -1.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return the leader's member entry, or null when no leader is known.
     */
    public Member leader()
    {
        for (final Member member : members)
        {
            if (member.id() == leaderMemberId)
            {
                return member;
            }
        }
        return null;
    }

    public long commitIndex()
    {
        return commitIndex;
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return the index up to which this node's log is durable (forced to disk, or recorded, by its durability
     * mode); -1 before the log has reported.
     */
    public long durableIndex()
    {
        return durableIndex;
    }

    /**
     * @return the first index the log still holds (entries before it are in the snapshot).
     */
    public long logFirstIndex()
    {
        return logFirstIndex;
    }

    public long logLastIndex()
    {
        return logLastIndex;
    }

    /**
     * @return the last included index of the newest snapshot, 0 when none.
     */
    public long snapshotIndex()
    {
        return snapshotIndex;
    }

    /**
     * @return client sessions open.
     */
    public int sessions()
    {
        return sessions;
    }

    /**
     * @return true while the node rejoins after a data loss: it replicates, but neither votes nor campaigns until it
     * has caught up with the leader, so the cluster tolerates one failure fewer meanwhile.
     */
    public boolean votingFence()
    {
        return votingFence;
    }

    /**
     * @return false once the node has stopped (closed, or stopped by a failure).
     */
    public boolean running()
    {
        return running;
    }

    /**
     * @return why the node stopped itself, or null.
     */
    public String failure()
    {
        return failure;
    }

    public long startedAtEpochMs()
    {
        return startedAtEpochMs;
    }

    /**
     * @return the Flotilla version this node runs.
     */
    public String version()
    {
        return version;
    }

    /**
     * @return every voting member, this one included, in member id order.
     */
    public List<Member> members()
    {
        return members;
    }

    /**
     * @return on the leader, every other member's replication progress; empty on other nodes.
     */
    public List<Follower> followers()
    {
        return followers;
    }

    /**
     * A member, its endpoints, and whether it is a learner (it receives the log but does not vote).
     */
    public static final class Member
    {
        private final int id;
        private final String consensusEndpoint;
        private final String ingressEndpoint;
        private final boolean learner;

        Member(final int id, final String consensusEndpoint, final String ingressEndpoint, final boolean learner)
        {
            this.id = id;
            this.consensusEndpoint = consensusEndpoint;
            this.ingressEndpoint = ingressEndpoint;
            this.learner = learner;
        }

        /**
         * @return whether the member is a learner rather than a voter.
         */
        public boolean learner()
        {
            return learner;
        }

        public int id()
        {
            return id;
        }

        /**
         * @return {@code host:port} of the member's consensus subscription.
         */
        public String consensusEndpoint()
        {
            return consensusEndpoint;
        }

        /**
         * @return {@code host:port} clients connect to.
         */
        public String ingressEndpoint()
        {
            return ingressEndpoint;
        }
    }

    /**
     * A follower's replication progress, as its leader sees it.
     */
    public static final class Follower
    {
        private final int memberId;
        private final long matchIndex;
        private final long lag;

        Follower(final int memberId, final long matchIndex, final long lag)
        {
            this.memberId = memberId;
            this.matchIndex = matchIndex;
            this.lag = lag;
        }

        public int memberId()
        {
            return memberId;
        }

        /**
         * @return the highest index known to match the leader's log.
         */
        public long matchIndex()
        {
            return matchIndex;
        }

        /**
         * @return entries the follower is behind the leader's last index.
         */
        public long lag()
        {
            return lag;
        }
    }
}
