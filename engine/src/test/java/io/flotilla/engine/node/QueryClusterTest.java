package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ProposalStatus;
import io.flotilla.engine.QueryCallback;
import io.flotilla.engine.QueryResult;
import io.flotilla.engine.QueryStatus;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.Threading;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queries on a real 3-node cluster, without log entries: on the leader and on followers, ReadIndex and lease, from a
 * client's session and in process; each sees the latest acknowledged write. A member with too many queries pending
 * answers BACK_PRESSURED, a state machine without query support REJECTED, and the steady-state read path allocates
 * nothing on the node's thread.
 */
class QueryClusterTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);

    @TempDir
    File tempDir;

    /**
     * A register: each command's bytes replace the value. A query answers the value; one starting with 'R' is
     * refused, one starting with 'T' throws.
     */
    static final class Register implements StateMachine
    {
        private final UnsafeBuffer value = new UnsafeBuffer(new byte[1024]);
        private int length;

        public void apply(
            final long index,
            final long timestampNs,
            final DirectBuffer command,
            final int offset,
            final int length,
            final Response response)
        {
            value.putBytes(0, command, offset, length);
            this.length = length;
            response.ok(0);
        }

        public void query(final DirectBuffer query, final int offset, final int length, final Response response)
        {
            final byte first = length > 0 ? query.getByte(offset) : 0;
            if ('T' == first)
            {
                throw new IllegalStateException("a query that throws, on purpose");
            }
            if ('R' == first)
            {
                response.reject(response.buffer().putStringWithoutLengthAscii(0, "refused"));
                return;
            }
            response.buffer().putBytes(0, value, 0, this.length);
            response.ok(this.length);
        }
    }

    @Test
    @Timeout(120)
    void queriesOnTheLeaderAndOnFollowersSeeTheLatestAcknowledgedWrite()
    {
        final List<Throwable> errors = new ArrayList<>();
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final ClusterNode[] nodes = startAll(cluster, (context) -> context.errorHandler((ex) ->
            {
                synchronized (errors)
                {
                    errors.add(ex);
                }
            }));
            try (RawIngressClient raw = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final ClusterNode leader = awaitLeader(cluster, nodes);
                final int leaderId = leader.memberId();
                raw.connect(leaderId, 1, Protocol.VERSION);
                final long sessionId = raw.await(RawIngressClient.Ack.class).sessionId();

                // Every member must know the session before it is asked (one that does not drops the query).
                final long firstIndex = write(raw, leaderId, sessionId, 1, "v1");
                cluster.await("the session applied everywhere", () -> nodes[0].appliedIndex() >= firstIndex &&
                    nodes[1].appliedIndex() >= firstIndex && nodes[2].appliedIndex() >= firstIndex);

                long queryId = 1;
                for (long sequence = 2; sequence <= 11; sequence++)
                {
                    final String value = "v" + sequence;
                    final long logIndex = write(raw, leaderId, sessionId, sequence, value);
                    // Straight after the acknowledgement: a follower that has not applied the write yet must wait.
                    for (final ClusterNode node : nodes)
                    {
                        for (final ReadMode mode : ReadMode.values())
                        {
                            if (ReadMode.NULL_VAL == mode)
                            {
                                continue;
                            }
                            raw.query(node.memberId(), sessionId, queryId, mode, "get");
                            final RawIngressClient.QueryReply reply = awaitQuery(raw, queryId++);
                            assertEquals(ResponseStatus.OK, reply.status(), "member " + node.memberId() + " " + mode);
                            assertEquals(value, reply.payloadAscii(), "member " + node.memberId() + " " + mode);
                            assertTrue(reply.readIndex() >= logIndex, "read index " + reply.readIndex());
                        }
                    }
                }

                raw.query(leaderId, sessionId, queryId, ReadMode.READ_INDEX, "R");
                final RawIngressClient.QueryReply refused = awaitQuery(raw, queryId++);
                assertEquals(ResponseStatus.REJECTED, refused.status());
                assertEquals("refused", refused.payloadAscii());

                final int follower = (leaderId + 1) % 3;
                raw.query(follower, sessionId, queryId, ReadMode.LEASE, "T");
                assertEquals(ResponseStatus.ERROR, awaitQuery(raw, queryId++).status());
                synchronized (errors)
                {
                    assertEquals(1, errors.stream().filter((ex) -> ex instanceof IllegalStateException &&
                        "a query that throws, on purpose".equals(ex.getMessage())).count(), "reported once: " + errors);
                }
                assertTrue(nodes[follower].isRunning(), "a query that throws does not stop the node");

                // In process, on a follower: a write proposed on the leader, then a query on the follower.
                final AtomicLong written = new AtomicLong();
                final byte[] command = "in-process".getBytes(StandardCharsets.US_ASCII);
                leader.propose(new UnsafeBuffer(command), 0, command.length, (result) ->
                    written.set(ProposalStatus.OK == result.status() ? result.logIndex() : -1));
                cluster.await("the proposal applied", () -> 0 != written.get());
                assertTrue(written.get() > 0);
                for (final ReadConsistency consistency : ReadConsistency.values())
                {
                    final QueryResult result = queryInProcess(nodes[follower], consistency, "get");
                    assertEquals(QueryStatus.OK, result.status(), consistency.name());
                    assertEquals("in-process", result.buffer().getStringWithoutLengthAscii(0, result.length()));
                    assertTrue(result.readIndex() >= written.get());
                }

                for (final ClusterNode node : nodes)
                {
                    assertTrue(counter(node, NodeCounters.QUERIES_ANSWERED_TYPE_ID) >= 20, "answered");
                    assertTrue(counter(node, NodeCounters.READ_BATCHES_TYPE_ID) >= 20, "batches");
                }
                assertTrue(counter(leader, NodeCounters.LEASE_READS_TYPE_ID) > 0, "lease reads without a round");
            }
            finally
            {
                CloseHelper.closeAll(nodes);
            }
        }
    }

    @Test
    @Timeout(120)
    void aMemberWithTooManyQueriesPendingAnswersBackPressuredAndAnswersTheRest()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            final ClusterNode[] nodes = startAll(cluster, (context) -> context.maxPendingReads(1));
            try (RawIngressClient raw = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final ClusterNode leader = awaitLeader(cluster, nodes);
                raw.connect(leader.memberId(), 1, Protocol.VERSION);
                final long sessionId = raw.await(RawIngressClient.Ack.class).sessionId();
                final long index = write(raw, leader.memberId(), sessionId, 1, "v1");
                final int follower = (leader.memberId() + 1) % 3;
                cluster.await("the follower applied the session", () -> nodes[follower].appliedIndex() >= index);

                // A burst at a follower: its one pending query waits a round trip to the leader meanwhile.
                final int burst = 50;
                for (int queryId = 1; queryId <= burst; queryId++)
                {
                    raw.query(follower, sessionId, queryId, ReadMode.READ_INDEX, "get");
                }
                int ok = 0;
                int backPressured = 0;
                for (int i = 0; i < burst; i++)
                {
                    final RawIngressClient.QueryReply reply = raw.await(RawIngressClient.QueryReply.class);
                    if (ResponseStatus.OK == reply.status())
                    {
                        assertEquals("v1", reply.payloadAscii());
                        ok++;
                    }
                    else
                    {
                        assertEquals(ResponseStatus.BACK_PRESSURED, reply.status());
                        backPressured++;
                    }
                }
                assertTrue(ok >= 1 && backPressured >= 1, ok + " OK, " + backPressured + " BACK_PRESSURED");
                assertEquals(backPressured, counter(nodes[follower], NodeCounters.QUERIES_REFUSED_TYPE_ID));
                assertEquals(ok, counter(nodes[follower], NodeCounters.QUERIES_ANSWERED_TYPE_ID));
            }
            finally
            {
                CloseHelper.closeAll(nodes);
            }
        }
    }

    @Test
    @Timeout(60)
    void aStateMachineWithoutQueriesRefusesThem()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            final ClusterNode node = cluster.start(0);
            cluster.awaitLeader();
            final QueryResult result = queryInProcess(node, ReadConsistency.LINEARIZABLE, "get");
            assertEquals(QueryStatus.REJECTED, result.status());
            assertEquals("io.flotilla.engine.ChecksumStateMachine does not implement StateMachine.query",
                result.buffer().getStringWithoutLengthUtf8(result.offset(), result.length()));
        }
    }

    /**
     * Rounds of queries in process (on a follower, ReadIndex through the leader) and from a client (on the leader,
     * lease): after warm-up a round allocates nothing on either node's agent thread. DEDICATED threading: in COMPACT
     * the agent thread also runs the media driver, whose UDP receive allocates in the JDK (an InetSocketAddress
     * when the source changes), which is not the read path. A rare path taken on a loaded machine may allocate once in
     * a round; allocation per query would show in every round.
     */
    @Test
    @Timeout(180)
    void theSteadyStateReadPathAllocatesNothingOnTheNodesThreads()
    {
        final int inProcessPerRound = 5_000;
        final int clientPerRound = 1_000;
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            // Three nodes and a busy test thread on a small machine must not cost the leader its term; the raw client
            // sends no keep-alives (queries are not activity), so its session must outlive the rounds.
            final ClusterNode[] nodes = startAll(cluster, (context) -> context
                .threading(Threading.DEDICATED)
                .electionTimeoutNs(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(4))
                .sessionTimeoutNs(TimeUnit.MINUTES.toNanos(5)));
            try (RawIngressClient raw = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final ClusterNode leader = awaitLeader(cluster, nodes);
                final ClusterNode follower = nodes[(leader.memberId() + 1) % 3];
                raw.connect(leader.memberId(), 1, Protocol.VERSION);
                final long sessionId = raw.await(RawIngressClient.Ack.class).sessionId();
                write(raw, leader.memberId(), sessionId, 1, "v1");

                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long leaderThread = threadId("flotilla-node-" + leader.memberId());
                final long followerThread = threadId("flotilla-node-" + follower.memberId());
                final UnsafeBuffer query = new UnsafeBuffer("get".getBytes(StandardCharsets.US_ASCII));
                final AtomicInteger answered = new AtomicInteger();
                final AtomicInteger failed = new AtomicInteger();
                final QueryCallback callback = (result) ->
                {
                    if (QueryStatus.OK == result.status())
                    {
                        answered.incrementAndGet();
                    }
                    else
                    {
                        failed.incrementAndGet();
                    }
                };

                final List<Long> allocatedByRound = new ArrayList<>();
                long queryId = 1;
                for (int round = 0; round < 12 && !(round > 2 && allocatedByRound.get(round - 1) == 0); round++)
                {
                    final long leaderBefore = threads.getThreadAllocatedBytes(leaderThread);
                    final long followerBefore = threads.getThreadAllocatedBytes(followerThread);
                    answered.set(0);
                    int offered = 0;
                    int clientSent = 0;
                    int clientAnswered = 0;
                    final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                    while ((answered.get() < inProcessPerRound || clientAnswered < clientPerRound) &&
                        System.nanoTime() - deadlineNs < 0)
                    {
                        if (offered - answered.get() < 64 && offered < inProcessPerRound &&
                            follower.query(ReadConsistency.LINEARIZABLE, query, 0, query.capacity(), callback))
                        {
                            offered++;
                        }
                        if (clientSent - clientAnswered < 16 && clientSent < clientPerRound)
                        {
                            raw.query(leader.memberId(), sessionId, queryId++, ReadMode.LEASE, "get");
                            clientSent++;
                        }
                        for (final Object reply : raw.drainReplies())
                        {
                            assertEquals(ResponseStatus.OK, ((RawIngressClient.QueryReply)reply).status());
                            clientAnswered++;
                        }
                        Thread.yield();
                    }
                    assertEquals(inProcessPerRound, answered.get());
                    assertEquals(clientPerRound, clientAnswered);
                    allocatedByRound.add(threads.getThreadAllocatedBytes(leaderThread) - leaderBefore +
                        threads.getThreadAllocatedBytes(followerThread) - followerBefore);
                }
                assertEquals(0, failed.get());
                assertEquals(0L, allocatedByRound.get(allocatedByRound.size() - 1),
                    "a round of " + (inProcessPerRound + clientPerRound) + " queries allocated nothing on the nodes' " +
                    "agent threads; bytes by round: " + allocatedByRound);
            }
            finally
            {
                CloseHelper.closeAll(nodes);
            }
        }
    }

    private static ClusterNode awaitLeader(final TestCluster cluster, final ClusterNode[] nodes)
    {
        final AtomicReference<ClusterNode> leader = new AtomicReference<>();
        cluster.await("a leader known to every node", () ->
        {
            for (final ClusterNode node : nodes)
            {
                if (Role.LEADER == node.role() && nodes[0].leaderMemberId() == node.memberId() &&
                    nodes[1].leaderMemberId() == node.memberId() && nodes[2].leaderMemberId() == node.memberId())
                {
                    leader.set(node);
                    return true;
                }
            }
            return false;
        });
        return leader.get();
    }

    private static ClusterNode[] startAll(final TestCluster cluster, final UnaryOperator<ClusterNode.Context> tweak)
    {
        final ClusterNode[] nodes = new ClusterNode[3];
        for (int i = 0; i < 3; i++)
        {
            final ClusterNode.Context context = cluster.context(i).stateMachine(new Register());
            context.snapshotConfig().logEntries(0).logBytes(0);
            nodes[i] = ClusterNode.launch(tweak.apply(context));
        }
        return nodes;
    }

    /**
     * @return the log index of the write, once acknowledged.
     */
    private static long write(
        final RawIngressClient raw, final int leaderId, final long sessionId, final long sequence, final String value)
    {
        raw.request(leaderId, sessionId, sequence, value);
        final RawIngressClient.Reply reply = raw.await(RawIngressClient.Reply.class);
        assertEquals(sequence, reply.sequence());
        assertEquals(ResponseStatus.OK, reply.status());
        return reply.logIndex();
    }

    private static RawIngressClient.QueryReply awaitQuery(final RawIngressClient raw, final long queryId)
    {
        final RawIngressClient.QueryReply reply = raw.await(RawIngressClient.QueryReply.class);
        assertEquals(queryId, reply.queryId());
        return reply;
    }

    /**
     * @return a copy of the result of an in-process query, payload included.
     */
    private static QueryResult queryInProcess(final ClusterNode node, final ReadConsistency consistency, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        final CompletableFuture<QueryResult> done = new CompletableFuture<>();
        final AtomicReference<QueryResult> copy = new AtomicReference<>();
        node.query(consistency, new UnsafeBuffer(bytes), 0, bytes.length, (result) ->
        {
            final byte[] payload = new byte[result.length()];
            result.buffer().getBytes(result.offset(), payload);
            copy.set(new QueryResult().set(result.status(), result.readIndex(), result.leaderMemberId(),
                result.leaderEndpoint(), new UnsafeBuffer(payload), 0, payload.length));
            done.complete(copy.get());
        });
        return done.orTimeout(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    private static long counter(final ClusterNode node, final int typeId)
    {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName())))
        {
            final long[] value = { -1 };
            aeron.countersReader().forEach((id, type, keyBuffer, label) ->
            {
                if (type == typeId && label.endsWith("memberId=" + node.memberId()))
                {
                    value[0] = aeron.countersReader().getCounterValue(id);
                }
            });
            return value[0];
        }
    }

    private static long threadId(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (name.equals(thread.getName()))
            {
                return thread.getId();
            }
        }
        throw new IllegalStateException("no thread " + name);
    }
}
