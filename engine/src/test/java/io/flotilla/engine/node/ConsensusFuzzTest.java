package io.flotilla.engine.node;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.AppendResponseEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RequestVoteEncoder;
import io.flotilla.codecs.SeedCorpus;
import io.flotilla.codecs.SnapshotAckEncoder;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.codecs.SnapshotChunkEncoder;
import io.flotilla.codecs.TermProbeEncoder;
import io.flotilla.codecs.TermProbeResponseEncoder;
import io.flotilla.codecs.TimeoutNowEncoder;
import io.flotilla.codecs.VoteResponseEncoder;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the consensus path (docs/fault-testing.md, "Fuzzing"): each input is a sequence of
 * messages ({@link FramedInput}) fed to {@link ConsensusAdapter#onFragment} of member 0 of three, over a real
 * {@link RaftNode} on an in-memory log, with a tick of 50 ms after each so elections and heartbeats happen. No
 * exception may escape, and Raft's arithmetic must hold after every step: the term never decreases (nor does any
 * persisted term), the commit index never decreases and never passes the log's last index, and a leader is itself.
 */
class ConsensusFuzzTest
{
    private static final ClusterMembers MEMBERS =
        ClusterMembers.parse("0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131");
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int ELECTION_TICKS = 20;

    @TempDir
    static File tempDir;

    private static FuzzMedia media;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    @BeforeAll
    static void launchMedia()
    {
        media = new FuzzMedia(tempDir);
    }

    @AfterAll
    static void closeMedia()
    {
        media.close();
    }

    @Test
    void seedsAreCheckedIn() throws IOException
    {
        final FramedInput.Builder elected = new FramedInput.Builder();
        for (int i = 0; i < ELECTION_TICKS; i++)
        {
            elected.add(scratch, 0);
        }
        elected.add(scratch, voteResponse(1, 1, true))
            .add(scratch, voteResponse(1, 1, false))
            .add(scratch, appendResponse(1, 1, 1))
            .add(scratch, appendResponse(2, 1, 1));

        final byte[] followerAppends = new FramedInput.Builder()
            .add(scratch, appendEntries(2, 0, 0, 3))
            .add(scratch, appendEntries(2, 3, 3, 0))
            .toByteArray();
        assertEquals(3, run(followerAppends).commitIndex());
        assertEquals(Role.LEADER, run(elected.toByteArray()).role());

        new SeedCorpus(ConsensusFuzzTest.class, "consensusMessages")
            .add("follower-appends", followerAppends)
            .add("elected-leader", elected.toByteArray())
            .add("votes-and-transfer", new FramedInput.Builder()
                .add(scratch, requestVote(2, 3, false))
                .add(scratch, requestVote(1, 4, true))
                .add(scratch, timeoutNow(1, 4))
                .toByteArray())
            .add("term-probe", new FramedInput.Builder()
                .add(scratch, termProbe(1))
                .add(scratch, termProbeResponse(2, 5))
                .toByteArray())
            .add("snapshot-install", new FramedInput.Builder()
                .add(scratch, snapshotChunk(2, 13))
                .add(scratch, snapshotAck(1))
                .toByteArray())
            .verify();
    }

    @FuzzTest
    void consensusMessages(final byte[] input)
    {
        run(input);
    }

