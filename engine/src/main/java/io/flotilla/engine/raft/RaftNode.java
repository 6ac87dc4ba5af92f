package io.flotilla.engine.raft;

import io.flotilla.engine.Role;
import io.flotilla.codecs.ConfigPayload;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.ReadMode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.random.RandomGenerator;

/**
 * The Raft consensus core of one member: a deterministic, single-threaded state machine driven only by its
 * inputs ({@link #tick}, the {@code on*} messages, {@link #propose}, {@link #onDurable}, {@link #onApplied}, the
 * snapshot events {@link #onSnapshotChunk}, {@link #onSnapshotInstalled} and {@link #onSnapshotAck}, the reads
 * {@link #requestReadIndex}, {@link #onReadIndexRequest} and {@link #onReadIndexResponse}) and acting only
 * through its ports ({@link RaftLog}, {@link RaftTransport}, {@link RaftOutbox}). It reads no clock, does no I/O
 * and takes randomness only from the injected generator, so a seeded simulation replays exactly.
 * <p>
 * Implements leader election with randomized timeouts, pre-vote and check-quorum; log replication with batching,
 * pipelining, probing and fast back-tracking; commitment by counting durable acknowledgements of current-term
 * entries (Figure 8); snapshot install for a follower that needs compacted entries (the runtime moves the bytes,
 * the core decides when and what the result means); leader transfer; and linearizable reads without the log
 * (ReadIndex, the leader's lease, and a follower's read index asked of its leader); and membership changes by joint
 * consensus ({@link #proposeConfigChange}), with learners, each configuration in effect from its append
 * ({@link ConfigHistory}). See {@code docs/raft-core.md} for the contract.
 * <p>
 * This class holds the Raft rules; the bookkeeping they rest on has rooms of its own: the members, votes and
 * quorum answers in {@link ProgressTracker} and {@link JointQuorum}, the configurations in {@link ConfigHistory} and
 * {@link Configuration}, each peer's replication flow control in
 * {@link Progress} and {@link Inflights}, and the log's terms in {@link LogTerms}.
 * <p>
 * Nothing a peer says can break the core's arithmetic: a term above {@link #MAX_TERM} is never adopted nor persisted,
 * and a message whose terms or indices contradict what this node knows (a match beyond the leader's log, a
 * TimeoutNow from a member that is not the leader) is dropped and counted ({@link RaftOutbox#onMessageDropped()}).
 * <p>
 * Steady-state leader and follower paths allocate nothing.
 */
public final class RaftNode
{
    public static final int NO_MEMBER = -1;
    /** {@link #propose} result: this node is not the leader. */
    public static final long NOT_LEADER = -1;
    /** {@link #propose} result: leadership is being transferred, or too many entries are uncommitted. */
    public static final long BACK_PRESSURED = -2;
    /** The highest term a node adopts or reaches by its own elections: {@link FrameValidator#MAX_TERM}. */
    public static final long MAX_TERM = FrameValidator.MAX_TERM;
    /** The highest log index a peer may name: {@link FrameValidator#MAX_INDEX}. */
    public static final long MAX_INDEX = FrameValidator.MAX_INDEX;

    /** Conflict term sent with a rejection when the follower's log is shorter than the leader's previous index. */
    static final long NO_CONFLICT_TERM = 0;

    private static final int NO_SLOT = ProgressTracker.NO_SLOT;
    private static final long LONG_AGO = Long.MIN_VALUE / 4;
    private static final int INITIAL_STAGING_CAPACITY = 4096;

    private final int memberId;
    private final ConfigHistory configs;
    private final ProgressTracker tracker;
    private final RaftLog log;
    private final LogTerms logTerms;
    private final RaftTransport transport;
    private final RaftOutbox outbox;
    private final RandomGenerator random;

    private final long electionTimeoutMinNs;
    private final long electionTimeoutRangeNs;
    private final long electionTimeoutMaxNs;
    private final long heartbeatIntervalNs;
    private final int maxBatchBytes;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final long maxUncommittedEntries;
    private final long leaseDurationNs;

    private Role role = Role.FOLLOWER;
    private long currentTerm;
    private int votedFor;
    private int leaderId = NO_MEMBER;
    private long commitIndex;
    private long appliedIndex;
    private long durableIndex;
    private long droppedMessages;

    private Role publishedRole = null;
    private long publishedTerm = -1;
    private int publishedLeaderId = NO_MEMBER;

    private boolean started;
    private long nowNs;
    private long electionDeadlineNs = Long.MAX_VALUE;
    private long lastLeaderContactNs = LONG_AGO;
    private long lastStampNs;

    // Follower: highest index verified to match the current term's leader, and the durable ack last sent.
    private long verifiedIndex;
    private long ackedDurableIndex;

    // Leader: the peer leadership is being transferred to.
    private int transferSlot = NO_SLOT;
    private long transferDeadlineNs;
    private boolean timeoutNowSent;
    // Candidate: this candidacy was started by a TimeoutNow (a leadership transfer), not by an election timeout.
    private boolean transferCampaign;

    // Reads. A leader stamps every AppendEntries with its clock (relative to its first tick, so never negative); a
    // read registered at stamp S is confirmed once a majority echoed a stamp above S, and the next send after a
    // registration carries a stamp above it. A follower echoes the highest stamp of its current leader.
    private final PendingReads leaderReads;
    private final PendingReads remoteReads;
    private long stampOriginNs;
    private long stamp;
    private boolean stampClaimedByRead;
    private long termStartIndex = Long.MAX_VALUE;
    private boolean leaseRevoked;
    private long leaderStamp;
    // A node that starts knows nothing of a lease it may have acknowledged before it stopped: it grants no vote
    // (except for a transfer) until an election timeout after its start, as if it had just heard a leader.
    private long voteQuietUntilNs;
    // A node that lost its data learns the current term from the voters before it follows anyone
    // (probeTermBeforeFollowing); null once it knows.
    private TermProbe termProbe;

    private final UnsafeBuffer staging = new UnsafeBuffer(new byte[INITIAL_STAGING_CAPACITY]);

    /**
     * A node whose configuration is the static member list: every member a voter, no configuration entry in the
     * log (the bootstrap configuration, as of index 0).
     *
     * @param config        settings, validated here.
     * @param memberId      this member's id.
     * @param memberIds     every voting member's id, including memberId (0..{@link Configuration#MAX_MEMBER_ID}).
     * @param log           this node's log, already recovered.
     * @param persistedTerm term from the node state file (0 on first start).
     * @param persistedVote votedFor from the state file, or {@link #NO_MEMBER}.
     * @param commitIndex   index known committed (recovered commit hint, min'd with the log's last index), raised
     *                      to the log's compacted prefix ({@code firstIndex() - 1}), which is committed; entries up
     *                      to it were already applied by recovery, no onCommitIndex is emitted for them.
     * @param transport     where messages to peers go.
     * @param outbox        where persisted state and events go.
     * @param random        the only source of randomness (seeded in the simulator).
     */
    public RaftNode(
        final RaftConfig config,
        final int memberId,
        final int[] memberIds,
        final RaftLog log,
        final long persistedTerm,
        final int persistedVote,
        final long commitIndex,
        final RaftTransport transport,
        final RaftOutbox outbox,
        final RandomGenerator random)
    {
        this(config, memberId, bootstrap(memberId, memberIds), log, persistedTerm, persistedVote, commitIndex,
            transport, outbox, random);
    }

