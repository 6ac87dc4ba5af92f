package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.AppendResponseEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.ForwardedRequestEncoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.TimeoutNowEncoder;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rogue host without the cluster key, on the consensus port of a node over real Aeron UDP: its forged
 * AppendEntries, TimeoutNow and AppendResponse (term Long.MAX_VALUE), unsigned or signed with its own key, are
 * counted and dropped; the node's term and role do not move. A member with the key is heard. A client request
 * forwarded in the name of another member, or of none, reaches no session.
 */
class PeerAuthenticationTest
{
    private static final long TERM = 3;

    @TempDir
    File tempDir;

    private final ClusterKeys keys = ClusterKeys.generate();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConsensusAdapterTest.RecordingTransport transport = new ConsensusAdapterTest.RecordingTransport();
    private final RoleOutbox outbox = new RoleOutbox();
    private final List<Long> forwardedSequences = new ArrayList<>();
    private final ForwardedRequestHandler forwards =
        (sessionId, sequence, buffer, offset, length) -> forwardedSequences.add(sequence);
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

        final int[] ports = TestCluster.freeUdpPorts(6);
        final ClusterMembers members = ClusterMembers.parse("0=localhost:" + ports[0] + ":" + ports[1] +
            ",1=localhost:" + ports[2] + ":" + ports[3] + ",2=localhost:" + ports[4] + ":" + ports[5]);
        raft = new RaftNode(new RaftConfig(), 0, members.ids(), new InMemoryRaftLog(), TERM, RaftNode.NO_MEMBER, 0,
            transport, outbox, new SplittableRandom(1));
        adapter = new ConsensusAdapter(
            aeron.addSubscription(members.member(0).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID),
            members, 0, raft, null, forwards, ConsensusTestMessages.IGNORE_INTRODUCTIONS, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM),
            new MessageVerifier(keys, 0, new SystemEpochNanoClock(), TimeUnit.SECONDS.toNanos(5), counters),
            counters);
        publication = aeron.addExclusivePublication(
            members.member(0).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID);
        awaitCondition(publication::isConnected, "rogue publication connected");
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(adapter, publication, counters, aeron, driver);
    }

    @Test
    @Timeout(30)
    void forgedMessagesWithoutTheKeyMoveNothing()
    {
        final MessageSigner unsigned = new MessageSigner(null, 1, new SystemEpochNanoClock());
        final MessageSigner rogueKey = new MessageSigner(ClusterKeys.generate(), 1, new SystemEpochNanoClock());
        int forged = 0;
        for (final MessageSigner rogue : new MessageSigner[]{ unsigned, rogueKey })
        {
            offer(rogue.sign(0, buffer, 0, appendEntries(1, TERM + 1)));
            offer(rogue.sign(0, buffer, 0, timeoutNow(1, TERM)));
            offer(rogue.sign(0, buffer, 0, appendResponse(2, Long.MAX_VALUE)));
            forged += 3;
        }

        // A genuine vote request from member 2: once it is answered, everything before it was read.
        final MessageSigner member2 = new MessageSigner(keys, 2, new SystemEpochNanoClock());
        offer(member2.sign(0, buffer, 0, requestVote(2, TERM)));
        awaitCondition(() -> transport.voteResponses > 0, "vote response to the genuine member");

        assertEquals(forged, counters.authenticationFailures().get());
        assertEquals(0, counters.invalidMessages().get());
        assertEquals(TERM, raft.currentTerm());
        assertEquals(Role.FOLLOWER, raft.role());
        assertEquals(RaftNode.NO_MEMBER, raft.leaderId());
        assertEquals(0, outbox.roleChanges, "no election started by a forged TimeoutNow");
    }

    @Test
    @Timeout(30)
    void aCapturedMessageReplayedIsDropped()
    {
        final MessageSigner member1 = new MessageSigner(keys, 1, new SystemEpochNanoClock());
        final int length = member1.sign(0, buffer, 0, requestVote(1, TERM + 1));
        offer(length);
        offer(length);
        final MessageSigner member2 = new MessageSigner(keys, 2, new SystemEpochNanoClock());
        offer(member2.sign(0, buffer, 0, requestVote(2, TERM + 1)));
        awaitCondition(() -> transport.voteResponses > 1, "both genuine vote requests answered");

        assertEquals(1, counters.replayedMessages().get());
        assertEquals(2, transport.voteResponses);
        assertEquals(TERM + 1, raft.currentTerm());
    }

    @Test
    @Timeout(30)
    void aForwardedRequestIsTakenOnlyFromTheMemberThatSignedIt()
    {
        final MessageSigner member1 = new MessageSigner(keys, 1, new SystemEpochNanoClock());
        final MessageSigner rogueKey = new MessageSigner(ClusterKeys.generate(), 1, new SystemEpochNanoClock());
        offer(member1.sign(0, buffer, 0, forwardedRequest(2, 1)));     // member 1 in the name of member 2
        offer(member1.sign(0, buffer, 0, forwardedRequest(ClusterMembers.MAX_MEMBER_ID + 1, 2)));  // no member's id
        offer(rogueKey.sign(0, buffer, 0, forwardedRequest(1, 3)));    // without the cluster key
        offer(member1.sign(0, buffer, 0, forwardedRequest(1, 4)));     // genuine
        awaitCondition(() -> !forwardedSequences.isEmpty(), "the genuine forwarded request");

        assertEquals(List.of(4L), forwardedSequences);
        assertEquals(2, counters.authenticationFailures().get());
        assertEquals(1, counters.droppedMessages().get());
        assertEquals(0, counters.invalidMessages().get());
    }

    private int forwardedRequest(final int senderId, final long sequence)
    {
        final ForwardedRequestEncoder encoder = new ForwardedRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(7)
            .sequence(sequence)
            .senderId(senderId)
            .putPayload(new byte[8], 0, 8);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int appendEntries(final int leaderId, final long term)
    {
        final AppendEntriesEncoder encoder = new AppendEntriesEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(term)
            .prevLogIndex(0)
            .prevLogTerm(0)
            .leaderCommit(0)
            .leaderId(leaderId)
            .entryCount(0);
        buffer.putInt(encoder.limit(), 0);
        return encoder.limit() + 4;
    }

    private int timeoutNow(final int leaderId, final long term)
    {
        final TimeoutNowEncoder encoder = new TimeoutNowEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder).term(term).leaderId(leaderId);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int appendResponse(final int followerId, final long term)
    {
        final AppendResponseEncoder encoder = new AppendResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(term)
            .lastAppendedIndex(0)
            .durableIndex(0)
            .conflictIndex(0)
            .conflictTerm(0)
            .followerId(followerId)
            .success(BooleanType.FALSE);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int requestVote(final int candidateId, final long term)
    {
        return ConsensusTestMessages.requestVote(buffer, candidateId, term);
    }

    private void offer(final int length)
    {
        ConsensusTestMessages.offer(publication, buffer, length);
    }

    private void awaitCondition(final BooleanSupplier condition, final String what)
    {
        ConsensusTestMessages.awaitCondition(condition, what, adapter);
    }

    private static final class RoleOutbox implements RaftOutbox
    {
        int roleChanges;

        public void persistState(final long term, final int votedFor)
        {
        }

        public void onCommitIndex(final long commitIndex)
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
            roleChanges++;
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
