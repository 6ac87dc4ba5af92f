package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.codecs.LeaderIntroductionEncoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.SessionKeepAliveEncoder;
import io.flotilla.codecs.SnapshotAckEncoder;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.codecs.SnapshotChunkEncoder;
import io.flotilla.codecs.TermProbeEncoder;
import io.flotilla.codecs.TermProbeResponseEncoder;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.raft.RaftTransport;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consensus adapter on its own, over IPC on an embedded driver: valid messages reach the Raft node (or, for
 * snapshot installs, the transfer handler), invalid ones and impostors are counted and dropped.
 */
class ConsensusAdapterTest
{
    private static final int STREAM_ID = ClusterMembers.CONSENSUS_STREAM_ID;

    @TempDir
    File tempDir;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RecordingTransport transport = new RecordingTransport();
    private final RecordingSnapshotTransfer snapshotTransfer = new RecordingSnapshotTransfer();
    private final List<String> introductions = new ArrayList<>();
    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;
    private ExclusivePublication publication;
    private RaftNode raft;
    private ConsensusAdapter adapter;

    @BeforeEach
    void setUp()
    {
        driver = ConsensusTestMessages.launchDriver(tempDir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);

        final ClusterMembers members = ClusterMembers.parse(
            "0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131");
        raft = new RaftNode(
            new RaftConfig(),
            0,
            members.ids(),
            new InMemoryRaftLog(),
            0,
            RaftNode.NO_MEMBER,
            0,
            transport,
            new NoOutbox(),
            new SplittableRandom(1));
        adapter = new ConsensusAdapter(
            aeron.addSubscription("aeron:ipc", STREAM_ID), members, 0, raft, snapshotTransfer,
            ConsensusTestMessages.IGNORE_FORWARDS, (leaderId, endpoint) -> introductions.add(leaderId + "@" + endpoint),
            new VotingFence(false, NodeStateFile.NO_REFUSED_TERM), unauthenticated(counters), counters);
        publication = aeron.addExclusivePublication("aeron:ipc", STREAM_ID);
        awaitCondition(publication::isConnected, "publication connected");
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(adapter, publication, counters, aeron, driver);
    }

    @Test
    @Timeout(30)
    void validRequestVoteReachesTheRaftNode()
    {
        offer(requestVote(1, 3));
        awaitCondition(() -> transport.voteResponses > 0, "vote response");

        assertEquals(1, transport.voteResponses);
        assertEquals(1, transport.lastVoteTo);
        assertTrue(transport.lastVoteGranted);
        assertEquals(3, raft.currentTerm());
        assertEquals(0, counters.invalidMessages().get());
        assertEquals(0, counters.droppedMessages().get());
    }

    @Test
    @Timeout(30)
    void invalidMessagesAndImpostorsAreCountedAndDropped()
    {
        buffer.setMemory(0, 32, (byte)0x7F);
        offer(32);                                        // not a message of the schema
        offer(requestVote(1, 5) - 1);                     // truncated
        final SessionKeepAliveEncoder keepAlive = new SessionKeepAliveEncoder();
        keepAlive.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(1);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + keepAlive.encodedLength());   // a client message
        offer(requestVote(ClusterMembers.MAX_MEMBER_ID + 1, 5));   // from an id no member can have
        offer(requestVote(0, 5));                         // from this node itself

        offer(requestVote(2, 4));                         // valid: once it is answered, all before it were read
        awaitCondition(() -> transport.voteResponses > 0, "vote response");