    /**
     * @param config        settings, validated here.
     * @param memberId      this member's id, a member of the configuration or not (a node that waits to be added,
     *                      or was removed).
     * @param configs       the configurations recovered: the one as of the log's compacted prefix (the snapshot's) or
     *                      the bootstrap, and every configuration entry in the log after it; the core owns it from
     *                      here on.
     * @param log           this node's log, already recovered.
     * @param persistedTerm term from the node state file (0 on first start).
     * @param persistedVote votedFor from the state file, or {@link #NO_MEMBER}.
     * @param commitIndex   index known committed (recovered commit hint, min'd with the log's last index), raised
     *                      to the log's compacted prefix ({@code firstIndex() - 1}), which is committed; entries up
     *                      to it were already applied by recovery, no onCommitIndex is emitted for them.
     * @param transport     where messages to peers go.
     * @param outbox        where persisted state and events go.
     * @param random        the only source of randomness (seeded in the simulator).
     */
    public RaftNode(
        final RaftConfig config,
        final int memberId,
        final ConfigHistory configs,
        final RaftLog log,
        final long persistedTerm,
        final int persistedVote,
        final long commitIndex,
        final RaftTransport transport,
        final RaftOutbox outbox,
        final RandomGenerator random)
    {
        config.validate();
        this.memberId = memberId;
        this.configs = configs;
        tracker = new ProgressTracker(memberId, configs.latest(), config);
        this.log = log;
        logTerms = new LogTerms(log);
        this.transport = transport;
        this.outbox = outbox;
        this.random = random;

        electionTimeoutMinNs = config.electionTimeoutMinNs();
        electionTimeoutMaxNs = config.electionTimeoutMaxNs();
        electionTimeoutRangeNs = electionTimeoutMaxNs - electionTimeoutMinNs;
        heartbeatIntervalNs = config.heartbeatIntervalNs();
        maxBatchBytes = config.maxBatchBytes();
        preVote = config.preVote();
        checkQuorum = config.checkQuorum();
        maxUncommittedEntries = config.maxUncommittedEntries();
        leaseDurationNs = config.electionTimeoutMinNs() - config.leaseMarginNs();
        leaderReads = new PendingReads(config.maxPendingReads());
        remoteReads = new PendingReads(config.maxPendingReads());

        if (persistedTerm < 0 || persistedTerm > MAX_TERM)
        {
            throw new IllegalArgumentException("persistedTerm=" + persistedTerm + " must be in 0.." + MAX_TERM +
                ": the node state file holds a term no election reaches (written before terms were bounded)");
        }
        if (persistedTerm < log.lastTerm())
        {
            // The term is persisted before any entry of that term is appended: the state file is stale or lost.
            throw new IllegalArgumentException("persistedTerm=" + persistedTerm + " is below the term " +
                log.lastTerm() + " of the log's last entry: the node state file does not belong to this log");
        }
        if (commitIndex < 0 || commitIndex > log.lastIndex())
        {
            throw new IllegalArgumentException(
                "commitIndex=" + commitIndex + " must be in 0.." + log.lastIndex() + " (the log's last index)");
        }
        if (configs.latestIndex() > log.lastIndex())
        {
            throw new IllegalArgumentException("the configuration history " + configs + " goes beyond the log's last " +
                "index " + log.lastIndex());
        }
        currentTerm = persistedTerm;
        votedFor = persistedVote;
        this.commitIndex = Math.max(commitIndex, log.firstIndex() - 1);
        appliedIndex = this.commitIndex;
        durableIndex = log.durableIndex();
        configs.committed(this.commitIndex);
    }

    private static ConfigHistory bootstrap(final int memberId, final int[] memberIds)
    {
        int selfCount = 0;
        for (final int id : memberIds)
        {
            selfCount += id == memberId ? 1 : 0;
        }
        if (1 != selfCount)
        {
            throw new IllegalArgumentException(
                "memberIds must list this member's id " + memberId + " exactly once, found " + selfCount);
        }
        return new ConfigHistory(0, Configuration.ofVoters(memberIds));
    }

    /**
     * Drive timers: election and pre-vote, heartbeats, check-quorum, leader transfer, resend of lost batches,
     * replication of entries proposed since the last tick, and coalesced durable acknowledgements.
     *
     * @param nowNs the one clock for everything, in nanoseconds; the leader stamps entries with it.
     * @return the amount of work done.
     */
    public int tick(final long nowNs)
    {
        advanceClock(nowNs);
        if (!started)
        {
            started = true;
            stampOriginNs = nowNs - 1;
            voteQuietUntilNs = nowNs + electionTimeoutMinNs;
            resetElectionDeadline();
            publishRole();
        }

        if (null != termProbe)
        {
            return termProbe.sendDue(nowNs, heartbeatIntervalNs, transport);
        }

        if (Role.LEADER == role)
        {
            final long tickStamp = nowNs - stampOriginNs;
            if (tickStamp > stamp)
            {
                stamp = tickStamp;
                stampClaimedByRead = false;
            }
            return leaderTick();
        }

        failRemoteReadsDueBy(nowNs);

        if (nowNs >= electionDeadlineNs)
        {
            if (!mayCampaign())
            {
                resetElectionDeadline();
                return 0;
            }
            if (currentTerm >= MAX_TERM)
            {
                // No election can raise the term further: wait for a leader of this term.
                resetElectionDeadline();
                return 0;
            }
            if (preVote)
            {
                becomePreCandidate();
            }
            else
            {
                becomeCandidate(false);
            }
            return 1;
        }

        if (Role.FOLLOWER == role && NO_MEMBER != leaderId)
        {
            final long ack = Math.min(durableIndex, verifiedIndex);
            if (ack > ackedDurableIndex &&
                transport.sendAppendResponse(
                    leaderId, currentTerm, true, verifiedIndex, ack, 0, NO_CONFLICT_TERM, leaderStamp))
            {
                ackedDurableIndex = ack;
                return 1;
            }
        }

        return 0;
    }

    /**
     * A RequestVote (or pre-vote request) arrived. A candidate outside this node's configuration may be a voter of a
     * newer one this node has not received yet, so it is answered, but only once no leader has been heard for the
     * minimum election timeout: a removed node that does not know it was removed cannot depose the leader.
     */
    public void onRequestVote(
        final int from,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final boolean transfer)
    {
        // A candidate's last entry is of its term or older, and only the empty log (index 0) ends in term 0.
        if (!isOtherMemberId(from) || (NO_SLOT == tracker.slotOf(from) && inLease(false)) || !isTerm(term) ||
            !isTerm(lastLogTerm) || lastLogTerm > term || !isIndex(lastLogIndex) ||
            (0 == lastLogIndex) != (0 == lastLogTerm))
        {
            dropMessage();
            return;
        }

        if (null != termProbe)
        {
            return; // its term and vote are lost: it may not even say what they are (probeTermBeforeFollowing)
        }

        if (preVote)
        {
            // A pre-vote changes nothing here: grant only if a real election in that term could succeed.
            final boolean grant = term > currentTerm && !inLease(transfer) && isUpToDate(lastLogIndex, lastLogTerm);
            transport.sendVoteResponse(from, grant ? term : currentTerm, true, grant);
            return;
        }

        if (term < currentTerm)
        {
            transport.sendVoteResponse(from, currentTerm, false, false);
            return;
        }

        if (term > currentTerm)
        {
            if (checkQuorum && inLease(transfer))
            {
                // A leader is alive: a disruptive candidate must not depose it (thesis 4.2.3).
                return;
            }
            // The new term and the vote in it are persisted in one write: each write is an fsync on the election's
            // path (a leadership transfer's too).
            updateTerm(term, isUpToDate(lastLogIndex, lastLogTerm) ? from : NO_MEMBER);
        }

        final boolean grant =
            (NO_MEMBER == votedFor || from == votedFor) && isUpToDate(lastLogIndex, lastLogTerm);
        if (grant)
        {
            if (votedFor != from)
            {
                votedFor = from;
                outbox.persistState(currentTerm, votedFor);
            }
            resetElectionDeadline();
        }
        transport.sendVoteResponse(from, currentTerm, false, grant);
    }

    /**
     * A VoteResponse (or pre-vote response) arrived.
     */
    public void onVoteResponse(final int from, final long term, final boolean preVote, final boolean granted)
    {
        final int slot = tracker.slotOf(from);
        if (NO_SLOT == slot || !isTerm(term))
        {
            dropMessage();
            return;
        }

        if (preVote)
        {
            if (granted)
            {
                // A granted pre-vote echoes the term we would campaign in.
                if (Role.PRE_CANDIDATE == role && term == currentTerm + 1)
                {
                    recordVote(slot);
                }
            }
            else if (term > currentTerm)
            {
                updateTerm(term);
            }
            return;
        }

        if (term > currentTerm)
        {
            updateTerm(term);
        }
        else if (granted && Role.CANDIDATE == role && term == currentTerm)
        {
            recordVote(slot);
        }
    }

