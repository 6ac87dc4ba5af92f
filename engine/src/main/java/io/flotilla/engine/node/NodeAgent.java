package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.archive.PortInUse;
import io.flotilla.archive.Resources;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotReader;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.FailureCause;
import io.flotilla.engine.Membership;
import io.flotilla.engine.NodeFailedException;
import io.flotilla.engine.NodeListener;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import io.flotilla.engine.SnapshotConfig;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.stream.IntStream;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node agent: the single writer of a node's Raft state. Each duty cycle it drives the media stack (COMPACT
 * threading), reads consensus and client messages, queues in-process proposals, tells Raft about durable entries,
 * ticks Raft, applies committed entries, answers the queries whose read index is applied ({@link ReadService}) and
 * flushes replies. It implements the {@link RaftOutbox} (state file,
 * commit and role events); {@link ConsensusPublisher} carries the core's messages out, {@link ConsensusAdapter}
 * brings them in, and {@link ArchiveRaftLog} is its log.
 */
public final class NodeAgent implements Agent, RaftOutbox
{
    private static final System.Logger LOGGER = System.getLogger(NodeAgent.class.getName());
    private static final int PROPOSAL_DRAIN_LIMIT = 1024;
    private static final long SNAPSHOT_RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    /** Media duty cycles after the redirects of a closing node: enough for its driver's sender to send them. */
    private static final int REDIRECT_SEND_CYCLES = 3;

    private final ClusterNode.Context ctx;
    private final RaftConfig raftConfig;
    private final ArchiveLogStore.Context logContext;
    private final NodeMedia.Context mediaContext;
    private final int memberId;
    private final ClusterMembers members;
    /** The other members of the configuration now: each has a follower match index counter. */
    private int[] peerIds = new int[0];
    private final LatencyRecorder commitLatencyRecorder = new LatencyRecorder();
    private final LatencyRecorder applyLatency = new LatencyRecorder();
    private final CommitLatency commitLatency;
    private final ProposalQueue proposals;
    private final QueryQueue queries;
    private final AtomicInteger requestedTransferTarget = new AtomicInteger(RaftNode.NO_MEMBER);
    private final ShutdownHandover shutdownHandover;
    private final PendingProposals pending;
    private final NodeListener listener;
    private final EpochNanoClock clock;
    private final long commitHintIntervalNs;
    private final ProposalQueue.ProposalHandler proposalHandler = this::onProposal;
    private final CountDownLatch started = new CountDownLatch(1);
    private final SnapshotConfig snapshotConfig;
    private final ManyToOneConcurrentLinkedQueue<CompletableFuture<Long>> snapshotRequests =
        new ManyToOneConcurrentLinkedQueue<>();
    private final NodeErrorHandler errors;
    private final FileChannel spareHandle;
    private final MembershipChanges membershipChanges;

    // Opened by onStart, on the agent's thread.
    private NodeMedia media;
    private boolean driveMedia;
    private NodeCounters counters;
    private NodeStateFile state;
    private ArchiveLogStore log;
    private ConsensusPublisher consensusPublisher;
    private ConsensusAdapter consensusAdapter;
    private ResponseChannels responseChannels;
    private EgressPublisher egress;
    private Applier applier;
    private TimerTrigger timerTrigger;
    private SessionManager sessionManager;
    private IngressAdapter ingress;
    private ReadService reads;
    private SnapshotStore snapshots;
    private SnapshotWorker snapshotWorker;
    private SnapshotTaker snapshotTaker;
    private SnapshotPolicy snapshotPolicy;
    private SnapshotInfo latestSnapshot;
    private SnapshotSender snapshotSender;
    private VotingFence votingFence;
    private boolean probingTerm;
    private SnapshotReceiver snapshotReceiver;
    private final SnapshotTransferHandler snapshotTransfers = new SnapshotTransferHandler()
    {
        public void onSnapshotChunk(
            final int from,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long snapshotLength,
            final int snapshotChecksum,
            final long fileOffset,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (snapshotIndex <= applier.appliedIndex() && raft.onSnapshotChunk(from, term))
            {
                confirmHeldPrefix(from, term);
            }
            snapshotReceiver.onChunk(from, term, snapshotIndex, snapshotTerm, snapshotLength, snapshotChecksum,
                fileOffset, buffer, offset, length);
        }

        public void onSnapshotAck(
            final int from,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
            raft.onSnapshotAck(from, term);
            if (Role.LEADER == raft.role())
            {
                snapshotSender.onAck(from, term, snapshotIndex, snapshotTerm, nextOffset, status, nowNs);
            }
        }
    };
    private long snapshotRetryNs;
    private RaftNode raft;
    private Configuration publishedConfiguration;
    private Configuration configurationInEffect;
    private volatile Membership membership;
    private SessionTable sessions;
    private volatile Throwable startFailure;
    private volatile NodeFailedException failure;

    private long nowNs;
    private long durableIndex = -1;
    private long hintWrittenIndex;
    private long nextHintNs;
    private Role role = Role.FOLLOWER;
    private long term;
    private int leaderId = RaftNode.NO_MEMBER;
    private long leaderTerm = -1;
    private boolean closed;

