package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.archive.SnapshotWriter;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.raft.InMemoryRaftLog;
import io.flotilla.engine.raft.RaftConfig;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftOutbox;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Snapshot chunks and acks over real Aeron UDP on loopback: the {@link ConsensusPublisher} encodes them, the
 * {@link ConsensusAdapter} validates and decodes them, and a {@link SnapshotSender} and {@link SnapshotReceiver} move a
 * snapshot between two members' stores through them. The driver's term length of 1 MiB bounds a message to 128 KiB.
 */
class SnapshotWireTest
{
    private static final int TERM_LENGTH = 1024 * 1024;
    private static final long TERM = 4;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long HEARTBEAT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    @TempDir
    File tempDir;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters leaderCounters;
    private NodeCounters followerCounters;
    private ConsensusPublisher leaderPublisher;
    private ConsensusPublisher followerPublisher;
    private ConsensusAdapter leaderAdapter;
    private ConsensusAdapter followerAdapter;
    private SnapshotWorker worker;
    private SnapshotSender sender;
    private SnapshotReceiver receiver;
    private SnapshotInfo installed;
    private final ClusterKeys keys = ClusterKeys.generate();
    private final EpochNanoClock clock = new SystemEpochNanoClock();

    @BeforeEach
    void setUp()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(tempDir, "aeron").getPath())
            .threadingMode(ThreadingMode.SHARED)
            .publicationTermBufferLength(TERM_LENGTH)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        leaderCounters = new NodeCounters(aeron, 0);
        followerCounters = new NodeCounters(aeron, 1);
        worker = new SnapshotWorker("snapshot-wire-test", errors::add);

        final int[] ports = TestCluster.freeUdpPorts(4);
        final ClusterMembers members = ClusterMembers.parse(
            "0=localhost:" + ports[0] + ":" + ports[1] + ",1=localhost:" + ports[2] + ":" + ports[3]);
        // The log is read only for AppendEntries, which this test does not send.
        final int maxMessageLength = FrameDescriptor.computeMaxMessageLength(TERM_LENGTH);
        leaderPublisher = new ConsensusPublisher(aeron, maxMessageLength, members,
            ClusterMembers.CONSENSUS_CHANNEL_DEFAULT, 0, null, leaderCounters, 64 * 1024,
            (to, term) -> false, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM), new MessageSigner(keys, 0, clock));
        followerPublisher = new ConsensusPublisher(aeron, maxMessageLength, members,
            ClusterMembers.CONSENSUS_CHANNEL_DEFAULT, 1, null, followerCounters,
            64 * 1024, (to, term) -> false, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM), new MessageSigner(keys, 1, clock));
        leaderAdapter = adapter(members, 0, leaderCounters, new TransferHandler());
        followerAdapter = adapter(members, 1, followerCounters, new TransferHandler());
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(receiver, sender, worker, leaderAdapter, followerAdapter, leaderPublisher,
            followerPublisher, leaderCounters, followerCounters, aeron, driver);
        assertEquals(List.of(), errors);
    }

    @Test
    @Timeout(60)
    void aSnapshotMovesBetweenTwoStoresOverUdp() throws IOException
    {
        final SnapshotStore leaderStore = SnapshotStore.open(tempDir.toPath().resolve("leader"), 1);
        final SnapshotInfo snapshot = writeSnapshot(leaderStore, 2_000_000);
        sender = new SnapshotSender(new SnapshotSender.Context(), leaderStore, leaderPublisher, errors::add,
            leaderCounters.snapshotBytesSent());
        sender.latest(snapshot);
        receiver = new SnapshotReceiver(
            1,
            System::nanoTime,
            SnapshotStore.open(tempDir.toPath().resolve("follower"), 1),
            worker,
            followerPublisher,
            (from, term) -> 0 == from && TERM == term,
            () -> 0,
            (from, term, received) ->
            {
                installed = received;
                receiver.installed(received);
            },
            errors::add,
            followerCounters.snapshotBytesReceived());

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long lastOfferNs = 0;
        while (null == installed || sender.isTransferring(1))
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0)
            {
                fail("snapshot not installed before the deadline");
            }
            if (null == installed && nowNs - lastOfferNs >= HEARTBEAT_NS)
            {
                sender.offer(1, TERM, nowNs);
                lastOfferNs = nowNs;
            }
            sender.doWork(nowNs);
            followerAdapter.poll();
            leaderAdapter.poll();
            worker.drain();
        }

        assertEquals(snapshot.index(), installed.index());
        assertEquals(snapshot.checksum(), installed.checksum());
        assertArrayEquals(Files.readAllBytes(snapshot.path()), Files.readAllBytes(installed.path()));
        assertTrue(leaderCounters.snapshotBytesSent().get() >= snapshot.length());
        assertEquals(snapshot.length(), followerCounters.snapshotBytesReceived().get());
        assertEquals(0, leaderCounters.invalidMessages().get());
        assertEquals(0, followerCounters.invalidMessages().get());
    }

    @Test
    void aChunkLengthBeyondTheConsensusMessageLengthIsRefused()
    {
        final int maxMessageLength = TERM_LENGTH / 8;
        assertTrue(leaderPublisher.maxSnapshotChunkLength() < maxMessageLength);
        assertTrue(leaderPublisher.maxSnapshotChunkLength() > maxMessageLength - 128);

        final SnapshotStore store = SnapshotStore.open(tempDir.toPath().resolve("leader"), 1);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new SnapshotSender(
            new SnapshotSender.Context().chunkLength(maxMessageLength), store, leaderPublisher, errors::add,
            leaderCounters.snapshotBytesSent()));
        assertTrue(ex.getMessage().contains("term length"), ex.getMessage());
    }

    private ConsensusAdapter adapter(
        final ClusterMembers members, final int memberId, final NodeCounters counters, final TransferHandler handler)
    {
        final RaftNode raft = new RaftNode(new RaftConfig(), memberId, members.ids(), new InMemoryRaftLog(), 0,
            RaftNode.NO_MEMBER, 0, new ConsensusAdapterTest.RecordingTransport(), new NoOutbox(), new SplittableRandom(memberId));
        return new ConsensusAdapter(
            aeron.addSubscription(members.member(memberId).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID),
            members, memberId, raft, handler, ConsensusTestMessages.IGNORE_FORWARDS,
            ConsensusTestMessages.IGNORE_INTRODUCTIONS, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM),
            new MessageVerifier(keys, memberId, clock, TimeUnit.SECONDS.toNanos(5), counters), counters);
    }

    private static SnapshotInfo writeSnapshot(final SnapshotStore store, final int payloadLength) throws IOException
    {
        final byte[] payload = new byte[payloadLength];
        new SplittableRandom(42).nextBytes(payload);
        try (SnapshotWriter writer = store.begin(700, 3, new int[]{ 0, 1 }))
        {
            final OutputStream out = writer.payload();
            out.write(payload);
            return writer.commit();
        }
    }

    /**
     * What NodeAgent will do: chunks to the receiver, acks to the sender.
     */
    private final class TransferHandler implements SnapshotTransferHandler
    {
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
            receiver.onChunk(from, term, snapshotIndex, snapshotTerm, snapshotLength, snapshotChecksum, fileOffset,
                buffer, offset, length);
        }

        public void onSnapshotAck(
            final int from,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
            sender.onAck(from, term, snapshotIndex, snapshotTerm, nextOffset, status, System.nanoTime());
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