    /**
     * An AppendEntries arrived.
     *
     * @param entries     validated, contiguous LogEntry frames (may be empty: a heartbeat).
     * @param leaderStamp the leader's stamp of this message, echoed in every answer to this leader.
     */
    public void onAppendEntries(
        final int from,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final DirectBuffer entries,
        final int offset,
        final int length,
        final long leaderStamp)
    {
        // A leader's entry at prevLogIndex is of its term or older; leaderCommit beyond this log is clamped below.
        if (!isOtherMemberId(from) || !isTerm(term) || !isTerm(prevLogTerm) || prevLogTerm > term ||
            !isIndex(prevLogIndex) || !isIndex(leaderCommit) || length < 0 || leaderStamp < 0)
        {
            dropMessage();
            return;
        }

        if (null != termProbe)
        {
            return; // the sender may lead a term the cluster has left (probeTermBeforeFollowing)
        }

        if (term < currentTerm)
        {
            // A deposed leader learns the new term from this answer.
            transport.sendAppendResponse(from, currentTerm, false, 0, 0, 0, NO_CONFLICT_TERM, 0);
            return;
        }

        if (term > currentTerm)
        {
            updateTerm(term);
        }
        followLeader(from, term, "AppendEntries");
        if (leaderStamp > this.leaderStamp)
        {
            this.leaderStamp = leaderStamp;
        }

        final long lastIndex = log.lastIndex();
        if (prevLogIndex > lastIndex)
        {
            reject(from, lastIndex + 1, NO_CONFLICT_TERM);
            return;
        }

        if (!logTerms.matches(prevLogIndex, prevLogTerm))
        {
            final long termAtPrev = log.termAt(prevLogIndex);
            if (prevLogIndex <= commitIndex)
            {
                throw new IllegalStateException(
                    "safety violation: leader " + from + " term " + term + " has term " + prevLogTerm +
                    " at committed index " + prevLogIndex + " where member " + memberId + " has " + termAtPrev);
            }
            reject(from, logTerms.firstIndexWithTermAtLeast(termAtPrev, commitIndex + 1, prevLogIndex), termAtPrev);
            return;
        }

        final long lastNewIndex =
            length > 0 ? appendEntries(entries, offset, length, prevLogIndex, prevLogTerm) : prevLogIndex;
        if (lastNewIndex < 0)
        {
            dropMessage();
            return;
        }

        if (lastNewIndex > verifiedIndex)
        {
            verifiedIndex = lastNewIndex;
        }

        final long newCommit = Math.min(leaderCommit, verifiedIndex);
        if (newCommit > commitIndex)
        {
            commitIndex = newCommit;
            outbox.onCommitIndex(newCommit);
            if (configs.committed(newCommit))
            {
                onCommittedConfigurationChanged();
            }
        }

        final long ack = Math.min(durableIndex, verifiedIndex);
        if (transport.sendAppendResponse(
            from, currentTerm, true, verifiedIndex, ack, 0, NO_CONFLICT_TERM, this.leaderStamp) &&
            ack > ackedDurableIndex)
        {
            ackedDurableIndex = ack;
        }
    }

    /**
     * An AppendResponse arrived.
     *
     * @param echoStamp the highest stamp the follower received from this term's leader.
     */
    public void onAppendResponse(
        final int from,
        final long term,
        final boolean success,
        final long lastAppendedIndex,
        final long durableIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long echoStamp)
    {
        final int slot = tracker.slotOf(from);
        if (NO_SLOT == slot || !isTerm(term) || !isTerm(conflictTerm) ||
            !isIndex(lastAppendedIndex) || !isIndex(durableIndex) || !isIndex(conflictIndex) || echoStamp < 0)
        {
            dropMessage();
            return;
        }

        if (term > currentTerm)
        {
            updateTerm(term);
            return;
        }

        if (term < currentTerm || Role.LEADER != role)
        {
            return;
        }

        // An answer of this term is about this leader's log, which only grew in the term: the follower cannot
        // match beyond its end, hold durable more than it matches, know of a term after the current one, or echo
        // a stamp this leader has not sent.
        final long lastIndex = log.lastIndex();
        if (lastAppendedIndex > lastIndex || durableIndex > lastAppendedIndex || conflictIndex > lastIndex + 1 ||
            conflictTerm > currentTerm || echoStamp > stamp)
        {
            dropMessage();
            return;
        }

        final Progress progress = tracker.progress(slot);
        progress.heard(nowNs);
        progress.durableAcknowledged(durableIndex);
        progress.echoed(echoStamp);

        if (success)
        {
            onAppendSuccess(slot, lastAppendedIndex);
        }
        else
        {
            onAppendRejected(slot, conflictIndex, conflictTerm, lastIndex);
        }

        maybeCommit();
    }

    /**
     * A TimeoutNow arrived: the leader hands leadership over, start an election at once. Only the leader this
     * follower follows in the current term may ask: it sends one after replicating its log here, so a TimeoutNow of
     * a later term, or from any other member, is dropped; a stale one (an earlier term) is ignored.
     */
    public void onTimeoutNow(final int from, final long term)
    {
        if (!isOtherMemberId(from) || !isTerm(term))
        {
            dropMessage();
            return;
        }

        if (term < currentTerm)
        {
            return;
        }

        if (term > currentTerm || Role.FOLLOWER != role || from != leaderId)
        {
            dropMessage();
            return;
        }
        if (mayCampaign())
        {
            // A leader hands over to a voter of its configuration; this node's own may not make it one yet.
            becomeCandidate(true);
        }
    }

    /**
     * A chunk of an InstallSnapshot, or a keep-alive of its transfer, arrived from {@code from} in {@code term}.
     * The term rules are those of AppendEntries: a stale sender is answered with an AppendResponse carrying the
     * current term (so a deposed leader learns it); otherwise this node follows {@code from} in {@code term}, which
     * counts as contact with the leader (the election timer restarts).
     *
     * @return true when the runtime should accept the chunk; false for a stranger, a stale term, or while this node
     * does not know the current term ({@link #probeTermBeforeFollowing}).
     */
    public boolean onSnapshotChunk(final int from, final long term)
    {
        if (!isOtherMemberId(from) || !isTerm(term))
        {
            dropMessage();
            return false;
        }

        if (null != termProbe)
        {
            return false;
        }

        if (term < currentTerm)
        {
            transport.sendAppendResponse(from, currentTerm, false, 0, 0, 0, NO_CONFLICT_TERM, 0);
            return false;
        }

        if (term > currentTerm)
        {
            updateTerm(term);
        }
        followLeader(from, term, "a snapshot chunk");

        return true;
    }