    /**
     * @param ctx       concluded configuration of the node.
     * @param internals what the concluded configuration holds for the internals.
     * @param proposals the in-process proposal queue.
     * @param queries   the in-process query queue.
     */
    public NodeAgent(
        final ClusterNode.Context ctx,
        final NodeInternals internals,
        final ProposalQueue proposals,
        final QueryQueue queries)
    {
        this.ctx = ctx;
        this.raftConfig = internals.raftConfig();
        this.logContext = internals.logContext();
        this.mediaContext = internals.mediaContext();
        this.memberId = ctx.memberId();
        this.members = internals.members();
        this.proposals = proposals;
        this.queries = queries;
        this.listener = ctx.listener();
        this.clock = ctx.clock();
        this.commitLatency = new CommitLatency(clock, commitLatencyRecorder);
        this.commitHintIntervalNs = ctx.commitHintIntervalNs();
        this.pending = new PendingProposals(ctx.maxPendingProposals());
        this.snapshotConfig = ctx.snapshotConfig();
        this.errors = (NodeErrorHandler)ctx.errorHandler();
        this.shutdownHandover = new ShutdownHandover(memberId, raftConfig.heartbeatIntervalNs(),
            raftConfig.electionTimeoutMaxNs(), this::redirectClientsToNewLeader);
        this.spareHandle = openSpareHandle(ctx.dataDirectory());
        this.membershipChanges = new MembershipChanges(memberId, members, ctx.catchupEntries(), ctx.catchupTimeoutNs());
        preloadFailurePath();
    }

