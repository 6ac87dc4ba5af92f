package io.flotilla.engine.sim;

import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The Raft safety properties, checked as the simulation runs. Each violation throws {@link SimulationFailure}.
 * <ul>
 *     <li>Election safety: at most one leader per term.</li>
 *     <li>Log matching: two entries with the same index and term have the same bytes and the same previous term,
 *     checked on every append to any log (by induction the logs match up to there).</li>
 *     <li>Leader completeness: a new leader of term T holds every entry known committed before term T.</li>
 *     <li>State machine safety: every node applies the same entry at an index (a global record of committed
 *     entries by index), with leader timestamps that never go backwards.</li>
 *     <li>Nothing committed is lost: no node that lacks the last committed entry can be elected. The nodes whose
 *     durable log (or newest snapshot) is more up to date than its log refuse it their vote; the others must not be a
 *     majority of the voters, or while joint of the outgoing voters, of the configuration its own log has in effect
 *     (a wiped node fenced out of elections counts as refusing; a node that votes in no configuration its log holds never
 *     campaigns). A node that holds the entry durably is more up to date than any that lacks it.</li>
 *     <li>Snapshots are committed state: a node's state machine equals the replay of the committed history 1..its
 *     applied index; its newest snapshot equals the replay 1..the snapshot's index (and has that entry's term);
 *     its log never begins after its snapshot ({@code firstIndex - 1 <= snapshot index}).</li>
 *     <li>Linearizable reads: a read is served at an applied index at or above the highest index committed anywhere
 *     when it was started (it reflects every write committed before it), the state it returns is the replay of the
 *     committed history up to there, and the entry at its read index, if the node's log holds it, is the committed
 *     one.</li>
 *     <li>Commit index monotonic per node lifetime (see {@link SimNode}).</li>
 *     <li>Timers (see {@link SimTimers}): at every index it applies, a node fires exactly the timers the reference
 *     model of the committed history fires there, in the same order: so every replica fires the same timers at the
 *     same indices, each scheduled timer at most once (the model forgets a timer as it fires), never before its
 *     deadline (the model fires only timers due by the entry's timestamp), and a node that restarted or installed
 *     a snapshot fires as one that applied the whole log. That every due timer fires at all is checked after the
 *     faults heal ({@link Simulation#runChaos}).</li>
 * </ul>
 * The replay is independent of any node: it folds the global record of committed entries through the state
 * machine's transition as they are first committed.
 */
final class Invariants implements EntryBlockHandler
{
    private static final int TERM_BITS = 24;

    private final SimNode[] nodes;
    private final boolean[] refusers;
    private final boolean[] durableHolders;
    private final Map<Long, Integer> leaderByTerm = new HashMap<>();
    private final Map<Long, long[]> entryByIndexAndTerm = new HashMap<>();
    private final Map<Long, Long> committedIndexByPayloadId = new HashMap<>();
    private final SimTimers.Reference timers = new SimTimers.Reference();

    private long[] committedTerm = new long[1024];
    private int[] committedChecksum = new int[1024];
    private long[] committedTimestamp = new long[1024];
    private long[] committedInTerm = new long[1024];
    private long[] committedPayloadId = new long[1024];
    private long[] replayedState = new long[1024];
    private long maxCommitted;

    private DirectBuffer probeBuffer;
    private int probeOffset;

    Invariants(final SimNode[] nodes)
    {
        this.nodes = nodes;
        this.refusers = new boolean[nodes.length];
        this.durableHolders = new boolean[nodes.length];
    }

    long maxCommitted()
    {
        return maxCommitted;
    }

    long committedTerm(final long index)
    {
        return committedTerm[(int)index];
    }

    /**
     * @return the payload id (first 8 payload bytes, 0 for none) of a committed entry.
     */
    long committedPayloadId(final long index)
    {
        return committedPayloadId[(int)index];
    }

    /**
     * @return the lowest committed index carrying a payload id, or -1.
     */
    long committedIndexOf(final long payloadId)
    {
        return committedIndexByPayloadId.getOrDefault(payloadId, -1L);
    }

    void onLeader(final SimNode node, final long term)
    {
        final Integer previous = leaderByTerm.putIfAbsent(term, node.id());
        if (null != previous && previous != node.id())
        {
            throw new SimulationFailure(
                "election safety: nodes " + previous + " and " + node.id() + " both lead term " + term);
        }

        // Entries committed in a term before this one must be in the new leader's log.
        long index = maxCommitted;
        while (index > 0 && committedInTerm[(int)index] >= term)
        {
            index--;
        }
        if (index > 0)
        {
            final InMemoryRaftLog store = node.store();
            // An entry before the log's first index is in the node's snapshot, checked against the replay.
            final boolean held = index < store.firstIndex() ? index <= node.snapshotIndex() &&
                (index < store.firstIndex() - 1 || store.termAt(index) == committedTerm[(int)index]) :
                store.lastIndex() >= index && store.termAt(index) == committedTerm[(int)index] &&
                checksumAt(store, index) == committedChecksum[(int)index];
            if (!held)
            {
                throw new SimulationFailure("leader completeness: node " + node.id() + " leads term " + term +
                    " without committed entry " + index + " (term " + committedTerm[(int)index] +
                    ", committed by term " + committedInTerm[(int)index] + "); its log: " + store);
            }
        }
    }

    void onAppend(final SimNode node, final DirectBuffer buffer, final int offset, final int length)
    {
        final InMemoryRaftLog store = node.store();
        long previousTerm = store.lastTerm();
        int position = offset;
        while (position < offset + length)
        {
            final long index = EntryFrame.index(buffer, position);
            final long term = EntryFrame.term(buffer, position);
            final int frameLength = EntryFrame.frameLength(buffer, position);
            if (!EntryFrame.isChecksumValid(buffer, position, frameLength))
            {
                throw new SimulationFailure("node " + node.id() + " appends entry " + index + " with a bad checksum");
            }
            if (term < previousTerm)
            {
                throw new SimulationFailure("node " + node.id() + " appends entry " + index + " of term " + term +
                    " after an entry of term " + previousTerm);
            }
            final int checksum = EntryFrame.checksum(buffer, position);
            final long[] known = entryByIndexAndTerm.putIfAbsent(key(index, term), new long[]{ checksum, previousTerm });
            if (null != known && (known[0] != checksum || known[1] != previousTerm))
            {
                throw new SimulationFailure("log matching: node " + node.id() + " appends entry " + index +
                    " term " + term + " (checksum " + checksum + ", previous term " + previousTerm +
                    ") but another log has it with checksum " + known[0] + ", previous term " + known[1]);
            }
            previousTerm = term;
            position += frameLength;
        }
    }

    void onApply(final SimNode node, final long index)
    {
        final InMemoryRaftLog store = node.store();
        if (index > store.lastIndex())
        {
            throw new SimulationFailure(
                "node " + node.id() + " applies index " + index + " beyond its log " + store);
        }
        probe(store, index);
        final long term = EntryFrame.term(probeBuffer, probeOffset);
        final int checksum = EntryFrame.checksum(probeBuffer, probeOffset);
        final long timestamp = EntryFrame.timestamp(probeBuffer, probeOffset);

        if (index <= maxCommitted)
        {
            if (committedTerm[(int)index] != term || committedChecksum[(int)index] != checksum)
            {
                throw new SimulationFailure("state machine safety: node " + node.id() + " applies index " + index +
                    " term " + term + " checksum " + checksum + " but index " + index + " was committed as term " +
                    committedTerm[(int)index] + " checksum " + committedChecksum[(int)index]);
            }
            return;
        }
        if (index != maxCommitted + 1)
        {
            throw new SimulationFailure("node " + node.id() + " applies index " + index + " out of order");
        }
        if (timestamp < committedTimestamp[(int)maxCommitted])
        {
            throw new SimulationFailure("entry " + index + " carries timestamp " + timestamp +
                " before the previous committed entry's " + committedTimestamp[(int)maxCommitted]);
        }

        ensureCapacity(index);
        committedTerm[(int)index] = term;
        committedChecksum[(int)index] = checksum;
        committedTimestamp[(int)index] = timestamp;
        committedInTerm[(int)index] = node.raft().currentTerm();
        committedPayloadId[(int)index] = EntryFrame.payloadLength(probeBuffer, probeOffset) >= 8 ?
            probeBuffer.getLong(EntryFrame.payloadOffset(probeOffset)) : 0;
        replayedState[(int)index] = timers.apply(
            SimSnapshot.nextState(replayedState[(int)index - 1], index, checksum), index,
            EntryFrame.type(probeBuffer, probeOffset), timestamp, probeBuffer, EntryFrame.payloadOffset(probeOffset),
            EntryFrame.payloadLength(probeBuffer, probeOffset));
        maxCommitted = index;
        committedIndexByPayloadId.putIfAbsent(committedPayloadId[(int)index], index);
    }

    /**
     * A node applied an index and fired these timers: exactly those the committed history fires there.
     */
    void checkFires(final SimNode node, final long index, final long[] fired, final int count)
    {
        final long[] expected = timers.firesAt(index);
        if (!Arrays.equals(expected, 0, expected.length, fired, 0, count))
        {
            throw new SimulationFailure("timers: node " + node.id() + " fires " +
                Arrays.toString(Arrays.copyOf(fired, count)) + " at index " + index + " where the committed history " +
                "fires " + Arrays.toString(expected));
        }
    }

    /**
     * @return the reference model of the committed history's timers.
     */
    SimTimers.Reference timers()
    {
        return timers;
    }

    /**
     * @return the leader timestamp of the last committed entry, 0 for none.
     */
    long lastCommittedTimestamp()
    {
        return committedTimestamp[(int)maxCommitted];
    }

    /**
     * A read served by a node: at or after every write committed before it started, from committed state.
     */
    void checkRead(final SimNode node, final SimRead read)
    {
        final long served = read.servedIndex;
        if (served < read.committedAtRequest)
        {
            throw new SimulationFailure("linearizability: node " + node.id() + " served " + read +
                " at applied index " + served + ", missing the entries up to " + read.committedAtRequest +
                " committed before it started");
        }
        if (served > maxCommitted || read.servedState != replayedState[(int)served])
        {
            throw new SimulationFailure("node " + node.id() + " served " + read + " from state " + read.servedState +
                " which is not the committed history's up to " + served);
        }
        final InMemoryRaftLog store = node.store();
        final long index = read.readIndex;
        if (index >= store.firstIndex() && index <= store.lastIndex() &&
            (store.termAt(index) != committedTerm[(int)index] ||
            checksumAt(store, index) != committedChecksum[(int)index]))
        {
            throw new SimulationFailure("log matching: node " + node.id() + " served " + read +
                " whose read index holds term " + store.termAt(index) + " where term " + committedTerm[(int)index] +
                " was committed");
        }
    }

    /**
     * Nothing committed is lost: every node that could campaign without the last committed entry needs a vote of one
     * whose durable log is more up to date than its own.
     */
    void checkCommittedDurable()
    {
        if (0 == maxCommitted)
        {
            return;
        }
        // Those that hold it durably refuse any candidate that lacks it: where they block, nothing more to ask.
        for (final SimNode node : nodes)
        {
            final InMemoryRaftLog store = node.store();
            durableHolders[node.id()] = node.isFenced() || node.snapshotIndex() >= maxCommitted ||
                (store.durableIndex() >= maxCommitted && store.termAt(maxCommitted) == committedTerm[(int)maxCommitted]);
        }
        for (final SimNode candidate : nodes)
        {
            final InMemoryRaftLog store = candidate.store();
            // A candidate whose log holds the entry, durably or not yet (a crash takes it back to its durable log,
            // which is checked then), would keep it.
            final boolean holds = (store.lastIndex() >= maxCommitted && store.firstIndex() <= maxCommitted &&
                store.termAt(maxCommitted) == committedTerm[(int)maxCommitted]) ||
                candidate.snapshotIndex() >= maxCommitted;
            if (holds || candidate.isFenced())
            {
                continue;
            }
            final Configuration configuration = candidate.logConfiguration();
            System.arraycopy(durableHolders, 0, refusers, 0, refusers.length);
            if (refuseMajority(candidate.logVoters()) || refuseMajority(candidate.logOutgoing()) ||
                !candidate.mayCampaign())
            {
                continue;
            }
            for (final SimNode voter : nodes)
            {
                refusers[voter.id()] = voter != candidate && (voter.isFenced() ||
                    isMoreUpToDate(voter, store.lastTerm(), store.lastIndex()));
            }
            if (!refuseMajority(candidate.logVoters()) && !refuseMajority(candidate.logOutgoing()))
            {
                throw new SimulationFailure("committed entry " + maxCommitted + " (term " +
                    committedTerm[(int)maxCommitted] + ") is lost if node " + candidate.id() + " (log " + store +
                    ") is elected: in its " + configuration + " only " + Arrays.toString(refusers) +
                    " would refuse it");
            }
        }
    }

    /**
     * @return whether the voter's durable log, or its snapshot, ends after (term, index).
     */
    private static boolean isMoreUpToDate(final SimNode voter, final long term, final long index)
    {
        final InMemoryRaftLog store = voter.store();
        final long durable = store.durableIndex();
        final long durableTerm = store.termAt(durable);
        final SimSnapshot snapshot = voter.snapshot();
        return durableTerm > term || (durableTerm == term && durable > index) ||
            (null != snapshot && (snapshot.term > term || (snapshot.term == term && snapshot.index > index)));
    }

    private boolean refuseMajority(final int[] voters)
    {
        int count = 0;
        for (final int id : voters)
        {
            count += refusers[id] ? 1 : 0;
        }
        // Every majority holds a refuser when the others are no majority: refusers at least n - floor(n / 2).
        return 0 != voters.length && count >= voters.length - voters.length / 2;
    }

    /**
     * Every node's state machine and newest snapshot equal the replay of the committed prefix they cover, and no
     * log begins after its node's snapshot.
     */
    void checkStates()
    {
        for (final SimNode node : nodes)
        {
            if (node.isUp() && node.state() != replayedState[(int)node.appliedIndex()])
            {
                throw new SimulationFailure("node " + node.id() + " state " + node.state() + " after applying 1.." +
                    node.appliedIndex() + " differs from the replay of the committed history " +
                    replayedState[(int)node.appliedIndex()]);
            }
            final SimSnapshot snapshot = node.snapshot();
            if (null != snapshot && (snapshot.index > maxCommitted ||
                snapshot.state != replayedState[(int)snapshot.index] ||
                snapshot.term != committedTerm[(int)snapshot.index]))
            {
                throw new SimulationFailure("node " + node.id() + " holds " + snapshot + " with state " +
                    snapshot.state + " but the committed history replays to " +
                    (snapshot.index > maxCommitted ? "(not committed)" : replayedState[(int)snapshot.index] +
                    " at term " + committedTerm[(int)snapshot.index]));
            }
            if (node.store().firstIndex() - 1 > node.snapshotIndex())
            {
                throw new SimulationFailure("node " + node.id() + " log begins at " + node.store().firstIndex() +
                    ", after its snapshot at " + node.snapshotIndex());
            }
        }
    }

    /**
     * Election safety over the live nodes: two nodes leading the same term.
     */
    void checkLeaders()
    {
        for (final SimNode node : nodes)
        {
            if (node.isUp() && Role.LEADER == node.raft().role())
            {
                final Integer leader = leaderByTerm.get(node.raft().currentTerm());
                if (null == leader || leader != node.id())
                {
                    throw new SimulationFailure("election safety: node " + node.id() + " leads term " +
                        node.raft().currentTerm() + " recorded for " + leader);
                }
            }
        }
    }

    public void onEntries(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        probeBuffer = buffer;
        probeOffset = offset;
    }

    private void probe(final InMemoryRaftLog store, final long index)
    {
        store.readRange(index, index, this);
    }

    private int checksumAt(final InMemoryRaftLog store, final long index)
    {
        probe(store, index);
        return EntryFrame.checksum(probeBuffer, probeOffset);
    }

    private void ensureCapacity(final long index)
    {
        if (index >= committedTerm.length)
        {
            final int capacity = (int)Math.max(committedTerm.length * 2L, index + 1);
            committedTerm = Arrays.copyOf(committedTerm, capacity);
            committedChecksum = Arrays.copyOf(committedChecksum, capacity);
            committedTimestamp = Arrays.copyOf(committedTimestamp, capacity);
            committedInTerm = Arrays.copyOf(committedInTerm, capacity);
            committedPayloadId = Arrays.copyOf(committedPayloadId, capacity);
            replayedState = Arrays.copyOf(replayedState, capacity);
        }
    }

    private static long key(final long index, final long term)
    {
        if (term >= 1L << TERM_BITS)
        {
            throw new SimulationFailure("term " + term + " too large for the simulator's index");
        }
        return (index << TERM_BITS) | term;
    }
}