    /**
     * The runtime verified a snapshot received from {@code from} (sent in {@code term}), stored it durably and
     * loaded it into the state machine: the state after entries 1..index, the last of them of term
     * {@code indexTerm}. A snapshot is committed state. The runtime may also report a snapshot it did not need
     * (index at or below what it had applied, nothing loaded): that only acknowledges, so a leader that wrongly
     * believed this node behind its log resumes replication.
     * <p>
     * A snapshot beyond the commit index: if the log holds index with indexTerm the entries after it are kept,
     * otherwise the log is reset to begin after index; the commit and durable indices rise to index. At or below
     * the commit index the log and the commit index are left as they are. The applied index rises to index. No
     * onCommitIndex is emitted (the snapshot applied the entries up to index). If this node still follows
     * {@code from} in {@code term}, it acknowledges index as matching that leader's log, so the leader resumes
     * replication after it.
     *
     * <p>
     * The snapshot's configuration replaces this node's up to index when the snapshot is beyond the commit index
     * (the configuration entries after it stay when the log kept its suffix); otherwise it is not looked at.
     *
     * @param configuration the configuration in effect at index (as of the snapshot).
     * @throws IllegalStateException if the log holds a different term at an index this node knows committed (a
     *                               safety violation).
     */
    public void onSnapshotInstalled(
        final int from, final long term, final long index, final long indexTerm, final Configuration configuration)
    {
        if (!isOtherMemberId(from) || index <= 0 || indexTerm <= 0)
        {
            dropMessage();
            return;
        }

        final boolean held = index <= log.lastIndex() && logTerms.matches(index, indexTerm);
        if (index <= commitIndex)
        {
            // Nothing new: the snapshot only confirms what this node holds (and is acknowledged below).
            if (!held)
            {
                throw new IllegalStateException(
                    "safety violation: member " + memberId + " installs a snapshot at committed index " + index +
                    " term " + indexTerm + " where its log has term " + log.termAt(index));
            }
        }
        else
        {
            final Configuration before = configs.latest();
            configs.installed(index, configuration);
            if (held)
            {
                // The stored snapshot makes everything up to index durable, whatever the log has forced.
                durableIndex = Math.max(durableIndex, index);
            }
            else
            {
                log.reset(index, indexTerm);
                configs.truncatedAfter(index);
                durableIndex = index;
            }
            commitIndex = index;
            final boolean committedChanged = configs.committed(index);
            if (before != configs.latest())
            {
                onConfigurationChanged();
            }
            else if (committedChanged)
            {
                onCommittedConfigurationChanged();
            }
        }
        if (index > appliedIndex)
        {
            appliedIndex = index;
        }

        if (Role.FOLLOWER == role && leaderId == from && currentTerm == term)
        {
            if (index > verifiedIndex)
            {
                verifiedIndex = index;
            }
            final long ack = Math.min(durableIndex, verifiedIndex);
            if (transport.sendAppendResponse(
                from, currentTerm, true, verifiedIndex, ack, 0, NO_CONFLICT_TERM, leaderStamp) &&
                ack > ackedDurableIndex)
            {
                ackedDurableIndex = ack;
            }
        }
    }

    /**
     * As {@link #onSnapshotInstalled(int, long, long, long, Configuration)} for a runtime whose snapshots carry no
     * configuration because its membership never changes: the configuration at index is the one this node holds for
     * it (the bootstrap).
     */
    public void onSnapshotInstalled(final int from, final long term, final long index, final long indexTerm)
    {
        onSnapshotInstalled(from, term, index, indexTerm, configs.at(index));
    }

    /**
     * Leader: the runtime reports that a peer acknowledged chunks of the snapshot sent in {@code term}. The peer
     * counts as heard, so check-quorum does not depose a leader whose followers are busy installing.
     */
    public void onSnapshotAck(final int from, final long term)
    {
        final int slot = tracker.slotOf(from);
        if (NO_SLOT == slot || !isTerm(term))
        {
            dropMessage();
            return;
        }

        if (term > currentTerm)
        {
            updateTerm(term);
        }
        else if (term == currentTerm && Role.LEADER == role)
        {
            tracker.progress(slot).heard(nowNs);
        }
    }

    /**
     * Move the core's clock forward between ticks: the runtime calls this with a fresh reading just before it hands
     * the core the messages it polled, so that contact with the leader is timed when the message is seen, not at
     * the last tick (a follower that stalled between the two must not count the stall against the leader's lease),
     * and a leader judges its lease on the time a follower's read request is seen.
     *
     * @param nowNs the clock of {@link #tick}; a reading older than the last one is ignored.
     */
    public void advanceClock(final long nowNs)
    {
        if (nowNs > this.nowNs)
        {
            this.nowNs = nowNs;
        }
    }

    /**
     * Start a linearizable read: find the index at which it may be answered, without a log entry. Exactly one of
     * {@link RaftOutbox#onReadIndex} and {@link RaftOutbox#onReadIndexFailed} follows an accepted request, possibly
     * before this call returns.
     * <ul>
     *     <li>A leader answers with its commit index once a majority has answered an AppendEntries sent after the
     *     request (ReadIndex, Raft thesis 6.4), and not before an entry of its own term is committed. With
     *     {@link ReadMode#LEASE} it answers at once while it holds its lease: a majority answered a message sent
     *     less than the minimum election timeout less the lease margin ago, no transfer was started in the term, and
     *     check-quorum is on (without check-quorum a follower grants votes while it hears a leader, so there is no
     *     lease: the read falls back to ReadIndex).</li>
     *     <li>A follower asks its leader (ReadIndexRequest) and answers with the leader's read index; it fails the
     *     read when the leader changes, refuses, or does not answer within the maximum election timeout.</li>
     * </ul>
     * The runtime answers the read once its state machine has applied the read index.
     *
     * @param readId chosen by the runtime, echoed in the answer; a batch of reads may share one.
     * @param mode   how leadership is confirmed.
     * @param nowNs  a fresh reading of the clock of {@link #tick} (the lease is judged on it, not on the last tick:
     *               see {@link #advanceClock}).
     * @return false when no read can start here now: no leader is known, or too many reads are pending.
     */
    public boolean requestReadIndex(final long readId, final ReadMode mode, final long nowNs)
    {
        advanceClock(nowNs);
        if (Role.LEADER == role)
        {
            if (ReadMode.LEASE == mode && leaseHeld())
            {
                outbox.onReadIndex(readId, commitIndex);
                return true;
            }
            if (!registerRead(readId, memberId))
            {
                return false;
            }
            confirmReads();
            sendReadConfirmations();
            return true;
        }

        if (Role.FOLLOWER != role || NO_MEMBER == leaderId ||
            !remoteReads.offer(readId, leaderId, this.nowNs + electionTimeoutMaxNs))
        {
            return false;
        }
        if (!transport.sendReadIndexRequest(leaderId, currentTerm, readId, mode))
        {
            remoteReads.remove(readId);
            return false;
        }

        return true;
    }

    /**
     * Leader: a follower asks for a read index. Answered with a ReadIndexResponse: at once when refused (not the
     * leader of that term, or too many reads pending) or when the lease serves it, else once leadership is confirmed
     * as for {@link #requestReadIndex}. The lease is judged on the clock last given to {@link #tick} or
     * {@link #advanceClock}, which the runtime advances just before it delivers the messages it polled.
     */
    public void onReadIndexRequest(final int from, final long term, final long readId, final ReadMode mode)
    {
        if (NO_SLOT == tracker.slotOf(from) || !isTerm(term) || null == mode || ReadMode.NULL_VAL == mode)
        {
            dropMessage();
            return;
        }

        if (Role.LEADER != role || term != currentTerm)
        {
            transport.sendReadIndexResponse(from, currentTerm, readId, 0, false);
            return;
        }

        if (ReadMode.LEASE == mode && leaseHeld())
        {
            transport.sendReadIndexResponse(from, currentTerm, readId, commitIndex, true);
            return;
        }

        if (!registerRead(readId, from))
        {
            transport.sendReadIndexResponse(from, currentTerm, readId, 0, false);
            return;
        }
        confirmReads();
        sendReadConfirmations();
    }

    /**
     * Follower: the leader answered a read index request. An answer from any other member, of another term, or for
     * a read no longer pending (failed on a leader change or a timeout) is ignored.
     */
    public void onReadIndexResponse(
        final int from, final long term, final long readId, final long readIndex, final boolean granted)
    {
        if (!isOtherMemberId(from) || !isTerm(term) || !isIndex(readIndex))
        {
            dropMessage();
            return;
        }

        if (Role.FOLLOWER != role || from != leaderId || term != currentTerm || !remoteReads.remove(readId))
        {
            return;
        }

        if (granted)
        {
            outbox.onReadIndex(readId, readIndex);
        }
        else
        {
            outbox.onReadIndexFailed(readId);
        }
    }