    /**
     * A file handle held for the failure path: closed first when the node closes, it lets a process out of file
     * handles load the classes and list the directories that closing needs.
     */
    private static FileChannel openSpareHandle(final File dataDirectory)
    {
        try
        {
            return FileChannel.open(dataDirectory.toPath(), StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the data directory " + dataDirectory, ex);
        }
    }

    /**
     * Load every class the failure path needs now: out of file handles, a class loaded from a directory at the
     * moment of the failure would fail to load and hide the failure behind a NoClassDefFoundError.
     */
    private static void preloadFailurePath()
    {
        FailureCause.of(new IllegalStateException("preload"));
        new NodeFailedException(0, null, FailureCause.JVM_ERROR, new IllegalStateException("preload")).getMessage();
        Resources.closeAll();
    }

    /**
     * Start the node on the agent's own thread, so that in COMPACT threading one thread owns the media stack from
     * launch to close: launch the media, open the reply channels and the egress, restart from the state file and
     * the log ({@link NodeRecovery}), then open the consensus publisher, start Raft, and open the consensus adapter,
     * the session manager and the client ingress.
     */
    public void onStart()
    {
        try
        {
            media = NodeMedia.launch(mediaContext);
            driveMedia = NodeMedia.Threading.COMPACT == media.context().threading();
            counters = new NodeCounters(media.aeron(), memberId);

            responseChannels = new ResponseChannels(media.aeron(),
                new ResponseChannelPolicy(ctx.responseMaxTermLength(), ctx.ipcIngress()),
                ctx.responseMaxPublications(), counters, ctx.errorHandler());
            sessions = new SessionTable(responseChannels);
            egress = new EgressPublisher(members, sessions, responseChannels, counters);

            nowNs = clock.nanoTime();
            final AppliedConfiguration configuration =
                new AppliedConfiguration(members.bootstrapConfiguration(memberId, ctx.join()));
            final NodeRecovery recovery = NodeRecovery.recover(ctx, logContext, media, (recoveredLog) -> new Applier(
                recoveredLog, ctx.stateMachine(), sessions, egress, proposals, pending, counters,
                raftConfig.maxBatchBytes(), applyLatency, configuration), nowNs);
            state = recovery.state();
            log = recovery.log();
            snapshots = recovery.snapshots();
            applier = recovery.applier();
            hintWrittenIndex = recovery.commitIndex();
            snapshotWorker = new SnapshotWorker("flotilla-snapshot-" + memberId, ctx.errorHandler());
            snapshotTaker = new SnapshotTaker(snapshots, snapshotWorker, ctx.stateMachine(), applier::snapshotHead);
            snapshotPolicy = new SnapshotPolicy(snapshotConfig, memberId, members.ids());
            onSnapshotInPlace(recovery.snapshot());

            final boolean blank = !state.existed() && 0 == log.lastIndex() && null == recovery.snapshot();
            final boolean resumingRejoin = state.votingFence();
            if (ctx.rejoinAfterDataLoss() && blank)
            {
                state.writeVotingFence(true, NodeStateFile.NO_REFUSED_TERM); // durable before anything is received
            }
            votingFence = new VotingFence(state.votingFence(), state.votesRefusedThroughTerm());
            counters.votingFence(votingFence.isFenced());
            if (votingFence.isFenced())
            {
                LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": rejoining after data loss" +
                    (resumingRejoin ? " (begun before a restart; " + state.file() + " says so)" : "") + ": follows " +
                    "no leader until enough of the other voters told it their terms, and takes no part in elections " +
                    "until caught up with the leader");
            }
            if (ctx.insecurePeers())
            {
                LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": UNAUTHENTICATED PEERS (" +
                    ClusterNode.Context.INSECURE_PEERS_PROP + "=true): any host that can reach the consensus ports " +
                    "can forge votes, entries and responses, lose acknowledged writes and stop the cluster; use only " +
                    "on an isolated network, else set " + ClusterNode.Context.CLUSTER_KEY_FILE_PROP);
            }
            consensusPublisher = new ConsensusPublisher(media.aeron(), media.maxMessageLength(), members,
                ctx.consensusChannel(), memberId,
                log, counters, raftConfig.maxBatchBytes(), (to, term) -> snapshotSender.offer(to, term, nowNs),
                votingFence, new MessageSigner(ctx.clusterKeys(), memberId, clock));
            snapshotSender = new SnapshotSender(new SnapshotSender.Context()
                .memberId(memberId)
                .chunkLength(snapshotConfig.chunkBytes())
                .windowBytes(snapshotConfig.installWindowBytes())
                .budgetBytesPerCycle(snapshotConfig.installCycleBytes())
                .keepAliveIntervalNs(raftConfig.heartbeatIntervalNs()),
                snapshots, consensusPublisher, ctx.errorHandler(), counters.snapshotBytesSent());
            if (null != latestSnapshot)
            {
                snapshotSender.latest(latestSnapshot);
            }
            raft = new RaftNode(
                raftConfig,
                memberId,
                recovery.configs(),
                new ArchiveRaftLog(memberId, log, applier, commitLatency),
                recovery.term(),
                recovery.votedFor(),
                recovery.commitIndex(),
                consensusPublisher,
                this,
                new SplittableRandom());
            raft.raiseStampFloor(recovery.clusterTimeNs());
            if (votingFence.isFenced())
            {
                raft.probeTermBeforeFollowing(raft.configuration()); // the members spec: the voters now
                probingTerm = true;
            }
            membershipChanges.raft(raft);
            onConfigurationChanged(raft.configuration(), raft.committedConfiguration());
            timerTrigger = new TimerTrigger(applier.timers());
            consensusAdapter = new ConsensusAdapter(
                bind(media.aeron(), members.member(memberId).consensusChannel(ctx.consensusChannel()),
                    ClusterMembers.CONSENSUS_STREAM_ID,
                    "the consensus endpoint " + members.member(memberId).consensusEndpoint() + " of member " + memberId,
                    "its consensus port in " + ClusterNode.Context.MEMBERS_PROP),
                members,
                memberId,
                raft,
                snapshotTransfers,
                (sessionId, sequence, buffer, offset, length) ->
                    sessionManager.onForwardedRequest(sessionId, sequence, buffer, offset, length, nowNs),
                this::onLeaderIntroduction,
                votingFence,
                new MessageVerifier(ctx.clusterKeys(), memberId, clock, ctx.maxClockSkewNs(), counters),
                counters);
            snapshotReceiver = new SnapshotReceiver(memberId, clock::nanoTime, snapshots, snapshotWorker,
                consensusPublisher, raft::onSnapshotChunk, applier::appliedIndex, this::onSnapshotReceived,
                ctx.errorHandler(), counters.snapshotBytesReceived());
            // A read granted here waits for its index to apply at most an election timeout: by then a member that
            // still follows has heard its leader's commit index.
            reads = new ReadService(new PendingQueries(
                ctx.maxPendingReads(), ctx.maxPendingReadBytes(), raftConfig.electionTimeoutMaxNs()),
                raft::requestReadIndex, clock, ctx.stateMachine(), sessions, egress, queries, members, counters,
                ctx.errorHandler());
            sessionManager = new SessionManager(raft, sessions, egress, responseChannels,
                ctx.authenticator(), counters, ctx.sessionTimeoutNs(), ctx.maxSessions(), ctx.sessionMaxInflight(),
                ctx.attachMaxSkewNs(), ctx.forwardRequests() ?
                new RequestForwarder(raft, consensusPublisher::sendForwardedRequest, egress, counters) : null);
            try
            {
                ingress = new IngressAdapter(media.aeron(), members.member(memberId).ingressChannel(),
                    ctx.ipcIngress(), sessionManager, reads, counters.invalidMessages());
            }
            catch (final RuntimeException ex)
            {
                throw PortInUse.explain(ex, "the ingress endpoint " + members.member(memberId).ingressEndpoint() +
                    " of member " + memberId, "its ingress port in " + ClusterNode.Context.MEMBERS_PROP);
            }
            term = raft.currentTerm();
            counters.term(term);
            counters.commitIndex(recovery.commitIndex());
        }
        catch (final RuntimeException | Error ex)
        {
            startFailure = ex;
            try
            {
                closeResources();
            }
            catch (final RuntimeException closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw ex;
        }
        finally
        {
            started.countDown();
        }
    }

    /**
     * Subscribe to a UDP endpoint this member binds; a port already taken fails naming the setting to change.
     */
    private static Subscription bind(
        final Aeron aeron, final String channel, final int streamId, final String endpoint, final String setting)
    {
        try
        {
            return aeron.addSubscription(channel, streamId);
        }
        catch (final RuntimeException ex)
        {
            throw PortInUse.explain(ex, endpoint, setting);
        }
    }