    private static RaftNode run(final byte[] input)
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        final CheckingOutbox outbox = new CheckingOutbox(log);
        final RaftNode raft = new RaftNode(new RaftConfig(), 0, MEMBERS.ids(), log, 0, RaftNode.NO_MEMBER, 0,
            new ConsensusAdapterTest.RecordingTransport(), outbox, new SplittableRandom(1));
        final ConsensusAdapter adapter = new ConsensusAdapter(
            null, MEMBERS, 0, raft, new ReadingSnapshotTransfer(), ConsensusTestMessages.IGNORE_FORWARDS,
            ConsensusTestMessages.IGNORE_INTRODUCTIONS, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM),
            ConsensusAdapterTest.unauthenticated(media.counters()), media.counters());

        final long[] nowNs = { 0 };
        raft.tick(nowNs[0]);
        FramedInput.forEachMessage(input, (buffer, length) ->
        {
            final long termBefore = raft.currentTerm();
            final long commitBefore = raft.commitIndex();
            adapter.onFragment(buffer, 0, length, null);
            nowNs[0] += TICK_NS;
            raft.tick(nowNs[0]);

            assertTrue(raft.currentTerm() >= termBefore, "term went from " + termBefore + " to " + raft.currentTerm());
            assertTrue(raft.commitIndex() >= commitBefore,
                "commit index went from " + commitBefore + " to " + raft.commitIndex());
            assertTrue(raft.commitIndex() <= log.lastIndex(),
                "commit index " + raft.commitIndex() + " past the last index " + log.lastIndex());
            if (Role.LEADER == raft.role())
            {
                assertEquals(0, raft.leaderId());
            }
        });
        return raft;
    }

    private int appendEntries(final int leaderId, final long prevLogIndex, final long leaderCommit, final int count)
    {
        final UnsafeBuffer entries = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer payload = new UnsafeBuffer("command!".getBytes());
        int entriesLength = 0;
        for (int i = 0; i < count; i++)
        {
            entriesLength += EntryFrame.encode(entries, entriesLength, prevLogIndex + 1 + i, 2, 1_000 + i,
                EntryType.COMMAND, 0, 0, payload, 0, payload.capacity());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + new AppendEntriesEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(2).prevLogIndex(prevLogIndex).prevLogTerm(0 == prevLogIndex ? 0 : 2).leaderCommit(leaderCommit)
            .leaderId(leaderId).entryCount(count).putEntries(entries, 0, entriesLength)
            .encodedLength();
    }

    private int appendResponse(final int followerId, final long term, final long lastAppendedIndex)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new AppendResponseEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(term).lastAppendedIndex(lastAppendedIndex).durableIndex(lastAppendedIndex).conflictIndex(0)
            .conflictTerm(0).followerId(followerId).success(BooleanType.TRUE)
            .encodedLength();
    }

    private int requestVote(final int candidateId, final long term, final boolean transfer)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new RequestVoteEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(term).lastLogIndex(0).lastLogTerm(0).candidateId(candidateId).preVote(BooleanType.FALSE)
            .transfer(transfer ? BooleanType.TRUE : BooleanType.FALSE)
            .encodedLength();
    }

    private int voteResponse(final int voterId, final long term, final boolean preVote)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new VoteResponseEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(term).voterId(voterId).preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .granted(BooleanType.TRUE)
            .encodedLength();
    }

    private int timeoutNow(final int leaderId, final long term)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new TimeoutNowEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(term).leaderId(leaderId)
            .encodedLength();
    }

    private int termProbe(final int memberId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new TermProbeEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .probeId(11).memberId(memberId)
            .encodedLength();
    }

    private int termProbeResponse(final int responderId, final long term)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new TermProbeResponseEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(term).probeId(11).responderId(responderId)
            .encodedLength();
    }

    private int snapshotChunk(final int leaderId, final int dataLength)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new SnapshotChunkEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(5).snapshotIndex(100).snapshotTerm(4).snapshotLength(4096).fileOffset(0).leaderId(leaderId)
            .snapshotChecksum(0xC0FFEE).putData(new UnsafeBuffer(new byte[dataLength]), 0, dataLength)
            .encodedLength();
    }

    private int snapshotAck(final int followerId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new SnapshotAckEncoder()
            .wrapAndApplyHeader(scratch, 0, headerEncoder)
            .term(5).snapshotIndex(100).snapshotTerm(4).nextOffset(2048).followerId(followerId)
            .status(SnapshotAckStatus.RECEIVING)
            .encodedLength();
    }

    /**
     * Checks what the node persists and commits: persisted terms never decrease, commits never go back or past
     * the log.
     */
    private static final class CheckingOutbox implements RaftOutbox
    {
        private final InMemoryRaftLog log;
        private long persistedTerm;
        private long commitIndex;

        CheckingOutbox(final InMemoryRaftLog log)
        {
            this.log = log;
        }

        public void persistState(final long term, final int votedFor)
        {
            assertTrue(term >= persistedTerm, "persisted term " + term + " after " + persistedTerm);
            persistedTerm = term;
        }

        public void onCommitIndex(final long commitIndex)
        {
            assertTrue(commitIndex >= this.commitIndex && commitIndex <= log.lastIndex(),
                "commit index " + commitIndex + " after " + this.commitIndex + ", last index " + log.lastIndex());
            this.commitIndex = commitIndex;
        }

        public void onMessageDropped()
        {
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
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

    /**
     * Reads every byte of a chunk's data, as a receiver writing it to its file would: a bad length fails the
     * bounds check.
     */
    private static final class ReadingSnapshotTransfer implements SnapshotTransferHandler
    {
        private final byte[] data = new byte[FrameValidator.MAX_SNAPSHOT_CHUNK_LENGTH];

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
            buffer.getBytes(offset, data, 0, length);
        }

        public void onSnapshotAck(
            final int from,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
        }
    }
}