    /**
     * Start as a member that lost its data directory and rejoins under its id. Raft assumes a voter forgets neither
     * its term nor what it acknowledged. Blank, in term 0, this node would follow any leader, one of a term the
     * cluster has left included, and its acknowledgements could give that leader the majority that commits an entry
     * or confirms a read although a newer leader has committed others. So it first asks the voters their current
     * terms ({@link RaftTransport#sendTermProbe}, each once per heartbeat interval until it answers), and answers no
     * AppendEntries, snapshot chunk or vote request, nor campaigns, until those that have not answered, with itself,
     * are a majority of no voter set ({@link TermProbe}). Every majority then has a member that answered after the
     * loss; this node adopts the highest term
     * answered, so a leader elected before the loss is refused unless it still leads that term. Taking part in
     * elections again is the runtime's decision (its voting fence). Call before the first tick.
     *
     * @param voters the cluster's voters as they are now (the operator's members spec): the quorum is theirs.
     * @throws IllegalStateException if the node has ticked, or if it alone is a majority of {@code voters}.
     */
    public void probeTermBeforeFollowing(final Configuration voters)
    {
        if (started)
        {
            throw new IllegalStateException("member " + memberId + " has started: probe before the first tick");
        }
        termProbe = new TermProbe(memberId, voters, random.nextLong(), currentTerm);
    }

    /**
     * @return whether this node still waits for enough voters to tell it their terms ({@link #probeTermBeforeFollowing}).
     */
    public boolean isProbingTerm()
    {
        return null != termProbe;
    }

    /**
     * A member that lost its data asks this node's current term: answered unless this node is asking too (its own
     * term is then not known).
     */
    public void onTermProbe(final int from, final long probeId)
    {
        if (!isOtherMemberId(from))
        {
            dropMessage();
            return;
        }
        if (null == termProbe)
        {
            transport.sendTermProbeResponse(from, currentTerm, probeId);
        }
    }

    /**
     * A voter answered this node's TermProbe with its current term. An answer to another probe, from a member that is
     * not a voter, or when this node is not probing, does not count.
     */
    public void onTermProbeResponse(final int from, final long term, final long probeId)
    {
        if (!isOtherMemberId(from) || !isTerm(term))
        {
            dropMessage();
            return;
        }
        if (null != termProbe && termProbe.onAnswer(from, term, probeId))
        {
            final long learned = termProbe.highestTerm();
            termProbe = null;
            if (learned > currentTerm)
            {
                updateTerm(learned);
            }
            resetElectionDeadline();
        }
    }

    /**
     * Cluster time reached so far, as far as the runtime knows it outside the log: the timestamp of the last entry of
     * the recovered log, or of the last entry an installed snapshot covers. Entries this node appends as leader are
     * stamped at or after it (and after every entry it has appended), so that cluster time never goes back when a
     * node whose clock lags the previous leader's is elected.
     *
     * @param timestampNs a leader timestamp already in the cluster's history.
     */
    public void raiseStampFloor(final long timestampNs)
    {
        if (timestampNs > lastStampNs)
        {
            lastStampNs = timestampNs;
        }
    }

    /**
     * Leader only: append one entry to the log. It is replicated at the next {@link #tick}.
     *
     * @param type any but {@link EntryType#CONFIG} (see {@link #proposeConfigChange}).
     * @return the entry's log index, {@link #NOT_LEADER} or {@link #BACK_PRESSURED}.
     */
    public long propose(
        final EntryType type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (EntryType.CONFIG == type)
        {
            throw new IllegalArgumentException("a configuration entry is proposed with proposeConfigChange");
        }
        final long refusal = proposalRefusal();
        return 0 != refusal ? refusal : appendOwnEntry(type, sessionId, sequence, payload, offset, length);
    }

    /**
     * Leader only: propose a membership change, one at a time (joint consensus, Raft thesis 4.3). A change of
     * learners alone takes effect directly; a change of voters enters a joint configuration (old and new voters must
     * both agree), which the leader leaves by itself once the joint one is committed. Each configuration is in
     * effect from its append. A leader that removes itself keeps leading, no longer counting itself, until the
     * configuration without it is committed, then steps down.
     *
     * @return the index of the configuration entry, or a named refusal: {@link #NOT_LEADER}, {@link #BACK_PRESSURED},
     * {@link ConfigChange#TERM_NOT_COMMITTED}, {@link ConfigChange#CHANGE_IN_PROGRESS} or one of the others of
     * {@link ConfigChange} (the change does not fit the configuration in effect).
     */
    public long proposeConfigChange(final ConfigChange change)
    {
        final long refusal = proposalRefusal();
        if (0 != refusal)
        {
            return refusal;
        }
        if (commitIndex < termStartIndex)
        {
            // Until its term's first entry commits, an uncommitted configuration of an earlier term may be hidden
            // in this leader's log: a second change on top of it could skip the overlap of majorities.
            return ConfigChange.TERM_NOT_COMMITTED;
        }
        final Configuration current = configs.latest();
        if (configs.latestIndex() > commitIndex || current.isJoint())
        {
            return ConfigChange.CHANGE_IN_PROGRESS;
        }
        final long invalid = current.refusal(change);
        return 0 != invalid ? invalid : appendConfiguration(current.apply(change));
    }

    /**
     * @return the configuration in effect: the newest in the log, committed or not.
     */
    public Configuration configuration()
    {
        return configs.latest();
    }

    /**
     * @return the newest configuration at or before the commit index.
     */
    public Configuration committedConfiguration()
    {
        return configs.at(commitIndex);
    }

    /**
     * @return the index of {@link #committedConfiguration()}: of its entry, or the index it is known as of.
     */
    public long committedConfigurationIndex()
    {
        return configs.indexAt(commitIndex);
    }

    /**
     * @return the index of the configuration in effect: of its entry, or the index it is known as of (a snapshot's,
     * or 0 for the bootstrap).
     */
    public long configurationIndex()
    {
        return configs.latestIndex();
    }

    /**
     * The log store's durable index advanced (report {@code LogStore.durableIndex()} as it is now).
     */
    public void onDurable(final long durableIndex)
    {
        final long durable = Math.min(durableIndex, log.lastIndex());
        if (durable > this.durableIndex)
        {
            this.durableIndex = durable;
            if (Role.LEADER == role)
            {
                maybeCommit();
            }
        }
    }

    /**
     * The runtime applied entries up to here.
     */
    public void onApplied(final long appliedIndex)
    {
        if (appliedIndex > this.appliedIndex)
        {
            this.appliedIndex = Math.min(appliedIndex, commitIndex);
        }
    }

    /**
     * Leader only: hand leadership to another member once it has caught up. Proposals are back-pressured
     * meanwhile; the transfer is abandoned after an election timeout.
     *
     * @return false if not leader, self, or not a voter.
     */
    public boolean transferLeadership(final int toMemberId)
    {
        final int slot = tracker.slotOf(toMemberId);
        if (Role.LEADER != role || NO_SLOT == slot || !tracker.isVoter(slot))
        {
            return false;
        }

        transferSlot = slot;
        transferDeadlineNs = nowNs + electionTimeoutMaxNs;
        timeoutNowSent = false;
        maybeSendTimeoutNow();

        return true;
    }

    public int memberId()
    {
        return memberId;
    }

