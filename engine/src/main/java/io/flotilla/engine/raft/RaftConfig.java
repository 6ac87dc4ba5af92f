package io.flotilla.engine.raft;

import io.flotilla.archive.Settings;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the consensus core. Mutable with fluent setters; defaults come from {@code flotilla.raft.*} system
 * properties when set (durations take units: {@code 300ms}, {@code 1s}; a bare number is nanoseconds). Call
 * {@link #validate()} before handing it to a {@link RaftNode} (the node does so too): it fails with a message naming
 * the setting and what to change.
 */
public final class RaftConfig
{
    public static final String ELECTION_TIMEOUT_MIN_PROP_NAME = "flotilla.raft.election.timeout.min";
    public static final long ELECTION_TIMEOUT_MIN_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(300);

    public static final String ELECTION_TIMEOUT_MAX_PROP_NAME = "flotilla.raft.election.timeout.max";
    public static final long ELECTION_TIMEOUT_MAX_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(600);

    public static final String HEARTBEAT_INTERVAL_PROP_NAME = "flotilla.raft.heartbeat.interval";
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    public static final String RESEND_TIMEOUT_PROP_NAME = "flotilla.raft.resend.timeout";
    public static final long RESEND_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    public static final String MAX_BATCH_BYTES_PROP_NAME = "flotilla.raft.max.batch.bytes";
    public static final int MAX_BATCH_BYTES_DEFAULT = 64 * 1024;

    public static final String MAX_INFLIGHT_PROP_NAME = "flotilla.raft.max.inflight";
    public static final int MAX_INFLIGHT_DEFAULT = 8;

    public static final String PRE_VOTE_PROP_NAME = "flotilla.raft.pre.vote";
    public static final String CHECK_QUORUM_PROP_NAME = "flotilla.raft.check.quorum";

    public static final String MAX_UNCOMMITTED_ENTRIES_PROP_NAME = "flotilla.raft.max.uncommitted.entries";
    public static final long MAX_UNCOMMITTED_ENTRIES_DEFAULT = 64 * 1024;

    public static final String MAX_PENDING_READS_PROP_NAME = "flotilla.raft.max.pending.reads";
    public static final int MAX_PENDING_READS_DEFAULT = 1024;

    public static final String LEASE_MARGIN_PROP_NAME = "flotilla.raft.lease.margin";
    /** The lease margin when none is set: a quarter of the minimum election timeout. */
    public static final long LEASE_MARGIN_DEFAULT_NS = -1;

    /** Every property this config reads. */
    public static final List<String> PROPERTIES = Settings.names(ELECTION_TIMEOUT_MIN_PROP_NAME,
        ELECTION_TIMEOUT_MAX_PROP_NAME, HEARTBEAT_INTERVAL_PROP_NAME, RESEND_TIMEOUT_PROP_NAME,
        MAX_BATCH_BYTES_PROP_NAME, MAX_INFLIGHT_PROP_NAME, PRE_VOTE_PROP_NAME, CHECK_QUORUM_PROP_NAME,
        MAX_UNCOMMITTED_ENTRIES_PROP_NAME, MAX_PENDING_READS_PROP_NAME, LEASE_MARGIN_PROP_NAME);

    private long electionTimeoutMinNs = Settings.durationNs(ELECTION_TIMEOUT_MIN_PROP_NAME, ELECTION_TIMEOUT_MIN_DEFAULT_NS);
    private long electionTimeoutMaxNs = Settings.durationNs(ELECTION_TIMEOUT_MAX_PROP_NAME, ELECTION_TIMEOUT_MAX_DEFAULT_NS);
    private long heartbeatIntervalNs = Settings.durationNs(HEARTBEAT_INTERVAL_PROP_NAME, HEARTBEAT_INTERVAL_DEFAULT_NS);
    private long resendTimeoutNs = Settings.durationNs(RESEND_TIMEOUT_PROP_NAME, RESEND_TIMEOUT_DEFAULT_NS);
    private int maxBatchBytes = Settings.sizeAsInt(MAX_BATCH_BYTES_PROP_NAME, MAX_BATCH_BYTES_DEFAULT);
    private int maxInflight = Settings.integer(MAX_INFLIGHT_PROP_NAME, MAX_INFLIGHT_DEFAULT);
    private boolean preVote = Settings.bool(PRE_VOTE_PROP_NAME, true);
    private boolean checkQuorum = Settings.bool(CHECK_QUORUM_PROP_NAME, true);
    private long maxUncommittedEntries =
        Settings.longInteger(MAX_UNCOMMITTED_ENTRIES_PROP_NAME, MAX_UNCOMMITTED_ENTRIES_DEFAULT);
    private int maxPendingReads = Settings.integer(MAX_PENDING_READS_PROP_NAME, MAX_PENDING_READS_DEFAULT);
    private long leaseMarginNs = Settings.durationNs(LEASE_MARGIN_PROP_NAME, LEASE_MARGIN_DEFAULT_NS);

    /**
     * Check every setting and how they relate.
     *
     * @return this for a fluent API.
     * @throws IllegalArgumentException naming the setting at fault and what to change.
     */
    public RaftConfig validate()
    {
        if (electionTimeoutMinNs <= 0)
        {
            throw new IllegalArgumentException(
                "electionTimeoutMinNs=" + electionTimeoutMinNs + " must be > 0");
        }
        if (electionTimeoutMaxNs <= electionTimeoutMinNs)
        {
            throw new IllegalArgumentException(
                "electionTimeoutMaxNs=" + electionTimeoutMaxNs + " must be > electionTimeoutMinNs=" +
                electionTimeoutMinNs + " (timeouts are randomized in [min, max)): raise the max or lower the min");
        }
        if (heartbeatIntervalNs <= 0 || heartbeatIntervalNs >= electionTimeoutMinNs / 2)
        {
            throw new IllegalArgumentException(
                "heartbeatIntervalNs=" + heartbeatIntervalNs + " must be > 0 and < electionTimeoutMinNs/2=" +
                (electionTimeoutMinNs / 2) + ": lower the heartbeat interval or raise electionTimeoutMinNs");
        }
        if (resendTimeoutNs <= 0 || resendTimeoutNs >= electionTimeoutMinNs)
        {
            throw new IllegalArgumentException(
                "resendTimeoutNs=" + resendTimeoutNs + " must be > 0 and < electionTimeoutMinNs=" +
                electionTimeoutMinNs + ": a lost batch must be resent well before followers time out");
        }
        if (maxBatchBytes <= 0)
        {
            throw new IllegalArgumentException("maxBatchBytes=" + maxBatchBytes + " must be > 0");
        }
        if (maxInflight < 1)
        {
            throw new IllegalArgumentException(
                "maxInflight=" + maxInflight + " must be >= 1 (1 means no pipelining)");
        }
        if (maxUncommittedEntries < 1)
        {
            throw new IllegalArgumentException(
                "maxUncommittedEntries=" + maxUncommittedEntries + " must be >= 1");
        }
        if (maxPendingReads < 1)
        {
            throw new IllegalArgumentException(
                "maxPendingReads=" + maxPendingReads + " must be >= 1 (" + MAX_PENDING_READS_PROP_NAME + ")");
        }
        if (leaseMarginNs != LEASE_MARGIN_DEFAULT_NS && (leaseMarginNs < 0 || leaseMarginNs >= electionTimeoutMinNs))
        {
            throw new IllegalArgumentException(
                "leaseMarginNs=" + leaseMarginNs + " must be >= 0 and < electionTimeoutMinNs=" + electionTimeoutMinNs +
                " (" + LEASE_MARGIN_PROP_NAME + "): a lease lasts the minimum election timeout less this margin");
        }

        return this;
    }

    /**
     * @param electionTimeoutMinNs lower bound (inclusive) of the randomized election timeout.
     * @return this for a fluent API.
     */
    public RaftConfig electionTimeoutMinNs(final long electionTimeoutMinNs)
    {
        this.electionTimeoutMinNs = electionTimeoutMinNs;
        return this;
    }

    public long electionTimeoutMinNs()
    {
        return electionTimeoutMinNs;
    }

    /**
     * @param electionTimeoutMaxNs upper bound (exclusive) of the randomized election timeout; also how long a
     *                             leader keeps its role without hearing from a majority (check-quorum).
     * @return this for a fluent API.
     */
    public RaftConfig electionTimeoutMaxNs(final long electionTimeoutMaxNs)
    {
        this.electionTimeoutMaxNs = electionTimeoutMaxNs;
        return this;
    }

    public long electionTimeoutMaxNs()
    {
        return electionTimeoutMaxNs;
    }

    /**
     * @param heartbeatIntervalNs how often a leader sends an AppendEntries to a follower it has nothing else
     *                            to send to; less than half of the minimum election timeout.
     * @return this for a fluent API.
     */
    public RaftConfig heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @param resendTimeoutNs how long a leader waits for the answer to a batch before it assumes the batch or
     *                        its answer was lost and sends again from the follower's last acknowledged index.
     * @return this for a fluent API.
     */
    public RaftConfig resendTimeoutNs(final long resendTimeoutNs)
    {
        this.resendTimeoutNs = resendTimeoutNs;
        return this;
    }

    public long resendTimeoutNs()
    {
        return resendTimeoutNs;
    }

    /**
     * @param maxBatchBytes limit on the entry bytes of one AppendEntries (an entry larger than it travels alone).
     * @return this for a fluent API.
     */
    public RaftConfig maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /**
     * @param maxInflight unacknowledged batches a leader keeps in flight to one follower (pipelining).
     * @return this for a fluent API.
     */
    public RaftConfig maxInflight(final int maxInflight)
    {
        this.maxInflight = maxInflight;
        return this;
    }

    public int maxInflight()
    {
        return maxInflight;
    }

    /**
     * @param preVote whether a node checks it could win (pre-vote) before it raises its term.
     * @return this for a fluent API.
     */
    public RaftConfig preVote(final boolean preVote)
    {
        this.preVote = preVote;
        return this;
    }

    public boolean preVote()
    {
        return preVote;
    }

    /**
     * @param checkQuorum whether a leader steps down when it has not heard from a majority for
     *                    {@link #electionTimeoutMaxNs()}, and followers that hear from a leader ignore votes.
     * @return this for a fluent API.
     */
    public RaftConfig checkQuorum(final boolean checkQuorum)
    {
        this.checkQuorum = checkQuorum;
        return this;
    }

    public boolean checkQuorum()
    {
        return checkQuorum;
    }

    /**
     * @param maxUncommittedEntries entries a leader holds beyond its commit index before
     *                              {@link RaftNode#propose} answers {@link RaftNode#BACK_PRESSURED}.
     * @return this for a fluent API.
     */
    public RaftConfig maxUncommittedEntries(final long maxUncommittedEntries)
    {
        this.maxUncommittedEntries = maxUncommittedEntries;
        return this;
    }

    public long maxUncommittedEntries()
    {
        return maxUncommittedEntries;
    }

    /**
     * @param maxPendingReads read index requests a node holds at once, its own and (on a leader) its followers'.
     * @return this for a fluent API.
     */
    public RaftConfig maxPendingReads(final int maxPendingReads)
    {
        this.maxPendingReads = maxPendingReads;
        return this;
    }

    public int maxPendingReads()
    {
        return maxPendingReads;
    }

    /**
     * A leader's lease lasts {@code electionTimeoutMinNs - leaseMarginNs} from the send time of the latest heartbeat
     * round a majority answered. The margin covers the difference in rate between members' monotonic clocks: a lease
     * is safe while no clock runs slower than the leader's by more than {@code leaseMarginNs / electionTimeoutMinNs}.
     *
     * @param leaseMarginNs in [0, electionTimeoutMinNs); {@link #LEASE_MARGIN_DEFAULT_NS} for a quarter of the minimum
     *                      election timeout.
     * @return this for a fluent API.
     */
    public RaftConfig leaseMarginNs(final long leaseMarginNs)
    {
        this.leaseMarginNs = leaseMarginNs;
        return this;
    }

    /**
     * @return the lease margin in force: the one set, or a quarter of the minimum election timeout.
     */
    public long leaseMarginNs()
    {
        return LEASE_MARGIN_DEFAULT_NS == leaseMarginNs ? electionTimeoutMinNs / 4 : leaseMarginNs;
    }

    public String toString()
    {
        return "RaftConfig{" +
            "electionTimeoutMinNs=" + electionTimeoutMinNs +
            ", electionTimeoutMaxNs=" + electionTimeoutMaxNs +
            ", heartbeatIntervalNs=" + heartbeatIntervalNs +
            ", resendTimeoutNs=" + resendTimeoutNs +
            ", maxBatchBytes=" + maxBatchBytes +
            ", maxInflight=" + maxInflight +
            ", preVote=" + preVote +
            ", checkQuorum=" + checkQuorum +
            ", maxUncommittedEntries=" + maxUncommittedEntries +
            ", maxPendingReads=" + maxPendingReads +
            ", leaseMarginNs=" + leaseMarginNs() +
            '}';
    }
}
