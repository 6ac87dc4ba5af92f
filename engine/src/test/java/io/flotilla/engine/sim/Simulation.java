package io.flotilla.engine.sim;

import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.raft.ConfigChange;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic, single-threaded simulation of a Raft cluster of {@link RaftNode}s: a simulated clock, an
 * in-memory log per node whose durable index advances after a random delay, and a network that loses,
 * duplicates, reorders and delays messages and can be partitioned in any way. Nodes crash, losing whatever was
 * not durable, and restart from their persisted term and vote and newest snapshot; they take snapshots, compact
 * their logs and install each other's snapshots (see {@link SimNode}); a node may lose its whole data directory.
 * Each node's clock runs at a rate of its own; a node may stall (a paused process) and resume with its clock jumped
 * ahead. Clients read at any node, in both read modes, and every read served is checked for linearizability. Commands
 * schedule and cancel state machine timers, which fire through TIMER entries and are checked against the history.
 * With {@link SimOptions#membershipMeanIntervalNs} the leader is asked for random membership changes: nodes join as
 * learners, are promoted, removed (the leader too) and replaced, and wait idle while not members.
 * Everything random comes from one seed, so a seed replays exactly. After every step the {@link Invariants} are
 * checked.
 * <p>
 * Two uses: {@link #runChaos()} (random faults for a while, heal, then check liveness) for seed sweeps, and the
 * control methods ({@link #partition}, {@link #crash}, {@link #runUntil}, ...) for scripted scenarios.
 */
public final class Simulation
{
    public static final long MS = SimOptions.MS;
    private static final int TRACE_LINES = 400;

    private final SimOptions options;
    private final long seed;
    private final SplittableRandom random;
    private final RaftConfig raftConfig;
    private final int snapshotThreshold;
    private final int snapshotKeepMax;
    private final int snapshotChunkBytes;
    private final int snapshotWindow;
    private final Configuration bootstrap;
    private final SimNode[] nodes;
    private final boolean[][] blocked;
    private final Invariants invariants;
    private final RoguePeer rogue;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final ArrayDeque<String> traceLines;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private long nowNs;
    private long eventSequence;
    private long steps;
    private long payloadIds;
    private long readIds;
    private long pauses;
    private boolean faults;
    private boolean started;
    private long messagesSent;
    private long messagesDelivered;
    private long rogueMessages;
    private final TreeMap<String, Integer> changeResults = new TreeMap<>();
    private long leaderRemovals;

    /**
     * @param options what to simulate.
     * @param seed    the one seed everything derives from.
     * @param trace   keep the last events in a trace (for replaying a failing seed).
     */
    public Simulation(final SimOptions options, final long seed, final boolean trace)
    {
        this.options = options;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.raftConfig = options.randomizeRaftConfig ? randomize(options.raftConfig) : options.raftConfig;
        raftConfig.validate();
        this.traceLines = trace ? new ArrayDeque<>(TRACE_LINES) : null;
        if (options.randomizeSnapshots)
        {
            snapshotThreshold = 8 + random.nextInt(57);
            snapshotKeepMax = 32;
            snapshotChunkBytes = 64 + random.nextInt(193);
            snapshotWindow = 1 + random.nextInt(4);
        }
        else
        {
            snapshotThreshold = options.snapshotThreshold;
            snapshotKeepMax = options.snapshotKeepMax;
            snapshotChunkBytes = options.snapshotChunkBytes;
            snapshotWindow = options.snapshotWindow;
        }

        // Membership changes start from one to all of the nodes as voters; without them every node votes for good.
        final int[] voters = new int[options.initialVoters > 0 ? options.initialVoters :
            options.membershipMeanIntervalNs > 0 ? 1 + random.nextInt(options.nodes) : options.nodes];
        for (int i = 0; i < voters.length; i++)
        {
            voters[i] = i;
        }
        bootstrap = Configuration.ofVoters(voters);
        nodes = new SimNode[options.nodes];
        for (int i = 0; i < options.nodes; i++)
        {
            // Each node its own stagger, so that they do not all snapshot at the same index.
            final int threshold =
                0 == snapshotThreshold ? 0 : snapshotThreshold + random.nextInt(snapshotThreshold / 2 + 1);
            nodes[i] = new SimNode(this, i, threshold, random.nextInt(snapshotKeepMax + 1), clock());
        }
        blocked = new boolean[options.nodes][options.nodes];
        invariants = new Invariants(nodes);
        rogue = new RoguePeer(random, options.nodes);
    }

    /**
     * Start every node (ticks at a random phase); with {@code faults}, also the random fault and proposal
     * generators of the options.
     *
     * @param faults inject the options' random faults and proposals.
     */
    public void start(final boolean faults)
    {
        if (started)
        {
            throw new IllegalStateException("already started");
        }
        started = true;
        this.faults = faults;
        if (tracing())
        {
            trace("seed " + seed + " " + options + " " + raftConfig);
        }
        for (final SimNode node : nodes)
        {
            node.start(0, random);
            scheduleTick(node, random.nextLong(options.tickIntervalNs) + 1);
        }
        if (faults)
        {
            if (options.partitionMeanIntervalNs > 0)
            {
                schedule(exponential(options.partitionMeanIntervalNs), this::randomPartition);
            }
            if (options.crashMeanIntervalNs > 0)
            {
                schedule(exponential(options.crashMeanIntervalNs), this::randomCrash);
            }
            if (options.proposalMeanIntervalNs > 0)
            {
                schedule(exponential(options.proposalMeanIntervalNs), this::randomProposals);
            }
            if (options.wipeMeanIntervalNs > 0 && nodes.length >= 3)
            {
                schedule(exponential(options.wipeMeanIntervalNs), this::randomWipe);
            }
            if (options.rogueMeanIntervalNs > 0)
            {
                schedule(exponential(options.rogueMeanIntervalNs), this::rogueMessage);
            }
            if (options.readMeanIntervalNs > 0)
            {
                schedule(exponential(options.readMeanIntervalNs), this::randomReads);
            }
            if (options.pauseMeanIntervalNs > 0)
            {
                schedule(exponential(options.pauseMeanIntervalNs), this::randomPause);
            }
            if (options.membershipMeanIntervalNs > 0)
            {
                schedule(exponential(options.membershipMeanIntervalNs), this::randomMembershipChange);
            }
        }
    }

    /**
     * A whole chaos run: faults for the fault phase, then heal everything and require that a leader commits a
     * new proposal and every node learns it within the liveness bound, and that every timer due by then fires
     * and every node applies its firing within the bound too.
     *
     * @return a one-line summary.
     */
    public String runChaos()
    {
        start(true);
        runFor(options.faultPhaseNs);
        final long committedBeforeHeal = invariants.maxCommitted();
        final long healedAt = nowNs;
        heal();

        final long marker = -1 - seed;
        final long deadline = nowNs + options.livenessBoundNs;
        long index = -1;
        long nextProposalNs = nowNs;
        while (nowNs < deadline)
        {
            if (index < 0 && nowNs >= nextProposalNs)
            {
                proposeOnLeader(marker);
                nextProposalNs = nowNs + 20 * MS;
            }
            step();
            if (index < 0)
            {
                index = invariants.committedIndexOf(marker);
            }
            if (index > 0 && allCommitted(index))
            {
                final long livenessNs = nowNs - healedAt;
                if (options.membershipMeanIntervalNs > 0)
                {
                    awaitChangeCommitted();
                }
                final long dueBy = invariants.lastCommittedTimestamp();
                awaitUntil("every timer due by the last committed entry's timestamp " + dueBy + " fired on every node",
                    () -> invariants.timers().earliestDeadline() > dueBy &&
                    allApplied(invariants.timers().lastFireIndex()), options.livenessBoundNs);
                // Exactly one answer follows every read the core accepted: none may hang once the cluster is whole.
                awaitUntil("every read started under faults answered", () -> !anyUnansweredReads(),
                    options.livenessBoundNs);
                return "seed " + seed + ": committed " + committedBeforeHeal + " entries under faults, liveness in " +
                    livenessNs / MS + " ms, " + steps + " steps, " + messagesDelivered + "/" +
                    messagesSent + " messages delivered, " + rogueMessages + " forged, " + pauses + " pauses, " +
                    "snapshots " + Arrays.toString(snapshotCounts()) + ", timers " + Arrays.toString(timerCounts()) +
                    ", " + readCounts() + (options.membershipMeanIntervalNs > 0 ? ", membership changes " +
                    changeResults + " (leader removed " + leaderRemovals + ", introduced to a node that could not answer " +
                    leadersIntroduced() + "), ended with " +
                    nodes[leader()].raft().configuration() : "");
            }
        }

        throw new SimulationFailure("liveness: " + (index < 0 ? "no proposal committed" :
            "marker committed at " + index + " but not every node learned it") + " within " +
            options.livenessBoundNs / MS + " ms after healing; " + describeNodes());
    }

    /**
     * A client read of one query at a node (which is up), started in its core at once or, if the node is paused,
     * when it resumes.
     *
     * @return the read, to follow its outcome.
     */
    public SimRead read(final int id, final ReadMode mode)
    {
        return startRead(nodes[id], mode, 1);
    }

    /**
     * Stall a node (which is up) until {@link #resume}: see {@link SimNode}.
     */
    public void pause(final int id)
    {
        pauses++;
        nodes[id].pause();
    }

    public void resume(final int id)
    {
        nodes[id].resume();
    }

    /**
     * @return the client reads of every node, by kind and outcome.
     */
    public ReadCounts readCounts()
    {
        final ReadCounts counts = new ReadCounts();
        for (final SimNode node : nodes)
        {
            counts.add(node.readCounts());
        }
        return counts;
    }

    /**
     * Process the next event and check the invariants.
     */
    public void step()
    {
        final Event event = events.poll();
        if (null == event)
        {
            throw new IllegalStateException("no events: call start()");
        }
        nowNs = event.timeNs;
        event.action.run();
        steps++;
        checkInvariants();
    }

    /**
     * Run for a stretch of simulated time.
     */
    public void runFor(final long durationNs)
    {
        final long end = nowNs + durationNs;
        while (null != events.peek() && events.peek().timeNs <= end)
        {
            step();
        }
        nowNs = Math.max(nowNs, end);
    }

    /**
     * Run until the condition holds, checking it after every step.
     *
     * @return true when it held within the time limit.
     */
    public boolean runUntil(final BooleanSupplier condition, final long maxNs)
    {
        final long end = nowNs + maxNs;
        while (!condition.getAsBoolean())
        {
            if (null == events.peek() || events.peek().timeNs > end)
            {
                return false;
            }
            step();
        }
        return true;
    }

    /**
     * Like {@link #runUntil} but fails with the cluster's state when the condition does not hold in time.
     */
    public void awaitUntil(final String what, final BooleanSupplier condition, final long maxNs)
    {
        if (!runUntil(condition, maxNs))
        {
            throw new SimulationFailure("timed out after " + maxNs / MS + " ms waiting for " + what + "; " +
                describeNodes());
        }
    }

    public void checkInvariants()
    {
        for (final SimNode node : nodes)
        {
            node.checkCommitMonotonic();
            node.checkConfiguration();
        }
        invariants.checkLeaders();
        invariants.checkCommittedDurable();
        invariants.checkStates();
    }

    /**
     * @return the live leader with the highest term, or -1.
     */
    public int leader()
    {
        int leader = -1;
        long term = -1;
        for (final SimNode node : nodes)
        {
            if (node.isUp() && Role.LEADER == node.raft().role() && node.raft().currentTerm() > term)
            {
                leader = node.id();
                term = node.raft().currentTerm();
            }
        }
        return leader;
    }

    /**
     * Propose a COMMAND whose payload starts with the given id on the current leader.
     *
     * @return the entry's index, or a negative {@link RaftNode#propose} result, or -1 with no leader.
     */
    public long proposeOnLeader(final long payloadId)
    {
        return propose(leader(), payloadId);
    }

    private long propose(final int leader, final long payloadId)
    {
        if (leader < 0)
        {
            return RaftNode.NOT_LEADER;
        }
        final int length = 8 + random.nextInt(payload.capacity() - 8);
        payload.putLong(0, payloadId);
        for (int i = 8; i < length; i++)
        {
            payload.putByte(i, (byte)random.nextInt());
        }
        if (!options.timers && length >= SimTimers.MIN_OP_LENGTH)
        {
            payload.putByte(8, (byte)0);
        }
        final long index = nodes[leader].raft().propose(EntryType.COMMAND, 1, payloadId, payload, 0, length);
        if (tracing())
        {
            trace("propose " + payloadId + " on " + leader + " -> " + index);
        }
        return index;
    }

    /**
     * @return a fresh payload id for {@link #proposeOnLeader}.
     */
    public long nextPayloadId()
    {
        return ++payloadIds;
    }

    /**
     * @return whether every node that must learn the log (every node while membership is static, else the members
     * of the leader's configuration) is up and has committed the index.
     */
    public boolean allCommitted(final long index)
    {
        for (final SimNode node : nodes)
        {
            if (mustLearn(node) && (!node.isUp() || node.raft().commitIndex() < index))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether every node is up and has applied the index.
     */
    public boolean allApplied(final long index)
    {
        for (final SimNode node : nodes)
        {
            if (mustLearn(node) && (!node.isUp() || node.appliedIndex() < index))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return timers fired by the committed history; fired by the nodes, replays included; of those, fired by nodes
     * whose timer table came from a snapshot.
     */
    public long[] timerCounts()
    {
        final long[] counts = {invariants.timers().fireCount(), 0, 0};
        for (final SimNode node : nodes)
        {
            counts[1] += node.timersFired();
            counts[2] += node.timersFiredAfterLoad();
        }
        return counts;
    }

    public void crash(final int id)
    {
        nodes[id].crash();
    }

    /**
     * Restart a crashed node with the commit hint it had before the crash.
     */
    public void restart(final int id)
    {
        restart(id, nodes[id].commitBeforeCrash());
    }

    public void restart(final int id, final long commitHint)
    {
        nodes[id].start(commitHint, random);
    }

    /**
     * The node loses its data directory (crashed first if up); {@link #restart} brings it back blank.
     */
    public void wipe(final int id)
    {
        nodes[id].wipe(invariants.maxCommitted());
    }

    /**
     * Split the cluster: nodes of different groups cannot talk; nodes in no group are cut off from everyone.
     */
    public void partition(final int[]... groups)
    {
        final int[] groupOf = new int[nodes.length];
        Arrays.fill(groupOf, -1);
        for (int g = 0; g < groups.length; g++)
        {
            for (final int id : groups[g])
            {
                groupOf[id] = g;
            }
        }
        for (int from = 0; from < nodes.length; from++)
        {
            for (int to = 0; to < nodes.length; to++)
            {
                blocked[from][to] = from != to && (groupOf[from] < 0 || groupOf[from] != groupOf[to]);
            }
        }
        if (tracing())
        {
            trace("partition " + Arrays.deepToString(groups));
        }
    }

    /**
     * Block every link, so only links opened by {@link #connect} carry messages.
     */
    public void disconnectAll()
    {
        for (int from = 0; from < nodes.length; from++)
        {
            for (int to = 0; to < nodes.length; to++)
            {
                blocked[from][to] = from != to;
            }
        }
        trace("disconnect all");
    }

    /**
     * Open the links between two nodes, both ways.
     */
    public void connect(final int a, final int b)
    {
        blocked[a][b] = false;
        blocked[b][a] = false;
        if (tracing())
        {
            trace("connect " + a + "<->" + b);
        }
    }

    /**
     * Block one direction of a link.
     */
    public void block(final int from, final int to)
    {
        blocked[from][to] = true;
        if (tracing())
        {
            trace("block " + from + "->" + to);
        }
    }

    /**
     * End all faults: reconnect, resume paused nodes, restart crashed ones, stop loss, duplication and send failures,
     * and stop injecting new faults. Delays (and so reordering) remain.
     */
    public void heal()
    {
        faults = false;
        for (final boolean[] row : blocked)
        {
            Arrays.fill(row, false);
        }
        for (final SimNode node : nodes)
        {
            if (!node.isUp())
            {
                restart(node.id());
            }
            node.resume();
        }
        trace("HEAL");
    }

    /**
     * @return over all nodes: snapshots written, installed, rejected on verification, and data directories lost.
     */
    public long[] snapshotCounts()
    {
        final long[] counts = new long[4];
        for (final SimNode node : nodes)
        {
            counts[0] += node.snapshotsTaken();
            counts[1] += node.snapshotsInstalled();
            counts[2] += node.snapshotsRejected();
            counts[3] += node.wipes();
        }
        return counts;
    }

    public SimNode node(final int id)
    {
        return nodes[id];
    }

    public long nowNs()
    {
        return nowNs;
    }

    public long seed()
    {
        return seed;
    }

    public RaftConfig raftConfig()
    {
        return raftConfig;
    }

    /**
     * @return the configuration every node starts from (its Context's member list): as of index 0.
     */
    Configuration bootstrap()
    {
        return bootstrap;
    }

    int nodeCount()
    {
        return nodes.length;
    }

    /**
     * @return the results of the membership changes proposed, by name.
     */
    public TreeMap<String, Integer> changeResults()
    {
        return changeResults;
    }

    /**
     * @return by id, the members a node started blank now has in its spec, as an operator gives them: the bootstrap's
     * and every member of the configuration in effect at a node that is up.
     */
    boolean[] membersNow()
    {
        final boolean[] members = new boolean[Configuration.MAX_MEMBER_ID + 1];
        for (int id = 0; id < members.length; id++)
        {
            members[id] = bootstrap.isMember(id);
        }
        for (final SimNode node : nodes)
        {
            if (node.isUp())
            {
                for (int id = 0; id < members.length; id++)
                {
                    members[id] |= node.raft().configuration().isMember(id);
                }
            }
        }
        return members;
    }

    /**
     * @return the voters an operator lists for a node that rejoins after losing its data: those of the newest
     * configuration any node that is up holds and, while that one may not commit, of the newest committed one (both
     * majorities are asked: one change runs at a time, so these are at most two sets).
     */
    Configuration votersNow()
    {
        Configuration latest = bootstrap;
        long latestIndex = -1;
        Configuration committed = bootstrap;
        long committedIndex = -1;
        for (final SimNode node : nodes)
        {
            if (node.isUp() && !node.raft().isProbingTerm())
            {
                if (node.raft().configurationIndex() > latestIndex)
                {
                    latestIndex = node.raft().configurationIndex();
                    latest = node.raft().configuration();
                }
                if (node.raft().committedConfigurationIndex() > committedIndex)
                {
                    committedIndex = node.raft().committedConfigurationIndex();
                    committed = node.raft().committedConfiguration();
                }
            }
        }
        final int[] older = committed.isJoint() ? committed.outgoing() : committed.voters();
        return new Configuration(
            latest.voters(), Arrays.equals(older, latest.voters()) ? new int[0] : older, new int[0]);
    }

    /**
     * @return how often, over all nodes, a leader a node could not reach introduced itself.
     */
    public long leadersIntroduced()
    {
        long introduced = 0;
        for (final SimNode node : nodes)
        {
            introduced += node.leadersIntroduced();
        }
        return introduced;
    }

    /**
     * @return how many accepted changes removed the leader that accepted them.
     */
    public long leaderRemovals()
    {
        return leaderRemovals;
    }

    Invariants invariants()
    {
        return invariants;
    }

    public long maxCommitted()
    {
        return invariants.maxCommitted();
    }

    /**
     * @return the lowest committed index whose payload starts with the id, or -1.
     */
    public long committedIndexOf(final long payloadId)
    {
        return invariants.committedIndexOf(payloadId);
    }

    /**
     * @return the last events, oldest first, when tracing.
     */
    public String trace()
    {
        return null == traceLines ? "(tracing off)" : String.join("\n", traceLines);
    }

    public String describeNodes()
    {
        final StringBuilder builder = new StringBuilder("t=" + nowNs / MS + "ms");
        for (final SimNode node : nodes)
        {
            builder.append("\n  ").append(node);
        }
        return builder.toString();
    }

    boolean tracing()
    {
        return null != traceLines;
    }

    void trace(final String line)
    {
        if (null != traceLines)
        {
            if (traceLines.size() == TRACE_LINES)
            {
                traceLines.removeFirst();
            }
            traceLines.addLast(String.format("%10.3fms %s", nowNs / 1e6, line));
        }
    }

    boolean sendFails()
    {
        return faults && options.sendFailRate > 0 && random.nextDouble() < options.sendFailRate;
    }

    boolean send(final SimMessage message)
    {
        messagesSent++;
        if (blocked[message.from][message.to])
        {
            if (tracing())
            {
                trace("blocked " + message);
            }
            return true;
        }
        if (faults && random.nextDouble() < options.lossRate)
        {
            if (tracing())
            {
                trace("lost " + message);
            }
            return true;
        }
        final int copies = faults && random.nextDouble() < options.duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            final SimMessage delivered = faults && SimMessage.Kind.SNAPSHOT_CHUNK == message.kind &&
                random.nextDouble() < options.snapshotCorruptRate ?
                message.corrupted(random.nextInt(message.entries.length)) : message;
            schedule(delay(), () -> deliver(delivered));
        }
        return true;
    }

    void scheduleFlush(final SimNode node)
    {
        schedule(random.nextLong(options.diskDelayMaxNs) + 1, () -> node.onFlushTimer(random));
    }

    void scheduleSnapshotWrite(final SimNode node, final SimSnapshot snapshot)
    {
        schedule(random.nextLong(options.snapshotWriteMaxNs) + 1, () -> node.onSnapshotWritten(snapshot));
    }

    int snapshotChunkBytes()
    {
        return snapshotChunkBytes;
    }

    int snapshotWindow()
    {
        return snapshotWindow;
    }

    private void deliver(final SimMessage message)
    {
        final SimNode target = nodes[message.to];
        if (blocked[message.from][message.to] || !target.isUp())
        {
            if (tracing())
            {
                trace("dropped " + message);
            }
            return;
        }
        if (tracing())
        {
            trace("deliver " + message);
        }
        messagesDelivered++;
        target.receive(message);
    }

    private long delay()
    {
        if (faults && random.nextDouble() < options.longDelayRate)
        {
            return random.nextLong(options.longDelayMaxNs) + 1;
        }
        final long spread = options.maxDelayNs - options.minDelayNs;
        return options.minDelayNs + (spread > 0 ? random.nextLong(spread) : 0);
    }

    private void scheduleTick(final SimNode node, final long delayNs)
    {
        schedule(delayNs, () ->
        {
            node.tick();
            scheduleTick(node, options.tickIntervalNs);
        });
    }

    private void randomPartition()
    {
        if (!faults)
        {
            return;
        }
        final int n = nodes.length;
        final int kind = random.nextInt(4);
        switch (kind)
        {
            case 0:
            {
                // Symmetric split into two sides.
                final boolean[] side = new boolean[n];
                for (int i = 0; i < n; i++)
                {
                    side[i] = random.nextBoolean();
                }
                for (int from = 0; from < n; from++)
                {
                    for (int to = 0; to < n; to++)
                    {
                        blocked[from][to] = side[from] != side[to];
                    }
                }
                if (tracing())
                {
                    trace("PARTITION split " + Arrays.toString(side));
                }
                break;
            }
            case 1:
            {
                // Asymmetric: random one-way links fail.
                for (int from = 0; from < n; from++)
                {
                    for (int to = 0; to < n; to++)
                    {
                        blocked[from][to] = from != to && random.nextInt(3) == 0;
                    }
                }
                if (tracing())
                {
                    trace("PARTITION asymmetric " + Arrays.deepToString(blocked));
                }
                break;
            }
            default:
            {
                // Isolate the leader: both ways, or only its inbound or outbound links.
                final int leader = leader() >= 0 ? leader() : random.nextInt(n);
                final int direction = random.nextInt(3);
                for (int other = 0; other < n; other++)
                {
                    if (other != leader)
                    {
                        blocked[leader][other] = direction != 1;
                        blocked[other][leader] = direction != 2;
                    }
                }
                if (tracing())
                {
                    trace("PARTITION isolate " + leader + (direction == 0 ? " both ways" :
                        direction == 1 ? " inbound" : " outbound"));
                }
                break;
            }
        }

        schedule(exponential(options.partitionMeanDurationNs), () ->
        {
            for (final boolean[] row : blocked)
            {
                Arrays.fill(row, false);
            }
            trace("partition healed");
        });
        schedule(exponential(options.partitionMeanIntervalNs), this::randomPartition);
    }

    private void randomCrash()
    {
        if (!faults)
        {
            return;
        }
        int up = 0;
        for (final SimNode node : nodes)
        {
            up += node.isUp() ? 1 : 0;
        }
        if (up > 1)
        {
            final int leader = leader();
            int victim = leader >= 0 && random.nextInt(3) == 0 ? leader : random.nextInt(nodes.length);
            while (!nodes[victim].isUp())
            {
                victim = (victim + 1) % nodes.length;
            }
            crash(victim);
            final SimNode node = nodes[victim];
            schedule(random.nextLong(options.downtimeMaxNs) + 1, () ->
            {
                if (!node.isUp())
                {
                    // A recovered commit hint may be anything from 0 to what the node knew.
                    final long hint = random.nextBoolean() ? node.commitBeforeCrash() :
                        random.nextLong(node.commitBeforeCrash() + 1);
                    restart(node.id(), hint);
                }
            });
        }
        schedule(exponential(options.crashMeanIntervalNs), this::randomCrash);
    }

    private void randomWipe()
    {
        if (!faults)
        {
            return;
        }
        if (!anyFenced())
        {
            // One wiped node at a time, brought back after a downtime to rejoin through a snapshot, whatever the
            // others' terms: a node left in a term below the one the lost self knew, cut off, may still lead it, and
            // the blank node must not give it the majority that confirms its reads or commits (the term probe).
            final int first = random.nextInt(nodes.length);
            int victim = -1;
            for (int i = 0; i < nodes.length && victim < 0; i++)
            {
                final int id = (first + i) % nodes.length;
                if (mayLoseData(id))
                {
                    victim = id;
                }
            }
            if (victim < 0)
            {
                schedule(exponential(options.wipeMeanIntervalNs), this::randomWipe);
                return;
            }
            final SimNode node = nodes[victim];
            wipe(node.id());
            schedule(random.nextLong(options.downtimeMaxNs) + 1, () ->
            {
                if (!node.isUp())
                {
                    restart(node.id(), 0);
                }
            });
        }
        schedule(exponential(options.wipeMeanIntervalNs), this::randomWipe);
    }

    private boolean anyFenced()
    {
        for (final SimNode node : nodes)
        {
            if (node.isFenced())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the node may lose its data and the cluster still recover: in every configuration a log has in
     * effect where it votes, and in the bootstrap one, the others are a majority of the voters (and of the outgoing
     * ones) without it. Losing the data of a voter of one or two is losing committed entries.
     */
    private boolean mayLoseData(final int id)
    {
        // The node comes back blank with the bootstrap configuration: as its only voter it would found a cluster.
        if (!mayLoseVoter(bootstrap, id))
        {
            return false;
        }
        for (final SimNode node : nodes)
        {
            if (!mayLoseVoter(node.logConfiguration(), id))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean mayLoseVoter(final Configuration configuration, final int id)
    {
        return !configuration.isVoter(id) || (configuration.voters().length >= 3 &&
            (!configuration.isJoint() || configuration.outgoing().length >= 3));
    }

    /**
     * The rogue peer sends one forged message to a random node; it is forged when it arrives, from what the node
     * holds then (see {@link RoguePeer}).
     */
    private void rogueMessage()
    {
        if (!faults)
        {
            return;
        }
        final SimNode target = nodes[random.nextInt(nodes.length)];
        schedule(delay(), () -> deliverForgery(target));
        schedule(exponential(options.rogueMeanIntervalNs), this::rogueMessage);
    }

    private void deliverForgery(final SimNode target)
    {
        if (!target.isUp() || target.isPaused())
        {
            return;
        }
        final RoguePeer.Forgery forgery = rogue.forge(target);
        final RaftNode raft = target.raft();
        final String before = coreState(target);
        final long droppedBefore = target.droppedMessages();
        if (tracing())
        {
            trace("forged " + forgery.message);
        }
        rogueMessages++;
        target.receive(forgery.message);

        if (forgery.noise && !before.equals(coreState(target)))
        {
            throw new SimulationFailure("forged noise " + forgery.message + " changed node " + target.id() +
                " from " + before + " to " + coreState(target));
        }
        final boolean reachedCore = !(target.isFenced() && SimMessage.Kind.REQUEST_VOTE == forgery.message.kind);
        if (forgery.counted && reachedCore && target.droppedMessages() != droppedBefore + 1)
        {
            throw new SimulationFailure("forged " + forgery.message + " was not counted as dropped by " + raft);
        }
        if (raft.currentTerm() > RaftNode.MAX_TERM)
        {
            throw new SimulationFailure("node " + target.id() + " went past the term bound: " + raft);
        }
    }

    private static String coreState(final SimNode node)
    {
        final RaftNode raft = node.raft();
        return "term=" + raft.currentTerm() + " vote=" + raft.votedFor() + " " + raft.role() + " leader=" +
            raft.leaderId() + " commit=" + raft.commitIndex() + " last=" + node.lastIndex() + "/t" + node.lastTerm() +
            " persisted=" + node.persistedTerm() + "/" + node.persistedVote();
    }

    /**
     * Deliver to node {@code to}, at once, an AppendResponse that no node sent: a forged one.
     */
    public void forgeAppendResponse(
        final int from, final int to, final long term, final boolean success, final long lastAppended,
        final long durable)
    {
        final SimMessage message = SimMessage.appendResponse(from, to, term, success, lastAppended, durable, 0, 0, 0);
        if (tracing())
        {
            trace("forged " + message);
        }
        nodes[to].receive(message);
    }

    private void randomProposals()
    {
        if (!faults)
        {
            return;
        }
        // Clients reach whichever node believes it leads, stale leaders included: their entries diverge.
        int leaders = 0;
        for (final SimNode node : nodes)
        {
            leaders += node.isUp() && Role.LEADER == node.raft().role() ? 1 : 0;
        }
        if (leaders > 0)
        {
            int pick = random.nextInt(leaders);
            int leader = 0;
            while (!nodes[leader].isUp() || Role.LEADER != nodes[leader].raft().role() || pick-- > 0)
            {
                leader++;
            }
            final int burst = 1 + random.nextInt(options.proposalBurstMax);
            final int target = leader;
            nodes[leader].onThread(() ->
            {
                for (int i = 0; i < burst; i++)
                {
                    propose(target, nextPayloadId());
                }
            });
        }
        schedule(exponential(options.proposalMeanIntervalNs), this::randomProposals);
    }

    private boolean mustLearn(final SimNode node)
    {
        if (options.membershipMeanIntervalNs <= 0 && options.initialVoters <= 0)
        {
            return true;
        }
        final int leader = leader();
        return leader < 0 || nodes[leader].raft().configuration().isMember(node.id());
    }

    /**
     * The leader (whoever believes it leads, as clients reach it) is asked for a random membership change; none
     * while a wiped node is fenced: the change could make its vote, which it withholds, necessary to every majority
     * (with no fence it would vote on an empty log, as the runtime's operator rule has it).
     */
    private void randomMembershipChange()
    {
        if (!faults)
        {
            return;
        }
        final int leader = leader();
        if (leader >= 0 && !anyFenced())
        {
            final SimNode node = nodes[leader];
            node.onThread(() ->
            {
                // A paused leader runs this when it resumes: a node may have been wiped since.
                if (!anyFenced())
                {
                    proposeChange(node, randomChange(node.raft().configuration(), leader));
                }
            });
        }
        schedule(exponential(options.membershipMeanIntervalNs), this::randomMembershipChange);
    }

    private long proposeChange(final SimNode node, final ConfigChange change)
    {
        final long result = node.raft().proposeConfigChange(change);
        changeResults.merge(result > 0 ? "accepted" : ConfigChange.describe(result), 1, Integer::sum);
        if (result > 0 && !contains(node.raft().configuration().voters(), node.id()))
        {
            leaderRemovals++;
        }
        if (tracing())
        {
            trace("node " + node.id() + " proposes " + change + " -> " + ConfigChange.describe(result) + ", now " +
                node.raft().configuration());
        }
        return result;
    }

    /**
     * @return a change of the configuration: one that fits it mostly, one it must refuse sometimes.
     */
    private ConfigChange randomChange(final Configuration configuration, final int leader)
    {
        final List<Integer> voters = new ArrayList<>();
        final List<Integer> learners = new ArrayList<>();
        final List<Integer> others = new ArrayList<>();
        for (int id = 0; id < nodes.length; id++)
        {
            (contains(configuration.voters(), id) ? voters : configuration.isLearner(id) ? learners : others).add(id);
        }
        final ConfigChange change = new ConfigChange();
        switch (random.nextInt(8))
        {
            case 0:
            case 1:
                return others.isEmpty() ? change.promote(pick(voters)) : change.addLearner(pick(others));
            case 2:
            case 3:
                return learners.isEmpty() ? change.addLearner(pick(voters)) : change.promote(pick(learners));
            case 4:
                // The leader removes itself a third of the time.
                return change.remove(random.nextInt(3) == 0 ? leader : pick(voters));
            case 5:
                return learners.isEmpty() ? change.remove(pick(voters)) : change.remove(pick(learners));
            case 6:
                // Replace a voter by a caught-up learner in one change (a joint configuration).
                return learners.isEmpty() ? change : change.promote(pick(learners)).remove(pick(voters));
            default:
                // Add one and promote or remove another at once; or name a voter twice.
                change.addLearner(others.isEmpty() ? pick(voters) : pick(others));
                return learners.isEmpty() ? change.remove(pick(voters)) : change.promote(pick(learners));
        }
    }

    private int pick(final List<Integer> ids)
    {
        return ids.get(random.nextInt(ids.size()));
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int each : ids)
        {
            if (each == id)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * After healing, a membership change must commit, as must the leave of any joint configuration: the leader is
     * asked (promote a learner, or add a node that is not a member; with every node a voter, nothing) until it
     * accepts, then every member must commit the configuration, not joint.
     */
    private void awaitChangeCommitted()
    {
        final long[] proposed = { -1 };
        final long[] nextTryNs = { nowNs };
        awaitUntil("a membership change committed on every member, no joint configuration left", () ->
        {
            final int leader = leader();
            if (leader < 0)
            {
                return false;
            }
            final RaftNode raft = nodes[leader].raft();
            final Configuration configuration = raft.configuration();
            if (raft.configurationIndex() < proposed[0])
            {
                // The leader that accepted it lost it (a change of leader truncated the entry): ask again.
                proposed[0] = -1;
            }
            if (proposed[0] < 0 && nowNs >= nextTryNs[0])
            {
                nextTryNs[0] = nowNs + 20 * MS;
                final ConfigChange change = new ConfigChange();
                for (int id = 0; change.isEmpty() && id < nodes.length; id++)
                {
                    if (configuration.isLearner(id))
                    {
                        change.promote(id);
                    }
                }
                for (int id = 0; change.isEmpty() && id < nodes.length; id++)
                {
                    if (!configuration.isMember(id))
                    {
                        change.addLearner(id);
                    }
                }
                // With every node a voter there is nothing to add: the configuration in effect must commit.
                proposed[0] = change.isEmpty() ? raft.configurationIndex() :
                    Math.max(-1, proposeChange(nodes[leader], change));
            }
            return proposed[0] >= 0 && !configuration.isJoint() && raft.configurationIndex() >= proposed[0] &&
                allCommitted(raft.configurationIndex());
        }, options.livenessBoundNs);
    }

    /**
     * Clients read at any node that is up, leader or not, in either mode: a batch of one to
     * {@code readBurstMax} queries sharing one readId, as the runtime batches a duty cycle's queries.
     */
    private void randomReads()
    {
        if (!faults)
        {
            return;
        }
        final SimNode node = nodes[random.nextInt(nodes.length)];
        if (node.isUp())
        {
            startRead(node, random.nextBoolean() ? ReadMode.LEASE : ReadMode.READ_INDEX,
                1 + random.nextInt(options.readBurstMax));
        }
        schedule(exponential(options.readMeanIntervalNs), this::randomReads);
    }

    private SimRead startRead(final SimNode node, final ReadMode mode, final int count)
    {
        final SimRead read = new SimRead(++readIds, mode, count, nowNs);
        node.startRead(read);
        return read;
    }

    private boolean anyUnansweredReads()
    {
        // Removed nodes too: a read granted just before the removal fails once its apply deadline passes.
        for (final SimNode node : nodes)
        {
            if (node.hasUnansweredReads())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A node stalls (the leader half the time) for up to {@code pauseMaxNs}, often longer than the election timeout
     * and so than any lease: it resumes believing what it believed, with its clock moved on.
     */
    private void randomPause()
    {
        if (!faults)
        {
            return;
        }
        final int leader = leader();
        final SimNode node = nodes[leader >= 0 && random.nextBoolean() ? leader : random.nextInt(nodes.length)];
        if (node.isUp() && !node.isPaused())
        {
            pause(node.id());
            final int lifetime = node.lifetime();
            schedule(random.nextLong(options.pauseMaxNs) + 1, () ->
            {
                if (node.lifetime() == lifetime)
                {
                    node.resume();
                }
            });
        }
        schedule(exponential(options.pauseMeanIntervalNs), this::randomPause);
    }

    /**
     * @return a clock for a node: its rate off true by up to the drift the lease tolerates, times {@code clockDrift}.
     */
    private SimClock clock()
    {
        final double tolerated = (double)raftConfig.leaseMarginNs() / raftConfig.electionTimeoutMinNs() / 2;
        return new SimClock(random.nextDouble() * tolerated * options.clockDrift, options.clockSkewMaxNs,
            random.nextDouble());
    }

    private RaftConfig randomize(final RaftConfig base)
    {
        return new RaftConfig()
            .electionTimeoutMinNs(base.electionTimeoutMinNs())
            .electionTimeoutMaxNs(base.electionTimeoutMaxNs())
            .heartbeatIntervalNs(base.heartbeatIntervalNs())
            .resendTimeoutNs(base.resendTimeoutNs())
            .maxBatchBytes(64 + random.nextInt(2048))
            .maxInflight(1 + random.nextInt(4))
            .preVote(random.nextInt(4) != 0)
            .checkQuorum(random.nextInt(4) != 0)
            .maxUncommittedEntries(8 + random.nextInt(512))
            .maxPendingReads(1 + random.nextInt(64))
            .leaseMarginNs(base.electionTimeoutMinNs() / (2 + random.nextInt(7)));
    }

    private long exponential(final long meanNs)
    {
        return 1 + (long)(-Math.log(1.0 - random.nextDouble()) * meanNs);
    }

    private void schedule(final long delayNs, final Runnable action)
    {
        events.add(new Event(nowNs + delayNs, eventSequence++, action));
    }

    private static final class Event implements Comparable<Event>
    {
        final long timeNs;
        final long sequence;
        final Runnable action;

        Event(final long timeNs, final long sequence, final Runnable action)
        {
            this.timeNs = timeNs;
            this.sequence = sequence;
            this.action = action;
        }

        public int compareTo(final Event other)
        {
            final int byTime = Long.compare(timeNs, other.timeNs);
            return 0 != byTime ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
