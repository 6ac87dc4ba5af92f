package io.flotilla.engine.node;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aeron.Aeron;
import io.aeron.logbuffer.Header;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.RequestEncoder;
import io.flotilla.codecs.SeedCorpus;
import io.flotilla.codecs.SessionCloseEncoder;
import io.flotilla.codecs.SessionConnectEncoder;
import io.flotilla.codecs.SessionKeepAliveEncoder;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ConnectRequest;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.LangUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing of the ingress path (docs/fault-testing.md, "Fuzzing"): each input is a sequence of client
 * messages ({@link FramedInput}) fed to the {@link IngressAdapter}'s fragment handler, with its validation, decoding
 * and {@link SessionManager}, of a leader (a one-member cluster, so connects and requests are proposed) and of a
 * follower (which forwards, to no leader: it knows none), both with open and closed sessions in their {@link SessionTable}. No exception may
 * escape, and the leader's log must hold only what it was asked to propose.
 * <p>
 * Replies go out through a {@link ResponseChannels} on a closed Aeron client: a publication to a fuzzed channel
 * fails to open, as one to an unreachable client does, and the fuzzer cannot make the driver allocate the log
 * buffers of whatever channel it names (that policy is tested on its own).
 */
class IngressFuzzTest
{
    private static final ClusterMembers LEADER_MEMBERS = ClusterMembers.parse("0=localhost:20110:20111");
    private static final ClusterMembers FOLLOWER_MEMBERS =
        ClusterMembers.parse("0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131");
    private static final String RESPONSE_CHANNEL = "aeron:udp?endpoint=localhost:20200";
    private static final long OPEN_SESSION_ID = 1;
    private static final long CLOSED_SESSION_ID = 2;
    private static final long SESSION_TIMEOUT_NS = 10_000_000_000L;
    private static final int MAX_SESSIONS = 2;
    private static final MethodHandle ON_FRAGMENT;
    private static final byte[] SESSION_KEY = new byte[16];
    private static final int FUZZ_AERON_SESSION_ID = 42;
    /** Every input arrives on one client image, the one the open sessions are bound to. */
    private static final Header FUZZ_HEADER = fuzzImageHeader();
    private static final IngressBinding FUZZ_IMAGE = new IngressBinding(FUZZ_AERON_SESSION_ID, "");

    static
    {
        try
        {
            // The adapter's fragment handler, as its subscription's assembler calls it.
            ON_FRAGMENT = MethodHandles.privateLookupIn(IngressAdapter.class, MethodHandles.lookup()).findVirtual(
                IngressAdapter.class, "onFragment",
                MethodType.methodType(void.class, DirectBuffer.class, int.class, int.class, Header.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @TempDir
    static File tempDir;

    private static Header fuzzImageHeader()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        frame.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, FUZZ_AERON_SESSION_ID, LITTLE_ENDIAN);
        final Header header = new Header(0, LogBufferDescriptor.positionBitsToShift(LogBufferDescriptor.TERM_MIN_LENGTH));
        header.buffer(frame);
        header.offset(0);
        return header;
    }

    private static FuzzMedia media;
    private static Aeron closedAeron;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    @BeforeAll
    static void launchMedia()
    {
        media = new FuzzMedia(tempDir);
        closedAeron = media.connect();
        closedAeron.close();
    }

    @AfterAll
    static void closeMedia()
    {
        media.close();
    }

    @Test
    void seedsAreCheckedIn() throws IOException
    {
        final byte[] connectRequestClose = new FramedInput.Builder()
            .add(scratch, connect("secret!!"))
            .add(scratch, request(OPEN_SESSION_ID, 1, "put k v"))
            .add(scratch, keepAlive(OPEN_SESSION_ID))
            .add(scratch, close(OPEN_SESSION_ID))
            .toByteArray();
        final byte[] closedSession = new FramedInput.Builder()
            .add(scratch, request(CLOSED_SESSION_ID, 7, "get k"))
            .add(scratch, keepAlive(CLOSED_SESSION_ID))
            .toByteArray();
        final byte[] refusedConnect = new FramedInput.Builder()
            .add(scratch, connect("odd"))
            .toByteArray();
        assertEquals(3, run(connectRequestClose), "open, command and close proposed");
        assertEquals(0, run(closedSession));
        assertEquals(0, run(refusedConnect));

        new SeedCorpus(IngressFuzzTest.class, "clientMessages")
            .add("connect-request-close", connectRequestClose)
            .add("closed-session", closedSession)
            .add("refused-connect", refusedConnect)
            .verify();
    }

    @FuzzTest
    void clientMessages(final byte[] input)
    {
        run(input);
    }

    /**
     * @return the number of entries the leader proposed.
     */
    private static long run(final byte[] input)
    {
        final Node leader = new Node(LEADER_MEMBERS);
        final Node follower = new Node(FOLLOWER_MEMBERS);
        try
        {
            leader.electItself();
            final long proposalsBefore = media.counters().proposals().get();
            FramedInput.forEachMessage(input, (buffer, length) ->
            {
                follower.deliver(buffer, length);
                leader.deliver(buffer, length);
            });
            final long proposals = media.counters().proposals().get() - proposalsBefore;
            assertEquals(Role.FOLLOWER, follower.raft.role());
            assertEquals(1 + proposals, leader.log.lastIndex(), "the leader's log holds entries no one proposed");
            return proposals;
        }
        finally
        {
            CloseHelper.quietCloseAll(leader, follower);
        }
    }

    private int connect(final String credentials)
    {
        final byte[] bytes = credentials.getBytes();
        return MessageHeaderEncoder.ENCODED_LENGTH + new SessionConnectEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .correlationId(77).responseStreamId(20).protocolVersion(Protocol.VERSION)
            .responseChannel(RESPONSE_CHANNEL).putCredentials(bytes, 0, bytes.length)
            .encodedLength();
    }

    private int request(final long sessionId, final long sequence, final String command)
    {
        final byte[] bytes = command.getBytes();
        return MessageHeaderEncoder.ENCODED_LENGTH + new RequestEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(sessionId).sequence(sequence).putPayload(bytes, 0, bytes.length)
            .encodedLength();
    }

    private int keepAlive(final long sessionId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new SessionKeepAliveEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder).sessionId(sessionId).encodedLength();
    }

    private int close(final long sessionId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new SessionCloseEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder).sessionId(sessionId).encodedLength();
    }

