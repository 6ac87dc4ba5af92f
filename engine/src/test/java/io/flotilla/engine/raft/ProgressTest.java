package io.flotilla.engine.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One peer's flow control: the PROBE, REPLICATE and SNAPSHOT states and what each lets the leader send.
 */
class ProgressTest
{
    private static final long RESEND_NS = 40;
    private static final long HEARTBEAT_NS = 20;

    private final Progress progress = new Progress(2, RESEND_NS, HEARTBEAT_NS);

    @Test
    void aNewLeadershipProbesFromPastItsLog()
    {
        progress.reset(11, 1_000);
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(11, progress.next());
        assertEquals(0, progress.match());
        assertTrue(progress.mayProbe());
        assertFalse(progress.maySendBatch(20), "no pipelining while probing");
        assertTrue(progress.heartbeatDue(1_000, 0), "nothing sent yet");
        assertTrue(progress.heardWithin(1_000 + 99, 100), "counts as just heard");
        assertFalse(progress.heardWithin(1_000 + 100, 100));
    }

    @Test
    void probesOneAtATimeAndResendsWhenUnanswered()
    {
        progress.reset(11, 0);
        progress.probeSent(0);
        progress.refresh(RESEND_NS - 1, 1);
        assertFalse(progress.mayProbe());
        progress.refresh(RESEND_NS, 1);
        assertTrue(progress.mayProbe(), "the probe or its answer was lost");
    }

    @Test
    void aSuccessThatConfirmsThePreviousIndexStartsReplicating()
    {
        progress.reset(11, 0);
        progress.probeSent(0);
        progress.acknowledged(7, 1);
        assertEquals(Progress.State.PROBE, progress.state(), "7 does not confirm 10");
        assertEquals(7, progress.match());

        progress.acknowledged(10, 1);
        assertEquals(Progress.State.REPLICATE, progress.state());
        assertEquals(11, progress.next());
        assertFalse(progress.mayProbe());
    }

    @Test
    void replicatesUpToTheWindowAndGoesBackWhenTheOldestIsLost()
    {
        replicatingFrom(10);
        assertTrue(progress.maySendBatch(30));
        progress.batchSent(15, 100);
        progress.batchSent(20, 110);
        assertEquals(21, progress.next(), "next runs ahead optimistically");
        assertFalse(progress.maySendBatch(30), "the window of 2 is full");

        progress.acknowledged(15, 1);
        assertEquals(1, progress.inflight());
        assertTrue(progress.maySendBatch(30));
        assertFalse(progress.maySendBatch(20), "nothing left to send");

        progress.refresh(110 + RESEND_NS - 1, 1);
        assertEquals(21, progress.next());
        progress.refresh(110 + RESEND_NS, 1);
        assertEquals(16, progress.next(), "back to the last acknowledged index");
        assertEquals(0, progress.inflight());
        assertEquals(Progress.State.REPLICATE, progress.state());
    }

    @Test
    void aRejectionProbesFromTheHintAndForgetsALostMatch()
    {
        replicatingFrom(10);
        progress.batchSent(15, 100);
        progress.rejected(8);
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(8, progress.next());
        assertEquals(7, progress.match(), "the peer lost 8..10 it had acknowledged");
        assertEquals(0, progress.inflight());
        assertTrue(progress.mayProbe());
    }

    @Test
    void aPeerThatNeedsCompactedEntriesIsSentNothing()
    {
        progress.reset(11, 0);
        progress.rejected(4);
        progress.refresh(0, 6);
        assertEquals(Progress.State.SNAPSHOT, progress.state(), "entries 4 and 5 are compacted away");
        assertFalse(progress.mayProbe());
        assertFalse(progress.maySendBatch(30));
        assertFalse(progress.heartbeatDue(1_000_000, 99), "not even heartbeats");

        progress.acknowledged(3, 6);
        assertEquals(Progress.State.SNAPSHOT, progress.state(), "still short of the first index");
        progress.acknowledged(5, 6);
        assertEquals(Progress.State.REPLICATE, progress.state(), "it holds everything before the first index");
        assertEquals(6, progress.next());
    }

    @Test
    void aSnapshotIsDueOnEnteringSnapshotAndThenEveryHeartbeatInterval()
    {
        progress.reset(11, 0);
        assertFalse(progress.snapshotDue(0), "only in SNAPSHOT");
        progress.rejected(4);
        progress.refresh(1_000, 6);
        assertTrue(progress.snapshotDue(1_000), "at once on entering");
        progress.snapshotSent(1_000);
        assertFalse(progress.snapshotDue(1_000 + HEARTBEAT_NS - 1));
        progress.refresh(1_000 + HEARTBEAT_NS - 1, 8);
        assertFalse(progress.snapshotDue(1_000 + HEARTBEAT_NS - 1), "a further compaction does not restart it");
        assertTrue(progress.snapshotDue(1_000 + HEARTBEAT_NS), "the keep-alive");

        progress.acknowledged(7, 8);
        assertEquals(Progress.State.REPLICATE, progress.state());
        assertFalse(progress.snapshotDue(1_000_000));

        progress.rejected(5);
        progress.refresh(1_000_000, 8);
        assertTrue(progress.snapshotDue(1_000_000), "entering SNAPSHOT again makes it due at once");
    }

    @Test
    void aRejectionLeavesSnapshotForProbing()
    {
        progress.reset(11, 0);
        progress.rejected(4);
        progress.refresh(0, 6);
        progress.rejected(9);
        assertEquals(Progress.State.PROBE, progress.state());
        progress.refresh(0, 6);
        assertEquals(Progress.State.PROBE, progress.state(), "9 is still held");
    }

    @Test
    void aReplicatingPeerBehindACompactionEntersSnapshot()
    {
        replicatingFrom(10);
        progress.batchSent(15, 100);
        progress.refresh(100 + RESEND_NS, 13);
        assertEquals(Progress.State.SNAPSHOT, progress.state(), "the resend would start at 11, below 13");
        assertEquals(0, progress.inflight());
    }

    @Test
    void heartbeatsFollowSilenceOrANewCommitIndex()
    {
        replicatingFrom(10);
        progress.appendSent(100, 5, 1);
        assertFalse(progress.heartbeatDue(100 + HEARTBEAT_NS - 1, 5));
        assertTrue(progress.heartbeatDue(100 + HEARTBEAT_NS, 5));
        assertTrue(progress.heartbeatDue(101, 6), "the commit index moved");
    }

    @Test
    void durableMatchNeverGoesBack()
    {
        progress.reset(11, 0);
        progress.durableAcknowledged(7);
        progress.durableAcknowledged(5);
        assertEquals(7, progress.durableMatch());
    }

    private void replicatingFrom(final long match)
    {
        progress.reset(match + 1, 0);
        progress.probeSent(0);
        progress.acknowledged(match, 1);
        assertEquals(Progress.State.REPLICATE, progress.state());
    }
}
