package io.flotilla.engine.raft;

import io.flotilla.engine.Role;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ReadMode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One core driven by hand, its outbox recording every action.
 */
class RaftNodeTest
{
    private static final long MS = 1_000_000L;
    private static final int[] MEMBERS = { 0, 1, 2 };
    // Outside the id space: a leader's messages are taken from any member id (a leader this node does not know yet).
    private static final int STRANGER = Configuration.MAX_MEMBER_ID + 1;

    private InMemoryRaftLog store = new InMemoryRaftLog();
    private RecordingOutbox outbox = new RecordingOutbox(store);
    private final RaftConfig config = new RaftConfig()
        .electionTimeoutMinNs(100 * MS)
        .electionTimeoutMaxNs(200 * MS)
        .heartbeatIntervalNs(20 * MS)
        .resendTimeoutNs(40 * MS)
        .maxInflight(2)
        .maxUncommittedEntries(100);
    private long now = 1_000 * MS;

    @Test
    void persistsTermAndVoteInOneWriteBeforeAnsweringAVote()
    {
        final RaftNode node = node(0, 0);
        node.onRequestVote(1, 5, 0, 0, false, false);

        assertEquals(List.of(
            "persist 5 1",
            "roleChange FOLLOWER 5 -1",
            "voteResponse 1 5 pre=false granted=true"), outbox.calls, "the new term and the vote in it, one write");
        assertEquals(1, node.votedFor());

        outbox.calls.clear();
        node.onRequestVote(2, 5, 0, 0, false, false);
        assertEquals(List.of("voteResponse 2 5 pre=false granted=false"), outbox.calls, "one vote per term");
    }

    @Test
    void persistsAHigherTermWithoutAVoteBeforeDenyingAStaleLog()
    {
        appendEntries(1, 1, 1, 2);
        final RaftNode node = node(0, 0);
        outbox.calls.clear();
        node.onRequestVote(1, 3, 1, 1, false, false);

        assertEquals(List.of(
            "persist 3 -1",
            "roleChange FOLLOWER 3 -1",
            "voteResponse 1 3 pre=false granted=false"), outbox.calls);
        assertEquals(RaftNode.NO_MEMBER, node.votedFor());
    }

    @Test
    void deniesVotesToAStaleLog()
    {
        appendEntries(1, 1, 1, 2);
        final RaftNode node = node(0, 0);
        node.onRequestVote(1, 3, 5, 1, false, false);
        assertEquals("voteResponse 1 3 pre=false granted=false", outbox.last());
        node.onRequestVote(2, 3, 4, 2, false, false);
        assertEquals("voteResponse 2 3 pre=false granted=true", outbox.last());
    }

    @Test
    void preVoteChangesNothingAndRespectsALiveLeader()
    {
        final RaftNode node = node(0, 0);
        node.onRequestVote(1, 1, 0, 0, true, false);
        assertEquals(List.of("voteResponse 1 1 pre=true granted=true"), outbox.calls);
        assertEquals(0, node.currentTerm());

        node.onAppendEntries(2, 1, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        node.onRequestVote(1, 2, 0, 0, true, false);
        assertEquals("voteResponse 1 1 pre=true granted=false", outbox.last(), "a leader was heard recently");
    }

    @Test
    void rejectsAMismatchWithConflictHints()
    {
        appendEntries(1, 1, 1, 2, 2, 2);
        final RaftNode node = node(0, 0);

        node.onAppendEntries(1, 3, 6, 3, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertEquals("appendResponse 1 3 false appended=0 durable=0 conflict=4/2", outbox.last());

        node.onAppendEntries(1, 3, 10, 3, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertEquals("appendResponse 1 3 false appended=0 durable=0 conflict=7/0", outbox.last());
    }

    @Test
    void truncatesAtTheFirstConflictAndAppendsTheRestAsOneSlice()
    {
        appendEntries(1, 1, 1, 2, 2);
        final RaftNode node = node(0, 0);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 3, 1, 3, 3, 3);
        final int secondFrame = EntryFrame.frameLength(block, 0);

        outbox.calls.clear();
        node.onAppendEntries(1, 3, 2, 1, 0, block, 0, length, 0);
        assertEquals(List.of(
            "persist 3 -1",
            "roleChange FOLLOWER 3 -1",
            "roleChange FOLLOWER 3 1",
            "truncate 3",
            "append offset=" + secondFrame + " length=" + (length - secondFrame),
            "appendResponse 1 3 true appended=6 durable=0 conflict=0/0"), outbox.calls);
        assertEquals(6, store.lastIndex());
        assertEquals(1, store.termAt(3));
        assertEquals(3, store.termAt(4));
    }

    @Test
    void neverTruncatesACommittedEntry()
    {
        appendEntries(1, 1, 1, 2, 2);
        final RaftNode node = node(0, 4);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 4, 3);
        assertThrows(IllegalStateException.class, () -> node.onAppendEntries(1, 3, 3, 1, 0, block, 0, length, 0));
    }

    @Test
    void acknowledgesOnlyDurableVerifiedEntriesAndAgainWhenDurabilityAdvances()
    {
        appendEntries(7, 7, 7, 7, 7, 7, 7, 7);
        store.markDurable(8);
        final RaftNode node = node(0, 0);
        node.tick(now);

        // Only 1..3 are verified against this leader: the stale tail 4..8 is durable but not acknowledged.
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 1, 7, 7, 7);
        node.onAppendEntries(1, 8, 0, 0, 0, block, 0, length, 0);
        assertEquals("appendResponse 1 8 true appended=3 durable=3 conflict=0/0", outbox.last());

        final UnsafeBuffer more = new UnsafeBuffer(new byte[1024]);
        final int moreLength = frames(more, 4, 8, 8);
        node.onAppendEntries(1, 8, 3, 7, 0, more, 0, moreLength, 0);
        assertEquals("appendResponse 1 8 true appended=5 durable=3 conflict=0/0", outbox.last(),
            "the new entries 4 and 5 replaced durable ones and are not durable yet");

        outbox.calls.clear();
        store.markDurable(5);
        node.onDurable(5);
        assertEquals(List.of(), outbox.calls, "acks are coalesced until the next tick");
        node.tick(now);
        assertEquals(List.of("appendResponse 1 8 true appended=5 durable=5 conflict=0/0"), outbox.calls);
        node.tick(now);
        assertEquals(1, outbox.calls.size(), "no repeated ack");
    }