    public Role role()
    {
        return role;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    public int leaderId()
    {
        return leaderId;
    }

    public int votedFor()
    {
        return votedFor;
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
     * @return messages dropped because they were malformed, came from an unknown member, or claimed terms or indices
     * out of bounds or impossible for this node.
     */
    public long droppedMessages()
    {
        return droppedMessages;
    }

    /**
     * @return the member leadership is being transferred to, or {@link #NO_MEMBER}.
     */
    public int transferTarget()
    {
        return NO_SLOT == transferSlot ? NO_MEMBER : tracker.peerId(transferSlot);
    }

    /**
     * Leader only: how far a peer's log is known to match the leader's.
     *
     * @param peerId a member other than this one.
     * @return its match index, or -1 when this node does not lead or {@code peerId} is not a peer.
     */
    public long matchIndex(final int peerId)
    {
        final int slot = tracker.slotOf(peerId);
        return Role.LEADER != role || NO_SLOT == slot ? -1 : tracker.progress(slot).match();
    }

    /**
     * Leader only: the voter whose log matches the leader's furthest, the natural target of a leadership transfer.
     *
     * @return its member id, or {@link #NO_MEMBER} when not leader or alone.
     */
    public int mostUpToDatePeer()
    {
        return mostUpToDatePeerHeardWithin(Long.MAX_VALUE);
    }

    /**
     * Leader only: as {@link #mostUpToDatePeer()}, among the peers heard from within a window (those that answer
     * now: a transfer to a silent peer cannot complete).
     *
     * @param windowNs how recently the peer must have been heard from.
     * @return its member id, or {@link #NO_MEMBER} when not leader or no peer was heard within the window.
     */
    public int mostUpToDatePeerHeardWithin(final long windowNs)
    {
        if (Role.LEADER != role)
        {
            return NO_MEMBER;
        }
        int best = NO_SLOT;
        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            final Progress progress = tracker.progress(slot);
            if (tracker.isVoter(slot) && progress.heardWithin(nowNs, windowNs) &&
                (NO_SLOT == best || progress.match() > tracker.progress(best).match()))
            {
                best = slot;
            }
        }
        return NO_SLOT == best ? NO_MEMBER : tracker.peerId(best);
    }

    /**
     * @return whether this node is a candidate because its leader handed leadership to it (a TimeoutNow), rather
     * than after an election timeout; false in any other role.
     */
    public boolean isTransferCampaign()
    {
        return Role.CANDIDATE == role && transferCampaign;
    }

    public String toString()
    {
        return "RaftNode{memberId=" + memberId + ", role=" + role + ", term=" + currentTerm + ", leader=" +
            leaderId + ", votedFor=" + votedFor + ", commit=" + commitIndex + ", lastIndex=" + log.lastIndex() +
            ", durable=" + durableIndex + '}';
    }

    private int leaderTick()
    {
        if (checkQuorum && !tracker.hasQuorumHeardWithin(nowNs, electionTimeoutMaxNs))
        {
            stepDown();
            return 1;
        }

        int work = 0;
        if (NO_SLOT != transferSlot)
        {
            if (nowNs >= transferDeadlineNs)
            {
                clearTransfer();
            }
            else
            {
                work += maybeSendTimeoutNow();
            }
        }

        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            work += replicate(slot);
        }

        return work;
    }

    private int replicate(final int slot)
    {
        int work = sendBatches(slot);
        final Progress progress = tracker.progress(slot);
        if ((progress.heartbeatDue(nowNs, commitIndex) || readConfirmationDue(progress)) && sendHeartbeat(slot))
        {
            work++;
        }
        if (progress.introductionDue(nowNs))
        {
            // Once per interval whether or not it could be sent: a peer that is down is not asked every tick.
            transport.sendLeaderIntroduction(tracker.peerId(slot), currentTerm);
            progress.introduced(nowNs);
            work++;
        }

        return work;
    }

    /**
     * A heartbeat, or news of the commit index: checks the prefix known to match, or as much of it as the log still
     * knows.
     */
    private boolean sendHeartbeat(final int slot)
    {
        final long prevIndex = Math.max(tracker.progress(slot).match(), log.firstIndex() - 1);
        return sendAppend(slot, prevIndex + 1, prevIndex);
    }

    private boolean readConfirmationDue(final Progress progress)
    {
        return !leaderReads.isEmpty() && progress.readConfirmationDue(leaderReads.newestStamp());
    }