    /**
     * Accepts credentials of even length, after reading every byte of them as a real check would.
     */
    private static String evenLengthCredentials(final ConnectRequest connect)
    {
        final DirectBuffer buffer = connect.credentials();
        final int offset = connect.credentialsOffset();
        final int length = connect.credentialsLength();
        int sum = 0;
        for (int i = 0; i < length; i++)
        {
            sum += buffer.getByte(offset + i);
        }
        return (length & 1) == 0 && sum != Integer.MIN_VALUE ? "" : null;
    }

    /**
     * Member 0 of a cluster with its session policy and ingress adapter, built afresh for every input so each input
     * reproduces on its own. Its Raft node's role reaches the egress, as the node agent passes it on.
     */
    private static final class Node implements RaftOutbox, AutoCloseable
    {
        private final InMemoryRaftLog log = new InMemoryRaftLog();
        private final ResponseChannels responseChannels =
            new ResponseChannels(closedAeron, new ResponseChannelPolicy(ResponseChannelPolicy.MAX_TERM_LENGTH_DEFAULT,
                true), MAX_SESSIONS, media.counters(), (ex) -> {});
        private final EgressPublisher egress;
        private final RaftNode raft;
        private final IngressAdapter adapter;
        private final ReadService reads;
        private long nowNs;

        Node(final ClusterMembers members)
        {
            final SessionTable sessions = new SessionTable(responseChannels);
            sessions.open(OPEN_SESSION_ID, SESSION_KEY, "", RESPONSE_CHANNEL, 20, 0).bind(FUZZ_IMAGE);
            sessions.open(CLOSED_SESSION_ID, SESSION_KEY, "", RESPONSE_CHANNEL, 21, 0).bind(FUZZ_IMAGE);
            sessions.close(CLOSED_SESSION_ID, 0);
            egress = new EgressPublisher(members, sessions, responseChannels, media.counters());
            raft = new RaftNode(new RaftConfig(), 0, members.ids(), log, 0, RaftNode.NO_MEMBER, 0,
                new ConsensusAdapterTest.RecordingTransport(), this, new SplittableRandom(1));
            final SessionManager sessionManager = new SessionManager(raft, sessions, egress, responseChannels,
                IngressFuzzTest::evenLengthCredentials, media.counters(), SESSION_TIMEOUT_NS, MAX_SESSIONS,
                ClusterNode.Context.SESSION_MAX_INFLIGHT_DEFAULT, ClusterNode.Context.ATTACH_MAX_SKEW_DEFAULT_NS,
                new RequestForwarder(raft, (to, sessionId, sequence, buffer, offset, length) -> true, egress,
                media.counters()));
            reads = new ReadService(new PendingQueries(64, 16 * 1024, TimeUnit.SECONDS.toNanos(1)), raft::requestReadIndex,
                () -> nowNs, (index, timestampNs, command, offset, length, response) -> {}, sessions, egress,
                new QueryQueue(4096, 64), members, media.counters(), (ex) -> {});
            adapter = new IngressAdapter(
                media.aeron(), "aeron:ipc", false, sessionManager, reads, media.counters().invalidMessages());
        }

        void electItself()
        {
            for (int i = 0; i < 100 && Role.LEADER != raft.role(); i++)
            {
                nowNs += RaftConfig.ELECTION_TIMEOUT_MAX_DEFAULT_NS;
                raft.tick(nowNs);
            }
            assertEquals(Role.LEADER, raft.role());
        }

        void deliver(final DirectBuffer buffer, final int length)
        {
            try
            {
                ON_FRAGMENT.invoke(adapter, buffer, 0, length, FUZZ_HEADER);
            }
            catch (final Throwable ex)
            {
                LangUtil.rethrowUnchecked(ex);
            }
        }

        public void persistState(final long term, final int votedFor)
        {
        }

        public void onCommitIndex(final long commitIndex)
        {
        }

        public void onMessageDropped()
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
            egress.onRoleChange(role, term, leaderId);
        }

        public void onReadIndex(final long readId, final long readIndex)
        {
            reads.onReadIndex(readId, readIndex);
        }

        public void onReadIndexFailed(final long readId)
        {
            reads.onReadIndexFailed(readId);
        }

        public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
        {
        }

        public void close()
        {
            CloseHelper.quietCloseAll(adapter, responseChannels);
        }
    }
}