        assertEquals(3, counters.invalidMessages().get());
        assertEquals(2, counters.droppedMessages().get());
        assertEquals(1, transport.voteResponses);
        assertEquals(2, transport.lastVoteTo);
        assertEquals(4, raft.currentTerm());
    }

    @Test
    @Timeout(30)
    void aLeaderIntroductionOfAnyTermReachesItsHandlerFromAnyMemberId()
    {
        offer(requestVote(1, 3));                                              // this node is in term 3
        awaitCondition(() -> transport.voteResponses > 0, "vote response");

        offer(leaderIntroduction(5, 3, "localhost:20150"));                   // no ingress port
        offer(leaderIntroduction(5, 3, "local host:20150:20151"));            // not printable without space
        offer(leaderIntroduction(4, 2, "localhost:20140:20141"));             // an earlier term: answered too
        offer(leaderIntroduction(5, 3, "localhost:20150:20151"));             // id 5 is in no spec: accepted
        awaitCondition(() -> 2 == introductions.size(), "the valid introductions");

        assertEquals(List.of("4@localhost:20140:20141", "5@localhost:20150:20151"), introductions);
        assertEquals(2, counters.invalidMessages().get());
        assertEquals(0, counters.droppedMessages().get());
        assertEquals(3, raft.currentTerm(), "an introduction changes no term");
    }

    @Test
    @Timeout(30)
    void aTermProbeIsAnsweredWithTheTermAndAnAnswerThatCountsForNoProbeChangesNothing()
    {
        offer(requestVote(1, 3));                                              // this node is in term 3
        awaitCondition(() -> transport.voteResponses > 0, "vote response");

        offer(MessageHeaderEncoder.ENCODED_LENGTH + new TermProbeEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).probeId(77).memberId(2).encodedLength());
        awaitCondition(() -> transport.termProbeResponses > 0, "the probe's answer");
        assertEquals("2 3 77", transport.lastTermProbeResponse);

        offer(MessageHeaderEncoder.ENCODED_LENGTH + new TermProbeResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).term(8).probeId(77).responderId(1).encodedLength());
        offer(requestVote(2, 4));                                              // after it, in order
        awaitCondition(() -> 2 == transport.voteResponses, "the next vote response");
        assertEquals(4, raft.currentTerm(), "an answer to a probe this node did not send adopts no term");
        assertEquals(0, counters.invalidMessages().get());
        assertEquals(0, counters.droppedMessages().get());
    }

    @Test
    @Timeout(30)
    void snapshotChunksAndAcksReachTheTransferHandler()
    {
        final byte[] data = "snapshot-bytes".getBytes();
        offer(snapshotChunk(1, new UnsafeBuffer(data), data.length));
        offer(snapshotChunk(0, new UnsafeBuffer(data), data.length));        // from this node itself: dropped
        offer(snapshotAck(2, SnapshotAckStatus.INSTALLED));
        awaitCondition(() -> snapshotTransfer.acks > 0, "snapshot ack");

        assertEquals(1, snapshotTransfer.chunks);
        assertEquals(1, snapshotTransfer.lastChunkFrom);
        assertEquals(9, snapshotTransfer.lastChunkTerm);
        assertEquals(500, snapshotTransfer.lastSnapshotIndex);
        assertEquals(8, snapshotTransfer.lastSnapshotTerm);
        assertEquals(4096, snapshotTransfer.lastSnapshotLength);
        assertEquals(0xC0FFEE, snapshotTransfer.lastSnapshotChecksum);
        assertEquals(1024, snapshotTransfer.lastFileOffset);
        assertArrayEquals(data, snapshotTransfer.lastData);

        assertEquals(1, snapshotTransfer.acks);
        assertEquals(2, snapshotTransfer.lastAckFrom);
        assertEquals(2048, snapshotTransfer.lastNextOffset);
        assertEquals(SnapshotAckStatus.INSTALLED, snapshotTransfer.lastStatus);
        assertEquals(1, counters.droppedMessages().get());
        assertEquals(0, counters.invalidMessages().get());
    }

    @Test
    @Timeout(30)
    void aSnapshotChunkWhoseDataRunsPastItsFileIsInvalid()
    {
        final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
        offer(snapshotChunk(1, data, 4096 - 1024 + 1));
        offer(snapshotAck(2, SnapshotAckStatus.RECEIVING));
        awaitCondition(() -> snapshotTransfer.acks > 0, "snapshot ack");

        assertEquals(0, snapshotTransfer.chunks);
        assertEquals(1, counters.invalidMessages().get());
    }

    /**
     * These tests are about validation and routing, so the messages go unsigned: {@link PeerAuthenticationTest}
     * covers signed ones.
     */
    static MessageVerifier unauthenticated(final NodeCounters counters)
    {
        return new MessageVerifier(null, 0, new SystemEpochNanoClock(), TimeUnit.SECONDS.toNanos(5), counters);
    }

    private int snapshotChunk(final int leaderId, final DirectBuffer data, final int dataLength)
    {
        final SnapshotChunkEncoder encoder = new SnapshotChunkEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(9)
            .snapshotIndex(500)
            .snapshotTerm(8)
            .snapshotLength(4096)
            .fileOffset(1024)
            .leaderId(leaderId)
            .snapshotChecksum(0xC0FFEE)
            .putData(data, 0, dataLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int snapshotAck(final int followerId, final SnapshotAckStatus status)
    {
        final SnapshotAckEncoder encoder = new SnapshotAckEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(9)
            .snapshotIndex(500)
            .snapshotTerm(8)
            .nextOffset(2048)
            .followerId(followerId)
            .status(status);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int requestVote(final int candidateId, final long term)
    {
        return ConsensusTestMessages.requestVote(buffer, candidateId, term);
    }

    private int leaderIntroduction(final int leaderId, final long term, final String endpoint)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new LeaderIntroductionEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).term(term).leaderId(leaderId).endpoint(endpoint)
            .encodedLength();
    }

    private void offer(final int length)
    {
        ConsensusTestMessages.offer(publication, buffer, length);
    }

    private void awaitCondition(final BooleanSupplier condition, final String what)
    {
        ConsensusTestMessages.awaitCondition(condition, what, adapter);
    }

    /**
     * A transport that sends nothing and counts the vote responses (also used by {@link SnapshotWireTest}).
     */
    static final class RecordingTransport implements RaftTransport
    {
        int voteResponses;
        int termProbeResponses;
        String lastTermProbeResponse;
        int lastVoteTo = RaftNode.NO_MEMBER;
        boolean lastVoteGranted;

        public boolean sendRequestVote(
            final int to,
            final long term,
            final long lastLogIndex,
            final long lastLogTerm,
            final boolean preVote,
            final boolean transfer)
        {
            return true;
        }

        public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
        {
            voteResponses++;
            lastVoteTo = to;
            lastVoteGranted = granted;
            return true;
        }

        public boolean sendAppendEntries(
            final int to,
            final long term,
            final long prevLogIndex,
            final long prevLogTerm,
            final long leaderCommit,
            final long fromIndex,
            final long toIndex,
            final long leaderStamp)
        {
            return true;
        }

        public boolean sendAppendResponse(
            final int to,
            final long term,
            final boolean success,
            final long lastAppendedIndex,
            final long durableIndex,
            final long conflictIndex,
            final long conflictTerm,
            final long echoStamp)
        {
            return true;
        }

        public boolean sendTimeoutNow(final int to, final long term)
        {
            return true;
        }

        public boolean sendLeaderIntroduction(final int to, final long term)
        {
            return true;
        }

        public boolean sendTermProbe(final int to, final long probeId)
        {
            return true;
        }

        public boolean sendTermProbeResponse(final int to, final long term, final long probeId)
        {
            lastTermProbeResponse = to + " " + term + " " + probeId;
            termProbeResponses++;
            return true;
        }

        public boolean sendInstallSnapshot(final int to, final long term)
        {
            return false;
        }

        public boolean sendReadIndexRequest(final int to, final long term, final long readId, final ReadMode mode)
        {
            return true;
        }

        public boolean sendReadIndexResponse(
            final int to, final long term, final long readId, final long readIndex, final boolean granted)
        {
            return true;
        }
    }

    private static final class RecordingSnapshotTransfer implements SnapshotTransferHandler
    {
        int chunks;
        int lastChunkFrom;
        long lastChunkTerm;
        long lastSnapshotIndex;
        long lastSnapshotTerm;
        long lastSnapshotLength;
        int lastSnapshotChecksum;
        long lastFileOffset;
        byte[] lastData;
        int acks;
        int lastAckFrom;
        long lastNextOffset;
        SnapshotAckStatus lastStatus;

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
            chunks++;
            lastChunkFrom = from;
            lastChunkTerm = term;
            lastSnapshotIndex = snapshotIndex;
            lastSnapshotTerm = snapshotTerm;
            lastSnapshotLength = snapshotLength;
            lastSnapshotChecksum = snapshotChecksum;
            lastFileOffset = fileOffset;
            lastData = new byte[length];
            buffer.getBytes(offset, lastData);
        }

        public void onSnapshotAck(
            final int from,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
            acks++;
            lastAckFrom = from;
            lastNextOffset = nextOffset;
            lastStatus = status;
        }
    }

    private static final class NoOutbox implements RaftOutbox
    {
        public void persistState(final long term, final int votedFor)
        {
        }

        public void onCommitIndex(final long commitIndex)
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
        }

        public void onMessageDropped()
        {
        }

        public void onReadIndex(final long readId, final long readIndex)
        {
        }

        public void onReadIndexFailed(final long readId)
        {
        }

        public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
        {
        }
    }
}
