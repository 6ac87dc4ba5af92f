package io.flotilla.engine.sim;

import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.node.TimerTable;
import io.flotilla.engine.node.TimerTrigger;
import io.flotilla.engine.raft.ConfigHistory;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.ForwardingRaftLog;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.raft.RaftTransport;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * One simulated member: its log store, state file and newest snapshot (which survive crashes, minus what was not
 * durable), the {@link RaftNode} of its current lifetime (null while down), and the runtime around it: the outbox
 * that turns the core's actions into simulated messages, disk writes and state machine applies. As the core's log
 * port it wraps the in-memory log, so that every append, truncation and reset is checked by the invariants.
 * <p>
 * The state machine is a running hash of the applied entries and a table of timers that its commands schedule and
 * cancel ({@link SimTimers}); as leader the node proposes a TIMER entry once its clock passes the earliest deadline,
 * as the runtime does ({@link TimerTrigger}). Every fire is checked against the committed history.
 * <p>
 * The runtime model of snapshots: when the entries
 * applied since the last snapshot pass this node's threshold it writes a snapshot (taking simulated time; a crash
 * before it completes loses it) and then compacts its log, keeping a few entries behind it. As a leader it streams
 * its newest snapshot to a peer in chunks, a window at a time, resuming from what the peer acknowledges; as a
 * follower it assembles chunks (a crash loses the partial), verifies the whole snapshot's CRC-32 (a corrupted chunk
 * fails it and the transfer starts over), stores and loads it, and reports it to the core. A restart loads the
 * newest snapshot and replays the log after it. A wiped node comes back blank and fenced out of elections until
 * it has caught up (see {@link #wipe}).
 * <p>
 * The runtime model of reads and time: the node has its own clock ({@link SimClock}, its rate off true); the core is
 * ticked with it and, as the runtime does, told its fresh reading ({@code advanceClock}) before every message and
 * every client request it is handed; the messages that waited out a pause are handled on the reading from before
 * it, as the runtime's poll after the reading it took just before the process stopped. Client reads reach it in
 * batches ({@link SimRead}); a batch answered with a read index is served once the state machine has applied that
 * far, and every served read is checked by the invariants.
 * A paused node (a stalled process: {@link #pause}) is neither ticked nor handed anything; what reaches it waits, in
 * order, until it resumes with its clock moved on by the whole pause.
 */
public final class SimNode extends ForwardingRaftLog implements RaftTransport, RaftOutbox
{
    private final Simulation simulation;
    private final int id;
    private final int snapshotThreshold;
    private final int snapshotKeep;
    private final Outgoing[] outgoing;
    private final boolean[] reachable = new boolean[Configuration.MAX_MEMBER_ID + 1];
    private int introducedLeader = RaftNode.NO_MEMBER;
    // Started blank: the members its spec names (null otherwise), reached while it holds the bootstrap configuration.
    private boolean[] specMembers;
    private long leadersIntroduced;
    private final SimClock clock;
    private final ArrayDeque<Runnable> stalled = new ArrayDeque<>();
    private final Map<Long, SimRead> startedReads = new HashMap<>();
    private final ArrayList<SimRead> readsAwaitingApply = new ArrayList<>();
    private final ReadCounts readCounts = new ReadCounts();
    private boolean paused;
    private boolean resuming;
    private final EntryBlockHandler entryApplier = this::applyEntry;
    private final EntryBlockHandler timestampReader = this::readTimestamp;
    private final EntryBlockHandler configReader = this::readConfigurations;
    // What the log says, kept apart from the core: the configuration as of the snapshot (or the bootstrap) and
    // every CONFIG entry of the log after it, by index; and the configuration the state machine applied last.
    private final TreeMap<Long, Configuration> logConfigurations = new TreeMap<>();
    private Configuration appliedConfiguration;
    private Configuration cachedLogConfiguration;
    private int[] logVoters;
    private int[] logOutgoing;
    // What checkConfiguration last found consistent, so that a step that changed none of it is not checked again.
    private Configuration checkedInLog;
    private Configuration checkedCore;
    private Configuration checkedApplied;
    private long checkedLastIndex = -1;
    private long checkedCommit = -1;
    private long checkedAppliedIndex = -1;
    private final TimerTable timers = new TimerTable();
    private final LongConsumer onTimer = this::onTimer;
    private TimerTrigger timerTrigger;
    private long[] fired = new long[SimTimers.IDS];
    private int firedCount;
    private long applyingIndex;
    private long applyingTimestampNs;
    private long readTimestampNs;
    private long clusterTimeNs;
    private long timersFired;
    private long timersFiredAfterLoad;
    private boolean timersLoaded;
    private long stateHash;
    private SimSnapshot snapshot;
    private SimSnapshot writing;
    private Incoming incoming;
    private boolean fenced;
    private long fenceTerm;
    private long fenceCommit;
    private long snapshotsTaken;
    private long snapshotsInstalled;
    private long snapshotsRejected;
    private long wipes;
    private long droppedMessages;
    private long persistedTerm;
    private int persistedVote = RaftNode.NO_MEMBER;
    private RaftNode raft;
    private int lifetime;
    private long lastCommitSeen;
    private long appliedIndex;
    private long commitBeforeCrash;
    private boolean diskAuto = true;
    private boolean flushScheduled;
    private long appendRejectionsSent;

    /**
     * @param snapshotThreshold entries applied since the last snapshot before the next is written; 0 for none.
     * @param snapshotKeep      entries kept in the log behind a snapshot when compacting.
     * @param clock             this node's clock.
     */
    SimNode(
        final Simulation simulation, final int id, final int snapshotThreshold, final int snapshotKeep,
        final SimClock clock)
    {
        super(new InMemoryRaftLog(256, 64 * 1024));
        this.simulation = simulation;
        this.id = id;
        this.snapshotThreshold = snapshotThreshold;
        this.snapshotKeep = snapshotKeep;
        this.clock = clock;
        outgoing = new Outgoing[simulation.nodeCount()];
    }

    public int id()
    {
        return id;
    }

    /**
     * @return the core of the current lifetime, or null while the node is down.
     */
    public RaftNode raft()
    {
        return raft;
    }

    public boolean isUp()
    {
        return null != raft;
    }

    public boolean isPaused()
    {
        return paused;
    }

    /**
     * @return this node's clock now (see {@link SimClock}).
     */
    public long clockNs()
    {
        return clock.at(simulation.nowNs());
    }

    /**
     * @return the client reads of this node, over all lifetimes, by kind and outcome.
     */
    public ReadCounts readCounts()
    {
        return readCounts;
    }

    public long persistedTerm()
    {
        return persistedTerm;
    }

    public int persistedVote()
    {
        return persistedVote;
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return the state machine: a hash of the entries applied, in order (0 for none).
     */
    public long state()
    {
        return stateHash;
    }

    /**
     * @return index of the newest durable snapshot, 0 for none.
     */
    public long snapshotIndex()
    {
        return null == snapshot ? 0 : snapshot.index;
    }

    SimSnapshot snapshot()
    {
        return snapshot;
    }

    /**
     * @return snapshots this node wrote itself and kept, over all lifetimes.
     */
    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /**
     * @return snapshots received from a leader and loaded, over all lifetimes.
     */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /**
     * @return received snapshots that failed verification and were fetched again.
     */
    public long snapshotsRejected()
    {
        return snapshotsRejected;
    }

    /**
     * @return whether the node, restored from a wiped data directory, is still kept out of elections.
     */
    public boolean isFenced()
    {
        // Never while it still asks the term, as the runtime's fence lifts only under a leader it follows: a node
        // restarted with a log that holds all it needs is still the one node without its data (the simulator wipes
        // no other meanwhile), and two probing nodes of three would each wait for the other's answer for ever.
        if (fenced && null != raft && !raft.isProbingTerm() && raft.currentTerm() > fenceTerm &&
            raft.commitIndex() >= fenceCommit && Math.max(store.durableIndex(), snapshotIndex()) >= fenceCommit)
        {
            fenced = false;
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " caught up after its wipe: takes part in elections again");
            }
        }
        return fenced;
    }

    /**
     * @return AppendEntries this node rejected (log mismatch), over all lifetimes.
     */
    public long appendRejectionsSent()
    {
        return appendRejectionsSent;
    }

    public int lifetime()
    {
        return lifetime;
    }

    /**
     * @param auto true: appended entries become durable after a random delay; false: only by {@link #flush}.
     */
    public void diskAuto(final boolean auto)
    {
        diskAuto = auto;
    }

    /**
     * Make entries durable up to an index now.
     */
    public void flush(final long index)
    {
        store.markDurable(index);
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " durable to " + store.durableIndex());
        }
        if (null != raft)
        {
            raft.onDurable(store.durableIndex());
        }
    }

    void start(final long commitHint, final SplittableRandom random)
    {
        // Recovery: load the newest snapshot, make the log begin at it if it does not reach it, then replay the
        // entries known committed after it, without onCommitIndex.
        if (null != snapshot)
        {
            if (snapshot.index > store.lastIndex())
            {
                store.reset(snapshot.index, snapshot.term);
            }
            else if (store.termAt(snapshot.index) != snapshot.term)
            {
                throw new SimulationFailure("node " + id + " holds term " + store.termAt(snapshot.index) +
                    " at the index of its own " + snapshot);
            }
            appliedIndex = snapshot.index;
            stateHash = snapshot.state;
            clusterTimeNs = snapshot.clusterTimeNs;
            snapshot.loadTimers(timers);
            timersLoaded = true;
        }
        final long commit = Math.max(Math.min(commitHint, store.lastIndex()), appliedIndex);
        // The configurations are recovered as the runtime would: the snapshot's, then the CONFIG entries after it.
        final long configBase = null == snapshot ? 0 : snapshot.index;
        appliedConfiguration = null == snapshot ? simulation.bootstrap() : snapshot.configuration;
        logConfigurations.clear();
        logConfigurations.put(configBase, appliedConfiguration);
        if (store.lastIndex() > configBase)
        {
            store.readRange(configBase + 1, store.lastIndex(), configReader);
        }
        final ConfigHistory configs = new ConfigHistory(configBase, appliedConfiguration);
        logConfigurations.tailMap(configBase, false).forEach(configs::appended);
        raft = new RaftNode(
            simulation.raftConfig(), id, configs, this, persistedTerm, persistedVote, commit, this, this,
            new SplittableRandom(random.nextLong()));
        if (fenced)
        {
            // As the runtime: a node rejoining after its wipe, at each restart until its (durable) fence lifts, asks
            // the voters the term first: those of its members spec (the voters now) while it holds nothing yet, else
            // those of the configuration it holds.
            final boolean blank = null == snapshot && 0 == store.lastIndex() && 0 == persistedTerm;
            raft.probeTermBeforeFollowing(blank ? simulation.votersNow() : raft.configuration());
        }
        specMembers = null == snapshot && 0 == store.lastIndex() ? simulation.membersNow() : null;
        // As the runtime, a restarted node has forgotten who introduced itself.
        introducedLeader = RaftNode.NO_MEMBER;
        onConfigurationChanged(raft.configuration(), raft.committedConfiguration());
        // As the runtime: cluster time never goes back, whatever this node's clock says when it leads.
        readTimestampNs = 0;
        if (store.lastIndex() >= store.firstIndex())
        {
            store.readRange(store.lastIndex(), store.lastIndex(), timestampReader);
        }
        raft.raiseStampFloor(Math.max(clusterTimeNs, readTimestampNs));
        timerTrigger = new TimerTrigger(timers);
        lifetime++;
        for (long index = appliedIndex + 1; index <= commit; index++)
        {
            apply(index);
        }
        appliedIndex = commit;
        lastCommitSeen = commit;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " started (lifetime " + lifetime + ") term=" + persistedTerm + " vote=" +
                persistedVote + " commitHint=" + commit + " log=" + store + " " + snapshot);
        }
        maybeSnapshot();
    }

    void crash()
    {
        commitBeforeCrash = raft.commitIndex();
        raft = null;
        paused = false;
        stalled.clear();
        for (final SimRead read : startedReads.values())
        {
            resolve(read, SimRead.Outcome.LOST);
        }
        startedReads.clear();
        for (final SimRead read : readsAwaitingApply)
        {
            resolve(read, SimRead.Outcome.LOST);
        }
        readsAwaitingApply.clear();
        store.crash();
        logConfigurations.tailMap(store.lastIndex(), false).clear();
        appliedIndex = 0;
        stateHash = 0;
        clusterTimeNs = 0;
        timers.clear();
        timersLoaded = false;
        flushScheduled = false;
        writing = null;
        incoming = null;
        Arrays.fill(outgoing, null);
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " CRASHED, kept " + store + " " + snapshot);
        }
    }

    /**
     * Lose the data directory: log, state file and snapshots. The node (crashed first if up) restarts blank, in
     * term 0 with no vote, and rejoins through a snapshot install.
     * <p>
     * Raft assumes a voter never forgets its vote or its durable entries, and a blank voter breaks both: it could
     * vote twice in a term, and grant its vote to a candidate lacking entries that it helped commit. So the node
     * is fenced out of elections (it neither grants votes nor campaigns: the runtime drops its RequestVotes both
     * ways) until its term is above the one it had and it durably holds, and knows committed, everything up to the
     * higher of what was committed when it was wiped and what it had durable (it may have acknowledged that much,
     * and an acknowledgement still in flight can commit it). While fenced it counts as holding the committed
     * entries (it cannot vote a leader in without them). The runtime has the same guard (its {@code VotingFence});
     * and, as the runtime, the node asks the voters the term before it follows anyone, at each restart until the
     * fence lifts (the runtime keeps the fence in its state file).
     *
     * @param committed the highest index committed anywhere when the data is lost.
     */
    void wipe(final long committed)
    {
        if (null != raft)
        {
            crash();
        }
        fenced = true;
        fenceTerm = persistedTerm;
        fenceCommit = Math.max(committed, Math.max(store.durableIndex(), snapshotIndex()));
        store.reset(0, 0);
        logConfigurations.clear();
        logConfigurations.put(0L, simulation.bootstrap());
        persistedTerm = 0;
        persistedVote = RaftNode.NO_MEMBER;
        snapshot = null;
        commitBeforeCrash = 0;
        wipes++;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " WIPED (had term " + fenceTerm + ", fenced until it holds " +
                fenceCommit + ")");
        }
    }

    /**
     * @return data directories this node lost, over all lifetimes.
     */
    public long wipes()
    {
        return wipes;
    }

    /**
     * Tick the core with this node's clock, unless the node is down or paused.
     */
    void tick()
    {
        if (null != raft && !paused)
        {
            raft.tick(clockNs());
            failReadsPastTheirApplyDeadline();
            if (timerTrigger.doWork(raft, clockNs(), appliedIndex) > 0 && simulation.tracing())
            {
                simulation.trace("node " + id + " proposes a TIMER entry: " + timers);
            }
        }
    }

    /**
     * Stall the node: no ticks, and everything that reaches it waits until {@link #resume}.
     */
    void pause()
    {
        paused = true;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " PAUSED");
        }
    }

    /**
     * The stalled node goes on: its clock has moved on by the whole pause, and it handles what reached it meanwhile,
     * in order, before its next tick (as a resumed runtime polls before it ticks).
     */
    void resume()
    {
        if (!paused)
        {
            return;
        }
        paused = false;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " RESUMED with " + stalled.size() + " waiting");
        }
        // The process stopped in its duty cycle after it read the clock and before it polled: what waited is then
        // handled in that poll, on that reading (see onThread).
        resuming = true;
        while (!stalled.isEmpty())
        {
            stalled.removeFirst().run();
        }
        resuming = false;
    }

    /**
     * Hand the node something from outside (a message, a client request) as its runtime would: at once, after telling
     * the core the fresh time, or, while paused, once it resumes.
     */
    void onThread(final Runnable action)
    {
        onThread(action, true);
    }

    /**
     * As {@link #onThread(Runnable)}; {@code freshClock} false for a message, which the runtime times with the
     * reading it took before it polled: handled on resuming, that reading is the one from before the pause.
     */
    private void onThread(final Runnable action, final boolean freshClock)
    {
        if (paused)
        {
            stalled.addLast(() -> onThread(action, freshClock));
            return;
        }
        if (freshClock || !resuming)
        {
            raft.advanceClock(clockNs());
        }
        action.run();
    }

    /**
     * A batch of client reads reached this node (which is up): started in the core at once, or once it resumes.
     */
    void startRead(final SimRead read)
    {
        onThread(() ->
        {
            read.kind = ReadKind.of(Role.LEADER == raft.role(), read.mode);
            read.committedAtRequest = simulation.invariants().maxCommitted();
            startedReads.put(read.readId, read);
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " starts " + read);
            }
            if (!raft.requestReadIndex(read.readId, read.mode, clockNs()))
            {
                if (null == startedReads.remove(read.readId))
                {
                    throw new SimulationFailure("node " + id + " refused " + read + " after answering it");
                }
                resolve(read, SimRead.Outcome.REFUSED);
            }
        });
    }

    /**
     * A message arrived for this node (which is up): consensus messages go to the core, snapshot traffic to the
     * runtime; while paused it waits.
     */
    void receive(final SimMessage message)
    {
        onThread(() -> handle(message), false);
    }

    private void handle(final SimMessage message)
    {
        switch (message.kind)
        {
            case SNAPSHOT_CHUNK:
                onSnapshotChunk(message);
                break;
            case SNAPSHOT_ACK:
                onSnapshotAck(message);
                break;
            case LEADER_INTRODUCTION:
                onLeaderIntroduction(message);
                break;
            case REQUEST_VOTE:
                if (isFenced())
                {
                    if (simulation.tracing())
                    {
                        simulation.trace("fenced node " + id + " ignores " + message);
                    }
                    break;
                }
                message.deliverTo(raft);
                break;
            default:
                message.deliverTo(raft);
                break;
        }
    }

    /**
     * A snapshot write started in this lifetime has reached the disk (or the node crashed before: it is lost).
     */
    void onSnapshotWritten(final SimSnapshot written)
    {
        if (written != writing)
        {
            return;
        }
        writing = null;
        if (written.index > snapshotIndex())
        {
            snapshot = written;
            snapshotsTaken++;
            // Keep some entries behind the snapshot for a briefly lagging follower; only durable ones go.
            final long firstToKeep = Math.min(written.index + 1 - snapshotKeep, store.durableIndex() + 1);
            if (firstToKeep > store.firstIndex())
            {
                store.compact(firstToKeep);
            }
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " wrote " + written + ", log " + store);
            }
        }
        maybeSnapshot();
    }

    long commitBeforeCrash()
    {
        return commitBeforeCrash;
    }

    void onFlushTimer(final SplittableRandom random)
    {
        if (paused)
        {
            // The durable index reaches the core on its thread: later.
            simulation.scheduleFlush(this);
            return;
        }
        flushScheduled = false;
        if (null != raft && diskAuto)
        {
            // A disk writes part of what is pending at a time.
            final long pending = store.lastIndex() - store.durableIndex();
            if (pending > 0)
            {
                flush(store.durableIndex() + 1 + random.nextLong(pending));
            }
            if (store.lastIndex() > store.durableIndex())
            {
                flushScheduled = true;
                simulation.scheduleFlush(this);
            }
        }
    }

    void checkCommitMonotonic()
    {
        if (null != raft)
        {
            final long commit = raft.commitIndex();
            if (commit < lastCommitSeen)
            {
                throw new SimulationFailure(
                    "commit index of node " + id + " went from " + lastCommitSeen + " back to " + commit);
            }
            lastCommitSeen = commit;
        }
    }

    public void persistState(final long term, final int votedFor)
    {
        if (term > RaftNode.MAX_TERM)
        {
            throw new SimulationFailure("node " + id + " persisted term " + term + " past the bound");
        }
        if (term < persistedTerm)
        {
            throw new SimulationFailure("node " + id + " persisted term " + term + " below " + persistedTerm);
        }
        if (term == persistedTerm && RaftNode.NO_MEMBER != persistedVote && votedFor != persistedVote)
        {
            throw new SimulationFailure("node " + id + " changed its vote in term " + term + " from " +
                persistedVote + " to " + votedFor);
        }
        persistedTerm = term;
        persistedVote = votedFor;
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        simulation.invariants().onAppend(this, buffer, offset, length);
        super.append(buffer, offset, length);
        readConfigurations(buffer, offset, length, 0, 0);
        if (diskAuto && !flushScheduled)
        {
            flushScheduled = true;
            simulation.scheduleFlush(this);
        }
    }

    public void reset(final long previousIndex, final long previousTerm)
    {
        if (null == snapshot || snapshot.index != previousIndex || snapshot.term != previousTerm)
        {
            throw new SimulationFailure("node " + id + " core resets its log to begin after " + previousIndex +
                "/t" + previousTerm + " but the stored snapshot is " + snapshot);
        }
        if (previousIndex <= raft.commitIndex())
        {
            throw new SimulationFailure("node " + id + " core resets its log at " + previousIndex +
                ", not beyond its commit index " + raft.commitIndex());
        }
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " resets its log to begin after " + previousIndex + "/t" + previousTerm);
        }
        super.reset(previousIndex, previousTerm);
        logConfigurations.clear();
        logConfigurations.put(previousIndex, snapshot.configuration);
    }

    public void truncateAfter(final long index)
    {
        if (index < raft.commitIndex())
        {
            throw new SimulationFailure(
                "node " + id + " truncates after " + index + " below its commit index " + raft.commitIndex());
        }
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " truncates after " + index);
        }
        super.truncateAfter(index);
        logConfigurations.tailMap(index, false).clear();
    }

    public boolean sendRequestVote(
        final int to, final long term, final long lastLogIndex, final long lastLogTerm, final boolean preVote,
        final boolean transfer)
    {
        if (isFenced())
        {
            // Dropped by the runtime, as if lost: a fenced node must not gather votes.
            return true;
        }
        return send(SimMessage.requestVote(id, to, term, lastLogIndex, lastLogTerm, preVote, transfer));
    }

    public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
    {
        if (!preVote && granted && (persistedTerm != term || persistedVote != to))
        {
            throw new SimulationFailure("node " + id + " granted its vote in term " + term + " to " + to +
                " before persisting it (persisted term " + persistedTerm + " vote " + persistedVote + ")");
        }
        return send(SimMessage.voteResponse(id, to, term, preVote, granted));
    }

    public boolean sendAppendEntries(
        final int to, final long term, final long prevLogIndex, final long prevLogTerm, final long leaderCommit,
        final long fromIndex, final long toIndex, final long leaderStamp)
    {
        if (simulation.sendFails())
        {
            return false;
        }
        final byte[] entries;
        if (fromIndex <= toIndex)
        {
            entries = new byte[store.rangeLength(fromIndex, toIndex)];
            store.readRange(fromIndex, toIndex, (buffer, offset, length, first, last) ->
                buffer.getBytes(offset, entries, 0, length));
        }
        else
        {
            entries = new byte[0];
        }
        return send(
            SimMessage.appendEntries(id, to, term, prevLogIndex, prevLogTerm, leaderCommit, leaderStamp, entries));
    }

    public boolean sendAppendResponse(
        final int to, final long term, final boolean success, final long lastAppendedIndex, final long durableIndex,
        final long conflictIndex, final long conflictTerm, final long echoStamp)
    {
        if (durableIndex > Math.max(store.durableIndex(), snapshotIndex()))
        {
            throw new SimulationFailure("node " + id + " acknowledges durable index " + durableIndex +
                " but its store is durable only to " + store.durableIndex() + " and its snapshot covers " +
                snapshotIndex());
        }
        if (term != persistedTerm)
        {
            throw new SimulationFailure("node " + id + " answers in term " + term + " not persisted (" +
                persistedTerm + ")");
        }
        if (simulation.sendFails())
        {
            return false;
        }
        if (!success && term == raft.currentTerm() && conflictIndex > 0)
        {
            appendRejectionsSent++;
        }
        return send(SimMessage.appendResponse(
            id, to, term, success, lastAppendedIndex, durableIndex, conflictIndex, conflictTerm, echoStamp));
    }

    public boolean sendTimeoutNow(final int to, final long term)
    {
        return send(SimMessage.timeoutNow(id, to, term));
    }

    public boolean sendTermProbe(final int to, final long probeId)
    {
        return !simulation.sendFails() && send(SimMessage.termProbe(id, to, probeId));
    }

    public boolean sendTermProbeResponse(final int to, final long term, final long probeId)
    {
        return !simulation.sendFails() && send(SimMessage.termProbeResponse(id, to, term, probeId));
    }

    public boolean sendLeaderIntroduction(final int to, final long term)
    {
        return !simulation.sendFails() && send(SimMessage.leaderIntroduction(id, to, term));
    }

    public boolean sendReadIndexRequest(final int to, final long term, final long readId, final ReadMode mode)
    {
        return !simulation.sendFails() && send(SimMessage.readIndexRequest(id, to, term, readId, mode));
    }

    public boolean sendReadIndexResponse(
        final int to, final long term, final long readId, final long readIndex, final boolean granted)
    {
        return !simulation.sendFails() &&
            send(SimMessage.readIndexResponse(id, to, term, readId, readIndex, granted));
    }

    public boolean sendInstallSnapshot(final int to, final long term)
    {
        if (null == snapshot || simulation.sendFails())
        {
            return false;
        }
        Outgoing transfer = outgoing[to];
        if (null == transfer || transfer.term != term || transfer.snapshot.index < store.firstIndex() - 1)
        {
            // A transfer goes on with the snapshot it began with while the log still reaches back to it.
            transfer = new Outgoing(snapshot, term);
            outgoing[to] = transfer;
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " sends " + snapshot + " to " + to + " in term " + term);
            }
        }
        else if (transfer.acked == transfer.ackedAtLastCall)
        {
            // Nothing acknowledged for a heartbeat interval: chunks or acks were lost, go back to what the peer
            // holds (for a finished transfer, the last chunk again, so the peer answers the core).
            transfer.next = Math.min(transfer.acked, lastChunkOffset(transfer.snapshot));
        }
        transfer.ackedAtLastCall = transfer.acked;
        pump(to, transfer);
        return true;
    }

    public void onCommitIndex(final long commitIndex)
    {
        if (commitIndex < lastCommitSeen)
        {
            throw new SimulationFailure(
                "node " + id + " signalled commit index " + commitIndex + " below " + lastCommitSeen);
        }
        lastCommitSeen = commitIndex;
        for (long index = appliedIndex + 1; index <= commitIndex; index++)
        {
            apply(index);
        }
        appliedIndex = commitIndex;
        raft.onApplied(commitIndex);
        serveReads();
        maybeSnapshot();
    }

    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " is " + role + " term=" + term + " leader=" + leaderId +
                " last=" + store.lastIndex() + "/t" + store.lastTerm());
        }
        if (Role.LEADER == role)
        {
            if (term != persistedTerm)
            {
                throw new SimulationFailure("node " + id + " leads term " + term + " not persisted");
            }
            simulation.invariants().onLeader(this, term);
        }
    }

    public void onMessageDropped()
    {
        droppedMessages++;
    }

    public void onReadIndex(final long readId, final long readIndex)
    {
        final SimRead read = answered(readId);
        read.readIndex = readIndex;
        // As the runtime's PendingQueries: the read fails if its index is not applied within an election timeout.
        read.applyDeadlineNs = clockNs() + simulation.raftConfig().electionTimeoutMaxNs();
        readsAwaitingApply.add(read);
        serveReads();
    }

    public void onReadIndexFailed(final long readId)
    {
        resolve(answered(readId), SimRead.Outcome.FAILED);
    }

    public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
    {
        // As the runtime's publications: the members of the configuration in effect and of the committed one, and
        // the leader or candidate that introduced itself last. A node started blank holds the bootstrap
        // configuration until an entry or a snapshot gives it another; until then it reaches the members of its
        // spec, which an operator gives as the cluster's members at the start.
        final boolean fromSpec = null != specMembers && configuration == simulation.bootstrap();
        for (int to = 0; to < reachable.length; to++)
        {
            reachable[to] = (fromSpec && specMembers[to]) || configuration.isMember(to) || committed.isMember(to) ||
                to == introducedLeader;
        }
    }

    /**
     * As the runtime: the leader is reached from now on, whatever the configurations say, until another introduces
     * itself; of any term (one this node's term has deposed must hear that term from it).
     */
    private void onLeaderIntroduction(final SimMessage introduction)
    {
        if (!reachable[introduction.from])
        {
            leadersIntroduced++;
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " learns how to reach leader " + introduction.from);
            }
        }
        introducedLeader = introduction.from;
        reachable[introduction.from] = true;
    }

    /**
     * Send through the simulated network, as the runtime does through a publication: only to a node this one
     * reaches ({@link #onConfigurationChanged}); to any other the send fails, as an offer without a publication.
     */
    private boolean send(final SimMessage message)
    {
        if (!reachable[message.to])
        {
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " cannot reach node " + message.to + ": " + message);
            }
            return false;
        }
        return simulation.send(message);
    }

    /**
     * @return whether reads started in this lifetime still wait for the core's answer or for the state machine.
     */
    boolean hasUnansweredReads()
    {
        return !startedReads.isEmpty() || !readsAwaitingApply.isEmpty();
    }

    /**
     * @return how often a leader this node could not reach introduced itself, across restarts.
     */
    public long leadersIntroduced()
    {
        return leadersIntroduced;
    }

    /**
     * @return messages this node's cores dropped, across restarts.
     */
    long droppedMessages()
    {
        return droppedMessages;
    }

    public String toString()
    {
        return "node " + id + (null == raft ? " DOWN term=" + persistedTerm + " " + store : " " + raft) +
            " config " + logConfiguration() +
            " applied=" + appliedIndex + " first=" + store.firstIndex() + " " + snapshot + (fenced ? " FENCED" : "") +
            (paused ? " PAUSED" : "") + (hasUnansweredReads() ? " reads " + startedReads.values() + " " +
            readsAwaitingApply : "");
    }

    /**
     * The core answers a read: exactly once for each it accepted.
     */
    private SimRead answered(final long readId)
    {
        final SimRead read = startedReads.remove(readId);
        if (null == read)
        {
            throw new SimulationFailure("node " + id + " core answered read " + readId +
                ", which it is not working on (answered twice, refused, or started before a crash)");
        }
        return read;
    }

    /**
     * Serve, from the state machine as it is now, every answered read whose read index is applied.
     */
    private void serveReads()
    {
        final Iterator<SimRead> reads = readsAwaitingApply.iterator();
        while (reads.hasNext())
        {
            final SimRead read = reads.next();
            if (read.readIndex <= appliedIndex)
            {
                reads.remove();
                read.servedIndex = appliedIndex;
                read.servedState = stateHash;
                resolve(read, SimRead.Outcome.SERVED);
                simulation.invariants().checkRead(this, read);
            }
        }
    }

    private void failReadsPastTheirApplyDeadline()
    {
        final Iterator<SimRead> reads = readsAwaitingApply.iterator();
        while (reads.hasNext())
        {
            final SimRead read = reads.next();
            if (clockNs() - read.applyDeadlineNs >= 0)
            {
                reads.remove();
                resolve(read, SimRead.Outcome.FAILED);
            }
        }
    }

    private void resolve(final SimRead read, final SimRead.Outcome outcome)
    {
        read.outcome = outcome;
        readCounts.add(read);
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " " + read);
        }
    }

    private void apply(final long index)
    {
        simulation.invariants().onApply(this, index);
        firedCount = 0;
        store.readRange(index, index, entryApplier);
        simulation.invariants().checkFires(this, index, fired, firedCount);
    }

    /**
     * The state machine's transition for one entry: the running hash, then the timer rules of {@link SimTimers}
     * over the runtime's timer table.
     */
    private void applyEntry(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        final long timestampNs = EntryFrame.timestamp(buffer, offset);
        final int payloadOffset = EntryFrame.payloadOffset(offset);
        final int payloadLength = EntryFrame.payloadLength(buffer, offset);
        stateHash = SimSnapshot.nextState(stateHash, firstIndex, EntryFrame.checksum(buffer, offset));
        clusterTimeNs = Math.max(clusterTimeNs, timestampNs);
        final EntryType type = EntryFrame.type(buffer, offset);
        if (EntryType.COMMAND == type)
        {
            final int op = SimTimers.op(buffer, payloadOffset, payloadLength);
            final long correlationId = SimTimers.correlationId(buffer, payloadOffset);
            if (SimTimers.SCHEDULE == op)
            {
                timers.schedule(correlationId, SimTimers.deadline(buffer, payloadOffset, timestampNs));
            }
            else if (SimTimers.CANCEL == op)
            {
                stateHash = SimTimers.foldCancel(stateHash, timers.cancel(correlationId));
            }
        }
        else if (EntryType.CONFIG == type)
        {
            appliedConfiguration = Configuration.decode(buffer, payloadOffset, payloadLength);
        }
        else if (EntryType.TIMER == type)
        {
            applyingIndex = firstIndex;
            applyingTimestampNs = timestampNs;
            timers.fireDue(timestampNs, onTimer);
        }
    }

    private void onTimer(final long correlationId)
    {
        if (firedCount == fired.length)
        {
            fired = Arrays.copyOf(fired, 2 * fired.length);
        }
        fired[firedCount++] = correlationId;
        timersFired++;
        if (timersLoaded)
        {
            timersFiredAfterLoad++;
        }
        stateHash = SimTimers.foldFire(stateHash, correlationId);
        if (SimTimers.repeats(applyingIndex, correlationId))
        {
            timers.schedule(correlationId, SimTimers.nextDeadline(applyingTimestampNs, correlationId));
        }
    }

    /**
     * Record the CONFIG entries of a block of frames (appended, or read back from the log at a restart).
     */
    private void readConfigurations(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        for (int frame = offset; frame < offset + length; frame += EntryFrame.frameLength(buffer, frame))
        {
            if (EntryType.CONFIG == EntryFrame.type(buffer, frame))
            {
                final Configuration configuration = Configuration.decode(
                    buffer, EntryFrame.payloadOffset(frame), EntryFrame.payloadLength(buffer, frame));
                if (null == configuration)
                {
                    throw new SimulationFailure("node " + id + " log holds a malformed CONFIG entry at " +
                        EntryFrame.index(buffer, frame));
                }
                logConfigurations.put(EntryFrame.index(buffer, frame), configuration);
            }
        }
    }

    /**
     * @return the configuration this node's log says is in effect (its newest), whether the node is up or down.
     */
    Configuration logConfiguration()
    {
        return logConfigurations.lastEntry().getValue();
    }

    /**
     * @return the voters of {@link #logConfiguration()} (copied once per configuration: checked every step).
     */
    int[] logVoters()
    {
        cacheLogConfiguration();
        return logVoters;
    }

    /**
     * @return the outgoing voters of {@link #logConfiguration()}.
     */
    int[] logOutgoing()
    {
        cacheLogConfiguration();
        return logOutgoing;
    }

    private void cacheLogConfiguration()
    {
        final Configuration configuration = logConfiguration();
        if (configuration != cachedLogConfiguration)
        {
            cachedLogConfiguration = configuration;
            logVoters = configuration.voters();
            logOutgoing = configuration.outgoing();
        }
    }

    /**
     * @return whether the node may campaign, as far as its log says: it votes in a configuration the log holds (the
     * core campaigns only where it votes in one not superseded by a committed one: a subset).
     */
    boolean mayCampaign()
    {
        for (final Configuration configuration : logConfigurations.values())
        {
            if (configuration.isVoter(id))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Each configuration the core reports is what its log says: the one in effect (the newest in the log), the
     * committed one (the newest at or before the commit index); and the state machine's, the newest at or before the
     * applied index, is the one its snapshots carry.
     */
    void checkConfiguration()
    {
        if (null == raft)
        {
            return;
        }
        final Configuration latest = logConfiguration();
        if (latest == checkedInLog && raft.configuration() == checkedCore && appliedConfiguration == checkedApplied &&
            store.lastIndex() == checkedLastIndex && raft.commitIndex() == checkedCommit &&
            appliedIndex == checkedAppliedIndex)
        {
            return;
        }
        final Configuration inLog = logConfigurations.floorEntry(store.lastIndex()).getValue();
        final Configuration committed = logConfigurations.floorEntry(raft.commitIndex()).getValue();
        final Configuration applied = logConfigurations.floorEntry(appliedIndex).getValue();
        if (!inLog.equals(raft.configuration()) || !committed.equals(raft.committedConfiguration()) ||
            !applied.equals(appliedConfiguration))
        {
            throw new SimulationFailure("node " + id + " core has configuration " + raft.configuration() +
                " (committed " + raft.committedConfiguration() + "), state machine " + appliedConfiguration +
                ", but its log says " + inLog + " (at commit " + committed + ", at applied " + applied + "): " +
                logConfigurations);
        }
        checkedInLog = latest;
        checkedCore = raft.configuration();
        checkedApplied = appliedConfiguration;
        checkedLastIndex = store.lastIndex();
        checkedCommit = raft.commitIndex();
        checkedAppliedIndex = appliedIndex;
    }

    private void readTimestamp(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        readTimestampNs = EntryFrame.timestamp(buffer, offset);
    }

    /**
     * @return timers this node fired, over all lifetimes (replays included).
     */
    public long timersFired()
    {
        return timersFired;
    }

    /**
     * @return timers fired in lifetimes whose timer table came from a snapshot (loaded at start or installed).
     */
    public long timersFiredAfterLoad()
    {
        return timersFiredAfterLoad;
    }

    private void maybeSnapshot()
    {
        if (snapshotThreshold > 0 && null == writing && appliedIndex - snapshotIndex() >= snapshotThreshold)
        {
            writing = SimSnapshot.of(
                appliedIndex, store.termAt(appliedIndex), stateHash, clusterTimeNs, timers, appliedConfiguration);
            simulation.scheduleSnapshotWrite(this, writing);
        }
    }

    private int lastChunkOffset(final SimSnapshot snapshot)
    {
        final int chunk = simulation.snapshotChunkBytes();
        return (snapshot.bytes.length - 1) / chunk * chunk;
    }

    /**
     * Send chunks from where the transfer is, up to the window beyond what the peer acknowledged.
     */
    private void pump(final int to, final Outgoing transfer)
    {
        final int chunk = simulation.snapshotChunkBytes();
        final int window = chunk * simulation.snapshotWindow();
        final int total = transfer.snapshot.bytes.length;
        while (transfer.next < total && transfer.next - transfer.acked < window && !simulation.sendFails())
        {
            final int length = Math.min(chunk, total - transfer.next);
            send(SimMessage.snapshotChunk(id, to, transfer.term, transfer.snapshot, transfer.next, length));
            transfer.next += length;
        }
    }

    private void onSnapshotChunk(final SimMessage chunk)
    {
        if (!raft.onSnapshotChunk(chunk.from, chunk.term))
        {
            return;
        }
        if (chunk.a <= appliedIndex)
        {
            // Not needed (applied already, or installed and the answer lost): report it, so the leader replicates
            // from the log.
            raft.onSnapshotInstalled(chunk.from, chunk.term, chunk.a, chunk.b);
            return;
        }

        if (null == incoming || !incoming.is(chunk))
        {
            incoming = new Incoming(chunk);
        }
        if (chunk.e == incoming.received)
        {
            System.arraycopy(chunk.entries, 0, incoming.bytes, incoming.received, chunk.entries.length);
            incoming.received += chunk.entries.length;
        }
        if (incoming.received < incoming.bytes.length)
        {
            send(SimMessage.snapshotAck(id, chunk.from, chunk.term, chunk.a, chunk.b, incoming.received));
            return;
        }

        final Incoming complete = incoming;
        incoming = null;
        if (SimSnapshot.crc(complete.bytes, 0, complete.bytes.length) != complete.checksum)
        {
            snapshotsRejected++;
            if (simulation.tracing())
            {
                simulation.trace("node " + id + " rejects snapshot " + chunk.a + " from " + chunk.from +
                    ": checksum mismatch, fetching it again");
            }
            send(SimMessage.snapshotAck(id, chunk.from, chunk.term, chunk.a, chunk.b, 0));
            return;
        }

        final SimSnapshot received = SimSnapshot.decode(complete.bytes, complete.checksum);
        if (received.index != chunk.a || received.term != chunk.b)
        {
            throw new SimulationFailure("node " + id + " received " + received + " announced as " + chunk);
        }
        snapshot = received;
        appliedIndex = received.index;
        stateHash = received.state;
        clusterTimeNs = received.clusterTimeNs;
        appliedConfiguration = received.configuration;
        received.loadTimers(timers);
        timersLoaded = true;
        raft.raiseStampFloor(clusterTimeNs);
        snapshotsInstalled++;
        if (simulation.tracing())
        {
            simulation.trace("node " + id + " installs " + received + " from " + chunk.from);
        }
        send(SimMessage.snapshotAck(id, chunk.from, chunk.term, chunk.a, chunk.b, complete.received));
        raft.onSnapshotInstalled(chunk.from, chunk.term, received.index, received.term, received.configuration);
        serveReads();
    }

    private void onSnapshotAck(final SimMessage ack)
    {
        raft.onSnapshotAck(ack.from, ack.term);
        final Outgoing transfer = outgoing[ack.from];
        if (null == transfer || transfer.term != ack.term || transfer.snapshot.index != ack.a ||
            transfer.snapshot.term != ack.b || Role.LEADER != raft.role() || raft.currentTerm() != ack.term)
        {
            return;
        }

        final int received = (int)ack.c;
        if (received < transfer.acked || received > transfer.next)
        {
            // The peer lost its copy (crash, failed verification), or holds more from an earlier transfer.
            transfer.next = received;
        }
        transfer.acked = received;
        pump(ack.from, transfer);
    }

    /**
     * A snapshot being sent to one peer.
     */
    private static final class Outgoing
    {
        final SimSnapshot snapshot;
        final long term;
        int next;
        int acked;
        int ackedAtLastCall = -1;

        Outgoing(final SimSnapshot snapshot, final long term)
        {
            this.snapshot = snapshot;
            this.term = term;
        }
    }

    /**
     * A snapshot being received: the bytes from its start, kept in memory only.
     */
    private static final class Incoming
    {
        final long index;
        final long term;
        final int checksum;
        final byte[] bytes;
        int received;

        Incoming(final SimMessage chunk)
        {
            index = chunk.a;
            term = chunk.b;
            checksum = (int)chunk.d;
            bytes = new byte[(int)chunk.c];
        }

        boolean is(final SimMessage chunk)
        {
            return index == chunk.a && term == chunk.b && bytes.length == chunk.c && checksum == (int)chunk.d;
        }
    }
}