    @Test
    void followerCommitsOnlyWhatItVerified()
    {
        final RaftNode node = node(0, 0);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 1, 1, 1);
        node.onAppendEntries(1, 1, 0, 0, 10, block, 0, length, 0);
        assertEquals(2, node.commitIndex());
        assertTrue(outbox.calls.contains("commit 2"));
    }

    @Test
    void leaderCommitsOnlyCurrentTermEntriesByCounting()
    {
        appendEntries(1, 1, 1);
        store.markDurable(3);
        final RaftNode node = node(0, 0);
        electLeader(node);
        assertEquals(2, node.currentTerm());
        assertEquals(4, store.lastIndex(), "the no-op");
        store.markDurable(4);
        node.onDurable(4);

        node.onAppendResponse(1, 2, true, 3, 3, 0, 0, 0);
        assertEquals(0, node.commitIndex(), "entries of term 1 on a majority are not committed by counting");

        node.onAppendResponse(1, 2, true, 4, 4, 0, 0, 0);
        assertEquals(4, node.commitIndex());
        assertEquals("commit 4", outbox.lastMatching("commit"));
    }

    @Test
    void leaderCountsItsOwnDurableIndex()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        node.onAppendResponse(1, 1, true, 1, 1, 0, 0, 0);
        assertEquals(0, node.commitIndex(), "the leader's own no-op is not durable yet");
        store.markDurable(1);
        node.onDurable(1);
        assertEquals(1, node.commitIndex());
    }

    @Test
    void pipelinesUpToMaxInflightBatchesAndProbesAfterARejection()
    {
        config.maxBatchBytes(1);
        final RaftNode node = node(0, 0);
        electLeader(node);
        node.onAppendResponse(1, 1, true, 1, 0, 0, 0, 0);
        for (int i = 0; i < 5; i++)
        {
            node.propose(EntryType.COMMAND, 1, i, new UnsafeBuffer(new byte[8]), 0, 8);
        }

        outbox.calls.clear();
        node.tick(now);
        assertEquals(List.of(
            "appendEntries 1 1 prev=1 commit=0 2..2",
            "appendEntries 1 1 prev=2 commit=0 3..3"), outbox.sent(1), "maxInflight=2 one-entry batches");

        outbox.calls.clear();
        node.onAppendResponse(1, 1, true, 2, 0, 0, 0, 0);
        assertEquals(List.of("appendEntries 1 1 prev=3 commit=0 4..4"), outbox.sent(1), "an ack frees a slot");

        outbox.calls.clear();
        node.onAppendResponse(1, 1, false, 2, 0, 3, 0, 0);
        assertEquals(List.of("appendEntries 1 1 prev=2 commit=0 3..3"), outbox.sent(1), "probe from the hint");
        outbox.calls.clear();
        now += MS;
        node.tick(now);
        assertEquals(List.of(), outbox.sent(1), "one probe at a time");

        now += config.resendTimeoutNs();
        node.tick(now);
        assertEquals("appendEntries 1 1 prev=2 commit=0 3..3", outbox.sent(1).get(0), "unanswered probe resent");
    }

    @Test
    void resendsFromTheLastAcknowledgedIndexWhenABatchIsLost()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        node.onAppendResponse(1, 1, true, 1, 0, 0, 0, 0);
        node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8);
        node.tick(now);
        outbox.calls.clear();

        now += config.resendTimeoutNs();
        node.tick(now);
        assertEquals("appendEntries 1 1 prev=1 commit=0 2..2", outbox.sent(1).get(0));
    }

    @Test
    void retriesASendTheOutboxRefused()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        node.onAppendResponse(1, 1, true, 1, 0, 0, 0, 0);
        node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8);

        outbox.refuseSends = true;
        node.tick(now);
        outbox.refuseSends = false;
        outbox.calls.clear();
        node.tick(now);
        assertEquals("appendEntries 1 1 prev=1 commit=0 2..2", outbox.sent(1).get(0));
    }

    @Test
    void proposeIsForTheLeaderAndIsBackPressured()
    {
        config.maxUncommittedEntries(3);
        final RaftNode node = node(0, 0);
        node.tick(now);
        assertEquals(RaftNode.NOT_LEADER, node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8));

        electLeader(node);
        assertEquals(2, node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8));
        assertEquals(3, node.propose(EntryType.COMMAND, 1, 2, new UnsafeBuffer(new byte[8]), 0, 8));
        assertEquals(RaftNode.BACK_PRESSURED,
            node.propose(EntryType.COMMAND, 1, 3, new UnsafeBuffer(new byte[8]), 0, 8));
    }

    @Test
    void leaderStampsNeverGoBackwards()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        final long first = node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8);
        node.tick(now - 500 * MS);
        final long second = node.propose(EntryType.COMMAND, 1, 2, new UnsafeBuffer(new byte[8]), 0, 8);
        assertEquals(now, outbox.timestampOf(first));
        assertEquals(now, outbox.timestampOf(second));
    }

    @Test
    void aForgedAppendResponseWithAHugeTermLeavesTheTermAndTheStateFileUntouched()
    {
        final RaftNode leader = node(0, 0);
        electLeader(leader);
        final long term = leader.currentTerm();
        outbox.calls.clear();

        leader.onAppendResponse(1, Long.MAX_VALUE, false, 0, 0, 0, 0, 0);
        leader.onAppendResponse(1, RaftNode.MAX_TERM + 1, false, 0, 0, 0, 0, 0);
        leader.onAppendResponse(1, -1, true, 0, 0, 0, 0, 0);

        assertEquals(term, leader.currentTerm());
        assertEquals(Role.LEADER, leader.role());
        assertEquals(List.of("dropped", "dropped", "dropped"), outbox.calls, "nothing persisted, nothing sent");
        assertEquals(3, leader.droppedMessages());
    }

    @Test
    void noMessageRaisesTheTermPastTheBound()
    {
        final long nearBound = RaftNode.MAX_TERM - 10;
        final RaftNode node = node(0, 0, nearBound);
        node.tick(now);
        outbox.calls.clear();
        final long pastBound = nearBound + 1000;

        node.onAppendResponse(1, pastBound, false, 0, 0, 0, 0, 0);
        node.onRequestVote(1, pastBound, 0, 0, false, true);
        node.onRequestVote(2, pastBound, 0, 0, true, false);
        node.onVoteResponse(1, pastBound, false, false);
        node.onTimeoutNow(1, pastBound);
        node.onAppendEntries(1, pastBound, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertFalse(node.onSnapshotChunk(1, pastBound));
        node.onSnapshotAck(1, pastBound);

        assertEquals(nearBound, node.currentTerm());
        assertEquals(7 + 1, node.droppedMessages());
        assertFalse(outbox.calls.stream().anyMatch(call -> !"dropped".equals(call)), outbox.calls.toString());

        node.onAppendResponse(1, RaftNode.MAX_TERM, false, 0, 0, 0, 0, 0);
        assertEquals(RaftNode.MAX_TERM, node.currentTerm(), "the bound itself is a term");
        outbox.calls.clear();
        now += 10 * config.electionTimeoutMaxNs();
        node.tick(now);
        assertEquals(Role.FOLLOWER, node.role(), "no election can go past the bound");
        assertEquals(List.of(), outbox.calls);

        assertThrows(IllegalArgumentException.class, () -> node(0, 0, RaftNode.MAX_TERM + 1),
            "a state file holding a term past the bound");
    }

    @Test
    void anAcknowledgementBeyondTheLeadersLogNeverAdvancesTheCommitIndex()
    {
        final RaftNode leader = node(0, 0);
        electLeader(leader);
        final long term = leader.currentTerm();
        final long lastIndex = store.lastIndex();
        store.markDurable(lastIndex);
        leader.onDurable(lastIndex);
        assertEquals(0, leader.commitIndex());

        leader.onAppendResponse(1, term, true, lastIndex + 1000, lastIndex + 1000, 0, 0, 0);
        leader.onAppendResponse(2, term, true, lastIndex + 1, lastIndex, 0, 0, 0);
        leader.onAppendResponse(1, term, true, lastIndex - 1, lastIndex, 0, 0, 0);
        assertEquals(0, leader.commitIndex());
        assertEquals(3, leader.droppedMessages(), "beyond the log twice, and durable beyond the match");

        leader.onAppendResponse(1, term, true, lastIndex, lastIndex, 0, 0, 0);
        assertEquals(lastIndex, leader.commitIndex(), "a true acknowledgement commits");
    }

    @Test
    void rejectionHintsOutsideTheLeadersLogAreDropped()
    {
        appendEntries(1, 1, 1);
        store.markDurable(3);
        final RaftNode leader = node(0, 0);
        electLeader(leader);
        final long term = leader.currentTerm();
        final long lastIndex = store.lastIndex();
        leader.onAppendResponse(1, term, true, lastIndex, lastIndex, 0, 0, 0);
        outbox.calls.clear();

        leader.onAppendResponse(1, term, false, 0, 0, lastIndex + 2, 0, 0);
        leader.onAppendResponse(1, term, false, 0, 0, 2, term + 1, 0);
        assertEquals(List.of("dropped", "dropped"), outbox.calls, "no back-tracking on an impossible hint");

        leader.onAppendResponse(1, term, false, 0, 0, lastIndex + 1, 0, 0);
        assertTrue(outbox.lastMatching("appendEntries 1").startsWith("appendEntries 1 " + term + " prev=" + lastIndex),
            outbox.calls.toString());
    }

    @Test
    void voteRequestsWithAnImpossibleLogAreDropped()
    {
        final RaftNode node = node(0, 0);
        node.onRequestVote(1, 5, 10, 6, false, false);
        node.onRequestVote(1, 5, 10, 0, false, false);
        node.onRequestVote(1, 5, 0, 3, false, false);
        node.onRequestVote(1, 5, -1, 3, false, false);
        assertEquals(List.of("dropped", "dropped", "dropped", "dropped"), outbox.calls);
        assertEquals(0, node.currentTerm());

        node.onRequestVote(1, 5, 10, 5, false, false);
        assertEquals("voteResponse 1 5 pre=false granted=true", outbox.last());
    }

    @Test
    void aTimeoutNowIsObeyedOnlyFromTheLeaderOfTheCurrentTerm()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        outbox.calls.clear();

        node.onTimeoutNow(2, 3);
        node.onTimeoutNow(1, 4);
        node.onTimeoutNow(1, 2);
        assertEquals(List.of("dropped", "dropped"), outbox.calls, "another member's, a later term's; a stale one");
        assertEquals(Role.FOLLOWER, node.role());
        assertEquals(3, node.currentTerm());

        node.onTimeoutNow(1, 3);
        assertEquals(Role.CANDIDATE, node.role());
        assertEquals(4, node.currentTerm());
    }

    @Test
    void entriesNewerThanTheLeadersTermOrOlderThanTheirPredecessorAreDropped()
    {
        appendEntries(2);
        final RaftNode node = node(0, 0);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);

        node.onAppendEntries(1, 3, 1, 2, 0, block, 0, frames(block, 2, 3, 4), 0);
        node.onAppendEntries(1, 3, 1, 2, 0, block, 0, frames(block, 2, 1), 0);
        node.onAppendEntries(1, 3, 1, 4, 0, block, 0, frames(block, 2, 3), 0);
        assertEquals(3, node.droppedMessages());
        assertEquals(1, store.lastIndex());

        node.onAppendEntries(1, 3, 1, 2, 0, block, 0, frames(block, 2, 2, 3), 0);
        assertEquals(3, store.lastIndex());
        assertEquals(3, node.droppedMessages());
    }

    @Test
    void aLeaderWhoseLogBeginsBelowTwoToThe32ReplicatesAndCommitsAcrossIt()
    {
        final long prefix = (1L << 32) - 2;
        compactedUpTo(prefix, 3);
        final RaftNode leader = node(0, prefix);
        electLeader(leader);
        final long term = leader.currentTerm();
        for (int i = 0; i < 3; i++)
        {
            leader.propose(EntryType.COMMAND, 1, i, new UnsafeBuffer(new byte[8]), 0, 8);
        }
        final long last = store.lastIndex();
        assertEquals((1L << 32) + 2, last);
        store.markDurable(last);
        leader.onDurable(last);

        leader.onAppendResponse(1, term, true, last, last, 0, 0, 0);
        assertEquals(last, leader.commitIndex());
        assertEquals("commit " + last, outbox.lastMatching("commit"));

        // Back-tracking across the boundary: the follower holds nothing after 2^32 - 1.
        leader.onAppendResponse(2, term, false, 0, 0, 1L << 32, 0, 0);
        assertTrue(outbox.lastMatching("appendEntries 2").startsWith(
            "appendEntries 2 " + term + " prev=" + ((1L << 32) - 1)), outbox.calls.toString());
        assertEquals(0, leader.droppedMessages());
    }

    @Test
    void aFollowerWhoseLogBeginsBeyondTwoToThe31AppendsTruncatesAndCommits()
    {
        final long prefix = 3_000_000_000L;
        compactedUpTo(prefix, 2);
        final RaftNode node = node(0, prefix);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);

        node.onAppendEntries(1, 3, prefix, 2, prefix, block, 0, frames(block, prefix + 1, 2, 2, 3), 0);
        assertEquals(prefix + 3, store.lastIndex());
        assertEquals("appendResponse 1 3 true appended=" + (prefix + 3) + " durable=" + prefix + " conflict=0/0",
            outbox.last());

        // The leader of term 4 overwrites the uncommitted tail and commits what it sent.
        node.onAppendEntries(2, 4, prefix + 1, 2, prefix + 2, block, 0, frames(block, prefix + 2, 4), 0);
        assertEquals(prefix + 2, store.lastIndex());
        assertEquals(4, store.termAt(prefix + 2));
        assertEquals(prefix + 2, node.commitIndex());

        node.onAppendEntries(2, 4, prefix + 5, 4, prefix + 2, block, 0, 0, 0);
        assertEquals("appendResponse 2 4 false appended=" + (prefix + 2) + " durable=" + prefix + " conflict=" +
            (prefix + 3) + "/0", outbox.last());
        assertEquals(0, node.droppedMessages());
    }

    @Test
    void rejectsBadConstructorArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> new RaftNode(
            config, 3, MEMBERS, outbox, 0, RaftNode.NO_MEMBER, 0, outbox, outbox, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new RaftNode(
            config, 0, new int[]{ 0, 1, 1 }, outbox, 0, RaftNode.NO_MEMBER, 0, outbox, outbox, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new RaftNode(
            config, 0, MEMBERS, outbox, 0, RaftNode.NO_MEMBER, 1, outbox, outbox, new SplittableRandom(1)));
        appendEntries(1, 2);
        assertThrows(IllegalArgumentException.class, () -> new RaftNode(
            config, 0, MEMBERS, outbox, 1, RaftNode.NO_MEMBER, 0, outbox, outbox, new SplittableRandom(1)),
            "a state file older than the log");
    }

    @Test
    void dropsMessagesFromStrangersAndMalformedBlocks()
    {
        final RaftNode node = node(0, 0);
        node.onRequestVote(STRANGER, 1, 0, 0, false, false);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 5, 1);
        node.onAppendEntries(1, 1, 0, 0, 0, block, 0, length, 0);
        assertEquals(2, node.droppedMessages());
        assertEquals(0, store.lastIndex());
    }

    @Test
    void compactedLogVotesOnItsPrefixTerm()
    {
        compactedUpTo(100, 3);
        final RaftNode node = node(0, 0);
        assertEquals(100, node.commitIndex(), "the compacted prefix is committed");
        node.onRequestVote(1, 4, 90, 3, false, false);
        assertEquals("voteResponse 1 4 pre=false granted=false", outbox.last(), "a log shorter than the prefix");
        node.onRequestVote(2, 4, 100, 3, false, false);
        assertEquals("voteResponse 2 4 pre=false granted=true", outbox.last());
    }

    @Test
    void leaderWithACompactedLogIsElectedReplicatesAndCommits()
    {
        compactedUpTo(100, 3);
        final RaftNode node = node(0, 0);
        electLeader(node);
        assertTrue(outbox.calls.contains("requestVote 1 4 last=100/3 pre=false transfer=false"));
        assertEquals(List.of("appendEntries 1 4 prev=100 commit=100 101..101"), outbox.sent(1), "the no-op");

        store.markDurable(101);
        node.onDurable(101);
        node.onAppendResponse(1, 4, true, 101, 101, 0, 0, 0);
        assertEquals(101, node.commitIndex());

        assertEquals(102, node.propose(EntryType.COMMAND, 1, 1, new UnsafeBuffer(new byte[8]), 0, 8));
        outbox.calls.clear();
        node.tick(now);
        assertEquals(List.of("appendEntries 1 4 prev=101 commit=101 102..102"), outbox.sent(1));

        outbox.calls.clear();
        now += config.heartbeatIntervalNs();
        node.tick(now);
        assertEquals(List.of("appendEntries 2 4 prev=100 commit=101 101..100"), outbox.sent(2),
            "a heartbeat to a peer with no known match checks the compacted prefix, the furthest back known");
    }

    @Test
    void followerWithACompactedLogMatchesWhatItNoLongerHolds()
    {
        compactedUpTo(100, 3);
        final RaftNode node = node(0, 0);
        node.onAppendEntries(1, 4, 0, 0, 50, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertEquals("appendResponse 1 4 true appended=0 durable=0 conflict=0/0", outbox.last(),
            "index 0 lies in the committed prefix: it matches");

        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 99, 3, 3, 4, 4);
        final int held = EntryFrame.frameLength(block, 0) * 2;
        outbox.calls.clear();
        node.onAppendEntries(1, 4, 98, 3, 102, block, 0, length, 0);
        assertEquals(List.of(
            "append offset=" + held + " length=" + (length - held),
            "commit 102",
            "appendResponse 1 4 true appended=102 durable=100 conflict=0/0"), outbox.calls,
            "99 and 100 are skipped as held, 101 and 102 appended");
    }

    @Test
    void followerWithACompactedLogBacktracksWithinWhatItKnows()
    {
        compactedUpTo(100, 3);
        appendEntries(3, 3, 5, 5, 5);
        final RaftNode node = node(0, 100);
        node.onAppendEntries(1, 6, 105, 6, 100, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertEquals("appendResponse 1 6 false appended=0 durable=0 conflict=103/5", outbox.last());

        final UnsafeBuffer block = new UnsafeBuffer(new byte[1024]);
        final int length = frames(block, 103, 6);
        outbox.calls.clear();
        node.onAppendEntries(1, 6, 102, 3, 100, block, 0, length, 0);
        assertEquals(List.of(
            "truncate 102",
            "append offset=0 length=" + length,
            "appendResponse 1 6 true appended=103 durable=100 conflict=0/0"), outbox.calls);
    }

    @Test
    void leaderWithACompactedLogBacktracksToItsLastEntryOfTheConflictingTerm()
    {
        compactedUpTo(100, 3);
        appendEntries(3, 3, 4, 4);
        store.markDurable(104);
        final RaftNode node = node(0, 100);
        electLeader(node);
        assertEquals(5, node.currentTerm());

        outbox.calls.clear();
        node.onAppendResponse(1, 5, false, 0, 0, 103, 4, 0);
        assertEquals(List.of("appendEntries 1 5 prev=104 commit=100 105..105"), outbox.sent(1));

        outbox.calls.clear();
        node.onAppendResponse(1, 5, false, 0, 0, 103, 3, 0);
        assertEquals(List.of("appendEntries 1 5 prev=102 commit=100 103..105"), outbox.sent(1),
            "past its last entry of term 3");
    }

    @Test
    void leaderPutsAPeerThatNeedsCompactedEntriesIntoSnapshot()
    {
        compactedUpTo(100, 3);
        appendEntries(3, 3, 4, 4);
        store.markDurable(104);
        final RaftNode node = node(0, 100);
        electLeader(node);

        outbox.calls.clear();
        node.onAppendResponse(1, 5, false, 0, 0, 51, 0, 0);
        node.onAppendResponse(2, 5, false, 0, 0, 103, 2, 0);
        assertEquals(List.of(), outbox.sent(1), "its log ends at 50: it needs 51..100, compacted");
        assertEquals(List.of(), outbox.sent(2), "its term-2 entries diverge inside the compacted prefix");

        for (int i = 0; i < 5; i++)
        {
            now += config.heartbeatIntervalNs();
            node.tick(now);
            node.onAppendResponse(2, 5, false, 0, 0, 103, 2, 0);
        }
        assertEquals(List.of(), outbox.sent(1), "not even heartbeats");
        assertEquals(List.of(), outbox.sent(2));
        assertEquals(Role.LEADER, node.role());

        node.onAppendResponse(1, 5, true, 100, 100, 0, 0, 0);
        assertEquals(List.of("appendEntries 1 5 prev=100 commit=100 101..105"), outbox.sent(1),
            "an acknowledgement of the whole prefix (as after a snapshot) resumes replication");
    }

    @Test
    void leaderSendsItsSnapshotOnEnteringSnapshotAndEveryHeartbeatInterval()
    {
        final RaftNode node = leaderWithPeersNeedingASnapshot();
        assertEquals(List.of("installSnapshot 1 5"), outbox.snapshotsSent(1), "at once on entering SNAPSHOT");
        assertEquals(List.of("installSnapshot 2 5"), outbox.snapshotsSent(2));

        outbox.calls.clear();
        now += config.heartbeatIntervalNs() - 1;
        node.tick(now);
        assertEquals(List.of(), outbox.calls, "a transfer in progress is not asked for again before the interval");
        now += 1;
        node.tick(now);
        assertEquals(List.of("installSnapshot 1 5", "installSnapshot 2 5"), outbox.calls,
            "the keep-alive: the runtime continues (or restarts) the transfer");

        outbox.calls.clear();
        outbox.noSnapshot = true;
        now += config.heartbeatIntervalNs();
        node.tick(now);
        // The peers have not answered for two heartbeat intervals: the leader introduces itself meanwhile.
        assertEquals(List.of(), outbox.snapshotsSent(1), "nothing to send yet");
        assertEquals(List.of(), outbox.snapshotsSent(2), "nothing to send yet");
        outbox.noSnapshot = false;
        now += 1;
        node.tick(now);
        assertEquals(List.of("installSnapshot 1 5"), outbox.snapshotsSent(1),
            "a refused request is made again at the next tick, not a heartbeat interval later");
        assertEquals(List.of("installSnapshot 2 5"), outbox.snapshotsSent(2));
    }

    @Test
    void aLeaderIntroducesItselfToAPeerSilentForTwoHeartbeatIntervalsOncePerInterval()
    {
        final RaftNode node = committedLeader();
        final long heartbeat = config.heartbeatIntervalNs();
        outbox.calls.clear();
        now += heartbeat;
        node.tick(now);
        answerHeartbeat(node, 1);
        now += heartbeat - 1;
        node.tick(now);
        answerHeartbeat(node, 1);
        assertEquals(List.of(), introductions(), "none before two silent intervals");

        now += 1;
        node.tick(now);
        assertEquals(List.of("introduction 2 " + node.currentTerm()), introductions(),
            "to the silent peer only: peer 1 answered");
        outbox.calls.clear();
        now += heartbeat - 1;
        node.tick(now);
        answerHeartbeat(node, 1);
        assertEquals(List.of(), introductions(), "at most once per heartbeat interval");
        now += 1;
        node.tick(now);
        assertEquals(List.of("introduction 2 " + node.currentTerm()), introductions(), "again while silent");

        outbox.calls.clear();
        answerHeartbeat(node, 2);
        now += heartbeat;
        node.tick(now);
        assertEquals(List.of(), introductions(), "not once it answers");

        // A peer that is down: the send fails, and is tried again an interval later, not at every tick.
        outbox.refuseSends = true;
        answerHeartbeat(node, 1);
        now += heartbeat;
        node.tick(now);
        node.tick(now + 1);
        node.tick(now + heartbeat - 1);
        assertEquals(List.of("introduction 2 " + node.currentTerm()), introductions());
        node.tick(now + heartbeat);
        assertEquals(2, introductions().stream().filter((call) -> call.startsWith("introduction 2 ")).count());
    }

    @Test
    void snapshotAcksKeepALeaderWhoseFollowersAreInstallingInCharge()
    {
        final RaftNode node = leaderWithPeersNeedingASnapshot();
        for (long waited = 0; waited < 3 * config.electionTimeoutMaxNs(); waited += config.heartbeatIntervalNs())
        {
            now += config.heartbeatIntervalNs();
            node.tick(now);
            node.onSnapshotAck(1, 5);
            assertEquals(Role.LEADER, node.role(), "after " + waited / MS + " ms");
        }

        for (long waited = 0; waited <= config.electionTimeoutMaxNs(); waited += config.heartbeatIntervalNs())
        {
            now += config.heartbeatIntervalNs();
            node.tick(now);
            node.onSnapshotAck(1, 4);
        }
        assertEquals(Role.FOLLOWER, node.role(), "acks of an older term do not count: check-quorum steps down");
        assertEquals(5, node.currentTerm());
    }

    @Test
    void snapshotAckOfAHigherTermDeposesTheLeader()
    {
        final RaftNode node = leaderWithPeersNeedingASnapshot();
        node.onSnapshotAck(9, 7);
        assertEquals(1, node.droppedMessages(), "a stranger");
        assertEquals(Role.LEADER, node.role());

        node.onSnapshotAck(1, 7);
        assertEquals(Role.FOLLOWER, node.role());
        assertEquals(7, node.currentTerm());
        assertEquals("persist 7 -1", outbox.lastMatching("persist"));
    }

    @Test
    void leaderWhoseLogIsCompactedUnderAProbeSendsTheSnapshot()
    {
        appendEntries(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        store.markDurable(10);
        final RaftNode node = node(0, 10);
        electLeader(node);
        node.onAppendResponse(1, 2, false, 0, 0, 4, 0, 0);
        assertEquals("appendEntries 1 2 prev=3 commit=10 4..11", outbox.lastMatching("appendEntries 1"),
            "probing from 4");

        // The runtime took a snapshot at 10 and compacted behind it while the probe was out.
        store.compact(9);
        outbox.calls.clear();
        node.tick(now);
        assertEquals(List.of("installSnapshot 1 2"), outbox.snapshotsSent(1));
        assertEquals(List.of(), outbox.sent(1), "4..8 are gone: no probe, no heartbeat");

        node.onAppendResponse(1, 2, false, 0, 0, 4, 0, 0);
        assertEquals(List.of("installSnapshot 1 2", "installSnapshot 1 2"), outbox.snapshotsSent(1),
            "the late answer to the probe points below the first index again: SNAPSHOT is entered anew");

        node.onAppendResponse(1, 2, true, 10, 10, 0, 0, 0);
        assertEquals(List.of("appendEntries 1 2 prev=10 commit=10 11..11"), outbox.sent(1),
            "the peer installed the snapshot at 10: replication resumes after it");
        outbox.calls.clear();
        now += config.heartbeatIntervalNs();
        node.tick(now);
        assertEquals(List.of(), outbox.snapshotsSent(1), "no more snapshot once replicating");
    }

    @Test
    void snapshotChunksFollowTheTermRulesOfAppendEntries()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        assertFalse(node.onSnapshotChunk(STRANGER, 1));
        assertEquals(1, node.droppedMessages());

        outbox.calls.clear();
        assertTrue(node.onSnapshotChunk(1, 3));
        assertEquals(List.of("persist 3 -1", "roleChange FOLLOWER 3 -1", "roleChange FOLLOWER 3 1"), outbox.calls,
            "a higher term is adopted and its sender followed");
        assertEquals(1, node.leaderId());

        outbox.calls.clear();
        assertFalse(node.onSnapshotChunk(2, 2));
        assertEquals(List.of("appendResponse 2 3 false appended=0 durable=0 conflict=0/0"), outbox.calls,
            "a deposed leader learns the term");

        // Chunks are contact with the leader: the election timer keeps restarting while they flow.
        for (int i = 0; i < 20; i++)
        {
            now += config.electionTimeoutMinNs() / 2;
            node.tick(now);
            assertTrue(node.onSnapshotChunk(1, 3));
        }
        assertEquals(Role.FOLLOWER, node.role());
        assertEquals(3, node.currentTerm());

        final RaftNode leader = leaderWithPeersNeedingASnapshot();
        assertThrows(IllegalStateException.class, () -> leader.onSnapshotChunk(1, 5), "two leaders in one term");
    }

    @Test
    void snapshotBeyondTheLogResetsItAndIsAcknowledged()
    {
        appendEntries(1, 1, 1);
        config.checkQuorum(false);
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onSnapshotChunk(1, 2);

        outbox.calls.clear();
        node.onSnapshotInstalled(1, 2, 10, 2);
        assertEquals(List.of("reset 10/2", "appendResponse 1 2 true appended=10 durable=10 conflict=0/0"),
            outbox.calls, "no commit event: the snapshot applied 1..10");
        assertEquals(10, node.commitIndex());
        assertEquals(10, node.appliedIndex());
        assertEquals(11, store.firstIndex());
        assertEquals(10, store.lastIndex());

        node.onRequestVote(2, 3, 9, 2, false, false);
        assertEquals("voteResponse 2 3 pre=false granted=false", outbox.last(), "the reset log still votes on 10/2");
        node.onRequestVote(2, 3, 10, 2, false, false);
        assertEquals("voteResponse 2 3 pre=false granted=true", outbox.last());
    }

    @Test
    void snapshotTheLogHoldsKeepsTheEntriesAfterIt()
    {
        appendEntries(1, 1, 2, 2, 2, 2, 2, 2);
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onSnapshotChunk(1, 2);

        outbox.calls.clear();
        node.onSnapshotInstalled(1, 2, 5, 2);
        assertEquals(List.of("appendResponse 1 2 true appended=5 durable=5 conflict=0/0"), outbox.calls,
            "durable up to 5 through the snapshot, though the log is not yet");
        assertEquals(1, store.firstIndex());
        assertEquals(8, store.lastIndex());
        assertEquals(5, node.commitIndex());

        outbox.calls.clear();
        node.onAppendEntries(1, 2, 8, 2, 8, new UnsafeBuffer(new byte[0]), 0, 0, 0);
        assertEquals(List.of("commit 8", "appendResponse 1 2 true appended=8 durable=5 conflict=0/0"), outbox.calls,
            "the kept entries 6..8 are verified by the next AppendEntries and commit");
    }

    @Test
    void snapshotConflictingWithAnUncommittedEntryResetsTheLog()
    {
        appendEntries(1, 1, 1, 1);
        store.markDurable(4);
        final RaftNode node = node(0, 1);
        node.tick(now);
        node.onSnapshotChunk(1, 3);

        outbox.calls.clear();
        node.onSnapshotInstalled(1, 3, 3, 2);
        assertEquals(List.of("reset 3/2", "appendResponse 1 3 true appended=3 durable=3 conflict=0/0"), outbox.calls,
            "entry 3 of term 1 was never committed; the durable 4 is gone with it");
        assertEquals(3, node.commitIndex());
        assertEquals(2, store.lastTerm());
    }

    @Test
    void staleSnapshotBelowTheCommitIndexChangesNeitherLogNorCommit()
    {
        appendEntries(1, 1, 1, 1, 1, 1);
        final RaftNode node = node(0, 6);
        node.tick(now);
        node.onSnapshotChunk(1, 2);

        outbox.calls.clear();
        node.onSnapshotInstalled(1, 2, 4, 1);
        assertEquals(List.of("appendResponse 1 2 true appended=4 durable=0 conflict=0/0"), outbox.calls,
            "only acknowledged: the durable index is the log's");
        assertEquals(6, node.commitIndex());
        assertEquals(6, store.lastIndex());
        assertEquals(1, store.firstIndex());

        assertThrows(IllegalStateException.class, () -> node.onSnapshotInstalled(1, 2, 5, 3),
            "a snapshot of another term at a committed index");
    }

    @Test
    void snapshotFromALeaderNoLongerFollowedIsLoadedButNotAcknowledged()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onSnapshotChunk(1, 2);
        node.onAppendEntries(2, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 0);

        outbox.calls.clear();
        node.onSnapshotInstalled(1, 2, 10, 2);
        assertEquals(List.of("reset 10/2"), outbox.calls, "committed state all the same; the new leader probes");
        assertEquals(10, node.commitIndex());

        node.onSnapshotInstalled(STRANGER, 2, 20, 2);
        node.onSnapshotInstalled(1, 2, 0, 0);
        assertEquals(2, node.droppedMessages(), "a stranger's, and one that covers nothing");
    }

    /**
     * A leader of term 5 over a log compacted up to 100 whose peers both need entries before it: peer 1's log ends
     * at 50, peer 2's diverges inside the prefix. Both are in SNAPSHOT.
     */
    @Test
    void aLeaderAnswersAReadOnceAMajorityAnsweredAMessageSentAfterIt()
    {
        final RaftNode node = committedLeader();
        final long stampBefore = outbox.lastStampTo[1];

        assertTrue(node.requestReadIndex(7, ReadMode.READ_INDEX, now));
        final long stampAfter = outbox.lastStampTo[1];
        assertTrue(stampAfter > stampBefore, "a heartbeat goes out at once, stamped after the read");
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, stampBefore);
        assertNull(outbox.lastMatching("readIndex "), "an answer to a message sent before the read confirms nothing");

        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, stampAfter);
        assertEquals("readIndex 7 at 1", outbox.lastMatching("readIndex "));
    }

    @Test
    void aNewLeaderAnswersNoReadBeforeAnEntryOfItsTermIsCommitted()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        assertTrue(node.requestReadIndex(3, ReadMode.READ_INDEX, now));
        now += MS;
        node.tick(now);
        node.onAppendResponse(1, node.currentTerm(), true, 1, 0, 0, 0, outbox.lastStampTo[1]);
        assertNull(outbox.lastMatching("readIndex "), "the no-op is not committed yet");

        store.markDurable(1);
        node.onDurable(1);
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        assertEquals("readIndex 3 at 1", outbox.lastMatching("readIndex "));
    }

    @Test
    void aLeaseServesReadsAtOnceAndEndsBeforeAnyoneElseCanBeElected()
    {
        final RaftNode node = committedLeader();
        now += MS;
        node.tick(now);
        final long sentAt = now;
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);

        assertTrue(node.requestReadIndex(1, ReadMode.LEASE, now));
        assertEquals("readIndex 1 at 1", outbox.lastMatching("readIndex "), "answered from the lease");

        final long leaseEnd = sentAt + config.electionTimeoutMinNs() - config.leaseMarginNs();
        outbox.calls.clear();
        assertTrue(node.requestReadIndex(2, ReadMode.LEASE, leaseEnd - 1));
        assertEquals("readIndex 2 at 1", outbox.lastMatching("readIndex "));
        assertTrue(node.requestReadIndex(3, ReadMode.LEASE, leaseEnd));
        assertEquals("readIndex 2 at 1", outbox.lastMatching("readIndex "), "past the lease: a ReadIndex round");
    }

    @Test
    void aTransferEndsTheLeaseForTheRestOfTheTerm()
    {
        final RaftNode node = committedLeader();
        now += MS;
        node.tick(now);
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        assertTrue(node.transferLeadership(1));
        assertEquals("timeoutNow 1 " + node.currentTerm(), outbox.lastMatching("timeoutNow"));

        outbox.calls.clear();
        assertTrue(node.requestReadIndex(4, ReadMode.LEASE, now));
        assertNull(outbox.lastMatching("readIndex "), "no lease once a TimeoutNow went out");

        now += config.electionTimeoutMaxNs() / 2;
        node.tick(now);
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        now += config.electionTimeoutMaxNs() / 2;
        node.tick(now);
        assertEquals(RaftNode.NO_MEMBER, node.transferTarget(), "the transfer was abandoned");
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        outbox.calls.clear();
        assertTrue(node.requestReadIndex(5, ReadMode.LEASE, now));
        assertNull(outbox.lastMatching("readIndex 5"), "the target may have been elected: still no lease");
    }

    @Test
    void pendingReadsFailWhenLeadershipIsLost()
    {
        final RaftNode node = committedLeader();
        assertTrue(node.requestReadIndex(9, ReadMode.READ_INDEX, now));
        node.onReadIndexRequest(2, node.currentTerm(), 11, ReadMode.READ_INDEX);
        node.onAppendResponse(1, node.currentTerm() + 1, false, 0, 0, 0, 0, 0);

        assertEquals(Role.FOLLOWER, node.role());
        assertEquals("readFailed 9", outbox.lastMatching("readFailed"));
        assertEquals("readIndexResponse 2 " + node.currentTerm() + " read=11 index=0 refused",
            outbox.lastMatching("readIndexResponse"));
    }

    @Test
    void aLeaderAnswersAFollowersReadIndexRequestOnceConfirmed()
    {
        final RaftNode node = committedLeader();
        final long term = node.currentTerm();
        node.onReadIndexRequest(2, term, 21, ReadMode.READ_INDEX);
        assertNull(outbox.lastMatching("readIndexResponse"));

        now += MS;
        node.tick(now);
        node.onAppendResponse(1, term, true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        assertEquals("readIndexResponse 2 " + term + " read=21 index=1 granted", outbox.lastMatching("readIndexResponse"));

        node.onReadIndexRequest(2, term - 1, 22, ReadMode.READ_INDEX);
        assertEquals("readIndexResponse 2 " + term + " read=22 index=0 refused", outbox.lastMatching("readIndexResponse"),
            "a request of another term is refused");
    }

    @Test
    void aFollowerAsksItsLeaderAndFailsItsReadsWhenTheLeaderChanges()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        assertFalse(node.requestReadIndex(1, ReadMode.READ_INDEX, now), "no leader known");
        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 42);
        assertEquals(42, outbox.lastEcho, "a follower echoes its leader's stamp");

        assertTrue(node.requestReadIndex(5, ReadMode.LEASE, now));
        assertEquals("readIndexRequest 1 3 read=5 LEASE", outbox.last());
        node.onReadIndexResponse(2, 3, 5, 9, true);
        assertNull(outbox.lastMatching("readIndex "), "an answer from a member that is not the leader is ignored");
        node.onReadIndexResponse(1, 3, 5, 9, true);
        assertEquals("readIndex 5 at 9", outbox.last());

        assertTrue(node.requestReadIndex(6, ReadMode.READ_INDEX, now));
        node.onAppendEntries(2, 4, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 7);
        assertEquals("readFailed 6", outbox.lastMatching("readFailed"));
        assertEquals(7, outbox.lastEcho, "the new leader's stamps are echoed from scratch");
        node.onReadIndexResponse(1, 3, 6, 9, true);
        assertEquals("readFailed 6", outbox.lastMatching("read"), "a late answer of the old leader is ignored");
    }

    @Test
    void aFollowersReadFailsWhenTheLeaderDoesNotAnswer()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 1);
        assertTrue(node.requestReadIndex(8, ReadMode.READ_INDEX, now));

        now += config.electionTimeoutMaxNs() - MS;
        node.advanceClock(now);
        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 2);
        node.tick(now);
        assertNull(outbox.lastMatching("readFailed"));
        now += MS;
        node.tick(now);
        assertEquals("readFailed 8", outbox.lastMatching("readFailed"));
    }

    @Test
    void anEchoOfAStampTheLeaderNeverSentIsDropped()
    {
        final RaftNode node = committedLeader();
        outbox.calls.clear();
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1] + 1_000_000);
        assertEquals(List.of("dropped"), outbox.calls);
    }

    @Test
    void aNodeThatStartsGrantsNoVoteForAnElectionTimeout()
    {
        final RaftNode node = node(0, 0);
        node.tick(now);
        node.onRequestVote(1, 1, 0, 0, true, false);
        assertEquals("voteResponse 1 0 pre=true granted=false", outbox.last(),
            "it may have acknowledged a leader's lease before it stopped");
        node.onRequestVote(1, 1, 0, 0, true, true);
        assertEquals("voteResponse 1 1 pre=true granted=true", outbox.last(), "a transfer is not held back");

        now += config.electionTimeoutMinNs();
        node.tick(now);
        node.onRequestVote(2, 1, 0, 0, true, false);
        assertEquals("voteResponse 2 1 pre=true granted=true", outbox.last());
    }

    @Test
    void aSingleMemberAnswersReadsAtOnce()
    {
        final RaftNode node = new RaftNode(config, 0, new int[]{0}, outbox, 0, RaftNode.NO_MEMBER, 0, outbox, outbox,
            new SplittableRandom(1));
        outbox.node = node;
        node.tick(now);
        now += config.electionTimeoutMaxNs();
        node.tick(now);
        assertEquals(Role.LEADER, node.role());
        assertTrue(node.requestReadIndex(1, ReadMode.READ_INDEX, now));
        assertNull(outbox.lastMatching("readIndex "), "its no-op is not durable yet");
        store.markDurable(1);
        node.onDurable(1);
        assertEquals("readIndex 1 at 1", outbox.lastMatching("readIndex "));
    }

    /**
     * A leader of a 3-member cluster whose no-op (index 1) is durable on itself and on member 1: committed.
     */
    private RaftNode committedLeader()
    {
        final RaftNode node = node(0, 0);
        electLeader(node);
        store.markDurable(1);
        node.onDurable(1);
        node.onAppendResponse(1, node.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[1]);
        assertEquals(1, node.commitIndex());
        return node;
    }

    private void answerHeartbeat(final RaftNode leader, final int peer)
    {
        leader.onAppendResponse(peer, leader.currentTerm(), true, 1, 1, 0, 0, outbox.lastStampTo[peer]);
    }

    private List<String> introductions()
    {
        return outbox.calls.stream().filter((call) -> call.startsWith("introduction ")).toList();
    }

    private RaftNode leaderWithPeersNeedingASnapshot()
    {
        compactedUpTo(100, 3);
        appendEntries(3, 3, 4, 4);
        store.markDurable(104);
        final RaftNode node = node(0, 100);
        electLeader(node);
        node.onAppendResponse(1, 5, false, 0, 0, 51, 0, 0);
        node.onAppendResponse(2, 5, false, 0, 0, 103, 2, 0);
        return node;
    }

    private void compactedUpTo(final long index, final long term)
    {
        store = new InMemoryRaftLog(index, term, 64, 64 * 1024);
        outbox = new RecordingOutbox(store);
    }

    @Test
    void aNodeThatLostItsDataFollowsNoLeaderUntilAQuorumOfTheOtherVotersToldItTheTerm()
    {
        final RaftNode node = probing(Configuration.ofVoters(MEMBERS));
        assertEquals(List.of("roleChange FOLLOWER 0 -1", "termProbe 1", "termProbe 2"), outbox.calls);
        final long probeId = outbox.lastProbeId;

        outbox.calls.clear();
        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 7);
        assertFalse(node.onSnapshotChunk(1, 3), "nor takes a snapshot from it");
        node.onRequestVote(1, 4, 0, 0, false, false);
        node.onTermProbe(2, 99);
        assertEquals(List.of(), outbox.calls, "no answer, no term adopted: a leader of 3 may be one the cluster left");

        node.onTermProbeResponse(1, 3, probeId + 1);
        node.onTermProbeResponse(1, 3, probeId);
        node.onTermProbeResponse(1, 3, probeId);
        assertTrue(node.isProbingTerm(), "another probe's answer does not count, and 1 with 0 are a quorum");
        now += config.heartbeatIntervalNs();
        node.tick(now);
        assertEquals(List.of("termProbe 2"), outbox.calls, "asked again: only the voter that has not answered");

        outbox.calls.clear();
        node.onTermProbeResponse(2, 5, probeId);
        assertFalse(node.isProbingTerm());
        assertEquals(List.of("persist 5 -1", "roleChange FOLLOWER 5 -1"), outbox.calls, "the highest term answered");

        node.onAppendEntries(1, 3, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 7);
        assertEquals("appendResponse 1 5 false appended=0 durable=0 conflict=0/0", outbox.last(), "the stale leader");
        node.onAppendEntries(2, 5, 0, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0, 7);
        assertEquals("appendResponse 2 5 true appended=0 durable=0 conflict=0/0", outbox.last());
        node.onTermProbe(1, 42);
        assertEquals("termProbeResponse 1 5 42", outbox.last(), "and now answers probes itself");
    }

    @Test
    void aTermProbeNeedsAnswersFromEveryQuorumWithoutTheProber()
    {
        final RaftNode five = probing(Configuration.ofVoters(0, 1, 2, 3, 4));
        final long fiveProbe = outbox.lastProbeId;
        five.onTermProbeResponse(1, 2, fiveProbe);
        five.onTermProbeResponse(2, 2, fiveProbe);
        assertTrue(five.isProbingTerm(), "3, 4 and the prober's old self are a majority of five");
        five.onTermProbeResponse(3, 2, fiveProbe);
        assertFalse(five.isProbingTerm());

        final RaftNode four = probing(Configuration.ofVoters(0, 1, 2, 3));
        final long fourProbe = outbox.lastProbeId;
        four.onTermProbeResponse(1, 2, fourProbe);
        assertTrue(four.isProbingTerm());
        four.onTermProbeResponse(2, 2, fourProbe);
        assertFalse(four.isProbingTerm(), "of four, 3 with the prober are no quorum: two answers are enough");

        final RaftNode withLearner = probing(new Configuration(new int[]{ 0, 1, 2 }, new int[0], new int[]{ 3 }));
        assertEquals(List.of("roleChange FOLLOWER 0 -1", "termProbe 1", "termProbe 2"), outbox.calls,
            "a learner is not asked");
        final long learnerProbe = outbox.lastProbeId;
        withLearner.onTermProbeResponse(3, 9, learnerProbe);
        withLearner.onTermProbeResponse(1, 2, learnerProbe);
        assertTrue(withLearner.isProbingTerm(), "nor does a learner's answer count");
        withLearner.onTermProbeResponse(2, 2, learnerProbe);
        assertEquals(2, withLearner.currentTerm(), "the learner's term is not taken");

        final RaftNode joint = probing(new Configuration(new int[]{ 0, 3, 4 }, new int[]{ 0, 1, 2 }, new int[0]));
        final long jointProbe = outbox.lastProbeId;
        joint.onTermProbeResponse(3, 4, jointProbe);
        joint.onTermProbeResponse(4, 4, jointProbe);
        assertTrue(joint.isProbingTerm(), "joint: 1 and 2 with the prober are a majority of the outgoing voters");
        joint.onTermProbeResponse(1, 3, jointProbe);
        assertTrue(joint.isProbingTerm(), "2 with the prober still are one (a leader that missed the change)");
        joint.onTermProbeResponse(2, 3, jointProbe);
        assertFalse(joint.isProbingTerm());
        assertEquals(4, joint.currentTerm());
    }

    @Test
    void aTermProbeIsRefusedWhereNoAnswersCanBeEnough()
    {
        final RaftNode alone = node(0, 0);
        final IllegalStateException onlyVoter = assertThrows(IllegalStateException.class,
            () -> alone.probeTermBeforeFollowing(Configuration.ofVoters(0)));
        assertTrue(onlyVoter.getMessage().contains("no other member can tell it the term"), onlyVoter.getMessage());

        final RaftNode started = node(0, 0);
        started.tick(now);
        assertThrows(IllegalStateException.class, () -> started.probeTermBeforeFollowing(Configuration.ofVoters(MEMBERS)));
    }

    /**
     * Member 0, blank, probing {@code voters}, ticked once: the probes sent are in a fresh outbox.
     */
    private RaftNode probing(final Configuration voters)
    {
        outbox = new RecordingOutbox(store);
        final RaftNode node = node(0, 0);
        node.probeTermBeforeFollowing(voters);
        node.tick(now);
        return node;
    }

    private RaftNode node(final int memberId, final long commitIndex)
    {
        return node(memberId, commitIndex, store.lastTerm());
    }

    private RaftNode node(final int memberId, final long commitIndex, final long persistedTerm)
    {
        final RaftNode node = new RaftNode(
            config, memberId, MEMBERS, outbox, persistedTerm, RaftNode.NO_MEMBER, commitIndex, outbox, outbox,
            new SplittableRandom(1));
        outbox.node = node;
        return node;
    }

    private void electLeader(final RaftNode node)
    {
        node.tick(now);
        now += config.electionTimeoutMaxNs();
        node.tick(now);
        node.onVoteResponse(1, node.currentTerm() + 1, true, true);
        node.onVoteResponse(1, node.currentTerm(), false, true);
        assertEquals(Role.LEADER, node.role());
    }

    /**
     * Append entries of the given terms, after the store's last index, straight into the store.
     */
    private void appendEntries(final long... terms)
    {
        final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
        store.append(block, 0, frames(block, store.lastIndex() + 1, terms));
    }

    private static int frames(final UnsafeBuffer block, final long firstIndex, final long... terms)
    {
        int length = 0;
        for (int i = 0; i < terms.length; i++)
        {
            length += EntryFrame.encode(
                block, length, firstIndex + i, terms[i], 0, EntryType.COMMAND, 1, i, null, 0, 0);
        }
        return length;
    }

    private static final class RecordingOutbox extends ForwardingRaftLog implements RaftTransport, RaftOutbox
    {
        final List<String> calls = new ArrayList<>();
        RaftNode node;
        long lastProbeId;
        boolean refuseSends;
        boolean noSnapshot;
        final long[] lastStampTo = new long[8];
        long lastEcho;

        RecordingOutbox(final InMemoryRaftLog store)
        {
            super(store);
        }

        String last()
        {
            return calls.get(calls.size() - 1);
        }

        String lastMatching(final String prefix)
        {
            String match = null;
            for (final String call : calls)
            {
                match = call.startsWith(prefix) ? call : match;
            }
            return match;
        }

        List<String> snapshotsSent(final int to)
        {
            final List<String> sent = new ArrayList<>();
            for (final String call : calls)
            {
                if (call.equals("installSnapshot " + to + " " + node.currentTerm()))
                {
                    sent.add(call);
                }
            }
            return sent;
        }

        List<String> sent(final int to)
        {
            final List<String> sent = new ArrayList<>();
            for (final String call : calls)
            {
                if (call.startsWith("appendEntries " + to + " "))
                {
                    sent.add(call);
                }
            }
            return sent;
        }

        long timestampOf(final long index)
        {
            final long[] timestamp = new long[1];
            store.readRange(index, index, (buffer, offset, length, first, last) ->
                timestamp[0] = EntryFrame.timestamp(buffer, offset));
            return timestamp[0];
        }

        public void persistState(final long term, final int votedFor)
        {
            calls.add("persist " + term + " " + votedFor);
        }

        public void append(final DirectBuffer buffer, final int offset, final int length)
        {
            calls.add("append offset=" + offset + " length=" + length);
            super.append(buffer, offset, length);
        }

        public void truncateAfter(final long index)
        {
            calls.add("truncate " + index);
            super.truncateAfter(index);
        }

        public void reset(final long previousIndex, final long previousTerm)
        {
            calls.add("reset " + previousIndex + "/" + previousTerm);
            super.reset(previousIndex, previousTerm);
        }

        public boolean sendRequestVote(
            final int to, final long term, final long lastLogIndex, final long lastLogTerm, final boolean preVote,
            final boolean transfer)
        {
            calls.add("requestVote " + to + " " + term + " last=" + lastLogIndex + "/" + lastLogTerm + " pre=" +
                preVote + " transfer=" + transfer);
            return !refuseSends;
        }

        public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
        {
            calls.add("voteResponse " + to + " " + term + " pre=" + preVote + " granted=" + granted);
            return !refuseSends;
        }

        public boolean sendAppendEntries(
            final int to, final long term, final long prevLogIndex, final long prevLogTerm, final long leaderCommit,
            final long fromIndex, final long toIndex, final long leaderStamp)
        {
            if (refuseSends)
            {
                return false;
            }
            lastStampTo[to] = leaderStamp;
            calls.add("appendEntries " + to + " " + term + " prev=" + prevLogIndex + " commit=" + leaderCommit +
                " " + fromIndex + ".." + toIndex);
            return true;
        }

        public boolean sendAppendResponse(
            final int to, final long term, final boolean success, final long lastAppendedIndex,
            final long durableIndex, final long conflictIndex, final long conflictTerm, final long echoStamp)
        {
            lastEcho = echoStamp;
            calls.add("appendResponse " + to + " " + term + " " + success + " appended=" + lastAppendedIndex +
                " durable=" + durableIndex + " conflict=" + conflictIndex + "/" + conflictTerm);
            return !refuseSends;
        }

        public boolean sendTimeoutNow(final int to, final long term)
        {
            calls.add("timeoutNow " + to + " " + term);
            return !refuseSends;
        }

        public boolean sendLeaderIntroduction(final int to, final long term)
        {
            calls.add("introduction " + to + " " + term);
            return !refuseSends;
        }

        public boolean sendTermProbe(final int to, final long probeId)
        {
            calls.add("termProbe " + to);
            lastProbeId = probeId;
            return !refuseSends;
        }

        public boolean sendTermProbeResponse(final int to, final long term, final long probeId)
        {
            calls.add("termProbeResponse " + to + " " + term + " " + probeId);
            return !refuseSends;
        }

        public boolean sendInstallSnapshot(final int to, final long term)
        {
            if (refuseSends || noSnapshot)
            {
                return false;
            }
            calls.add("installSnapshot " + to + " " + term);
            return true;
        }

        public boolean sendReadIndexRequest(final int to, final long term, final long readId, final ReadMode mode)
        {
            calls.add("readIndexRequest " + to + " " + term + " read=" + readId + " " + mode);
            return !refuseSends;
        }

        public boolean sendReadIndexResponse(
            final int to, final long term, final long readId, final long readIndex, final boolean granted)
        {
            calls.add("readIndexResponse " + to + " " + term + " read=" + readId + " index=" + readIndex + " " +
                (granted ? "granted" : "refused"));
            return !refuseSends;
        }

        public void onReadIndex(final long readId, final long readIndex)
        {
            calls.add("readIndex " + readId + " at " + readIndex);
        }

        public void onReadIndexFailed(final long readId)
        {
            calls.add("readFailed " + readId);
        }

        public void onConfigurationChanged(final Configuration configuration, final Configuration committed)
        {
            calls.add("configuration " + configuration);
        }

        public void onCommitIndex(final long commitIndex)
        {
            calls.add("commit " + commitIndex);
        }

        public void onRoleChange(final Role role, final long term, final int leaderId)
        {
            calls.add("roleChange " + role + " " + term + " " + leaderId);
        }

        public void onMessageDropped()
        {
            calls.add("dropped");
        }
    }
}
