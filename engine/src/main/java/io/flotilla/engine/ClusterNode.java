package io.flotilla.engine;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.archive.Settings;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.engine.node.ClusterMembers;
import io.flotilla.engine.node.MembershipChanges;
import io.flotilla.engine.node.NodeAgent;
import io.flotilla.engine.node.NodeCounters;
import io.flotilla.engine.node.NodeErrorHandler;
import io.flotilla.engine.node.NodeInternals;
import io.flotilla.engine.node.PendingQueries;
import io.flotilla.engine.node.ProposalQueue;
import io.flotilla.engine.node.QueryQueue;
import io.flotilla.engine.node.ResponseChannelPolicy;
import io.flotilla.engine.raft.RaftConfig;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A member of a Flotilla cluster, embedded in a service: its log (an Aeron Archive recording), its Raft node, its
 * transport to the other members, its client ingress and the apply loop that feeds the service's
 * {@link StateMachine}. All of it runs on one agent (plus, in DEDICATED threading, the driver's and archive's
 * threads). Launch with {@link #launch(Context)}; stop with {@link #close()}. A node that meets an error it cannot
 * go on after (a full disk, no file handles, a fault in a mapped file, a throwing state machine, see
 * {@link FailureCause}) stops itself: it reports one {@link NodeFailedException} to the error handler, releases
 * everything it holds and runs the {@link Context#terminationHook(Runnable) termination hook}; {@link #failure()}
 * says why. The library never exits the process: the embedder decides (the KV sample's launcher exits with 70).
 * <pre>{@code
 * try (ClusterNode node = ClusterNode.launch(new ClusterNode.Context()
 *     .memberId(0)
 *     .members("0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131")
 *     .dataDirectory(new File("run/node-0"))
 *     .clusterKeys(ClusterKeys.load(Path.of("run/cluster.key")))
 *     .stateMachine(new MyStateMachine())))
 * {
 *     node.awaitLeader(Duration.ofSeconds(10));
 *     node.propose(buffer, 0, length, result -> ...);      // allocation-free: the hot path
 *     node.query(ReadConsistency.LINEARIZABLE, query, 0, queryLength, result -> ...);
 *     ProposalResult result = node.propose(buffer, 0, length).get();   // a future: tools, tests, start-up
 * }
 * }</pre>
 * Closing a leader hands leadership to a follower first ({@link Context#shutdownTransferTimeoutNs(long)}).
 */
public final class ClusterNode implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(ClusterNode.class.getName());
    private static final String VERSION = loadVersion();
    private static final long HANDOVER_POLL_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long AWAIT_LEADER_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Context ctx;
    private final ProposalQueue proposals;
    private final QueryQueue queries;
    private final NodeAgent agent;
    private final AgentRunner runner;
    private final NodeCounters counters;
    private final long startedAtEpochMs;
    private volatile boolean closed;

    private ClusterNode(final Context ctx)
    {
        this.ctx = ctx;
        proposals = new ProposalQueue(ctx.proposalQueueBytes(), ctx.maxPendingProposals());
        queries = new QueryQueue(ctx.queryQueueBytes(), ctx.maxPendingReads());
        agent = new NodeAgent(ctx, ctx.internals(), proposals, queries);
        runner = new AgentRunner(ctx.idleStrategy(), agent::onRunnerError, null, agent);
        final Thread thread = AgentRunner.startOnThread(runner, (runnable) ->
        {
            final Thread agentThread = new Thread(runnable);
            // An Error that ends the thread was reported by the runner already (onRunnerError): printed once.
            agentThread.setUncaughtExceptionHandler((t, error) -> {});
            return agentThread;
        });

        final Throwable failure = agent.awaitStart(thread);
        if (null != failure)
        {
            CloseHelper.quietClose(runner);
            proposals.close();
            queries.close();
            if (failure instanceof RuntimeException)
            {
                throw (RuntimeException)failure;
            }
            throw new IllegalStateException("member " + ctx.memberId() + " failed to start", failure);
        }
        counters = agent.counters();
        startedAtEpochMs = System.currentTimeMillis();
    }

    /**
     * Launch a node and return once it has started: on the node agent's own thread (so that one thread owns the
     * media stack from launch to close) it starts its media stack, recovers its log, replays the committed entries
     * into the state machine and starts Raft; then it joins the cluster.
     *
     * @param ctx configuration; concluded here.
     * @return the running node.
     * @throws IllegalArgumentException when the configuration is invalid, saying what to change.
     */
    public static ClusterNode launch(final Context ctx)
    {
        ctx.conclude();
        return new ClusterNode(ctx);
    }

    /**
     * Propose a command to the cluster, from any thread, without locks or allocation. The command is copied; the
     * caller keeps its buffer. The callback is called exactly once: with the state machine's result (OK or
     * REJECTED) once the command is committed and applied, or with NOT_LEADER (this node does not lead: the result
     * names the leader if one is known), DROPPED (leadership was lost and another leader's entry replaced the
     * command), BACK_PRESSURED or CLOSED.
     *
     * @param buffer   holding the command.
     * @param offset   of the command.
     * @param length   of the command, at most {@link #maxCommandLength()}.
     * @param callback to complete; on the node's agent thread, or on this thread when the proposal is not queued.
     * @return true when queued; false when the callback has already been called with BACK_PRESSURED or CLOSED.
     */
    public boolean propose(final DirectBuffer buffer, final int offset, final int length, final ProposalCallback callback)
    {
        return proposals.offer(buffer, offset, length, callback);
    }

    /**
     * Propose a command and get its outcome as a future: the convenient form, for code off the hot path (tests,
     * tools, admin actions, start-up). It allocates (the future, a callback and a copy of the result with its
     * payload) where {@link #propose(DirectBuffer, int, int, ProposalCallback)} does not: use that one on a trading
     * path. The outcome is the same, and the future always completes normally with it (check
     * {@link ProposalResult#status()}): OK or REJECTED with the state machine's response, NOT_LEADER, DROPPED,
     * BACK_PRESSURED, CLOSED or UNKNOWN.
     * <p>
     * The future is completed on the node's agent thread (or on this thread when the proposal is not queued), so a
     * stage chained with a non-{@code Async} method runs there: keep it short and never block in it (waiting there
     * on another proposal's future would stop the node). Chain slow work with an {@code *Async} method.
     *
     * @param buffer holding the command; copied, the caller keeps it.
     * @param offset of the command.
     * @param length of the command, at most {@link #maxCommandLength()}.
     * @return completed with a copy of the result, which the caller may keep.
     */
    public CompletableFuture<ProposalResult> propose(final DirectBuffer buffer, final int offset, final int length)
    {
        final CompletableFuture<ProposalResult> future = new CompletableFuture<>();
        propose(buffer, offset, length, (result) -> future.complete(result.copy()));
        return future;
    }

    /**
     * Query the state machine without a log entry ({@link StateMachine#query}), from any thread, without locks or
     * allocation, on the leader or a follower alike. The query is copied; the caller keeps its buffer. Once this
     * member has a read index for it (a round of heartbeats confirming the leader, or the leader's lease for
     * {@link ReadConsistency#LEASE}; a follower asks the leader) and has applied that far, the state machine answers
     * on the node's thread. The callback is called exactly once: with the answer (OK, REJECTED, or ERROR when the
     * state machine threw) and the applied index it was read at, or with NOT_LEADER (no read index to be had here
     * now: the result names the leader if one is known), BACK_PRESSURED or CLOSED.
     *
     * @param consistency how the answer is made linearizable.
     * @param buffer      holding the query.
     * @param offset      of the query.
     * @param length      of the query, at most {@link #maxQueryLength()}.
     * @param callback    to complete; on the node's agent thread, or on this thread when the query is not queued.
     * @return true when queued; false when the callback has already been called with BACK_PRESSURED or CLOSED.
     */
    public boolean query(
        final ReadConsistency consistency,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final QueryCallback callback)
    {
        return queries.offer(consistency, buffer, offset, length, callback);
    }

    /**
     * Query the state machine and get its answer as a future: the convenient form, for code off the hot path. It
     * allocates (the future, a callback and a copy of the result with its payload) where
     * {@link #query(ReadConsistency, DirectBuffer, int, int, QueryCallback)} does not. The answer is the same, and
     * the future always completes normally with it (check {@link QueryResult#status()}). Completed on the node's
     * agent thread (or on this thread when the query is not queued): never block in a stage chained with a
     * non-{@code Async} method.
     *
     * @param consistency how the answer is made linearizable.
     * @param buffer      holding the query; copied, the caller keeps it.
     * @param offset      of the query.
     * @param length      of the query, at most {@link #maxQueryLength()}.
     * @return completed with a copy of the result, which the caller may keep.
     */
    public CompletableFuture<QueryResult> query(
        final ReadConsistency consistency, final DirectBuffer buffer, final int offset, final int length)
    {
        final CompletableFuture<QueryResult> future = new CompletableFuture<>();
        query(consistency, buffer, offset, length, (result) -> future.complete(result.copy()));
        return future;
    }

    /**
     * Wait, on this thread, until this node knows a leader (itself or another member), for example after
     * {@link #launch} before the first proposal. Any thread but the node's own.
     *
     * @param timeout how long to wait at most.
     * @return the leader's member id.
     * @throws TimeoutException      when no leader is known to this node by then (an election that cannot be won:
     *                               too few members running or reachable).
     * @throws IllegalStateException when the node is closed or stopped itself ({@link #failure()} is the cause).
     * @throws InterruptedException  when this thread is interrupted while waiting.
     */
    public int awaitLeader(final Duration timeout) throws TimeoutException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            // A stopped node's last known leader is no answer.
            if (!isRunning())
            {
                throw new IllegalStateException("member " + ctx.memberId() + " is " +
                    (null == failure() ? "closed" : "stopped"), failure());
            }
            final int leader = leaderMemberId();
            if (ProposalResult.NO_LEADER != leader)
            {
                return leader;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new TimeoutException("member " + ctx.memberId() + " knows no leader after " +
                    timeout.toMillis() + " ms (term " + term() + ", role " + role() + "): are a majority of " +
                    ctx.membersSpec() + " running and reachable?");
            }
            LockSupport.parkNanos(AWAIT_LEADER_POLL_NS);
            if (Thread.interrupted())
            {
                throw new InterruptedException("awaitLeader on member " + ctx.memberId());
            }
        }
    }

    /**
     * @return the longest query {@link #query} accepts.
     */
    public int maxQueryLength()
    {
        return queries.maxQueryLength();
    }

    /**
     * Ask this node, if it leads, to hand leadership to another member, for example before restarting it. Any
     * thread. The agent brings the target's log up to date, then tells it to campaign at once; proposals are
     * back-pressured meanwhile and the transfer is abandoned after an election timeout. Watch {@link #role()},
     * {@link #leaderMemberId()} or the {@link NodeListener} for the outcome: a node that does not lead ignores it.
     *
     * @param memberId of the member to lead next.
     * @return false when the node is closed or {@code memberId} is not another voting member; true when requested.
     */
    public boolean transferLeadership(final int memberId)
    {
        if (closed || memberId == ctx.memberId() || null == ctx.internals().members().member(memberId))
        {
            return false;
        }
        agent.requestLeadershipTransfer(memberId);
        return true;
    }

    /**
     * @return the cluster's members as committed on this node: the voters, the learners and their endpoints (any
     * thread; null before the node has started).
     */
    public Membership membership()
    {
        return agent.membership();
    }

    /**
     * Add a member while the cluster serves clients, on the leader: it joins as a learner (it receives the log, or a
     * snapshot, and counts for no quorum), and once its log is within {@link Context#catchupEntries()} of the
     * leader's it is promoted to voter. The new node is started first with {@link Context#join(boolean)} and a members
     * spec that names the cluster's members and itself. Any thread.
     *
     * @param memberId the new member's id, 0..127, not a member yet.
     * @param endpoint where the others reach it: {@code host:consensusPort:ingressPort}.
     * @return completed, on the node thread, with the committed configuration, or exceptionally with a
     * {@link MembershipException} naming why (for example {@link MembershipStatus#NOT_LEADER} with the leader's
     * endpoint, {@link MembershipStatus#CHANGE_IN_PROGRESS}, {@link MembershipStatus#NOT_CAUGHT_UP}).
     */
    public CompletableFuture<Membership> addMember(final int memberId, final String endpoint)
    {
        return membershipChange(MembershipChanges.Kind.ADD_MEMBER, memberId, endpoint, -1);
    }

    /**
     * As {@link #addMember} but the member stays a learner (a read replica, or to promote later with
     * {@link #promote}).
     */
    public CompletableFuture<Membership> addLearner(final int memberId, final String endpoint)
    {
        return membershipChange(MembershipChanges.Kind.ADD_LEARNER, memberId, endpoint, -1);
    }

    /**
     * Promote a learner to voter, on the leader; refused with {@link MembershipStatus#NOT_CAUGHT_UP} while it is
     * more than {@link Context#catchupEntries()} behind.
     */
    public CompletableFuture<Membership> promote(final int memberId)
    {
        return membershipChange(MembershipChanges.Kind.PROMOTE, memberId, null, -1);
    }

    /**
     * Remove a voter or a learner, on the leader. Removing the leader itself works: it steps down once the change
     * commits and the remaining voters elect one of them. The removed node is then stopped by its operator.
     */
    public CompletableFuture<Membership> removeMember(final int memberId)
    {
        return membershipChange(MembershipChanges.Kind.REMOVE, memberId, null, -1);
    }

    /**
     * Replace a voter (a dead one, say) with a new node, on the leader: the new node joins as a learner, catches up,
     * and is promoted in the same change that removes the old voter, so the number of voters never drops.
     *
     * @param oldMemberId the voter to remove.
     * @param newMemberId the new member's id, not a member yet.
     * @param endpoint    where the others reach the new member: {@code host:consensusPort:ingressPort}.
     */
    public CompletableFuture<Membership> replaceMember(
        final int oldMemberId, final int newMemberId, final String endpoint)
    {
        return membershipChange(MembershipChanges.Kind.REPLACE, newMemberId, endpoint, oldMemberId);
    }

    private CompletableFuture<Membership> membershipChange(
        final MembershipChanges.Kind kind, final int memberId, final String endpoint, final int replacedId)
    {
        if (closed)
        {
            return CompletableFuture.failedFuture(
                new MembershipException(MembershipStatus.CLOSED, "", "member " + ctx.memberId() + " is closed"));
        }
        return agent.requestMembershipChange(kind, memberId, endpoint, replacedId);
    }

    /**
     * Ask this node to take a snapshot at its applied index now (beside the automatic ones, see
     * {@link SnapshotConfig}); any thread. A leader whose state machine has only the blocking form hands leadership
     * over first. After the snapshot, the log before it is released (except {@link SnapshotConfig#retainEntries()}).
     *
     * @return completed with the snapshot's last included index, or exceptionally with the reason it failed;
     * completed on the node's thread, so chain slow work with an {@code *Async} method.
     */
    public CompletableFuture<Long> takeSnapshot()
    {
        if (closed)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("node is closed"));
        }
        return agent.requestSnapshot();
    }

    /**
     * @return the last included index of this node's newest snapshot (taken, loaded or installed), 0 when none.
     */
    public long snapshotIndex()
    {
        return counters.snapshotIndexView();
    }

    /**
     * @return the first index this node's log still holds (entries before it are in the snapshot).
     */
    public long logFirstIndex()
    {
        return counters.logFirstIndexView();
    }

    /**
     * @return the longest command {@link #propose} accepts.
     */
    public int maxCommandLength()
    {
        return proposals.maxCommandLength();
    }

    /**
     * @return this member's id.
     */
    public int memberId()
    {
        return ctx.memberId();
    }

    /**
     * @return the role this node plays now (any thread, also after close).
     */
    public Role role()
    {
        return counters.roleView();
    }

    /**
     * @return the leader this node knows, or -1 (any thread).
     */
    public int leaderMemberId()
    {
        return counters.leaderView();
    }

    /**
     * @return the current term (any thread).
     */
    public long term()
    {
        return counters.termView();
    }

    /**
     * @return the commit index (any thread).
     */
    public long commitIndex()
    {
        return counters.commitIndexView();
    }

    /**
     * @return the index of the last entry applied to the state machine (any thread).
     */
    public long appliedIndex()
    {
        return counters.appliedIndexView();
    }

    /**
     * Read one of the node's counters, from any thread, without stopping the node; after close, its last value.
     *
     * @param counter to read.
     * @return its value.
     */
    public long counter(final NodeCounter counter)
    {
        return counters.value(counter);
    }

    /**
     * What the node reports about itself, for status pages and tools: any thread, allocates, never stops the node.
     *
     * @return the node's role, indices, members and, on the leader, its followers' progress.
     */
    public NodeStatus status()
    {
        final ClusterMembers members = ctx.internals().members();
        final Membership membership = membership();
        final List<NodeStatus.Member> memberList = new ArrayList<>();
        for (int id = 0; id <= ClusterMembers.MAX_MEMBER_ID; id++)
        {
            final ClusterMembers.Member member = members.member(id);
            if (null != member && (null == membership || membership.isVoter(id) || membership.isLearner(id)))
            {
                memberList.add(new NodeStatus.Member(id, member.consensusEndpoint(), member.ingressEndpoint(),
                    null != membership && membership.isLearner(id)));
            }
        }

        final long logLastIndex = counters.value(NodeCounter.LOG_LAST_INDEX);
        final List<NodeStatus.Follower> followers = new ArrayList<>();
        for (int id = 0; id <= ClusterMembers.MAX_MEMBER_ID; id++)
        {
            final long match = counters.followerMatchIndex(id);
            if (match >= 0)
            {
                followers.add(new NodeStatus.Follower(id, match, Math.max(0, logLastIndex - match)));
            }
        }

        final NodeFailedException failure = failure();
        return new NodeStatus(
            ctx.memberId(),
            role(),
            term(),
            leaderMemberId(),
            commitIndex(),
            appliedIndex(),
            counters.value(NodeCounter.DURABLE_INDEX),
            logFirstIndex(),
            logLastIndex,
            snapshotIndex(),
            (int)counters.value(NodeCounter.SESSIONS),
            1 == counters.value(NodeCounter.VOTING_FENCE),
            isRunning(),
            null == failure ? null : failure.getMessage(),
            startedAtEpochMs,
            VERSION,
            memberList,
            followers);
    }

    /**
     * @return everything recorded since launch, in nanoseconds: the time from each entry's append to this node's log
     * to this node learning it is committed (on the leader the replication and durability round); any thread, a
     * copy.
     */
    public Histogram commitLatency()
    {
        return agent.commitLatency().cumulative();
    }

    /**
     * @return everything recorded since launch, in nanoseconds: how long each command took the state machine's
     * {@link StateMachine#apply}; any thread, a copy.
     */
    public Histogram applyLatency()
    {
        return agent.applyLatency().cumulative();
    }

    /**
     * @return the Flotilla version of this library, for example {@code 0.1.0-SNAPSHOT}.
     */
    public static String version()
    {
        return VERSION;
    }

    private static String loadVersion()
    {
        try (InputStream in = ClusterNode.class.getResourceAsStream("version.properties"))
        {
            final Properties properties = new Properties();
            if (null != in)
            {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    /**
     * @return the Aeron directory of the node's media driver, where AeronStat finds its counters.
     */
    public String aeronDirectoryName()
    {
        return agent.media().context().aeronDirectoryName();
    }

    /**
     * @return false once the agent has stopped (closed, or stopped by an error such as a throwing state machine).
     */
    public boolean isRunning()
    {
        return !closed && !runner.isClosed() && null != runner.thread() && runner.thread().isAlive();
    }

    /**
     * @return why the node stopped itself (any thread), or null while it runs or when it was closed with
     * {@link #close()}.
     */
    public NodeFailedException failure()
    {
        return agent.failure();
    }

    /**
     * @return the concluded configuration.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Stop the node. A leader first hands leadership to its most up-to-date follower that answers and waits, on
     * this thread, until another member leads or {@link Context#shutdownTransferTimeoutNs(long)} passes (the node
     * thread runs the transfer; nothing blocks it), so the cluster does not wait an election timeout for a new
     * leader. Then the agent stops: on its thread it tells the clients whose sessions are bound here to go to the
     * leader (NOT_LEADER naming it, or naming none), persists the commit hint, completes pending proposals with
     * CLOSED and closes the transport, the ingress, the log and the media stack; then anything still queued completes
     * with CLOSED. A follower, a node that stopped itself and a close from the node's own thread do not wait.
     * Idempotent; may be called from the termination hook (the agent's own thread, which is then ending anyway).
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (Thread.currentThread() != runner.thread())
        {
            handOverLeadership();
        }
        closed = true;
        try
        {
            if (Thread.currentThread() != runner.thread())
            {
                CloseHelper.close(ctx.errorHandler(), runner);
            }
        }
        finally
        {
            proposals.close();
            queries.close();
            LOGGER.log(System.Logger.Level.INFO, "member " + ctx.memberId() + ": closed");
        }
    }

    /**
     * The graceful part of {@link #close()}: on a leader of a cluster of several, ask the agent to hand leadership
     * over, then wait until the handover is done (another member leads, or none can), the node stops, or the
     * timeout passes.
     */
    private void handOverLeadership()
    {
        final long timeoutNs = ctx.shutdownTransferTimeoutNs();
        if (0 == timeoutNs || ctx.internals().members().size() < 2 || Role.LEADER != role() || !isRunning())
        {
            return;
        }

        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + timeoutNs;
        agent.requestShutdownHandover();
        while (true)
        {
            if (agent.isShutdownHandoverDone())
            {
                final int leader = leaderMemberId();
                if (ProposalResult.NO_LEADER != leader && ctx.memberId() != leader)
                {
                    LOGGER.log(System.Logger.Level.INFO, "member " + ctx.memberId() + ": stopping: member " + leader +
                        " leads term " + term() + ", " + (System.nanoTime() - startNs) / 1_000 + " us after the " +
                        "handover began");
                }
                return;
            }
            if (!isRunning() || Thread.currentThread().isInterrupted())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                LOGGER.log(System.Logger.Level.WARNING, "member " + ctx.memberId() + ": stopping: no other member " +
                    "took leadership over within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (" +
                    Context.SHUTDOWN_TRANSFER_TIMEOUT_PROP + "); closing anyway");
                return;
            }
            LockSupport.parkNanos(HANDOVER_POLL_NS);
        }
    }

    /**
     * Configuration of a {@link ClusterNode}. Every setting has a {@code flotilla.*} system-property default;
     * {@link #conclude()} checks them all and fails with a message that says what to change. Its API names only types
     * of this package, the JDK and Agrona: the settings of the Raft core, the log store and the media stack are typed
     * setters here, which {@link #conclude()} turns into the internal parts the node is built from.
     */
    public static final class Context
    {
        /** This member's id: {@code flotilla.member.id} (required). */
        public static final String MEMBER_ID_PROP = "flotilla.member.id";
        /** The voting members, {@code id=host:consensusPort:ingressPort,...}: {@code flotilla.members} (required). */
        public static final String MEMBERS_PROP = "flotilla.members";
        /** Data directory of this node (log and state file): {@code flotilla.data.dir} (required). */
        public static final String DATA_DIR_PROP = NodeMedia.Context.DATA_DIR_PROP;
        /** State machine class with a no-argument constructor, when none is set in code: {@code flotilla.state.machine}. */
        public static final String STATE_MACHINE_PROP = "flotilla.state.machine";
        /** Class name of an {@link Authenticator} with a public no-argument constructor; default: allow all. */
        public static final String AUTHENTICATOR_PROP = "flotilla.authenticator";
        /** {@link Durability}: {@code flotilla.log.durability}, default FSYNC. */
        public static final String DURABILITY_PROP = NodeMedia.Context.DURABILITY_PROP;
        /** {@link Threading}: {@code flotilla.media.threading}, default COMPACT. */
        public static final String THREADING_PROP = NodeMedia.Context.THREADING_PROP;
        /** Aeron directory; default a unique one under /dev/shm: {@code flotilla.aeron.dir}. */
        public static final String AERON_DIR_PROP = NodeMedia.Context.AERON_DIR_PROP;
        /** Use a media driver already running at the Aeron directory: {@code flotilla.media.external.driver}. */
        public static final String EXTERNAL_DRIVER_PROP = NodeMedia.Context.EXTERNAL_DRIVER_PROP;
        /** Idle strategy of the node agent (backoff, noop, spin, yield, or a class name): {@code flotilla.idle.strategy}. */
        public static final String IDLE_STRATEGY_PROP = "flotilla.idle.strategy";
        /** Longest park of the {@code backoff} idle strategy (e.g. 100us): {@code flotilla.idle.max.park}. */
        public static final String IDLE_MAX_PARK_PROP = "flotilla.idle.max.park";
        /**
         * 100 us rather than Agrona's 1 ms: an idle node parks at most this long before it sees the next message,
         * and a command crosses three node duty cycles (leader, follower, leader), so at low rates the park is the
         * latency. Costs at most 10,000 wake-ups per second per idle node.
         */
        public static final long IDLE_MAX_PARK_DEFAULT_NS = TimeUnit.MICROSECONDS.toNanos(100);
        /** Session inactivity timeout (e.g. 10s): {@code flotilla.session.timeout}. */
        public static final String SESSION_TIMEOUT_PROP = "flotilla.session.timeout";
        /** Accept co-located clients over aeron:ipc too: {@code flotilla.ingress.ipc}, default true. */
        public static final String IPC_INGRESS_PROP = "flotilla.ingress.ipc";
        /** Open sessions before connects are rejected: {@code flotilla.max.sessions}. */
        public static final String MAX_SESSIONS_PROP = "flotilla.max.sessions";
        /**
         * Bound on, and default of, the term length of reply publications (e.g. 1m), a power of two from 64k to 16m:
         * {@code flotilla.response.max.term.length}. A reply's largest message is an eighth of it.
         */
        public static final String RESPONSE_MAX_TERM_LENGTH_PROP = ResponseChannelPolicy.MAX_TERM_LENGTH_PROP;
        /**
         * Reply publications open at once: {@code flotilla.response.max.publications}, default max sessions + 64
         * (room for connect rejects).
         */
        public static final String RESPONSE_MAX_PUBLICATIONS_PROP = "flotilla.response.max.publications";
        /** A session's commands proposed and not yet applied before BACK_PRESSURED: {@code flotilla.session.max.inflight}. */
        public static final String SESSION_MAX_INFLIGHT_PROP = "flotilla.session.max.inflight";
        /** Largest difference between a SessionAttach's timestamp and the node's clock: {@code flotilla.session.attach.max.skew}. */
        public static final String ATTACH_MAX_SKEW_PROP = "flotilla.session.attach.max.skew";
        /**
         * A follower binds attached sessions and forwards their requests to the leader instead of redirecting the
         * client: {@code flotilla.session.forward.requests}, default true.
         */
        public static final String FORWARD_REQUESTS_PROP = "flotilla.session.forward.requests";
        /** Bytes of the in-process proposal queue, a power of two: {@code flotilla.proposal.queue.bytes}. */
        public static final String PROPOSAL_QUEUE_BYTES_PROP = "flotilla.proposal.queue.bytes";
        /** In-process proposals in progress at once, a power of two: {@code flotilla.proposal.max.pending}. */
        public static final String MAX_PENDING_PROPOSALS_PROP = "flotilla.proposal.max.pending";
        /** Bytes of the in-process query queue, a power of two: {@code flotilla.query.queue.bytes}. */
        public static final String QUERY_QUEUE_BYTES_PROP = "flotilla.query.queue.bytes";
        /**
         * Queries waiting for their read index on this member at once, client and in-process, a power of two:
         * {@code flotilla.read.max.pending}; beyond, BACK_PRESSURED.
         */
        public static final String MAX_PENDING_READS_PROP = "flotilla.read.max.pending";
        /** Bytes of the queries waiting for their read index, at most: {@code flotilla.read.max.pending.bytes}. */
        public static final String MAX_PENDING_READ_BYTES_PROP = "flotilla.read.max.pending.bytes";
        /**
         * This node lost its data directory and rejoins its cluster with an empty one:
         * {@code flotilla.rejoin.after.data.loss}, default false. See {@link #rejoinAfterDataLoss(boolean)}.
         */
        public static final String REJOIN_AFTER_DATA_LOSS_PROP = "flotilla.rejoin.after.data.loss";
        /** How often the commit hint is persisted (e.g. 1s): {@code flotilla.commit.hint.interval}. */
        public static final String COMMIT_HINT_INTERVAL_PROP = "flotilla.commit.hint.interval";
        /** File of the cluster keys consensus messages are signed with ({@link ClusterKeys#load}). */
        public static final String CLUSTER_KEY_FILE_PROP = "flotilla.cluster.key.file";
        /** Consensus messages unsigned and unchecked, for isolated networks only: {@code flotilla.cluster.insecure}. */
        public static final String INSECURE_PEERS_PROP = "flotilla.cluster.insecure";

        /**
         * The consensus channel of every member before its endpoint is added, e.g. {@code aeron:udp?mtu=8k} on a
         * network with jumbo frames: {@code flotilla.consensus.channel}.
         */
        public static final String CONSENSUS_CHANNEL_PROP = "flotilla.consensus.channel";
        /** How far a peer's clock may run ahead (e.g. 5s): {@code flotilla.cluster.max.clock.skew}. */
        public static final String MAX_CLOCK_SKEW_PROP = "flotilla.cluster.max.clock.skew";
        /**
         * How long {@link ClusterNode#close()} on the leader waits for another member to take leadership over before
         * it closes anyway (e.g. 2s; 0 = no handover): {@code flotilla.node.shutdown.transfer.timeout}, default
         * {@link #SHUTDOWN_TRANSFER_ELECTION_TIMEOUTS} maximum election timeouts.
         */
        public static final String SHUTDOWN_TRANSFER_TIMEOUT_PROP = "flotilla.node.shutdown.transfer.timeout";
        /** The default shutdown handover wait, in maximum election timeouts: room for one transfer and a retry. */
        public static final int SHUTDOWN_TRANSFER_ELECTION_TIMEOUTS = 3;
        /**
         * This node joins a running cluster: {@code flotilla.join}, default false. See {@link #join(boolean)}.
         */
        public static final String JOIN_PROP = "flotilla.join";
        /**
         * How far behind the leader's last index a learner may be and still be promoted:
         * {@code flotilla.membership.catchup.entries}, default {@link #CATCHUP_ENTRIES_DEFAULT}.
         */
        public static final String CATCHUP_ENTRIES_PROP = "flotilla.membership.catchup.entries";
        /**
         * How long {@link ClusterNode#addMember} and {@link ClusterNode#replaceMember} wait for the new learner to
         * catch up before they give up (it stays a learner): {@code flotilla.membership.catchup.timeout}, default
         * 60s.
         */
        public static final String CATCHUP_TIMEOUT_PROP = "flotilla.membership.catchup.timeout";
        public static final long CATCHUP_ENTRIES_DEFAULT = 1024;
        public static final long CATCHUP_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);

        /**
         * Every property this context reads itself; the node reads those of {@link RaftConfig#PROPERTIES},
         * {@link SnapshotConfig#PROPERTIES}, {@link NodeMedia.Context#PROPERTIES} and
         * {@link ArchiveLogStore.Context#PROPERTIES} through its parts, and {@link #conclude()} refuses any
         * {@code flotilla.*} property no one reads ({@link EngineProperties}).
         */
        public static final List<String> PROPERTIES = Settings.names(MEMBER_ID_PROP, MEMBERS_PROP, STATE_MACHINE_PROP,
            AUTHENTICATOR_PROP, IDLE_STRATEGY_PROP, IDLE_MAX_PARK_PROP, SESSION_TIMEOUT_PROP, IPC_INGRESS_PROP,
            MAX_SESSIONS_PROP, RESPONSE_MAX_TERM_LENGTH_PROP, RESPONSE_MAX_PUBLICATIONS_PROP, SESSION_MAX_INFLIGHT_PROP,
            ATTACH_MAX_SKEW_PROP, FORWARD_REQUESTS_PROP, PROPOSAL_QUEUE_BYTES_PROP, MAX_PENDING_PROPOSALS_PROP,
            QUERY_QUEUE_BYTES_PROP, MAX_PENDING_READS_PROP, MAX_PENDING_READ_BYTES_PROP, REJOIN_AFTER_DATA_LOSS_PROP,
            COMMIT_HINT_INTERVAL_PROP, CLUSTER_KEY_FILE_PROP, INSECURE_PEERS_PROP, CONSENSUS_CHANNEL_PROP,
            MAX_CLOCK_SKEW_PROP, SHUTDOWN_TRANSFER_TIMEOUT_PROP, JOIN_PROP, CATCHUP_ENTRIES_PROP, CATCHUP_TIMEOUT_PROP);

        public static final long SESSION_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
        public static final int MAX_SESSIONS_DEFAULT = 1024;
        /** Reply publications beyond max sessions by default, for connect rejects. */
        public static final int RESPONSE_PUBLICATIONS_HEADROOM = 64;
        public static final int SESSION_MAX_INFLIGHT_DEFAULT = 256;
        public static final long ATTACH_MAX_SKEW_DEFAULT_NS = TimeUnit.SECONDS.toNanos(30);
        public static final int PROPOSAL_QUEUE_BYTES_DEFAULT = 1024 * 1024;
        public static final int MAX_PENDING_PROPOSALS_DEFAULT = 4096;
        public static final int QUERY_QUEUE_BYTES_DEFAULT = 1024 * 1024;
        public static final int MAX_PENDING_READS_DEFAULT = 4096;
        public static final int MAX_PENDING_READ_BYTES_DEFAULT = 4 * 1024 * 1024;
        public static final long COMMIT_HINT_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
        public static final long MAX_CLOCK_SKEW_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
        private static final long UNSET = Long.MIN_VALUE;
        private static final int CLOCK_SAMPLE_RETRIES = 100;
        private static final long CLOCK_SAMPLE_THRESHOLD_NS = TimeUnit.MICROSECONDS.toNanos(250);

        /** Bound on maxBatchBytes: AppendEntries must fit one Aeron message on a default 16 MiB term. */
        public static final int MAX_BATCH_BYTES_LIMIT = 1024 * 1024;

        private int memberId = Settings.integer(MEMBER_ID_PROP, -1);
        private String membersSpec = System.getProperty(MEMBERS_PROP);
        private File dataDirectory = null == System.getProperty(DATA_DIR_PROP) ?
            null : new File(System.getProperty(DATA_DIR_PROP));
        private StateMachine stateMachine;
        private Authenticator authenticator;
        private Durability durability;
        private Threading threading;
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private boolean externalDriver = Settings.bool(EXTERNAL_DRIVER_PROP, false);
        private Supplier<IdleStrategy> idleStrategySupplier;
        private long sessionTimeoutNs;
        private boolean ipcIngress = Settings.bool(IPC_INGRESS_PROP, true);
        private int maxSessions = Settings.integer(MAX_SESSIONS_PROP, MAX_SESSIONS_DEFAULT);
        private int responseMaxTermLength;
        private int responseMaxPublications = Settings.integer(RESPONSE_MAX_PUBLICATIONS_PROP, 0);
        private int sessionMaxInflight = Settings.integer(SESSION_MAX_INFLIGHT_PROP, SESSION_MAX_INFLIGHT_DEFAULT);
        private long attachMaxSkewNs;
        private boolean forwardRequests = Settings.bool(FORWARD_REQUESTS_PROP, true);
        private int proposalQueueBytes;
        private int maxPendingProposals = Settings.integer(MAX_PENDING_PROPOSALS_PROP, MAX_PENDING_PROPOSALS_DEFAULT);
        private int queryQueueBytes;
        private int maxPendingReads = Settings.integer(MAX_PENDING_READS_PROP, MAX_PENDING_READS_DEFAULT);
        private int maxPendingReadBytes;
        private long commitHintIntervalNs;
        private ClusterKeys clusterKeys;
        private boolean insecurePeers = Settings.bool(INSECURE_PEERS_PROP, false);
        private String consensusChannel =
            System.getProperty(CONSENSUS_CHANNEL_PROP, ClusterMembers.CONSENSUS_CHANNEL_DEFAULT);
        private long maxClockSkewNs;
        private long shutdownTransferTimeoutNs = UNSET;
        private boolean join = Settings.bool(JOIN_PROP, false);
        private long catchupEntries = Settings.longInteger(CATCHUP_ENTRIES_PROP, CATCHUP_ENTRIES_DEFAULT);
        private long catchupTimeoutNs;
        private final RaftConfig raftConfig = new RaftConfig();
        private final SnapshotConfig snapshotConfig = new SnapshotConfig();
        private final ArchiveLogStore.Context logContext = new ArchiveLogStore.Context();
        private NodeListener listener = new NodeListener()
        {
        };
        private ErrorHandler errorHandler;
        private Runnable terminationHook = () -> {};
        // Sampled against the wall clock once, never again: Raft's timers and leases need a clock that never steps
        // (Agrona's default re-samples every hour, which would move them by however far the wall clock was set).
        private EpochNanoClock clock = new OffsetEpochNanoClock(
            CLOCK_SAMPLE_RETRIES, CLOCK_SAMPLE_THRESHOLD_NS, Long.MAX_VALUE);
        private NodeInternals internals;
        private int archiveSegmentLength;
        private boolean rejoinAfterDataLoss = Settings.bool(REJOIN_AFTER_DATA_LOSS_PROP, false);
        private IdleStrategy idleStrategy;
        private boolean isConcluded;

        /**
         * Check every setting and derive the rest.
         *
         * @return this.
         * @throws IllegalArgumentException naming the setting (and its property) and what to change.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("ClusterNode.Context already concluded: use a new Context per node");
            }
            EngineProperties.rejectUnknown("ClusterNode.Context");

            final ClusterMembers members = ClusterMembers.parse(membersSpec);
            if (memberId < 0)
            {
                throw new IllegalArgumentException(
                    "memberId is not set: set ClusterNode.Context.memberId or -D" + MEMBER_ID_PROP);
            }
            if (null == members.member(memberId))
            {
                throw new IllegalArgumentException("memberId " + memberId + " is not in the members spec '" +
                    membersSpec + "': add it to " + MEMBERS_PROP + " or fix " + MEMBER_ID_PROP);
            }
            if (null == dataDirectory)
            {
                throw new IllegalArgumentException(
                    "dataDirectory is not set: set ClusterNode.Context.dataDirectory or -D" + DATA_DIR_PROP);
            }
            if (!dataDirectory.isDirectory() && !dataDirectory.mkdirs())
            {
                throw new IllegalArgumentException("dataDirectory " + dataDirectory + " cannot be created: choose a " +
                    "writable directory (" + DATA_DIR_PROP + ")");
            }
            if (!dataDirectory.canWrite())
            {
                throw new IllegalArgumentException("dataDirectory " + dataDirectory + " is not writable: choose a " +
                    "writable directory (" + DATA_DIR_PROP + ")");
            }
            if (null == stateMachine)
            {
                final String className = System.getProperty(STATE_MACHINE_PROP);
                if (null == className)
                {
                    throw new IllegalArgumentException("stateMachine is not set: set ClusterNode.Context.stateMachine " +
                        "or -D" + STATE_MACHINE_PROP + "=<class with a no-argument constructor>");
                }
                stateMachine = newInstance(StateMachine.class, STATE_MACHINE_PROP, className);
            }
            if (null == authenticator)
            {
                final String className = System.getProperty(AUTHENTICATOR_PROP);
                authenticator = null == className ?
                    Authenticator.ALLOW_ALL : newInstance(Authenticator.class, AUTHENTICATOR_PROP, className);
            }
            if (null == durability)
            {
                durability = Settings.enumValue(DURABILITY_PROP, Durability.class, Durability.FSYNC);
            }
            if (null == threading)
            {
                threading = Settings.enumValue(THREADING_PROP, Threading.class, Threading.COMPACT);
            }
            if (externalDriver && null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("externalDriver needs the running driver's directory: set " +
                    "ClusterNode.Context.aeronDirectoryName or -D" + AERON_DIR_PROP);
            }
            if (0 == sessionTimeoutNs)
            {
                sessionTimeoutNs = Settings.durationNs(SESSION_TIMEOUT_PROP, SESSION_TIMEOUT_DEFAULT_NS);
            }
            if (sessionTimeoutNs < raftConfig.electionTimeoutMaxNs())
            {
                throw new IllegalArgumentException("sessionTimeoutNs " + sessionTimeoutNs + " is shorter than the " +
                    "election timeout: raise " + SESSION_TIMEOUT_PROP + " above " + raftConfig.electionTimeoutMaxNs() +
                    " ns (clients would expire during a failover)");
            }
            if (maxSessions < 1)
            {
                throw new IllegalArgumentException(
                    "maxSessions " + maxSessions + " must be at least 1 (" + MAX_SESSIONS_PROP + ")");
            }
            if (0 == responseMaxTermLength)
            {
                responseMaxTermLength = Settings.sizeAsInt(
                    RESPONSE_MAX_TERM_LENGTH_PROP, ResponseChannelPolicy.MAX_TERM_LENGTH_DEFAULT);
            }
            final String termLengthRefusal = ResponseChannelPolicy.maxTermLengthRefusal(responseMaxTermLength);
            if (null != termLengthRefusal)
            {
                throw new IllegalArgumentException("responseMaxTermLength: " + termLengthRefusal);
            }
            if (0 == responseMaxPublications)
            {
                responseMaxPublications = maxSessions + RESPONSE_PUBLICATIONS_HEADROOM;
            }
            if (responseMaxPublications <= maxSessions)
            {
                throw new IllegalArgumentException("responseMaxPublications " + responseMaxPublications + " must be " +
                    "above maxSessions " + maxSessions + " (a publication per session and room for connect rejects): " +
                    "raise " + RESPONSE_MAX_PUBLICATIONS_PROP + " or lower " + MAX_SESSIONS_PROP);
            }
            if (sessionMaxInflight < 1)
            {
                throw new IllegalArgumentException("sessionMaxInflight " + sessionMaxInflight +
                    " must be at least 1 (" + SESSION_MAX_INFLIGHT_PROP + ")");
            }
            if (0 == attachMaxSkewNs)
            {
                attachMaxSkewNs = Settings.durationNs(ATTACH_MAX_SKEW_PROP, ATTACH_MAX_SKEW_DEFAULT_NS);
            }
            if (attachMaxSkewNs <= 0)
            {
                throw new IllegalArgumentException(
                    "attachMaxSkewNs " + attachMaxSkewNs + " must be positive (" + ATTACH_MAX_SKEW_PROP + ")");
            }
            if (0 == proposalQueueBytes)
            {
                proposalQueueBytes = Settings.sizeAsInt(PROPOSAL_QUEUE_BYTES_PROP, PROPOSAL_QUEUE_BYTES_DEFAULT);
            }
            if (proposalQueueBytes < 4096 || !BitUtil.isPowerOfTwo(proposalQueueBytes))
            {
                throw new IllegalArgumentException("proposalQueueBytes " + proposalQueueBytes +
                    " must be a power of two of at least 4096 (" + PROPOSAL_QUEUE_BYTES_PROP + ")");
            }
            if (maxPendingProposals < 1 || !BitUtil.isPowerOfTwo(maxPendingProposals))
            {
                throw new IllegalArgumentException("maxPendingProposals " + maxPendingProposals +
                    " must be a positive power of two (" + MAX_PENDING_PROPOSALS_PROP + ")");
            }
            concludeReads();
            if (0 == commitHintIntervalNs)
            {
                commitHintIntervalNs =
                    Settings.durationNs(COMMIT_HINT_INTERVAL_PROP, COMMIT_HINT_INTERVAL_DEFAULT_NS);
            }
            if (commitHintIntervalNs < 0)
            {
                throw new IllegalArgumentException("commitHintIntervalNs must not be negative (" +
                    COMMIT_HINT_INTERVAL_PROP + ")");
            }
            concludePeerAuthentication();
            if (raftConfig.maxBatchBytes() > MAX_BATCH_BYTES_LIMIT)
            {
                throw new IllegalArgumentException("maxBatchBytes " + raftConfig.maxBatchBytes() + " exceeds " +
                    MAX_BATCH_BYTES_LIMIT + ": lower " + RaftConfig.MAX_BATCH_BYTES_PROP_NAME);
            }
            try
            {
                raftConfig.validate();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(ex.getMessage() +
                    " (ClusterNode.Context setters or flotilla.raft.* properties)", ex);
            }
            if (rejoinAfterDataLoss && !raftConfig.preVote())
            {
                throw new IllegalArgumentException("rejoinAfterDataLoss needs pre-vote (a node kept out of elections " +
                    "must not raise its term): set " + RaftConfig.PRE_VOTE_PROP_NAME + "=true or drop " +
                    REJOIN_AFTER_DATA_LOSS_PROP);
            }
            if (rejoinAfterDataLoss && members.size() < 2)
            {
                throw new IllegalArgumentException("rejoinAfterDataLoss needs other voters to learn the term from, " +
                    "and the members spec names member " + memberId + " alone: the data it lost was the cluster's; " +
                    "drop " + REJOIN_AFTER_DATA_LOSS_PROP + " to start a new, empty cluster, or list the cluster's " +
                    "voters now in " + MEMBERS_PROP);
            }
            concludeShutdownTransferTimeout();
            snapshotConfig.validate();
            if (snapshotConfig.isAutomatic() && !canSnapshot(stateMachine))
            {
                throw new IllegalArgumentException("stateMachine " + stateMachine.getClass().getName() +
                    " cannot take snapshots (it implements neither StateMachine.snapshotView nor writeSnapshot, " +
                    "or not loadSnapshot): implement them, or set " + SnapshotConfig.LOG_ENTRIES_PROP + "=0 and " +
                    SnapshotConfig.LOG_BYTES_PROP + "=0 to never take snapshots (the log then grows without bound)");
            }
            if (null == listener)
            {
                throw new IllegalArgumentException("listener must not be null: pass a NodeListener (its methods have " +
                    "empty defaults)");
            }
            if (null == errorHandler)
            {
                final int id = memberId;
                errorHandler = (throwable) -> LOGGER.log(System.Logger.Level.ERROR, throwable instanceof
                    NodeFailedException ? throwable.getMessage() : "member " + id + ": error", throwable);
            }
            errorHandler = new NodeErrorHandler(errorHandler);
            if (null == terminationHook)
            {
                throw new IllegalArgumentException("terminationHook must not be null: pass a Runnable (the default " +
                    "does nothing)");
            }
            if (null == idleStrategySupplier)
            {
                final String name = System.getProperty(IDLE_STRATEGY_PROP, "backoff");
                final long maxParkNs = Settings.durationNs(IDLE_MAX_PARK_PROP, IDLE_MAX_PARK_DEFAULT_NS);
                if (maxParkNs < BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS)
                {
                    throw new IllegalArgumentException("idle max park " + maxParkNs + " ns is below the minimum " +
                        "park of 1 us: raise " + IDLE_MAX_PARK_PROP);
                }
                idleStrategySupplier = "backoff".equals(name) ?
                    () -> new BackoffIdleStrategy(BackoffIdleStrategy.DEFAULT_MAX_SPINS,
                        BackoffIdleStrategy.DEFAULT_MAX_YIELDS, BackoffIdleStrategy.DEFAULT_MIN_PARK_PERIOD_NS, maxParkNs) :
                    () -> io.aeron.driver.Configuration.agentIdleStrategy(name, null);
            }
            try
            {
                idleStrategy = idleStrategySupplier.get();
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("idle strategy cannot be created: set " + IDLE_STRATEGY_PROP +
                    " to backoff, noop, spin, yield or an IdleStrategy class name (" + ex.getMessage() + ")", ex);
            }

            final NodeMedia.Context mediaContext = new NodeMedia.Context()
                .nodeId(memberId)
                .dataDirectory(dataDirectory)
                .aeronDirectoryName(aeronDirectoryName)
                .externalDriver(externalDriver)
                .threading(mediaThreading(threading))
                .durability(archiveDurability(durability))
                .idleStrategySupplier(idleStrategySupplier)
                .errorHandler(errorHandler);
            if (0 != archiveSegmentLength)
            {
                mediaContext.segmentFileLength(archiveSegmentLength);
            }
            internals = new NodeInternals(members, raftConfig, logContext, mediaContext);
            isConcluded = true;
            return this;
        }

        private static NodeMedia.Threading mediaThreading(final Threading threading)
        {
            return switch (threading)
            {
                case COMPACT -> NodeMedia.Threading.COMPACT;
                case DEDICATED -> NodeMedia.Threading.DEDICATED;
            };
        }

        private static io.flotilla.archive.Durability archiveDurability(final Durability durability)
        {
            return switch (durability)
            {
                case FSYNC -> io.flotilla.archive.Durability.FSYNC;
                case ASYNC -> io.flotilla.archive.Durability.ASYNC;
            };
        }

        private void concludeShutdownTransferTimeout()
        {
            if (UNSET == shutdownTransferTimeoutNs)
            {
                final String value = System.getProperty(SHUTDOWN_TRANSFER_TIMEOUT_PROP);
                shutdownTransferTimeoutNs = null == value ?
                    SHUTDOWN_TRANSFER_ELECTION_TIMEOUTS * raftConfig.electionTimeoutMaxNs() :
                    Settings.parseDurationNs(SHUTDOWN_TRANSFER_TIMEOUT_PROP, value);
            }
            if (shutdownTransferTimeoutNs < 0)
            {
                throw new IllegalArgumentException("shutdownTransferTimeoutNs " + shutdownTransferTimeoutNs +
                    " must not be negative (" + SHUTDOWN_TRANSFER_TIMEOUT_PROP + "; 0 closes without a handover)");
            }
        }

        private void concludeReads()
        {
            if (0 == queryQueueBytes)
            {
                queryQueueBytes = Settings.sizeAsInt(QUERY_QUEUE_BYTES_PROP, QUERY_QUEUE_BYTES_DEFAULT);
            }
            if (queryQueueBytes < 4096 || !BitUtil.isPowerOfTwo(queryQueueBytes))
            {
                throw new IllegalArgumentException("queryQueueBytes " + queryQueueBytes +
                    " must be a power of two of at least 4096 (" + QUERY_QUEUE_BYTES_PROP + ")");
            }
            if (maxPendingReads < 1 || !BitUtil.isPowerOfTwo(maxPendingReads))
            {
                throw new IllegalArgumentException("maxPendingReads " + maxPendingReads +
                    " must be a positive power of two (" + MAX_PENDING_READS_PROP + ")");
            }
            if (0 == maxPendingReadBytes)
            {
                maxPendingReadBytes =
                    Settings.sizeAsInt(MAX_PENDING_READ_BYTES_PROP, MAX_PENDING_READ_BYTES_DEFAULT);
            }
            final int largestQuery = PendingQueries.recordLength(EntryFrame.MAX_PAYLOAD_LENGTH);
            if (maxPendingReadBytes < largestQuery)
            {
                throw new IllegalArgumentException("maxPendingReadBytes " + maxPendingReadBytes + " must be at least " +
                    largestQuery + ", so that the largest query fits: raise " + MAX_PENDING_READ_BYTES_PROP);
            }
        }

        private void concludePeerAuthentication()
        {
            final String keyFile = System.getProperty(CLUSTER_KEY_FILE_PROP);
            if (null == clusterKeys && null != keyFile)
            {
                try
                {
                    clusterKeys = ClusterKeys.load(Path.of(keyFile));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException(ex.getMessage() + " (" + CLUSTER_KEY_FILE_PROP + ")", ex);
                }
            }
            if (null == clusterKeys && !insecurePeers)
            {
                throw new IllegalArgumentException("peers are not authenticated: set " + CLUSTER_KEY_FILE_PROP +
                    " to a key file (one hex key of at least " + ClusterKeys.MIN_KEY_LENGTH + " bytes per line, the " +
                    "same file on every member, e.g. from od -An -tx1 -N32 /dev/urandom | tr -d ' \\n'), or " +
                    INSECURE_PEERS_PROP + "=true on an isolated network");
            }
            if (null != clusterKeys && insecurePeers)
            {
                throw new IllegalArgumentException("both cluster keys and " + INSECURE_PEERS_PROP + "=true are set: " +
                    "drop " + INSECURE_PEERS_PROP + " to authenticate peers, or the keys (" + CLUSTER_KEY_FILE_PROP +
                    ") to run unauthenticated");
            }
            if (0 == catchupTimeoutNs)
            {
                catchupTimeoutNs = Settings.durationNs(CATCHUP_TIMEOUT_PROP, CATCHUP_TIMEOUT_DEFAULT_NS);
            }
            if (catchupTimeoutNs <= 0 || catchupEntries < 0)
            {
                throw new IllegalArgumentException("catchupTimeoutNs must be positive (" + CATCHUP_TIMEOUT_PROP +
                    ") and catchupEntries not negative (" + CATCHUP_ENTRIES_PROP + ")");
            }
            final String consensusChannelProblem = ClusterMembers.consensusChannelProblem(consensusChannel);
            if (null != consensusChannelProblem)
            {
                throw new IllegalArgumentException("consensusChannel " + consensusChannelProblem + " (" +
                    CONSENSUS_CHANNEL_PROP + ", e.g. aeron:udp?mtu=8k)");
            }
            if (0 == maxClockSkewNs)
            {
                maxClockSkewNs = Settings.durationNs(MAX_CLOCK_SKEW_PROP, MAX_CLOCK_SKEW_DEFAULT_NS);
            }
            if (maxClockSkewNs <= 0)
            {
                throw new IllegalArgumentException("maxClockSkewNs must be positive (" + MAX_CLOCK_SKEW_PROP + ")");
            }
        }

        private static <T> T newInstance(final Class<T> type, final String property, final String className)
        {
            try
            {
                return type.cast(Class.forName(className).getConstructor().newInstance());
            }
            catch (final ReflectiveOperationException | ClassCastException ex)
            {
                throw new IllegalArgumentException(property + "=" + className + " cannot be instantiated: name a " +
                    type.getSimpleName() + " class with a public no-argument constructor (" + ex + ")", ex);
            }
        }

        /**
         * Whether a state machine overrides the snapshot defaults: a way to write (either form) and to load.
         */
        private static boolean canSnapshot(final StateMachine stateMachine)
        {
            return overrides(stateMachine, "loadSnapshot", InputStream.class) &&
                (overrides(stateMachine, "snapshotView") ||
                overrides(stateMachine, "writeSnapshot", OutputStream.class));
        }

        private static boolean overrides(
            final StateMachine stateMachine, final String name, final Class<?>... parameterTypes)
        {
            try
            {
                return StateMachine.class != stateMachine.getClass().getMethod(name, parameterTypes).getDeclaringClass();
            }
            catch (final NoSuchMethodException ex)
            {
                throw new IllegalStateException("StateMachine." + name + " is missing", ex);
            }
        }

        /**
         * @param memberId this member's id in the members spec.
         * @return this.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        public int memberId()
        {
            return memberId;
        }

        /**
         * @param membersSpec {@code id=host:consensusPort:ingressPort,...}, every voting member including this one.
         * @return this.
         */
        public Context members(final String membersSpec)
        {
            this.membersSpec = membersSpec;
            return this;
        }

        public String membersSpec()
        {
            return membersSpec;
        }

        /**
         * @param dataDirectory of this node: holds its log (archive) and state file. Created if missing.
         * @return this.
         */
        public Context dataDirectory(final File dataDirectory)
        {
            this.dataDirectory = dataDirectory;
            return this;
        }

        public File dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @param stateMachine the replicated service; applied on the node's agent thread.
         * @return this.
         */
        public Context stateMachine(final StateMachine stateMachine)
        {
            this.stateMachine = stateMachine;
            return this;
        }

        public StateMachine stateMachine()
        {
            return stateMachine;
        }

        /**
         * Who may open a session; default {@link Authenticator#ALLOW_ALL} or the class named by
         * {@link #AUTHENTICATOR_PROP}.
         *
         * @param authenticator checks each connecting client's credentials on the leader.
         * @return this.
         */
        public Context authenticator(final Authenticator authenticator)
        {
            this.authenticator = authenticator;
            return this;
        }

        public Authenticator authenticator()
        {
            return authenticator;
        }

        /**
         * @param durability FSYNC (default: entries count durable once forced to disk) or ASYNC (page cache; the
         *                   quorum provides durability).
         * @return this.
         */
        public Context durability(final Durability durability)
        {
            this.durability = durability;
            return this;
        }

        public Durability durability()
        {
            return durability;
        }

        /**
         * @param threading COMPACT (default: the whole node on one thread) or DEDICATED (driver and archive on
         *                  their own threads).
         * @return this.
         */
        public Context threading(final Threading threading)
        {
            this.threading = threading;
            return this;
        }

        public Threading threading()
        {
            return threading;
        }

        /**
         * @param aeronDirectoryName of the node's media driver; default a unique directory under /dev/shm. The launch
         *                           fails, naming {@link #AERON_DIR_PROP}, while another driver runs there.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String aeronDirectoryName()
        {
            return null != internals ? internals.mediaContext().aeronDirectoryName() : aeronDirectoryName;
        }

        /**
         * @param externalDriver use the media driver already running at {@link #aeronDirectoryName(String)}.
         * @return this.
         */
        public Context externalDriver(final boolean externalDriver)
        {
            this.externalDriver = externalDriver;
            return this;
        }

        public boolean externalDriver()
        {
            return externalDriver;
        }

        /**
         * @param idleStrategySupplier for the node agent (and the driver and archive threads in DEDICATED mode);
         *                             default backoff.
         * @return this.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
        {
            this.idleStrategySupplier = idleStrategySupplier;
            return this;
        }

        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @param minNs lower bound of the randomized election timeout ({@code flotilla.raft.election.timeout.min},
         *              default 300 ms).
         * @param maxNs upper bound (exclusive) of the randomized election timeout, and how long a leader keeps its
         *              role without hearing from a majority ({@code flotilla.raft.election.timeout.max}, default
         *              600 ms).
         * @return this.
         */
        public Context electionTimeoutNs(final long minNs, final long maxNs)
        {
            raftConfig.electionTimeoutMinNs(minNs).electionTimeoutMaxNs(maxNs);
            return this;
        }

        public long electionTimeoutMinNs()
        {
            return raftConfig.electionTimeoutMinNs();
        }

        public long electionTimeoutMaxNs()
        {
            return raftConfig.electionTimeoutMaxNs();
        }

        /**
         * @param heartbeatIntervalNs between AppendEntries from an idle leader; less than half the minimum election
         *                            timeout ({@code flotilla.raft.heartbeat.interval}, default 50 ms).
         * @return this.
         */
        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            raftConfig.heartbeatIntervalNs(heartbeatIntervalNs);
            return this;
        }

        public long heartbeatIntervalNs()
        {
            return raftConfig.heartbeatIntervalNs();
        }

        /**
         * @param resendTimeoutNs after which the leader sends again, from the follower's last acknowledged index, what
         *                        a follower has not acknowledged; less than the minimum election timeout
         *                        ({@code flotilla.raft.resend.timeout}, default 100 ms).
         * @return this.
         */
        public Context resendTimeoutNs(final long resendTimeoutNs)
        {
            raftConfig.resendTimeoutNs(resendTimeoutNs);
            return this;
        }

        public long resendTimeoutNs()
        {
            return raftConfig.resendTimeoutNs();
        }

        /**
         * @param maxBatchBytes bound on the entry bytes of one AppendEntries (a larger single entry travels alone),
         *                      at most {@link #MAX_BATCH_BYTES_LIMIT} ({@code flotilla.raft.max.batch.bytes}, default
         *                      64k).
         * @return this.
         */
        public Context maxBatchBytes(final int maxBatchBytes)
        {
            raftConfig.maxBatchBytes(maxBatchBytes);
            return this;
        }

        public int maxBatchBytes()
        {
            return raftConfig.maxBatchBytes();
        }

        /**
         * @param maxInflight unacknowledged AppendEntries per follower; 1 for no pipelining
         *                    ({@code flotilla.raft.max.inflight}, default 8).
         * @return this.
         */
        public Context maxInflight(final int maxInflight)
        {
            raftConfig.maxInflight(maxInflight);
            return this;
        }

        public int maxInflight()
        {
            return raftConfig.maxInflight();
        }

        /**
         * @param preVote whether a node asks whether it could win an election before it raises its term
         *                ({@code flotilla.raft.pre.vote}, default true; {@link #rejoinAfterDataLoss(boolean)} needs
         *                it).
         * @return this.
         */
        public Context preVote(final boolean preVote)
        {
            raftConfig.preVote(preVote);
            return this;
        }

        public boolean preVote()
        {
            return raftConfig.preVote();
        }

        /**
         * @param checkQuorum whether a leader that hears from no majority for the maximum election timeout steps down,
         *                    and followers that hear from a leader ignore votes ({@code flotilla.raft.check.quorum},
         *                    default true).
         * @return this.
         */
        public Context checkQuorum(final boolean checkQuorum)
        {
            raftConfig.checkQuorum(checkQuorum);
            return this;
        }

        public boolean checkQuorum()
        {
            return raftConfig.checkQuorum();
        }

        /**
         * @param maxUncommittedEntries entries the leader holds beyond its commit index before it answers proposals
         *                              BACK_PRESSURED ({@code flotilla.raft.max.uncommitted.entries}, default 65536).
         * @return this.
         */
        public Context maxUncommittedEntries(final long maxUncommittedEntries)
        {
            raftConfig.maxUncommittedEntries(maxUncommittedEntries);
            return this;
        }

        public long maxUncommittedEntries()
        {
            return raftConfig.maxUncommittedEntries();
        }

        /**
         * @param maxReadIndexRequests read index requests the Raft core holds at once, this member's own and, on the
         *                             leader, its followers' ({@code flotilla.raft.max.pending.reads}, default 1024);
         *                             not the queries waiting for them, {@link #maxPendingReads(int)}.
         * @return this.
         */
        public Context maxReadIndexRequests(final int maxReadIndexRequests)
        {
            raftConfig.maxPendingReads(maxReadIndexRequests);
            return this;
        }

        public int maxReadIndexRequests()
        {
            return raftConfig.maxPendingReads();
        }

        /**
         * A leader's lease ({@link ReadConsistency#LEASE}) lasts the minimum election timeout less this margin from
         * the send time of the latest heartbeat round a majority answered: it covers the difference in rate between
         * the members' monotonic clocks.
         *
         * @param leaseMarginNs in [0, minimum election timeout); -1 for a quarter of the minimum election timeout
         *                      ({@code flotilla.raft.lease.margin}, the default).
         * @return this.
         */
        public Context leaseMarginNs(final long leaseMarginNs)
        {
            raftConfig.leaseMarginNs(leaseMarginNs);
            return this;
        }

        /**
         * @return the lease margin in force: the one set, or a quarter of the minimum election timeout.
         */
        public long leaseMarginNs()
        {
            return raftConfig.leaseMarginNs();
        }

        /**
         * @param logTermLength term length of the log publication when the node's recording is created (an existing
         *                      recording keeps its own); the largest entry is an eighth of it, and it is at most the
         *                      archive segment length ({@code flotilla.log.term.length}, default 16 MiB).
         * @return this.
         */
        public Context logTermLength(final int logTermLength)
        {
            logContext.termLength(logTermLength);
            return this;
        }

        public int logTermLength()
        {
            return logContext.termLength();
        }

        /**
         * @param logMtu MTU of the log publication when the node's recording is created ({@code flotilla.log.mtu},
         *               default 8k).
         * @return this.
         */
        public Context logMtu(final int logMtu)
        {
            logContext.mtu(logMtu);
            return this;
        }

        public int logMtu()
        {
            return logContext.mtu();
        }

        /**
         * @param logWindowBytes initial bytes of recent entries the log keeps in memory for followers to catch up
         *                       from; at least two of the largest entries ({@code flotilla.log.window.bytes}, default
         *                       16 MiB).
         * @return this.
         */
        public Context logWindowBytes(final int logWindowBytes)
        {
            logContext.windowCapacity(logWindowBytes);
            return this;
        }

        public int logWindowBytes()
        {
            return logContext.windowCapacity();
        }

        /**
         * Say that this node lost its data directory and rejoins its running cluster with an empty one (a replaced
         * disk). When the directory is indeed empty at start, the node follows no leader until enough of the voters of
         * its members spec (which must be the cluster's voters now) have told it their terms, and takes no part in
         * elections until it has caught up with the leader through a snapshot install and the log (see
         * docs/snapshots.md): a voter that forgot its term, its vote and its entries could otherwise give a leader
         * of a term the cluster has left the majority it lacks, vote twice in a term, or vote in a leader that lacks
         * committed entries. Leave it false for the members of a new cluster, which start empty and must vote. The
         * fence is kept in the node's state file: restarted before it has caught up, the node is still fenced,
         * whatever this setting says then ({@link NodeStatus#votingFence()}).
         *
         * @param rejoinAfterDataLoss whether the node rejoins after losing its data.
         * @return this.
         */
        public Context rejoinAfterDataLoss(final boolean rejoinAfterDataLoss)
        {
            this.rejoinAfterDataLoss = rejoinAfterDataLoss;
            return this;
        }

        public boolean rejoinAfterDataLoss()
        {
            return rejoinAfterDataLoss;
        }

        /**
         * @param archiveSegmentLength length of the archive's segment files, the unit in which a compacted log
         *                             releases disk (a power of two, a multiple of the log's term length); 0 for
         *                             {@code flotilla.archive.segment.length} or its default of 128 MiB.
         * @return this.
         */
        public Context archiveSegmentLength(final int archiveSegmentLength)
        {
            this.archiveSegmentLength = archiveSegmentLength;
            return this;
        }

        public int archiveSegmentLength()
        {
            return archiveSegmentLength;
        }

        /**
         * @return the snapshot settings (when to snapshot, what to keep, install flow control), to adjust directly.
         */
        public SnapshotConfig snapshotConfig()
        {
            return snapshotConfig;
        }

        /**
         * @param sessionTimeoutNs after which the leader closes a client session it has not heard from.
         * @return this.
         */
        public Context sessionTimeoutNs(final long sessionTimeoutNs)
        {
            this.sessionTimeoutNs = sessionTimeoutNs;
            return this;
        }

        public long sessionTimeoutNs()
        {
            return sessionTimeoutNs;
        }

        /**
         * @param ipcIngress whether co-located clients may reach the ingress over {@code aeron:ipc}.
         * @return this.
         */
        public Context ipcIngress(final boolean ipcIngress)
        {
            this.ipcIngress = ipcIngress;
            return this;
        }

        public boolean ipcIngress()
        {
            return ipcIngress;
        }

        public Context maxSessions(final int maxSessions)
        {
            this.maxSessions = maxSessions;
            return this;
        }

        public int maxSessions()
        {
            return maxSessions;
        }

        /**
         * @param responseMaxTermLength bound on the term length a client's response channel may ask for, and the term
         *                              length of one that names none; 0 for {@link #RESPONSE_MAX_TERM_LENGTH_PROP}.
         * @return this.
         */
        public Context responseMaxTermLength(final int responseMaxTermLength)
        {
            this.responseMaxTermLength = responseMaxTermLength;
            return this;
        }

        public int responseMaxTermLength()
        {
            return responseMaxTermLength;
        }

        /**
         * @param responseMaxPublications reply publications open at once (above maxSessions); 0 for
         *                                {@link #RESPONSE_MAX_PUBLICATIONS_PROP} or max sessions + 64.
         * @return this.
         */
        public Context responseMaxPublications(final int responseMaxPublications)
        {
            this.responseMaxPublications = responseMaxPublications;
            return this;
        }

        public int responseMaxPublications()
        {
            return responseMaxPublications;
        }

        /**
         * @param sessionMaxInflight commands of one session proposed and not yet applied on the leader, beyond which
         *                           its requests are answered BACK_PRESSURED (one flooding client cannot starve
         *                           the others).
         * @return this.
         */
        public Context sessionMaxInflight(final int sessionMaxInflight)
        {
            this.sessionMaxInflight = sessionMaxInflight;
            return this;
        }

        public int sessionMaxInflight()
        {
            return sessionMaxInflight;
        }

        /**
         * @param attachMaxSkewNs largest difference between a SessionAttach's timestamp and this node's clock.
         * @return this.
         */
        public Context attachMaxSkewNs(final long attachMaxSkewNs)
        {
            this.attachMaxSkewNs = attachMaxSkewNs;
            return this;
        }

        public long attachMaxSkewNs()
        {
            return attachMaxSkewNs;
        }

        /**
         * @param forwardRequests whether a follower takes a SessionAttach, binds the session and forwards its
         *                        requests, keep-alives and closes to the leader (true), or answers NOT_LEADER and
         *                        lets the client move to the leader (false).
         * @return this.
         */
        public Context forwardRequests(final boolean forwardRequests)
        {
            this.forwardRequests = forwardRequests;
            return this;
        }

        public boolean forwardRequests()
        {
            return forwardRequests;
        }

        /**
         * @param join whether this node joins a running cluster (true) rather than being one of its founding
         *             members. A joining node lists the cluster's members and itself in {@link #membersSpec}, starts
         *             as no member at all (it never campaigns), and waits for the leader to add it
         *             ({@link ClusterNode#addMember}); from then on its configuration is the log's. Only its first
         *             start reads it: with a log or a snapshot the configuration comes from them. A new node started
         *             without it would count itself a voter of the spec's members, and a set of such nodes could
         *             elect a leader of their own.
         * @return this.
         */
        public Context join(final boolean join)
        {
            this.join = join;
            return this;
        }

        public boolean join()
        {
            return join;
        }

        /**
         * @param catchupEntries how far behind the leader's last index a learner may be and still be promoted.
         * @return this.
         */
        public Context catchupEntries(final long catchupEntries)
        {
            this.catchupEntries = catchupEntries;
            return this;
        }

        public long catchupEntries()
        {
            return catchupEntries;
        }

        /**
         * @param catchupTimeoutNs how long adding or replacing a member waits for the new learner to catch up.
         * @return this.
         */
        public Context catchupTimeoutNs(final long catchupTimeoutNs)
        {
            this.catchupTimeoutNs = catchupTimeoutNs;
            return this;
        }

        public long catchupTimeoutNs()
        {
            return catchupTimeoutNs;
        }

        /**
         * @param proposalQueueBytes capacity of the in-process proposal queue; a command may take up to 1/8 of it.
         * @return this.
         */
        public Context proposalQueueBytes(final int proposalQueueBytes)
        {
            this.proposalQueueBytes = proposalQueueBytes;
            return this;
        }

        public int proposalQueueBytes()
        {
            return proposalQueueBytes;
        }

        /**
         * @param maxPendingProposals in-process proposals queued or awaiting commit at once; beyond, BACK_PRESSURED.
         * @return this.
         */
        public Context maxPendingProposals(final int maxPendingProposals)
        {
            this.maxPendingProposals = maxPendingProposals;
            return this;
        }

        public int maxPendingProposals()
        {
            return maxPendingProposals;
        }

        /**
         * @param queryQueueBytes capacity of the in-process query queue; a query may take up to 1/8 of it.
         * @return this.
         */
        public Context queryQueueBytes(final int queryQueueBytes)
        {
            this.queryQueueBytes = queryQueueBytes;
            return this;
        }

        public int queryQueueBytes()
        {
            return queryQueueBytes;
        }

        /**
         * @param maxPendingReads queries (from clients and in process) waiting for their read index at once; beyond,
         *                        BACK_PRESSURED. A power of two.
         * @return this.
         */
        public Context maxPendingReads(final int maxPendingReads)
        {
            this.maxPendingReads = maxPendingReads;
            return this;
        }

        public int maxPendingReads()
        {
            return maxPendingReads;
        }

        /**
         * @param maxPendingReadBytes bytes of the queries waiting for their read index (payloads and a 40-byte header
         *                            each, preallocated); beyond, BACK_PRESSURED. 0 for
         *                            {@link #MAX_PENDING_READ_BYTES_PROP}.
         * @return this.
         */
        public Context maxPendingReadBytes(final int maxPendingReadBytes)
        {
            this.maxPendingReadBytes = maxPendingReadBytes;
            return this;
        }

        public int maxPendingReadBytes()
        {
            return maxPendingReadBytes;
        }

        /**
         * @param commitHintIntervalNs how often the applied index is persisted as the commit hint for restarts.
         * @return this.
         */
        public Context commitHintIntervalNs(final long commitHintIntervalNs)
        {
            this.commitHintIntervalNs = commitHintIntervalNs;
            return this;
        }

        public long commitHintIntervalNs()
        {
            return commitHintIntervalNs;
        }

        /**
         * @param clusterKeys the keys consensus messages are signed and checked with, the same on every member;
         *                    default: loaded from {@link #CLUSTER_KEY_FILE_PROP}.
         * @return this.
         */
        public Context clusterKeys(final ClusterKeys clusterKeys)
        {
            this.clusterKeys = clusterKeys;
            return this;
        }

        /**
         * @return the cluster keys, or null when peers are unauthenticated.
         */
        public ClusterKeys clusterKeys()
        {
            return clusterKeys;
        }

        /**
         * @param insecurePeers send consensus messages unsigned and accept them unchecked: any host that can reach
         *                      the consensus ports can then take part in Raft. For isolated networks only.
         * @return this.
         */
        public Context insecurePeers(final boolean insecurePeers)
        {
            this.insecurePeers = insecurePeers;
            return this;
        }

        public boolean insecurePeers()
        {
            return insecurePeers;
        }

        /**
         * @param consensusChannel the UDP channel of every member's consensus traffic before the node adds the
         *                         member's endpoint: its parameters (mtu, term-length, so-sndbuf, so-rcvbuf, rcv-wnd,
         *                         interface, ...) apply to the subscription and to every publication to a peer. The
         *                         same on every member. Default {@code aeron:udp}, the media driver's defaults.
         * @return this.
         */
        public Context consensusChannel(final String consensusChannel)
        {
            this.consensusChannel = consensusChannel;
            return this;
        }

        public String consensusChannel()
        {
            return consensusChannel;
        }

        /**
         * @param maxClockSkewNs how far a peer's clock may run ahead of this node's before its messages are dropped,
         *                       and how old a replayed message from before this node's start may be at most.
         * @return this.
         */
        public Context maxClockSkewNs(final long maxClockSkewNs)
        {
            this.maxClockSkewNs = maxClockSkewNs;
            return this;
        }

        public long maxClockSkewNs()
        {
            return maxClockSkewNs;
        }

        /**
         * How long {@link ClusterNode#close()} on the leader waits, on the closing thread, for another member to take
         * leadership over: the node hands it to its most up-to-date follower that answers (a leadership transfer,
         * so the cluster does not wait an election timeout), then closes once another member leads or the wait
         * ends. A follower, a node that stopped itself, and a close from the node's own thread do not wait.
         *
         * @param shutdownTransferTimeoutNs the bound on the wait; 0 closes at once, as a crash would (the others
         *                                  elect a leader after an election timeout). Default:
         *                                  {@link #SHUTDOWN_TRANSFER_TIMEOUT_PROP} or
         *                                  {@link #SHUTDOWN_TRANSFER_ELECTION_TIMEOUTS} maximum election timeouts.
         * @return this.
         */
        public Context shutdownTransferTimeoutNs(final long shutdownTransferTimeoutNs)
        {
            this.shutdownTransferTimeoutNs = shutdownTransferTimeoutNs;
            return this;
        }

        public long shutdownTransferTimeoutNs()
        {
            return shutdownTransferTimeoutNs;
        }

        public Context listener(final NodeListener listener)
        {
            this.listener = listener;
            return this;
        }

        public NodeListener listener()
        {
            return listener;
        }

        /**
         * Called once, on the node's thread, after the node stopped itself ({@link ClusterNode#failure()} says why)
         * and released its data directory lock, ports and Aeron directory; not after {@link ClusterNode#close()}.
         * An embedder that cannot go on without the node exits here (or signals the thread that will); it may call
         * {@link ClusterNode#close()} from it. Like Aeron Cluster's {@code terminationHook}.
         *
         * @param terminationHook quick, must not block; default does nothing.
         * @return this.
         */
        public Context terminationHook(final Runnable terminationHook)
        {
            this.terminationHook = terminationHook;
            return this;
        }

        public Runnable terminationHook()
        {
            return terminationHook;
        }

        /**
         * @param errorHandler for errors on the node's agent, and the recoverable ones of its media driver, archive
         *                     and Aeron client (Aeron's warnings stay in their error logs); a
         *                     {@link NodeFailedException} once when the node stops itself; default: logged.
         *                     {@link #conclude()} puts a {@link NodeErrorHandler} in front of it, which
         *                     {@link #errorHandler()} then returns.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @param clock epoch nanosecond clock for Raft timers, leases and leader timestamps, and the timestamps of
         *              authenticated messages. It must never step backwards or forwards (leases rely on it measuring
         *              elapsed time); the default is the wall clock sampled once at start and advanced by
         *              {@link System#nanoTime()}.
         * @return this.
         */
        public Context clock(final EpochNanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        public EpochNanoClock clock()
        {
            return clock;
        }

        /**
         * @return what {@link #conclude()} built for the node's internals; not public API, {@link NodeInternals}.
         */
        NodeInternals internals()
        {
            return internals;
        }
    }
}