    /**
     * Wait until {@link #onStart()} has finished on the agent's thread.
     *
     * @param runnerThread the agent's thread, to notice if it dies before starting.
     * @return the failure that stopped the start, or null when the node is running.
     */
    public Throwable awaitStart(final Thread runnerThread)
    {
        try
        {
            while (!started.await(10, TimeUnit.MILLISECONDS))
            {
                if (null != runnerThread && !runnerThread.isAlive())
                {
                    return new IllegalStateException("node agent thread ended before the node started");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return ex;
        }
        return startFailure;
    }

    /**
     * @return the node's counters; after a successful start.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @return the time from each entry's append to this node's log to this node learning it committed.
     */
    public LatencyRecorder commitLatency()
    {
        return commitLatencyRecorder;
    }

    /**
     * @return how long each command took the state machine.
     */
    public LatencyRecorder applyLatency()
    {
        return applyLatency;
    }

    /**
     * @return why the node stopped itself, or null while it runs or when it was closed.
     */
    public NodeFailedException failure()
    {
        return failure;
    }

    /**
     * @return the node's media stack; after a successful start.
     */
    public NodeMedia media()
    {
        return media;
    }

    public String roleName()
    {
        return "flotilla-node-" + memberId;
    }

    /**
     * One duty cycle. An error the node cannot go on after ({@link FailureCause#of}), thrown here or reported to the
     * {@link NodeErrorHandler}, ends the agent with a {@link NodeFailedException}; the runner reports it and {@link #onClose()} releases
     * everything. Any other error is reported by the runner and the next cycle goes on.
     */
    public int doWork()
    {
        try
        {
            checkFatalErrors();
            return dutyCycle();
        }
        catch (final NodeFailedException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            final FailureCause cause = FailureCause.of(ex);
            if (null == cause)
            {
                throw ex;
            }
            throw fail(cause, ex);
        }
    }

    /**
     * Stop for an error the node's parts or its media reported (to the {@link NodeErrorHandler}) rather than threw,
     * or for a media stack that closed itself.
     */
    private void checkFatalErrors()
    {
        final Throwable reported = errors.fatalError();
        if (null != reported)
        {
            throw fail(FailureCause.of(reported), reported);
        }
        if (media.isStopped())
        {
            throw fail(FailureCause.MEDIA_STOPPED, new IllegalStateException(
                "the archive, the media driver or the Aeron client closed itself"));
        }
    }

    /**
     * @return the failure that stops the node: the first one, should a second follow while it stops.
     */
    private NodeFailedException fail(final FailureCause cause, final Throwable error)
    {
        if (null == failure)
        {
            failure = new NodeFailedException(memberId, ctx.dataDirectory(), FailureCause.onDisksOf(
                cause, ctx.dataDirectory(), new File(mediaContext.aeronDirectoryName())), error);
        }
        return failure;
    }

    /**
     * The runner's error handler: errors go to the node's error handler, but an {@link Error} raised outside the duty
     * cycle (the JVM delivers a SIGBUS in compiled code at a later safepoint, in the idle strategy say), which ends
     * the runner's loop, becomes the node's failure first; once the node is stopping, later errors are noted only.
     */
    public void onRunnerError(final Throwable error)
    {
        final NodeFailedException stopping = this.failure;
        if (null != stopping && error != stopping)
        {
            LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": while stopping: " + error);
            return;
        }
        ctx.errorHandler().onError(error instanceof Error ? fail(FailureCause.of(error), error) : error);
    }

    private static FailureCause causeOr(final Throwable error, final FailureCause otherwise)
    {
        final FailureCause cause = FailureCause.of(error);
        return null != cause ? cause : otherwise;
    }

    private int dutyCycle()
    {
        int work = driveMedia ? media.doWork() : 0;
        nowNs = clock.nanoTime();

        work += log.doWork();
        // Contact with the leader is timed when its messages are seen, not before the log's work (see advanceClock).
        raft.advanceClock(clock.nanoTime());
        work += consensusAdapter.poll();
        work += consensusPublisher.connect(nowNs);
        work += counters.takeFollowerCounters();
        work += ingress.poll(nowNs);
        work += sessionManager.doWork(nowNs);
        work += proposals.drain(proposalHandler, PROPOSAL_DRAIN_LIMIT);

        final long durable = log.durableIndex();
        if (durable != durableIndex)
        {
            durableIndex = durable;
            raft.onDurable(durable);
            work++;
        }

        work += membershipChanges.poll(nowNs, log.lastIndex());
        work += startRequestedTransfer();
        work += shutdownHandover.doWork(raft, nowNs);
        work += raft.tick(nowNs);
        if (probingTerm && !raft.isProbingTerm())
        {
            probingTerm = false;
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": learned term " + raft.currentTerm() +
                " from the other voters: follows a leader of that term or a later one");
        }
        work += applyCommitted();
        work += timerTrigger.doWork(raft, nowNs, applier.appliedIndex());
        if (votingFence.update(raft, log, applier.appliedIndex()))
        {
            state.writeVotingFence(false, votingFence.refusedThroughTerm());
            counters.votingFence(false);
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": caught up with leader " + raft.leaderId() +
                " at index " + raft.commitIndex() + " term " + raft.currentTerm() + ": takes part in elections again");
        }
        work += reads.doWork(applier.appliedIndex(), nowNs);
        work += snapshotWorker.drain();
        work += maybeTakeSnapshot();
        work += snapshotSender.doWork(nowNs);
        work += responseChannels.doWork(nowNs);
        work += persistCommitHint(false);
        publishLevels();