    /**
     * A read was registered: ask every peer not sent anything since for an answer now, not at the next tick.
     */
    private void sendReadConfirmations()
    {
        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            if (readConfirmationDue(tracker.progress(slot)))
            {
                sendHeartbeat(slot);
            }
        }
    }

    /**
     * Send what the peer's {@link Progress} allows now: a probe, batches up to the inflight window, or (to a peer
     * that needs compacted entries) the snapshot.
     */
    private int sendBatches(final int slot)
    {
        final Progress progress = tracker.progress(slot);
        progress.refresh(nowNs, log.firstIndex());
        final long lastIndex = log.lastIndex();
        int work = 0;

        if (progress.snapshotDue(nowNs) && transport.sendInstallSnapshot(tracker.peerId(slot), currentTerm))
        {
            progress.snapshotSent(nowNs);
            work++;
        }

        if (progress.mayProbe())
        {
            final long next = progress.next();
            final long end = next <= lastIndex ? log.batchEnd(next, maxBatchBytes) : next - 1;
            if (sendAppend(slot, next, end))
            {
                progress.probeSent(nowNs);
                work++;
            }
        }

        while (progress.maySendBatch(lastIndex))
        {
            final long end = log.batchEnd(progress.next(), maxBatchBytes);
            if (!sendAppend(slot, progress.next(), end))
            {
                break;
            }
            progress.batchSent(end, nowNs);
            work++;
        }

        return work;
    }

    private boolean sendAppend(final int slot, final long fromIndex, final long toIndex)
    {
        final long prevIndex = fromIndex - 1;
        final long sendStamp = sendStamp();
        if (transport.sendAppendEntries(
            tracker.peerId(slot),
            currentTerm,
            prevIndex,
            log.termAt(prevIndex),
            commitIndex,
            fromIndex,
            toIndex,
            sendStamp))
        {
            tracker.progress(slot).appendSent(nowNs, commitIndex, sendStamp);
            return true;
        }

        return false;
    }

    private void onAppendSuccess(final int slot, final long lastAppendedIndex)
    {
        tracker.progress(slot).acknowledged(lastAppendedIndex, log.firstIndex());
        if (slot == transferSlot)
        {
            maybeSendTimeoutNow();
        }
        sendBatches(slot);
    }

    /**
     * Back-track with the follower's hints: to just past the leader's last entry of the conflicting term, or to
     * the follower's first index of it if the leader has none; to the end of the follower's log if it is short.
     * One round trip per divergent term, not per entry.
     */
    private void onAppendRejected(final int slot, final long conflictIndex, final long conflictTerm, final long lastIndex)
    {
        long next;
        if (conflictTerm <= NO_CONFLICT_TERM)
        {
            next = conflictIndex;
        }
        else
        {
            final long lastAtOrBelow = logTerms.lastIndexWithTermAtMost(conflictTerm, lastIndex);
            next = log.termAt(lastAtOrBelow) == conflictTerm ?
                lastAtOrBelow + 1 : Math.min(lastAtOrBelow + 1, conflictIndex);
        }

        tracker.progress(slot).rejected(Math.max(1, Math.min(next, lastIndex + 1)));
        sendBatches(slot);
    }

    private void maybeCommit()
    {
        final long quorumIndex = tracker.committedIndex(durableIndex);
        // Figure 8: only an entry of the current term is committed by counting replicas.
        if (quorumIndex > commitIndex && log.termAt(quorumIndex) == currentTerm)
        {
            commitIndex = quorumIndex;
            outbox.onCommitIndex(quorumIndex);
            if (configs.committed(commitIndex))
            {
                onCommittedConfigurationChanged();
            }
            if (configs.latestIndex() <= commitIndex && commitIndex >= termStartIndex)
            {
                if (configs.latest().isJoint())
                {
                    appendConfiguration(configs.latest().leaveJoint());
                }
                else if (!tracker.isVoter())
                {
                    // The configuration without this leader is committed: its voters go on without it.
                    handOverOnLeaving();
                    stepDown();
                    return;
                }
            }
        }
        confirmReads();
    }

    /**
     * @return whether this node may start an election: it votes in the configuration in effect, or in one it holds
     * that is not yet superseded by a committed one (Raft thesis 4.2.2: a leader that removed itself and lost its
     * quorum before the change committed may be the only node whose log can complete it; it campaigns without
     * counting its own vote, since only the voters of the configuration in effect count). A learner, or a node whose
     * removal it knows committed, never campaigns.
     */
    private boolean mayCampaign()
    {
        return tracker.isVoter() || configs.votesInAny(memberId);
    }

    /**
     * A leader whose removal committed asks the voter whose log matches its own furthest (of those that answer) to
     * campaign at once, with a TimeoutNow, rather than leave the cluster without a leader for an election timeout.
     * Only the timing changes: the votes still decide, so a voter missing entries a majority holds cannot win.
     */
    private void handOverOnLeaving()
    {
        final int target = mostUpToDatePeerHeardWithin(electionTimeoutMaxNs);
        if (NO_MEMBER != target && transport.sendTimeoutNow(target, currentTerm))
        {
            // As in a transfer: the target may be elected by voters that ignore this leader's lease.
            leaseRevoked = true;
        }
    }

    private void stepDown()
    {
        role = Role.FOLLOWER;
        leaderId = NO_MEMBER;
        clearTransfer();
        resetElectionDeadline();
        publishRole();
    }

    private long proposalRefusal()
    {
        if (Role.LEADER != role)
        {
            return NOT_LEADER;
        }
        return NO_SLOT != transferSlot || log.lastIndex() - commitIndex >= maxUncommittedEntries ? BACK_PRESSURED : 0;
    }

    /**
     * Leader: append a configuration entry; the configuration is in effect at once.
     */
    private long appendConfiguration(final Configuration configuration)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[configuration.encodedLength()]);
        final long index = appendOwnEntry(
            EntryType.CONFIG, 0, 0, payload, 0, configuration.encode(payload, 0));
        configs.appended(index, configuration);
        onConfigurationChanged();
        return index;
    }

    /**
     * The configuration in effect changed (an entry appended or truncated, a snapshot installed): the peers are its
     * members; a leader probes the new ones; a transfer to a member that no longer votes is abandoned.
     */
    private void onConfigurationChanged()
    {
        final int transferTarget = transferTarget();
        tracker.configure(configs.latest(), log.lastIndex() + 1, nowNs, Role.LEADER == role);
        outbox.onConfigurationChanged(configs.latest(), committedConfiguration());
        clearTransfer();
        final int slot = tracker.slotOf(transferTarget);
        if (NO_SLOT != slot && tracker.isVoter(slot))
        {
            transferSlot = slot;
        }
    }

    /**
     * A configuration change committed: the members only the superseded configuration named need not be reached.
     */
    private void onCommittedConfigurationChanged()
    {
        outbox.onConfigurationChanged(configs.latest(), committedConfiguration());
    }

    /**
     * @return whether {@code from} is a member id other than this one's, in this node's configuration or not. A leader
     * (or a candidate) this node's configuration does not know yet is legitimate: this node has not received the
     * entry that added it, and must not drop what it sends.
     */
    private boolean isOtherMemberId(final int from)
    {
        return from >= 0 && from <= Configuration.MAX_MEMBER_ID && from != memberId;
    }

    /**
     * @return the stamp for an AppendEntries sent now: above the stamp of every read registered before it.
     */
    private long sendStamp()
    {
        if (stampClaimedByRead)
        {
            stamp = Math.max(nowNs - stampOriginNs, stamp + 1);
            stampClaimedByRead = false;
        }
        return stamp;
    }

    private boolean registerRead(final long readId, final int origin)
    {
        if (!leaderReads.offer(readId, origin, stamp))
        {
            return false;
        }
        stampClaimedByRead = true;
        return true;
    }

    /**
     * Answer, oldest first, the reads a majority has confirmed: it answered a message sent after the read was
     * registered. None before an entry of this term is committed: until then the commit index may be behind
     * entries an earlier leader committed.
     */
    private void confirmReads()
    {
        if (leaderReads.isEmpty() || commitIndex < termStartIndex)
        {
            return;
        }

        final long confirmedStamp = tracker.quorumEchoedStamp();
        while (!leaderReads.isEmpty() && leaderReads.oldestStamp() < confirmedStamp)
        {
            answerRead(leaderReads.oldestReadId(), leaderReads.oldestOrigin(), commitIndex, true);
            leaderReads.removeOldest();
        }
    }

    private void answerRead(final long readId, final int origin, final long readIndex, final boolean granted)
    {
        if (origin != memberId)
        {
            transport.sendReadIndexResponse(origin, currentTerm, readId, readIndex, granted);
        }
        else if (granted)
        {
            outbox.onReadIndex(readId, readIndex);
        }
        else
        {
            outbox.onReadIndexFailed(readId);
        }
    }

    /**
     * The lease: no other member can have been elected since a majority answered the message stamped
     * {@code quorumEchoedStamp}, because each of them grants no vote for the minimum election timeout after it
     * hears the leader ({@link #inLease}); the margin covers clocks that run at different rates.
     */
    private boolean leaseHeld()
    {
        if (!checkQuorum || leaseRevoked || NO_SLOT != transferSlot || commitIndex < termStartIndex)
        {
            return false;
        }
        final long confirmedStamp = tracker.quorumEchoedStamp();
        return Long.MAX_VALUE == confirmedStamp ||
            (confirmedStamp > 0 && nowNs - stampOriginNs - confirmedStamp < leaseDurationNs);
    }

    /**
     * Fail a follower's reads whose deadline is at or before {@code deadlineNs}, oldest first.
     */
    private void failRemoteReadsDueBy(final long deadlineNs)
    {
        while (!remoteReads.isEmpty() && remoteReads.oldestStamp() <= deadlineNs)
        {
            final long readId = remoteReads.oldestReadId();
            remoteReads.removeOldest();
            outbox.onReadIndexFailed(readId);
        }
    }

    /**
     * The role, term or leader changed: reads waiting on the old leadership fail, and a new leader's stamps are
     * echoed from zero.
     */
    private void onLeadershipChanged()
    {
        leaderStamp = 0;
        failRemoteReadsDueBy(Long.MAX_VALUE);
        if (Role.LEADER != role)
        {
            termStartIndex = Long.MAX_VALUE;
            while (!leaderReads.isEmpty())
            {
                answerRead(leaderReads.oldestReadId(), leaderReads.oldestOrigin(), 0, false);
                leaderReads.removeOldest();
            }
        }
    }

    private int maybeSendTimeoutNow()
    {
        if (NO_SLOT != transferSlot && !timeoutNowSent &&
            tracker.progress(transferSlot).match() >= log.lastIndex() &&
            transport.sendTimeoutNow(tracker.peerId(transferSlot), currentTerm))
        {
            // The target may be elected by voters that ignore this leader's lease: the lease ends for the term.
            leaseRevoked = true;
            timeoutNowSent = true;
            return 1;
        }

        return 0;
    }

    private void clearTransfer()
    {
        transferSlot = NO_SLOT;
        timeoutNowSent = false;
    }

    /**
     * Append the frames of an accepted AppendEntries after {@code prevLogIndex}: skip those already held with
     * the same term, truncate at the first conflict, append the rest as one slice of the received bytes. The
     * configurations of the truncated entries go with them and those of the appended ones take effect.
     *
     * @return the index of the last frame, or -1 if the block is malformed, its terms fall before
     * {@code prevLogTerm} or after the current term, or a configuration entry to append is not one (nothing was
     * changed then).
     */
    private long appendEntries(
        final DirectBuffer entries, final int offset, final int length, final long prevLogIndex, final long prevLogTerm)
    {
        long previousTerm = prevLogTerm;
        final long lastIndex = log.lastIndex();
        final int end = offset + length;
        long expectedIndex = prevLogIndex + 1;
        int appendFrom = -1;
        long conflictIndex = 0;
        int lastFrame = offset;
        int position = offset;
        boolean appendsConfiguration = false;

        while (position < end)
        {
            if (end - position < EntryFrame.HEADER_LENGTH)
            {
                return -1;
            }
            final long index = EntryFrame.index(entries, position);
            final long term = EntryFrame.term(entries, position);
            // Terms never decrease along a log and no entry is newer than the leader's term, which is ours now.
            if (index != expectedIndex || term < previousTerm || term > currentTerm)
            {
                return -1;
            }
            previousTerm = term;
            if (appendFrom < 0)
            {
                if (index > lastIndex)
                {
                    appendFrom = position;
                }
                else if (!logTerms.matches(index, term))
                {
                    appendFrom = position;
                    conflictIndex = index;
                }
            }
            if (appendFrom >= 0 && EntryType.CONFIG == EntryFrame.type(entries, position))
            {
                if (!ConfigPayload.isValid(
                    entries, EntryFrame.payloadOffset(position), EntryFrame.payloadLength(entries, position)))
                {
                    return -1;
                }
                appendsConfiguration = true;
            }
            lastFrame = position;
            position += EntryFrame.frameLength(entries, position);
            expectedIndex++;
        }
        if (position != end)
        {
            return -1;
        }

        boolean configurationChanged = false;

        if (conflictIndex > 0)
        {
            if (conflictIndex <= commitIndex)
            {
                throw new IllegalStateException(
                    "safety violation: member " + memberId + " asked to overwrite committed index " +
                    conflictIndex + " (commit index " + commitIndex + ") by leader " + leaderId +
                    " in term " + currentTerm);
            }
            log.truncateAfter(conflictIndex - 1);
            configurationChanged = configs.truncatedAfter(conflictIndex - 1);
            if (durableIndex >= conflictIndex)
            {
                durableIndex = conflictIndex - 1;
            }
        }
        if (appendFrom >= 0)
        {
            log.append(entries, appendFrom, end - appendFrom);
        }
        if (appendsConfiguration)
        {
            for (int frame = appendFrom; frame < end; frame += EntryFrame.frameLength(entries, frame))
            {
                if (EntryType.CONFIG == EntryFrame.type(entries, frame))
                {
                    final int payloadOffset = EntryFrame.payloadOffset(frame);
                    configs.appended(EntryFrame.index(entries, frame), Configuration.decode(
                        entries, payloadOffset, EntryFrame.payloadLength(entries, frame)));
                }
            }
            configurationChanged = true;
        }
        if (configurationChanged)
        {
            onConfigurationChanged();
        }

        final long stamp = EntryFrame.timestamp(entries, lastFrame);
        if (stamp > lastStampNs)
        {
            lastStampNs = stamp;
        }

        return expectedIndex - 1;
    }

    /**
     * A message of the leader of {@code term} (the current term) arrived: follow it and restart the election timer.
     */
    private void followLeader(final int from, final long term, final String message)
    {
        if (Role.LEADER == role)
        {
            throw new IllegalStateException(
                "member " + memberId + " is leader of term " + term + " and received " + message + " from " + from);
        }

        if (Role.FOLLOWER != role || leaderId != from)
        {
            role = Role.FOLLOWER;
            leaderId = from;
            publishRole();
        }
        lastLeaderContactNs = nowNs;
        resetElectionDeadline();
    }

    private void reject(final int leader, final long conflictIndex, final long conflictTerm)
    {
        transport.sendAppendResponse(
            leader,
            currentTerm,
            false,
            verifiedIndex,
            Math.min(durableIndex, verifiedIndex),
            conflictIndex,
            conflictTerm,
            leaderStamp);
    }

    private long appendOwnEntry(
        final EntryType type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final int frameLength = EntryFrame.frameLength(length);
        if (frameLength > staging.capacity())
        {
            if (length > EntryFrame.MAX_PAYLOAD_LENGTH)
            {
                throw new IllegalArgumentException(
                    "payload length " + length + " exceeds " + EntryFrame.MAX_PAYLOAD_LENGTH);
            }
            staging.wrap(new byte[Integer.highestOneBit(frameLength - 1) << 1]);
        }

        final long index = log.lastIndex() + 1;
        if (nowNs > lastStampNs)
        {
            lastStampNs = nowNs;
        }
        final int encodedLength = EntryFrame.encode(
            staging, 0, index, currentTerm, lastStampNs, type, sessionId, sequence, payload, offset, length);
        log.append(staging, 0, encodedLength);

        return index;
    }

    private void becomePreCandidate()
    {
        role = Role.PRE_CANDIDATE;
        leaderId = NO_MEMBER;
        resetElectionDeadline();
        tracker.resetVotes();
        publishRole();

        if (tracker.hasWonVote())
        {
            becomeCandidate(false);
            return;
        }

        final long lastIndex = log.lastIndex();
        final long lastTerm = log.lastTerm();
        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            if (tracker.isVoter(slot))
            {
                transport.sendRequestVote(tracker.peerId(slot), currentTerm + 1, lastIndex, lastTerm, true, false);
                introduceCandidacy(slot, currentTerm + 1);
            }
        }
    }

    private void becomeCandidate(final boolean transfer)
    {
        transferCampaign = transfer;
        currentTerm++;
        votedFor = memberId;
        outbox.persistState(currentTerm, votedFor);
        role = Role.CANDIDATE;
        leaderId = NO_MEMBER;
        verifiedIndex = 0;
        ackedDurableIndex = 0;
        clearTransfer();
        resetElectionDeadline();
        tracker.resetVotes();
        publishRole();

        if (tracker.hasWonVote())
        {
            becomeLeader();
            return;
        }

        final long lastIndex = log.lastIndex();
        final long lastTerm = log.lastTerm();
        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            if (tracker.isVoter(slot))
            {
                transport.sendRequestVote(tracker.peerId(slot), currentTerm, lastIndex, lastTerm, false, transfer);
                introduceCandidacy(slot, currentTerm);
            }
        }
    }

    /**
     * A voter that holds no configuration naming this node (it lost its data, or fell behind the change that added
     * this node) could not answer the vote request: the candidate introduces itself with it, once per election
     * timeout at most.
     */
    private void introduceCandidacy(final int slot, final long term)
    {
        final Progress progress = tracker.progress(slot);
        if (progress.introductionDue(nowNs))
        {
            transport.sendLeaderIntroduction(tracker.peerId(slot), term);
            progress.introduced(nowNs);
        }
    }

    private void becomeLeader()
    {
        role = Role.LEADER;
        leaderId = memberId;
        clearTransfer();
        publishRole();

        tracker.resetProgress(log.lastIndex() + 1, nowNs);
        leaseRevoked = false;
        termStartIndex = appendOwnEntry(EntryType.NOOP, 0, 0, null, 0, 0);
        for (int slot = 0; slot < tracker.peerCount(); slot++)
        {
            replicate(slot);
        }
        maybeCommit();
    }

    private void recordVote(final int slot)
    {
        if (tracker.recordVote(slot) && tracker.hasWonVote())
        {
            if (Role.PRE_CANDIDATE == role)
            {
                becomeCandidate(false);
            }
            else
            {
                becomeLeader();
            }
        }
    }

    /**
     * Adopt a higher term: persisted before anything else is done in it.
     */
    private void updateTerm(final long term)
    {
        updateTerm(term, NO_MEMBER);
    }

    /**
     * Adopt a higher term and, unless {@link #NO_MEMBER}, the vote given in it: persisted before anything else is
     * done in it.
     */
    private void updateTerm(final long term, final int vote)
    {
        currentTerm = term;
        votedFor = vote;
        outbox.persistState(term, vote);
        if (Role.LEADER == role)
        {
            // A leader runs no election timer; a follower keeps its own, so a candidate that cannot win does
            // not hold back the others by raising the term.
            resetElectionDeadline();
        }
        role = Role.FOLLOWER;
        leaderId = NO_MEMBER;
        verifiedIndex = 0;
        ackedDurableIndex = 0;
        clearTransfer();
        publishRole();
    }

    private void dropMessage()
    {
        droppedMessages++;
        outbox.onMessageDropped();
    }

    private static boolean isTerm(final long term)
    {
        return term >= 0 && term <= MAX_TERM;
    }

    private static boolean isIndex(final long index)
    {
        return index >= 0 && index <= MAX_INDEX;
    }

    private boolean inLease(final boolean transfer)
    {
        return !transfer &&
            (Role.LEADER == role || nowNs < voteQuietUntilNs ||
            (NO_MEMBER != leaderId && nowNs - lastLeaderContactNs < electionTimeoutMinNs));
    }

    private boolean isUpToDate(final long lastLogIndex, final long lastLogTerm)
    {
        final long ourLastTerm = log.lastTerm();
        return lastLogTerm > ourLastTerm || (lastLogTerm == ourLastTerm && lastLogIndex >= log.lastIndex());
    }

    private void resetElectionDeadline()
    {
        electionDeadlineNs = nowNs + electionTimeoutMinNs + random.nextLong(electionTimeoutRangeNs);
    }

    private void publishRole()
    {
        if (role != publishedRole || currentTerm != publishedTerm || leaderId != publishedLeaderId)
        {
            publishedRole = role;
            publishedTerm = currentTerm;
            publishedLeaderId = leaderId;
            onLeadershipChanged();
            outbox.onRoleChange(role, currentTerm, leaderId);
        }
    }
}
