package io.flotilla.engine.node;

import io.flotilla.engine.SnapshotConfig;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.archive.SnapshotWriter;
import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A leader's {@link SnapshotSender} and followers' {@link SnapshotReceiver}s against each other over an in-memory
 * network with faults, with real snapshot stores in temporary directories and a real snapshot worker. The clock is
 * the test's: one step is a millisecond; waits on the worker are bounded by a real deadline.
 */
class SnapshotTransferTest
{
    private static final long SEED = 0x5AA9_5EED_0012L;
    private static final int[] MEMBERS = { 0, 1, 2 };
    private static final long TERM = 3;
    private static final int CHUNK = 16 * 1024;
    private static final long STEP_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HEARTBEAT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path tempDir;

    private final CountersManager countersManager = new CountersManager(
        new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
    private final AtomicCounter bytesSent = countersManager.newCounter("snapshot bytes sent");
    private final AtomicCounter bytesReceived = countersManager.newCounter("snapshot bytes received");
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final SnapshotReceiver[] receivers = new SnapshotReceiver[ClusterMembers.MAX_MEMBER_ID + 1];
    private final long[] appliedIndex = new long[ClusterMembers.MAX_MEMBER_ID + 1];
    private final SnapshotInfo[] installed = new SnapshotInfo[ClusterMembers.MAX_MEMBER_ID + 1];
    private final long[] lastOfferNs = new long[ClusterMembers.MAX_MEMBER_ID + 1];

    private SnapshotWorker worker;
    private SnapshotStore leaderStore;
    private SnapshotTestNetwork network;
    private SnapshotSender sender;
    private boolean termAccepted = true;
    private long nowNs = TimeUnit.SECONDS.toNanos(1);

    @BeforeEach
    void setUp()
    {
        worker = new SnapshotWorker("snapshot-transfer-test", errors::add);
        leaderStore = SnapshotStore.open(tempDir.resolve("leader"), 1);
        network = new SnapshotTestNetwork(SEED);
    }

    @AfterEach
    void tearDown()
    {
        for (final SnapshotReceiver receiver : receivers)
        {
            CloseHelper.close(receiver);
        }
        CloseHelper.closeAll(sender, worker);
        assertEquals(List.of(), errors);
    }

    @Test
    @Timeout(60)
    void aFullTransferIsByteExact() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 300_000, 1);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);

        runUntil(() -> null != installed[1], "snapshot installed");
        runUntil(() -> !sender.isTransferring(1), "transfer ended");

        assertSameFile(snapshot, installed[1]);
        assertEquals(1000, installed[1].index());
        assertEquals(2, installed[1].term());
        assertArrayEquals(MEMBERS, installed[1].memberIds());
        assertEquals(snapshot.length(), bytesSent.get(), "nothing sent twice on a clean network");
        assertEquals(snapshot.length(), bytesReceived.get());
        assertEquals(1, network.acksDelivered(SnapshotAckStatus.INSTALLED));
        assertNoPartialFiles(1);
    }

    @Test
    @Timeout(60)
    void dropsAndReorderingAreRecoveredFrom() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 500_000, 2);
        network.dropChunkProbability = 0.15;
        network.dropAckProbability = 0.15;
        network.reorderProbability = 0.2;
        startSender(new SnapshotSender.Context().chunkLength(CHUNK).windowBytes(8 * CHUNK));
        startReceiver(1);

        runUntil(() -> null != installed[1], "snapshot installed");

        assertSameFile(snapshot, installed[1]);
        assertEquals(snapshot.length(), bytesReceived.get(), "every byte written once");
        assertTrue(bytesSent.get() > snapshot.length(), "lost chunks were resent");
    }

    @Test
    @Timeout(60)
    void aRestartedReceiverResumesFromItsPartialFile() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 400_000, 3);
        final long window = 4 * CHUNK;
        startSender(new SnapshotSender.Context().chunkLength(CHUNK).windowBytes(window));
        startReceiver(1);

        runUntil(() -> bytesReceived.get() >= snapshot.length() / 2, "half the snapshot received");
        receivers[1].close();
        receivers[1] = null;
        network.dropInFlight();
        final long receivedBefore = bytesReceived.get();
        final long sentBefore = bytesSent.get();
        assertTrue(partialLength(1) >= receivedBefore, "the partial file holds what was received");

        startReceiver(1);
        runUntil(() -> null != installed[1], "snapshot installed");

        assertSameFile(snapshot, installed[1]);
        assertEquals(snapshot.length(), bytesReceived.get(), "the new receiver wrote only what was missing");
        assertTrue(bytesSent.get() - sentBefore <= snapshot.length() - receivedBefore + window,
            "the sender resumed from the partial file rather than from 0");
    }

    @Test
    @Timeout(60)
    void aNewLeaderResumesFromThePartialFile() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 400_000, 4);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);

        runUntil(() -> bytesReceived.get() >= snapshot.length() / 2, "half the snapshot received");
        sender.close();
        network.dropInFlight();
        final long received = bytesReceived.get();
        final AtomicCounter newLeaderBytesSent = countersManager.newCounter("new leader bytes sent");
        sender = new SnapshotSender(new SnapshotSender.Context().chunkLength(CHUNK), leaderStore,
            network.leaderTransport(CHUNK), errors::add, newLeaderBytesSent);
        sender.latest(snapshot);
        lastOfferNs[1] = 0;

        runUntil(() -> null != installed[1], "snapshot installed");

        assertSameFile(snapshot, installed[1]);
        assertEquals(snapshot.length() - received, newLeaderBytesSent.get(), "the offer found the partial file");
    }

    @Test
    @Timeout(60)
    void aChunkCorruptedInFlightIsDetectedAndTheTransferStartsOver() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 200_000, 5);
        network.corruptDataChunk = 4;
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);

        runUntil(() -> null != installed[1], "snapshot installed");

        assertEquals(1, network.acksDelivered(SnapshotAckStatus.CORRUPT));
        assertSameFile(snapshot, installed[1]);
        assertEquals(2 * snapshot.length(), bytesSent.get(), "sent once corrupted, once whole");
        assertNoPartialFiles(1);
    }

    @Test
    @Timeout(60)
    void noMoreThanTheWindowIsUnacknowledged() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 600_000, 6);
        final long window = 5 * CHUNK;
        network.ackDelaySteps = 20;
        startSender(new SnapshotSender.Context().chunkLength(CHUNK).windowBytes(window).budgetBytesPerCycle(8 * CHUNK)
            .resendTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        startReceiver(1);

        runUntil(() -> null != installed[1], "snapshot installed");

        assertSameFile(snapshot, installed[1]);
        assertEquals(window, network.maxBeyondAck(), "the window filled up and was never exceeded");
        assertEquals(snapshot.length(), bytesSent.get());
    }

    @Test
    @Timeout(60)
    void eachDutyCycleSendsWithinTheBudgetAndServesEveryFollower() throws IOException
    {
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 1000, 2, 400_000, 7);
        final int budget = 3 * CHUNK;
        startSender(new SnapshotSender.Context().chunkLength(CHUNK).windowBytes(64 * CHUNK).budgetBytesPerCycle(budget));
        startReceiver(1);
        startReceiver(2);

        runUntil(() -> null != installed[1] && null != installed[2], "snapshot installed on both followers");

        assertSameFile(snapshot, installed[1]);
        assertSameFile(snapshot, installed[2]);
        assertEquals(budget, network.maxCycleBytes(), "the budget was used and never exceeded");
    }

    @Test
    @Timeout(60)
    void aFollowerThatAppliedTheSnapshotIndexAnswersNotNeeded() throws IOException
    {
        writeSnapshot(leaderStore, 1000, 2, 100_000, 8);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);
        appliedIndex[1] = 1000;

        runUntil(() -> network.acksDelivered(SnapshotAckStatus.NOT_NEEDED) > 0, "not needed");

        assertFalse(sender.isTransferring(1), "the ack ended the transfer");
        assertEquals(1, network.acksDelivered(SnapshotAckStatus.NOT_NEEDED));
        assertEquals(0, bytesSent.get());
        assertNull(installed[1]);
        assertNoPartialFiles(1);
    }

    @Test
    @Timeout(60)
    void chunksOfAStaleTermAreDroppedUnanswered() throws IOException
    {
        writeSnapshot(leaderStore, 1000, 2, 100_000, 9);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);
        termAccepted = false;

        for (int i = 0; i < 1000; i++)
        {
            step();
        }

        assertTrue(sender.isTransferring(1), "the sender keeps offering");
        assertEquals(0, network.acksDelivered(SnapshotAckStatus.RECEIVING));
        assertEquals(0, bytesSent.get(), "no data before the follower answers the offer");
        assertEquals(0, bytesReceived.get());
        assertNoPartialFiles(1);
    }

    @Test
    @Timeout(60)
    void aTransferNoLongerOfferedIsForgottenAndClearEndsAll() throws IOException
    {
        writeSnapshot(leaderStore, 1000, 2, 100_000, 10);
        final long idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(500);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK).idleTimeoutNs(idleTimeoutNs));
        termAccepted = false;

        assertTrue(sender.offer(1, TERM, nowNs));
        assertTrue(sender.offer(2, TERM, nowNs));
        final long offeredNs = nowNs;
        while (nowNs - offeredNs < idleTimeoutNs)
        {
            nowNs += STEP_NS;
            assertTrue(sender.isTransferring(1));
            sender.offer(2, TERM, nowNs);
            sender.doWork(nowNs);
        }
        assertFalse(sender.isTransferring(1), "forgotten once not offered for the idle timeout");
        assertTrue(sender.isTransferring(2));

        sender.clear();
        assertFalse(sender.isTransferring(2));
        assertTrue(sender.offer(2, TERM, nowNs), "the latest snapshot stays after clear");
    }

    @Test
    @Timeout(60)
    void aNewerSnapshotIsTakenByTransfersNotYetStartedWhileOneUnderWayFinishesItsOwn() throws IOException
    {
        final SnapshotInfo older = writeSnapshot(leaderStore, 1000, 2, 300_000, 11);
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        startReceiver(1);
        runUntil(() -> bytesReceived.get() > 0, "the first transfer under way");
        step();
        step();

        // The leader keeps one snapshot, so the older file is deleted: the transfer under way still reads it.
        final byte[] olderBytes = readFile(older);
        final SnapshotInfo newer = writeSnapshot(leaderStore, 2000, 2, 200_000, 12);
        sender.latest(newer);
        startReceiver(2);

        runUntil(() -> null != installed[1] && null != installed[2], "both installed");

        assertFalse(Files.exists(older.path()));
        assertEquals(older.index(), installed[1].index());
        assertArrayEquals(olderBytes, readFile(installed[1]));
        assertSameFile(newer, installed[2]);
    }

    @Test
    void aChunkLengthTheTransportCannotCarryIsRefusedNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new SnapshotSender(
            new SnapshotSender.Context().chunkLength(64 * 1024), leaderStore, network.leaderTransport(32 * 1024),
            errors::add, bytesSent));
        assertTrue(ex.getMessage().contains(SnapshotConfig.CHUNK_BYTES_PROP), ex.getMessage());
    }

    @Test
    void withoutASnapshotThereIsNothingToOffer()
    {
        startSender(new SnapshotSender.Context().chunkLength(CHUNK));
        assertFalse(sender.offer(1, TERM, nowNs));
        assertFalse(sender.isTransferring(1));
    }

    private void startSender(final SnapshotSender.Context ctx)
    {
        sender = new SnapshotSender(ctx, leaderStore, network.leaderTransport(CHUNK), errors::add, bytesSent);
        final List<SnapshotInfo> snapshots = leaderStore.list();
        if (!snapshots.isEmpty())
        {
            sender.latest(snapshots.get(0));
        }
    }

    private void startReceiver(final int memberId)
    {
        final SnapshotStore store = SnapshotStore.open(tempDir.resolve("follower-" + memberId), 1);
        final SnapshotReceiver[] self = new SnapshotReceiver[1];
        self[0] = new SnapshotReceiver(
            memberId,
            System::nanoTime,
            store,
            worker,
            network.followerTransport(memberId),
            (from, term) -> termAccepted && SnapshotTestNetwork.LEADER == from && TERM == term,
            () -> appliedIndex[memberId],
            (from, term, snapshot) ->
            {
                assertEquals(SnapshotTestNetwork.LEADER, from);
                assertEquals(TERM, term);
                installed[memberId] = snapshot;
                appliedIndex[memberId] = snapshot.index();
                self[0].installed(snapshot);
            },
            errors::add,
            bytesReceived);
        receivers[memberId] = self[0];
    }

    private void runUntil(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no " + what + " before the deadline (seed " + SEED + ")");
            }
            step();
            if (worker.isBusy())
            {
                Thread.yield();
            }
        }
    }

    /**
     * One duty cycle of both sides: the core's offers (once per heartbeat), the sender's work, the network, and the
     * worker's results.
     */
    private void step()
    {
        nowNs += STEP_NS;
        for (int peer = 1; peer < receivers.length; peer++)
        {
            if (null != receivers[peer] && null == installed[peer] && nowNs - lastOfferNs[peer] >= HEARTBEAT_NS)
            {
                sender.offer(peer, TERM, nowNs);
                lastOfferNs[peer] = nowNs;
            }
        }
        network.startCycle();
        sender.doWork(nowNs);
        network.deliver(sender, receivers, nowNs);
        worker.drain();
    }

    private SnapshotInfo writeSnapshot(
        final SnapshotStore store, final long index, final long term, final int payloadLength, final long seed)
        throws IOException
    {
        final byte[] payload = new byte[payloadLength];
        new SplittableRandom(seed).nextBytes(payload);
        try (SnapshotWriter writer = store.begin(index, term, MEMBERS))
        {
            final OutputStream out = writer.payload();
            out.write(payload);
            return writer.commit();
        }
    }

    private long partialLength(final int memberId) throws IOException
    {
        try (Stream<Path> files = Files.list(tempDir.resolve("follower-" + memberId)))
        {
            final List<Path> parts = new ArrayList<>();
            files.filter((path) -> path.getFileName().toString().endsWith(".part")).forEach(parts::add);
            assertEquals(1, parts.size(), parts.toString());
            return Files.size(parts.get(0));
        }
    }

    private void assertNoPartialFiles(final int memberId) throws IOException
    {
        final Path directory = tempDir.resolve("follower-" + memberId);
        try (Stream<Path> files = Files.list(directory))
        {
            assertEquals(0, files.filter((path) -> path.getFileName().toString().endsWith(".part")).count());
        }
    }

    private void assertSameFile(final SnapshotInfo expected, final SnapshotInfo actual) throws IOException
    {
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.term(), actual.term());
        assertEquals(expected.length(), actual.length());
        assertEquals(expected.checksum(), actual.checksum());
        assertArrayEquals(readFile(expected), readFile(actual));
    }

    private static byte[] readFile(final SnapshotInfo snapshot) throws IOException
    {
        return Files.readAllBytes(snapshot.path());
    }
}