        return work;
    }

    /**
     * The levels that status and metrics read from other threads: a few release stores per duty cycle.
     */
    private void publishLevels()
    {
        counters.durableIndex(durableIndex);
        counters.logLastIndex(log.lastIndex());
        counters.sessions(sessions.openCount());
        for (final int id : peerIds)
        {
            counters.followerMatchIndex(id, raft.matchIndex(id));
        }
    }

    /**
     * Ask, from any thread, that leadership be handed to a member at the agent's next duty cycle.
     *
     * @param memberId the member to lead next.
     */
    public void requestLeadershipTransfer(final int memberId)
    {
        requestedTransferTarget.set(memberId);
    }

    /**
     * Ask, from any thread, that this node hand its leadership over because it is about to close
     * ({@link ShutdownHandover}).
     */
    public void requestShutdownHandover()
    {
        shutdownHandover.request();
    }

    /**
     * @return whether the handover asked for by {@link #requestShutdownHandover()} has ended: another member leads,
     * or there was none to take over (any thread).
     */
    public boolean isShutdownHandoverDone()
    {
        return shutdownHandover.isDone();
    }

    /**
     * Ask, from any thread, for a snapshot at the applied index as soon as the node can take one.
     *
     * @return completed, on the node thread, with the snapshot's index, or with the reason it failed.
     */
    public CompletableFuture<Long> requestSnapshot()
    {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        snapshotRequests.offer(result);
        return result;
    }

    /**
     * Take a snapshot when one is due (the log since the last passed a threshold) or requested, unless one is being
     * written. A leader whose state machine has only the blocking form hands leadership to a caught-up follower
     * first, and tries again after an election timeout.
     */
    private int maybeTakeSnapshot()
    {
        if (snapshotTaker.isTaking() || nowNs - snapshotRetryNs < 0)
        {
            return 0;
        }

        final long applied = applier.appliedIndex();
        final boolean requested = !snapshotRequests.isEmpty();
        if (!requested && !(snapshotConfig.isAutomatic() && snapshotPolicy.isDue(applied, endPositionOf(applied))))
        {
            return 0;
        }
        if (null != latestSnapshot && latestSnapshot.index() == applied)
        {
            completeSnapshotRequests(latestSnapshot, null);
            return 1;
        }

        final long startNs = nowNs;
        final SnapshotTaker.Start start;
        try
        {
            start = snapshotTaker.take(applied, log.termAt(applied), applier.configuration().configuration().voters(),
                Role.LEADER == role,
                (info, failure) -> onSnapshotTaken(info, failure, startNs));
        }
        catch (final RuntimeException ex)
        {
            // The blocking form failed on this thread: reported and retried later, like a failure on the worker.
            onSnapshotTaken(null, ex, startNs);
            return 1;
        }
        if (SnapshotTaker.Start.NEEDS_FOLLOWER == start)
        {
            final int target = raft.mostUpToDatePeer();
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": snapshot due at index " + applied +
                " but the state machine has only the blocking form: handing leadership to " + target + " first");
            if (RaftNode.NO_MEMBER != target)
            {
                raft.transferLeadership(target);
            }
            snapshotRetryNs = nowNs + raftConfig.electionTimeoutMaxNs();
        }
        return 1;
    }

    private void onSnapshotTaken(final SnapshotInfo info, final Throwable failure, final long startNs)
    {
        if (null != failure)
        {
            final FailureCause fatal = FailureCause.of(failure);
            if (null != fatal)
            {
                throw fail(fatal, failure);
            }
            LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": snapshot failed; the previous one " +
                "stays, next attempt in " + SNAPSHOT_RETRY_NS / 1_000_000 + " ms", failure);
            snapshotRetryNs = nowNs + SNAPSHOT_RETRY_NS;
            completeSnapshotRequests(null, failure);
            return;
        }

        onSnapshotInPlace(info);
        snapshotSender.latest(info);
        LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": snapshot at index " + info.index() +
            " term " + info.term() + ", " + info.length() + " bytes in " + (nowNs - startNs) / 1_000_000 + " ms");
        compactBefore(info.index() + 1 - snapshotConfig.retainEntries());
        completeSnapshotRequests(info, null);
    }

    /**
     * Release the log before {@code firstIndexToKeep}: the log-start record is forced on the snapshot thread, then
     * the log forgets the entries before it on this thread and the archive purges its segments asynchronously (the
     * log store logs when it has).
     */
    private void compactBefore(final long firstIndexToKeep)
    {
        final ArchiveLogStore.Compaction compaction = log.planCompaction(firstIndexToKeep);
        if (null == compaction)
        {
            return;
        }
        snapshotWorker.submit(compaction::persist, (persisted, failure) ->
        {
            if (null != failure)
            {
                final FailureCause fatal = FailureCause.of(failure);
                if (null != fatal)
                {
                    throw fail(fatal, failure);
                }
                LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": log compaction to index " +
                    compaction.firstIndex() + " failed; the log keeps its entries", failure);
            }
            else if (persisted)
            {
                final long firstBefore = log.firstIndex();
                counters.logFirstIndex(log.compact(compaction));
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": log compacted from " + firstBefore +
                    " to " + log.firstIndex() + ".." + log.lastIndex());
            }
        });
    }

    /**
     * A snapshot is this node's newest: taken, loaded at restart or installed from the leader.
     */
    private void onSnapshotInPlace(final SnapshotInfo info)
    {
        if (null == info)
        {
            counters.logFirstIndex(log.firstIndex());
            return;
        }
        latestSnapshot = info;
        snapshotPolicy.snapshotAt(info.index(), endPositionOf(info.index()));
        counters.snapshotIndex(info.index());
        counters.logFirstIndex(log.firstIndex());
    }

    /**
     * A snapshot from the leader arrived whole and verified: load it unless the node already applied past it, tell
     * the core (which aligns the log and answers the leader), and let the receiver acknowledge it.
     */
    private void onSnapshotReceived(final int from, final long term, final SnapshotInfo info)
    {
        if (info.index() > applier.appliedIndex())
        {
            final long startNs = clock.nanoTime();
            try (SnapshotReader reader = snapshots.openReceived(info))
            {
                applier.loadSnapshot(reader, nowNs);
            }
            catch (final IOException | RuntimeException ex)
            {
                // The state machine may be half replaced: this node cannot go on.
                throw fail(causeOr(ex, FailureCause.CORRUPT_DATA), new IllegalStateException(
                    "cannot load the snapshot " + info.path() + " received from " + from, ex));
            }
            raft.raiseStampFloor(applier.clusterTimeNs());
            raft.onSnapshotInstalled(from, term, info.index(), info.term(), applier.configuration().configuration());
            counters.commitIndex(raft.commitIndex());
            counters.snapshotsInstalled().incrementRelease();
            onSnapshotInPlace(info);
            snapshotSender.latest(info);
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": installed a snapshot of " + info.length() +
                " bytes at index " + info.index() + " term " + info.term() + " from leader " + from + " (loaded in " +
                (clock.nanoTime() - startNs) / 1_000_000 + " ms); log now " + log.firstIndex() + ".." +
                log.lastIndex());
        }
        snapshotReceiver.installed(info);
    }

    /**
     * The leader offers a snapshot this node has already applied past (its view of this node is stale): tell it, through
     * the core, how far this node holds the committed log, so that it replicates from there instead of offering again.
     */
    private void confirmHeldPrefix(final int from, final long term)
    {
        final long held = Math.min(applier.appliedIndex(), raft.commitIndex());
        final long heldTerm = log.termAt(held);
        if (held > 0 && heldTerm > 0)
        {
            raft.onSnapshotInstalled(from, term, held, heldTerm);
        }
    }

    private void completeSnapshotRequests(final SnapshotInfo info, final Throwable failure)
    {
        CompletableFuture<Long> request;
        while (null != (request = snapshotRequests.poll()))
        {
            if (null == failure)
            {
                request.complete(info.index());
            }
            else
            {
                request.completeExceptionally(failure);
            }
        }
    }

    /**
     * @return the recording position after an entry, or the log's start for the compacted prefix; -1 when the entry
     * has not reached the log's publication yet.
     */
    private long endPositionOf(final long index)
    {
        return log.endPosition(Math.max(index, log.firstIndex() - 1));
    }

    private int startRequestedTransfer()
    {
        if (RaftNode.NO_MEMBER == requestedTransferTarget.get())
        {
            return 0;
        }

        final int target = requestedTransferTarget.getAndSet(RaftNode.NO_MEMBER);
        if (raft.transferLeadership(target))
        {
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": transferring leadership to " + target);
        }
        return 1;
    }

    private int applyCommitted()
    {
        try
        {
            final int applied = applier.apply(nowNs);
            if (applied > 0)
            {
                raft.onApplied(applier.appliedIndex());
            }
            return applied;
        }
        catch (final RuntimeException ex)
        {
            // A state machine that throws, or a log that cannot be applied: going on would let the replicas diverge.
            throw fail(causeOr(ex, FailureCause.CORRUPT_DATA), ex);
        }
    }

    /**
     * Persist the applied index as the commit hint, on occasion (not per entry), so a restart replays it at once.
     */
    private int persistCommitHint(final boolean force)
    {
        final long applied = applier.appliedIndex();
        if (applied > hintWrittenIndex && (force || nowNs - nextHintNs >= 0))
        {
            state.write(raft.currentTerm(), raft.votedFor(), applied);
            hintWrittenIndex = applied;
            nextHintNs = nowNs + commitHintIntervalNs;
            return 1;
        }
        return 0;
    }

    /**
     * Close everything. After a {@link #failure()} nothing more is written; what fails to close is logged (the
     * failure itself was reported once already), the proposal queue closes so that later proposals complete
     * CLOSED at once, and the termination hook runs: the lock, the ports and the Aeron directory are free by then.
     */
    public void onClose()
    {
        final NodeFailedException failure = this.failure;
        try
        {
            closeResources();
        }
        catch (final RuntimeException | Error ex)
        {
            if (null == failure)
            {
                throw ex;
            }
            LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": while stopping: " + ex);
        }
        if (null != failure)
        {
            proposals.close();
            queries.close();
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": stopped (" + failure.failureCause() +
                "); its data directory lock, ports and Aeron directory are released");
            try
            {
                ctx.terminationHook().run();
            }
            catch (final RuntimeException ex)
            {
                ctx.errorHandler().onError(ex);
            }
        }
    }

    /**
     * Persist the commit hint and send the clients bound here to the leader (not after a failure), complete pending
     * proposals and queries with CLOSED, and close
     * the ingress, reply channels, consensus publications and subscription, log, counters and media stack, each even
     * when an earlier one fails; idempotent, tolerates a partial start.
     */
    private void closeResources()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (null != raft && null == failure)
            {
                persistCommitHint(true);
                redirectClients();
            }
        }
        finally
        {
            while (!pending.isEmpty())
            {
                proposals.complete(pending.removeHead(), proposals.agentResult().set(
                    ProposalStatus.CLOSED, 0, leaderId, members.ingressEndpointOf(leaderId), null, 0, 0));
            }
            if (null != reads)
            {
                reads.close();
            }
            completeSnapshotRequests(null, new IllegalStateException("node closed"));
            membershipChanges.close();
            if (null != counters)
            {
                counters.freeze();
            }
            // A failed node closes its Aeron client first: the log then does not wait for an archive that may be
            // dead to record what it holds. The counters were frozen above: their memory goes with the client.
            final AutoCloseable aeronIfFailed = null != failure && null != media ? media.aeron() : null;
            Resources.closeAll(spareHandle, aeronIfFailed, snapshotSender, snapshotReceiver, snapshotWorker, ingress,
                responseChannels, consensusPublisher, consensusAdapter, log, state, counters, media);
        }
    }

    /**
     * A node that closes (not after a failure) tells the clients whose sessions are bound here to go to the leader at
     * once (NOT_LEADER with a hint, or without one while this node still leads or knows none), rather than finding
     * out by their response timeout; then drives its media a few times so that, in COMPACT threading, the driver
     * sends the answers before it closes.
     */
    private void redirectClients()
    {
        if (null != startFailure || null == sessionManager)
        {
            return;
        }
        nowNs = clock.nanoTime();
        if (Role.LEADER == role)
        {
            egress.onRoleChange(Role.FOLLOWER, term, RaftNode.NO_MEMBER); // a closing leader names no leader
        }
        if (sessionManager.redirectBoundSessions(nowNs) > 0 && driveMedia)
        {
            for (int i = 0; i < REDIRECT_SEND_CYCLES; i++)
            {
                media.doWork();
            }
        }
    }

    /**
     * A closing leader has handed leadership over: its clients are sent to the new leader now, on the duty cycle
     * that learns of it, rather than when the agent closes; that comes after the closing thread wakes, the agent
     * stops and the commit hint is forced to disk, 5 to 25 ms more of the client-visible gap measured under load.
     * The close sends them there once more (a client already there ignores it).
     */
    private void redirectClientsToNewLeader()
    {
        sessionManager.redirectBoundSessions(nowNs);
    }

    private void onProposal(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        final long index = raft.propose(EntryType.COMMAND, 0, 0, buffer, offset, length);
        if (index > 0)
        {
            counters.proposals().incrementRelease();
            pending.add(index, raft.currentTerm(), slot);
            return;
        }

        final ProposalStatus status =
            RaftNode.BACK_PRESSURED == index ? ProposalStatus.BACK_PRESSURED : ProposalStatus.NOT_LEADER;
        final int leader = raft.leaderId();
        final ProposalResult result = proposals.agentResult().set(
            status, 0, leader, members.ingressEndpointOf(leader), null, 0, 0);
        proposals.complete(slot, result);
    }

    // RaftOutbox: called by the Raft node on this agent's thread.

    public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
    {
        final boolean[] moved = new boolean[Configuration.MAX_MEMBER_ID + 1];
        for (int id = 0; id <= Configuration.MAX_MEMBER_ID; id++)
        {
            final String endpoint = null != configuration.endpoint(id) ?
                configuration.endpoint(id) : committed.endpoint(id);
            moved[id] = null != endpoint && null != members.member(id) &&
                !members.member(id).endpoint().equals(endpoint);
            if (null != endpoint && id != memberId)
            {
                members.learn(id, endpoint);
            }
        }
        consensusPublisher.configure(configuration, committed, members, moved);
        if (configuration != configurationInEffect)
        {
            configurationInEffect = configuration;
            peerIds = IntStream.rangeClosed(0, Configuration.MAX_MEMBER_ID)
                .filter((id) -> id != memberId && configuration.isMember(id)).toArray();
            counters.followers((id) -> id != memberId && configuration.isMember(id));
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": configuration " + configuration +
                " from index " + raft.configurationIndex() +
                (configuration.isMember(memberId) ? "" : " (this node is not a member)"));
        }
        publishMembership();
    }

    private void onLeaderIntroduction(final int leaderId, final String endpoint)
    {
        final boolean known = null != members.member(leaderId);
        final boolean learned = members.learn(leaderId, endpoint);
        if (learned)
        {
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": leader " + leaderId + " introduced " +
                "itself at " + endpoint + " (this node has not received the configuration that names it yet)");
        }
        consensusPublisher.introduce(leaderId, members, known && learned);
    }

    /**
     * Let other threads see the committed configuration ({@code ClusterNode.membership()}) when it changed.
     */
    private void publishMembership()
    {
        if (null == raft)
        {
            return;
        }
        final Configuration committed = raft.committedConfiguration();
        if (committed != publishedConfiguration)
        {
            publishedConfiguration = committed;
            membership = MembershipChanges.view(committed, raft.committedConfigurationIndex());
        }
    }

    /**
     * @return the configuration committed on this node, as last published by the node thread (any thread).
     */
    public Membership membership()
    {
        return membership;
    }

    /**
     * Ask for a membership change from any thread ({@link MembershipChanges}).
     *
     * @return completed on the node thread with the committed configuration, or the reason it failed.
     */
    public CompletableFuture<Membership> requestMembershipChange(
        final MembershipChanges.Kind kind, final int memberId, final String endpoint, final int replacedId)
    {
        return membershipChanges.request(kind, memberId, endpoint, replacedId);
    }

    public void persistState(final long term, final int votedFor)
    {
        state.write(term, votedFor, Math.max(hintWrittenIndex, 0));
    }

    public void onCommitIndex(final long commitIndex)
    {
        publishMembership();
        applier.commitIndex(commitIndex);
        counters.commitIndex(commitIndex);
        commitLatency.onCommitted(commitIndex);
        try
        {
            listener.onCommit(memberId, commitIndex);
        }
        catch (final RuntimeException ex)
        {
            listenerFailed(ex);
        }
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        final Role previousRole = this.role;
        final long previousTerm = this.term;
        final int previousLeaderId = this.leaderId;
        this.role = role;
        this.term = term;
        this.leaderId = leaderId;
        counters.role(role);
        counters.term(term);
        counters.leader(leaderId);
        egress.onRoleChange(role, term, leaderId);
        if (Role.LEADER != role && null != snapshotSender)
        {
            snapshotSender.clear();
        }

        if (role != previousRole)
        {
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": " + previousRole + " -> " + role +
                " term " + term + " leader " + leaderId + ": " +
                roleChangeReason(previousRole, previousTerm, previousLeaderId, role, term, leaderId));
            if (Role.CANDIDATE == role)
            {
                sessionManager.onCampaign(nowNs);
                counters.elections().incrementRelease();
                if (raft.isTransferCampaign())
                {
                    counters.transferElections().incrementRelease();
                }
            }
            if (Role.LEADER == role)
            {
                sessionManager.onLeadershipAcquired(nowNs);
            }
        }
        else if (Role.CANDIDATE == role && term != previousTerm)
        {
            // Without pre-vote a candidate that cannot win starts one election per timeout: detail only.
            LOGGER.log(System.Logger.Level.DEBUG, () -> "member " + memberId + ": election timeout: election for term " +
                term);
        }
        try
        {
            if (role != previousRole || term != previousTerm)
            {
                listener.onRoleChange(memberId, role, term);
            }
            if (RaftNode.NO_MEMBER != leaderId && term != leaderTerm)
            {
                leaderTerm = term;
                if (role == previousRole && memberId != leaderId)
                {
                    // A follower that finds the new leader without a role change; the winner and a deposed node
                    // say so in their role change line.
                    LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": follows leader " + leaderId +
                        " elected in term " + term);
                }
                listener.onLeaderElected(memberId, leaderId, term);
            }
        }
        catch (final RuntimeException ex)
        {
            listenerFailed(ex);
        }
    }

    /**
     * Why the role changed, as far as the change itself tells: which election a node starts (from which term, after
     * a timeout or for a transfer), which it won, and why it stepped down.
     */
    private String roleChangeReason(
        final Role previousRole,
        final long previousTerm,
        final int previousLeaderId,
        final Role role,
        final long term,
        final int leaderId)
    {
        final String lastLeader = RaftNode.NO_MEMBER == previousLeaderId ? "no leader in term " + previousTerm :
            "leader " + previousLeaderId + " of term " + previousTerm;
        switch (role)
        {
            case PRE_CANDIDATE:
                return "election timeout, " + lastLeader + (RaftNode.NO_MEMBER == previousLeaderId ? "" : " silent") +
                    ": pre-vote for term " + (term + 1);

            case CANDIDATE:
                if (Role.PRE_CANDIDATE == previousRole)
                {
                    return "won the pre-vote: election for term " + term;
                }
                // With pre-vote, only a transfer (TimeoutNow from the leader) starts an election without one.
                return (raftConfig.preVote() ? "leadership transfer from " : "election timeout or transfer " +
                    "from ") + lastLeader + ": election for term " + term;

            case LEADER:
                return "won the election for term " + term;

            default:
                if (term > previousTerm)
                {
                    return "saw term " + term + " (was " + previousTerm + ")";
                }
                if (Role.LEADER == previousRole)
                {
                    return "check-quorum: no majority heard within an election timeout";
                }
                return RaftNode.NO_MEMBER == leaderId ? "no leader known in term " + term :
                    "leader " + leaderId + " of term " + term + " found";
        }
    }

    public void onReadIndex(final long readId, final long readIndex)
    {
        reads.onReadIndex(readId, readIndex);
    }

    public void onReadIndexFailed(final long readId)
    {
        reads.onReadIndexFailed(readId);
    }

    public void onMessageDropped()
    {
        counters.droppedMessages().incrementRelease();
    }

    /**
     * A listener is called from inside the Raft node: its failure is reported, never allowed to unwind Raft.
     */
    private void listenerFailed(final RuntimeException ex)
    {
        ctx.errorHandler().onError(ex);
    }
}
