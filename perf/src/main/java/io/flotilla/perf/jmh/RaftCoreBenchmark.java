package io.flotilla.perf.jmh;

import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.ForwardingRaftLog;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.raft.RaftTransport;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The consensus core alone: three {@link RaftNode}s in one thread, wired by a synchronous in-memory message
 * queue and in-memory logs that become durable as soon as they are written. One operation proposes
 * {@link #BATCH} entries on the leader and drives ticks and messages until the leader has committed them: the
 * result is the core's cost per committed entry (leader and both followers together), with {@code -prof gc}
 * showing it allocates nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(RaftCoreBenchmark.BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED" })
public class RaftCoreBenchmark
{
    /** Entries proposed per benchmark operation (one replication round). */
    static final int BATCH = 16;
    private static final int MEMBERS = 3;
    private static final long TICK_NS = 1_000;

    @Param({ "32" })
    int payloadLength;

    private final Member[] members = new Member[MEMBERS];
    private final MessageQueue queue = new MessageQueue(1024);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
    private long nowNs = 1_000_000_000L;
    private long sequence;
    private RaftNode leader;

    @Setup(Level.Trial)
    public void setup()
    {
        final RaftConfig config = new RaftConfig()
            .electionTimeoutMinNs(300_000_000L)
            .electionTimeoutMaxNs(600_000_000L)
            .heartbeatIntervalNs(50_000_000L)
            .resendTimeoutNs(100_000_000L)
            .maxBatchBytes(64 * 1024)
            .maxInflight(8)
            .maxUncommittedEntries(64 * 1024);
        final int[] ids = { 0, 1, 2 };
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < MEMBERS; i++)
        {
            members[i] = new Member(i, queue);
            members[i].node = new RaftNode(
                config, i, ids, members[i], 0, RaftNode.NO_MEMBER, 0, members[i], members[i],
                new SplittableRandom(random.nextLong()));
            members[i].node.tick(nowNs);
        }

        // Advance time a millisecond at a time until someone times out and wins.
        for (int i = 0; i < 10_000 && null == leader; i++)
        {
            nowNs += 1_000_000L;
            for (final Member member : members)
            {
                member.node.tick(nowNs);
            }
            pump();
            for (final Member member : members)
            {
                if (Role.LEADER == member.node.role())
                {
                    leader = member.node;
                }
            }
        }
        if (null == leader)
        {
            throw new IllegalStateException("no leader elected");
        }
        replicateUntilCommitted(leader.commitIndex() + 1);
    }

    @Benchmark
    public long proposeAndCommit()
    {
        long last = 0;
        for (int i = 0; i < BATCH; i++)
        {
            last = leader.propose(EntryType.COMMAND, 1, ++sequence, payload, 0, payloadLength);
        }
        if (last < 0)
        {
            throw new IllegalStateException("propose failed: " + last);
        }
        replicateUntilCommitted(last);
        discardCommitted();

        return leader.commitIndex();
    }

    private void replicateUntilCommitted(final long index)
    {
        for (int round = 0; leader.commitIndex() < index; round++)
        {
            if (round > 100)
            {
                throw new IllegalStateException("no commit of " + index + ": " + leader);
            }
            nowNs += TICK_NS;
            for (final Member member : members)
            {
                member.node.tick(nowNs);
            }
            pump();
        }
        // Followers learn the commit index with the next AppendEntries or this heartbeat.
        nowNs += TICK_NS;
        leader.tick(nowNs);
        pump();
    }

    private void pump()
    {
        while (queue.deliverNext(members))
        {
            for (final Member member : members)
            {
                member.node.onDurable(member.store().durableIndex());
            }
        }
    }

    private void discardCommitted()
    {
        long commit = Long.MAX_VALUE;
        for (final Member member : members)
        {
            commit = Math.min(commit, member.node.commitIndex());
        }
        for (final Member member : members)
        {
            member.store().compact(commit + 1);
        }
    }

    /**
     * One member's outbox and log: writes are durable at once; messages go through the shared queue.
     */
    static final class Member extends ForwardingRaftLog implements RaftTransport, RaftOutbox, EntryBlockHandler
    {
        final int id;
        final MessageQueue queue;
        RaftNode node;
        private RaftNode target;
        private int deliveryFrom;
        private long deliveryTerm;
        private long deliveryPrevIndex;
        private long deliveryPrevTerm;
        private long deliveryCommit;

        Member(final int id, final MessageQueue queue)
        {
            super(new InMemoryRaftLog(64 * 1024, 8 * 1024 * 1024));
            this.id = id;
            this.queue = queue;
        }

        public void persistState(final long term, final int votedFor)
        {
        }

        public void append(final DirectBuffer buffer, final int offset, final int length)
        {
            super.append(buffer, offset, length);
            store.markDurable(store.lastIndex());
        }


        public boolean sendRequestVote(
            final int to, final long term, final long lastLogIndex, final long lastLogTerm, final boolean preVote,
            final boolean transfer)
        {
            return queue.add(MessageQueue.REQUEST_VOTE, id, to, term, lastLogIndex, lastLogTerm, 0, 0, 0,
                preVote, transfer);
        }

        public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
        {
            return queue.add(MessageQueue.VOTE_RESPONSE, id, to, term, 0, 0, 0, 0, 0, preVote, granted);
        }

        public boolean sendAppendEntries(
            final int to, final long term, final long prevLogIndex, final long prevLogTerm, final long leaderCommit,
            final long fromIndex, final long toIndex, final long leaderStamp)
        {
            // The stamp is not carried (the queue's five fields hold the range): the benchmark makes no reads.
            return queue.add(MessageQueue.APPEND_ENTRIES, id, to, term, prevLogIndex, prevLogTerm, leaderCommit,
                fromIndex, toIndex, false, false);
        }

        public boolean sendAppendResponse(
            final int to, final long term, final boolean success, final long lastAppendedIndex,
            final long durableIndex, final long conflictIndex, final long conflictTerm, final long echoStamp)
        {
            return queue.add(MessageQueue.APPEND_RESPONSE, id, to, term, lastAppendedIndex, durableIndex,
                conflictIndex, conflictTerm, echoStamp, success, false);
        }

        public boolean sendReadIndexRequest(final int to, final long term, final long readId, final ReadMode mode)
        {
            throw new UnsupportedOperationException("the benchmark makes no reads");
        }

        public boolean sendReadIndexResponse(
            final int to, final long term, final long readId, final long readIndex, final boolean granted)
        {
            throw new UnsupportedOperationException("the benchmark makes no reads");
        }

        public boolean sendTimeoutNow(final int to, final long term)
        {
            return queue.add(MessageQueue.TIMEOUT_NOW, id, to, term, 0, 0, 0, 0, 0, false, false);
        }

        public boolean sendLeaderIntroduction(final int to, final long term)
        {
            // Every peer answers within a heartbeat interval and its configuration names the leader.
            return true;
        }

        public boolean sendTermProbe(final int to, final long probeId)
        {
            throw new UnsupportedOperationException("no member of the benchmark lost its data");
        }

        public boolean sendTermProbeResponse(final int to, final long term, final long probeId)
        {
            throw new UnsupportedOperationException("no member of the benchmark lost its data");
        }

        public boolean sendInstallSnapshot(final int to, final long term)
        {
            // The benchmark keeps every peer within the log: a snapshot is never needed.
            return false;
        }

        public void onCommitIndex(final long commitIndex)
        {
            node.onApplied(commitIndex);
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
        }

        public void onMessageDropped()
        {
        }

        public void onReadIndex(final long readId, final long readIndex)
        {
            throw new UnsupportedOperationException("the benchmark makes no reads");
        }

        public void onReadIndexFailed(final long readId)
        {
            throw new UnsupportedOperationException("the benchmark makes no reads");
        }

        public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
        {
            // The benchmark's membership is fixed.
        }

        /**
         * Deliver an AppendEntries carrying entries read, without copying, from this (the sender's) log.
         */
        void deliverEntries(
            final RaftNode target, final int from, final long term, final long prevIndex, final long prevTerm,
            final long commit, final long fromIndex, final long toIndex)
        {
            this.target = target;
            deliveryFrom = from;
            deliveryTerm = term;
            deliveryPrevIndex = prevIndex;
            deliveryPrevTerm = prevTerm;
            deliveryCommit = commit;
            store.readRange(fromIndex, toIndex, this);
        }

        public void onEntries(
            final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
        {
            target.onAppendEntries(
                deliveryFrom, deliveryTerm, deliveryPrevIndex, deliveryPrevTerm, deliveryCommit, buffer, offset, length,
                0);
        }
    }

    /**
     * A FIFO of messages in preallocated primitive arrays.
     */
    static final class MessageQueue
    {
        static final int REQUEST_VOTE = 0;
        static final int VOTE_RESPONSE = 1;
        static final int APPEND_ENTRIES = 2;
        static final int APPEND_RESPONSE = 3;
        static final int TIMEOUT_NOW = 4;

        private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
        private final int capacity;
        private final int[] kind;
        private final int[] from;
        private final int[] to;
        private final long[] term;
        private final long[] a;
        private final long[] b;
        private final long[] c;
        private final long[] d;
        private final long[] e;
        private final boolean[] flag1;
        private final boolean[] flag2;
        private long head;
        private long tail;

        MessageQueue(final int capacity)
        {
            this.capacity = capacity;
            kind = new int[capacity];
            from = new int[capacity];
            to = new int[capacity];
            term = new long[capacity];
            a = new long[capacity];
            b = new long[capacity];
            c = new long[capacity];
            d = new long[capacity];
            e = new long[capacity];
            flag1 = new boolean[capacity];
            flag2 = new boolean[capacity];
        }

        boolean add(
            final int kind, final int from, final int to, final long term, final long a, final long b, final long c,
            final long d, final long e, final boolean flag1, final boolean flag2)
        {
            if (tail - head == capacity)
            {
                return false;
            }
            final int i = (int)(tail++ % capacity);
            this.kind[i] = kind;
            this.from[i] = from;
            this.to[i] = to;
            this.term[i] = term;
            this.a[i] = a;
            this.b[i] = b;
            this.c[i] = c;
            this.d[i] = d;
            this.e[i] = e;
            this.flag1[i] = flag1;
            this.flag2[i] = flag2;
            return true;
        }

        boolean deliverNext(final Member[] members)
        {
            if (head == tail)
            {
                return false;
            }
            final int i = (int)(head++ % capacity);
            final RaftNode target = members[to[i]].node;
            switch (kind[i])
            {
                case REQUEST_VOTE:
                    target.onRequestVote(from[i], term[i], a[i], b[i], flag1[i], flag2[i]);
                    break;
                case VOTE_RESPONSE:
                    target.onVoteResponse(from[i], term[i], flag1[i], flag2[i]);
                    break;
                case APPEND_ENTRIES:
                    if (d[i] <= e[i])
                    {
                        members[from[i]].deliverEntries(target, from[i], term[i], a[i], b[i], c[i], d[i], e[i]);
                    }
                    else
                    {
                        target.onAppendEntries(from[i], term[i], a[i], b[i], c[i], empty, 0, 0, 0);
                    }
                    break;
                case APPEND_RESPONSE:
                    target.onAppendResponse(from[i], term[i], flag1[i], a[i], b[i], c[i], d[i], e[i]);
                    break;
                default:
                    target.onTimeoutNow(from[i], term[i]);
                    break;
            }
            return true;
        }
    }
}
