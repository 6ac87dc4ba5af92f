package io.flotilla.engine.node;

import io.flotilla.archive.SnapshotChunks;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.engine.SnapshotConfig;
import io.flotilla.engine.raft.RaftConfig;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The leader's side of a snapshot install: sends the newest committed snapshot file to each follower that the Raft
 * core says needs it, one transfer per follower, in chunks of raw file bytes. Runs on the node thread.
 * <p>
 * A transfer starts with an offer (a chunk without data at offset 0) so the follower can answer how much of the file
 * it already holds, from a partial file kept across a dropped connection, a restart or a leader change; sending then
 * continues from there. Flow control: at most {@link Context#windowBytes()} are sent beyond the follower's last
 * acknowledged offset, and all transfers together send at most {@link Context#budgetBytesPerCycle()} in one
 * {@link #doWork(long)}, so replication to the other followers and client traffic keep their share of the duty
 * cycle. Without ack progress for {@link Context#resendTimeoutNs()} the sender goes back to the last acknowledged
 * offset; an ack below it (the follower lost bytes it had, e.g. after a crash) moves the sender back to it. An ack
 * that says the snapshot is installed, or not needed, ends the transfer; one that says the received file was corrupt
 * starts it again from 0. A transfer the core has not {@link #offer offered} for {@link Context#idleTimeoutNs()} is
 * forgotten (the follower caught up from the log, or left).
 * <p>
 * When a newer snapshot is committed ({@link #latest(SnapshotInfo)}), transfers that have no byte acknowledged yet
 * switch to it; a transfer under way finishes the file it started, which it holds open, so retention deleting that
 * file does not cut it off (a restart after a corrupt ack takes the newest). The file is read with positional reads
 * (normally from the page cache) into one reused buffer: nothing is allocated per chunk.
 */
public final class SnapshotSender implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(SnapshotSender.class.getName());

    private final int memberId;
    private final SnapshotStore store;
    private final SnapshotTransport transport;
    private final ErrorHandler errorHandler;
    private final AtomicCounter bytesSent;
    private final int chunkLength;
    private final long windowBytes;
    private final int budgetBytesPerCycle;
    private final long keepAliveIntervalNs;
    private final long resendTimeoutNs;
    private final long idleTimeoutNs;
    private final ByteBuffer readBuffer;
    private final UnsafeBuffer chunkBuffer;
    private final Transfer[] transfers = new Transfer[ClusterMembers.MAX_MEMBER_ID + 1];

    private OpenSnapshot latest;
    private int activeTransfers;
    private int nextPeer;
    private int cycleBudget;

    /**
     * @param ctx          the transfer settings, checked here.
     * @param store        the snapshots to send from.
     * @param transport    to send chunks with; its {@link SnapshotTransport#maxSnapshotChunkLength()} bounds the chunk
     *                     length.
     * @param errorHandler told when a snapshot file cannot be read (the transfer is then dropped).
     * @param bytesSent    counter of snapshot bytes sent.
     * @throws IllegalArgumentException naming the setting at fault.
     */
    public SnapshotSender(
        final Context ctx,
        final SnapshotStore store,
        final SnapshotTransport transport,
        final ErrorHandler errorHandler,
        final AtomicCounter bytesSent)
    {
        ctx.validate(transport.maxSnapshotChunkLength());
        this.memberId = ctx.memberId();
        this.store = store;
        this.transport = transport;
        this.errorHandler = errorHandler;
        this.bytesSent = bytesSent;
        chunkLength = ctx.chunkLength();
        windowBytes = ctx.windowBytes();
        budgetBytesPerCycle = ctx.budgetBytesPerCycle();
        keepAliveIntervalNs = ctx.keepAliveIntervalNs();
        resendTimeoutNs = ctx.resendTimeoutNs();
        idleTimeoutNs = ctx.idleTimeoutNs();
        readBuffer = ByteBuffer.allocateDirect(chunkLength);
        chunkBuffer = new UnsafeBuffer(readBuffer);
    }

    /**
     * A snapshot was committed (or found at start): transfers from now on send it. Opens the file at once, so it
     * stays readable for as long as a transfer needs it.
     *
     * @param snapshot the newest committed snapshot.
     * @throws java.io.UncheckedIOException when the file cannot be opened; the previous snapshot stays the latest.
     */
    public void latest(final SnapshotInfo snapshot)
    {
        if (null != latest && latest.info.equals(snapshot))
        {
            return;
        }

        final OpenSnapshot newest = new OpenSnapshot(snapshot, store.openChunks(snapshot));
        if (null != latest)
        {
            latest.release();
        }
        latest = newest;

        for (final Transfer transfer : transfers)
        {
            if (null != transfer && transfer.isActive() && 0 == transfer.ackedOffset)
            {
                transfer.snapshot.release();
                transfer.snapshot = newest.retain();
                transfer.startProbe();
            }
        }
    }

    /**
     * The core wants the peer to get a snapshot: start a transfer to it, or keep the one under way alive (a chunk
     * without data when nothing was sent to the peer for {@link Context#keepAliveIntervalNs()}). Called about once per
     * heartbeat interval while the peer needs it.
     *
     * @param peer  member id of the follower.
     * @param term  of this leader; a transfer of an earlier term is started again.
     * @param nowNs the node's clock.
     * @return false when there is no snapshot to send.
     */
    public boolean offer(final int peer, final long term, final long nowNs)
    {
        if (null == latest)
        {
            return false;
        }

        Transfer transfer = transfers[peer];
        if (null == transfer)
        {
            transfer = new Transfer(peer);
            transfers[peer] = transfer;
        }
        if (transfer.isActive() && transfer.term != term)
        {
            end(transfer);
        }

        transfer.lastOfferNs = nowNs;
        if (!transfer.isActive())
        {
            transfer.snapshot = latest.retain();
            transfer.term = term;
            transfer.startNs = nowNs;
            transfer.startProbe();
            activeTransfers++;
            logStart(transfer);
            sendProbe(transfer, nowNs);
        }
        else if (nowNs - transfer.lastSendNs >= keepAliveIntervalNs)
        {
            sendEmpty(transfer, transfer.sendOffset, nowNs);
        }

        return true;
    }

    /**
     * A follower's ack, after the core has seen its term. Acks of another term or another snapshot than the transfer's
     * are ignored.
     *
     * @param peer          member id of the follower.
     * @param term          of the ack.
     * @param snapshotIndex of the snapshot acknowledged.
     * @param snapshotTerm  of the snapshot acknowledged.
     * @param nextOffset    bytes the follower holds.
     * @param status        of the install.
     * @param nowNs         the node's clock.
     */
    public void onAck(
        final int peer,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long nextOffset,
        final SnapshotAckStatus status,
        final long nowNs)
    {
        final Transfer transfer = peer >= 0 && peer < transfers.length ? transfers[peer] : null;
        if (null == transfer || !transfer.isActive() || transfer.term != term ||
            transfer.snapshot.info.index() != snapshotIndex || transfer.snapshot.info.term() != snapshotTerm)
        {
            return;
        }

        switch (status)
        {
            case INSTALLED:
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": member " + peer + " installed the " +
                    "snapshot at index " + snapshotIndex + " term " + snapshotTerm + " (" + transfer.snapshot.length +
                    " bytes, " + (nowNs - transfer.startNs) / 1_000_000 + " ms after the offer)");
                end(transfer);
                break;

            case NOT_NEEDED:
                LOGGER.log(System.Logger.Level.DEBUG, () -> "member " + memberId + ": member " + peer +
                    " does not need the snapshot at index " + snapshotIndex + ": it applied past it");
                end(transfer);
                break;

            case CORRUPT:
                LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": member " + peer + " received the " +
                    "snapshot at index " + snapshotIndex + " term " + snapshotTerm + " corrupt: sending the newest " +
                    "snapshot again from the start");
                if (transfer.snapshot != latest)
                {
                    transfer.snapshot.release();
                    transfer.snapshot = latest.retain();
                }
                transfer.startProbe();
                break;

            case RECEIVING:
                onReceiving(transfer, Math.min(nextOffset, transfer.snapshot.length), nowNs);
                break;
        }
    }

    /**
     * Send chunks within each transfer's window and this cycle's budget, resend after a timeout, and forget transfers
     * the core no longer offers.
     *
     * @param nowNs the node's clock.
     * @return the number of messages sent.
     */
    public int doWork(final long nowNs)
    {
        if (0 == activeTransfers)
        {
            return 0;
        }

        int workCount = 0;
        cycleBudget = budgetBytesPerCycle;
        final int first = nextPeer;
        nextPeer = (nextPeer + 1) % transfers.length;
        for (int i = 0; i < transfers.length; i++)
        {
            final Transfer transfer = transfers[(first + i) % transfers.length];
            if (null == transfer || !transfer.isActive())
            {
                continue;
            }

            if (nowNs - transfer.lastOfferNs >= idleTimeoutNs)
            {
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": snapshot transfer to member " +
                    transfer.peer + " dropped at " + transfer.ackedOffset + " of " + transfer.snapshot.length +
                    " bytes acknowledged: not needed for " + idleTimeoutNs / 1_000_000 + " ms (caught up from the " +
                    "log, or unreachable)");
                end(transfer);
            }
            else if (transfer.probing)
            {
                if (transfer.probeDue || nowNs - transfer.lastSendNs >= resendTimeoutNs)
                {
                    workCount += sendProbe(transfer, nowNs) ? 1 : 0;
                }
            }
            else
            {
                if (transfer.sendOffset > transfer.ackedOffset && nowNs - transfer.lastProgressNs >= resendTimeoutNs)
                {
                    // Chunks or their acks were lost: go back to what the follower is known to hold.
                    transfer.sendOffset = transfer.ackedOffset;
                    transfer.lastProgressNs = nowNs;
                }
                workCount += sendChunks(transfer, nowNs);
            }
        }

        return workCount;
    }

    /**
     * @param peer member id of a follower.
     * @return whether a transfer to it is under way.
     */
    public boolean isTransferring(final int peer)
    {
        final Transfer transfer = peer >= 0 && peer < transfers.length ? transfers[peer] : null;
        return null != transfer && transfer.isActive();
    }

    /**
     * No longer the leader: end every transfer. The latest snapshot stays for a later leadership.
     */
    public void clear()
    {
        for (final Transfer transfer : transfers)
        {
            if (null != transfer && transfer.isActive())
            {
                LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": snapshot transfer to member " +
                    transfer.peer + " stopped at " + transfer.ackedOffset + " of " + transfer.snapshot.length +
                    " bytes acknowledged: no longer leader of term " + transfer.term);
                end(transfer);
            }
        }
    }

    /**
     * End every transfer and close the latest snapshot.
     */
    public void close()
    {
        for (final Transfer transfer : transfers)
        {
            if (null != transfer && transfer.isActive())
            {
                end(transfer);
            }
        }
        if (null != latest)
        {
            latest.release();
            latest = null;
        }
    }

    private void onReceiving(final Transfer transfer, final long nextOffset, final long nowNs)
    {
        if (transfer.probing)
        {
            transfer.probing = false;
            transfer.ackedOffset = nextOffset;
            transfer.sendOffset = nextOffset;
            transfer.lastProgressNs = nowNs;
        }
        else if (nextOffset > transfer.ackedOffset)
        {
            transfer.ackedOffset = nextOffset;
            transfer.sendOffset = Math.max(transfer.sendOffset, nextOffset);
            transfer.lastProgressNs = nowNs;
        }
        else if (nextOffset < transfer.ackedOffset)
        {
            // The follower holds less than it acknowledged before (it restarted and kept a shorter partial file).
            transfer.ackedOffset = nextOffset;
            transfer.sendOffset = nextOffset;
            transfer.lastProgressNs = nowNs;
        }
    }

    /**
     * @return the number of chunks sent, within the transfer's window and what is left of this cycle's budget.
     */
    private int sendChunks(final Transfer transfer, final long nowNs)
    {
        final OpenSnapshot snapshot = transfer.snapshot;
        int chunks = 0;
        while (transfer.sendOffset < snapshot.length)
        {
            final int length = (int)Math.min(chunkLength, snapshot.length - transfer.sendOffset);
            if (length > cycleBudget || transfer.sendOffset + length - transfer.ackedOffset > windowBytes)
            {
                break;
            }

            readBuffer.clear().limit(length);
            try
            {
                if (snapshot.chunks.read(transfer.sendOffset, readBuffer) != length)
                {
                    throw new IllegalStateException("snapshot " + snapshot.info.path() + " is shorter than its " +
                        snapshot.length + " bytes");
                }
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
                end(transfer);
                break;
            }

            if (!transport.sendSnapshotChunk(
                transfer.peer,
                transfer.term,
                snapshot.info.index(),
                snapshot.info.term(),
                snapshot.length,
                snapshot.checksum,
                transfer.sendOffset,
                chunkBuffer,
                0,
                length))
            {
                break;
            }

            if (transfer.sendOffset == transfer.ackedOffset)
            {
                transfer.lastProgressNs = nowNs;
            }
            transfer.sendOffset += length;
            transfer.lastSendNs = nowNs;
            bytesSent.getAndAddRelease(length);
            cycleBudget -= length;
            chunks++;
        }

        return chunks;
    }

    private boolean sendProbe(final Transfer transfer, final long nowNs)
    {
        if (sendEmpty(transfer, 0, nowNs))
        {
            transfer.probeDue = false;
            return true;
        }
        return false;
    }

    private boolean sendEmpty(final Transfer transfer, final long fileOffset, final long nowNs)
    {
        final SnapshotInfo info = transfer.snapshot.info;
        if (transport.sendSnapshotChunk(
            transfer.peer,
            transfer.term,
            info.index(),
            info.term(),
            transfer.snapshot.length,
            transfer.snapshot.checksum,
            fileOffset,
            chunkBuffer,
            0,
            0))
        {
            transfer.lastSendNs = nowNs;
            return true;
        }
        return false;
    }

    /**
     * A transfer starts: logged at INFO the first time this snapshot goes to the peer in this term, at DEBUG when it
     * is offered again (the peer answered that it does not need it, or the transfer idled out).
     */
    private void logStart(final Transfer transfer)
    {
        final SnapshotInfo info = transfer.snapshot.info;
        final boolean repeated = info.equals(transfer.announced) && transfer.term == transfer.announcedTerm;
        final System.Logger.Level level = repeated ? System.Logger.Level.DEBUG : System.Logger.Level.INFO;
        if (LOGGER.isLoggable(level))
        {
            LOGGER.log(level, "member " + memberId + ": sending the snapshot at index " + info.index() + " term " +
                info.term() + " (" + transfer.snapshot.length + " bytes) to member " + transfer.peer + " in term " +
                transfer.term);
        }
        transfer.announced = info;
        transfer.announcedTerm = transfer.term;
    }

    private void end(final Transfer transfer)
    {
        transfer.snapshot.release();
        transfer.snapshot = null;
        activeTransfers--;
    }

    /**
     * Where the transfer to one follower stands. Reused across transfers to the same follower.
     */
    private static final class Transfer
    {
        final int peer;
        OpenSnapshot snapshot;
        long term;
        boolean probing;
        boolean probeDue;
        long sendOffset;
        long ackedOffset;
        long lastSendNs;
        long lastProgressNs;
        long lastOfferNs;
        long startNs;
        SnapshotInfo announced;
        long announcedTerm;

        Transfer(final int peer)
        {
            this.peer = peer;
        }

        boolean isActive()
        {
            return null != snapshot;
        }

        /**
         * Ask the follower how much it holds before sending data: the next cycle sends an offer at offset 0.
         */
        void startProbe()
        {
            probing = true;
            probeDue = true;
            sendOffset = 0;
            ackedOffset = 0;
        }
    }

    /**
     * A snapshot file held open while it is the latest or a transfer sends it; closed by its last user.
     */
    private static final class OpenSnapshot
    {
        final SnapshotInfo info;
        final SnapshotChunks chunks;
        final long length;
        final int checksum;
        int users = 1;

        OpenSnapshot(final SnapshotInfo info, final SnapshotChunks chunks)
        {
            this.info = info;
            this.chunks = chunks;
            try
            {
                length = chunks.length();
                checksum = chunks.checksum();
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(chunks);
                throw ex;
            }
        }

        OpenSnapshot retain()
        {
            users++;
            return this;
        }

        void release()
        {
            if (0 == --users)
            {
                CloseHelper.quietClose(chunks);
            }
        }
    }

    /**
     * Settings of snapshot sending. Mutable with fluent setters; the node fills it from its {@link SnapshotConfig}
     * (chunk, window and per-cycle bytes, whose defaults these are) and its Raft heartbeat interval. Checked by the
     * {@link SnapshotSender} it is given to.
     */
    public static final class Context
    {
        public static final long RESEND_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(200);
        public static final long IDLE_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(2);

        private int memberId;
        private int chunkLength = SnapshotConfig.CHUNK_BYTES_DEFAULT;
        private long windowBytes = SnapshotConfig.INSTALL_WINDOW_BYTES_DEFAULT;
        private int budgetBytesPerCycle = SnapshotConfig.INSTALL_CYCLE_BYTES_DEFAULT;
        private long keepAliveIntervalNs = RaftConfig.HEARTBEAT_INTERVAL_DEFAULT_NS;
        private long resendTimeoutNs = RESEND_TIMEOUT_DEFAULT_NS;
        private long idleTimeoutNs = IDLE_TIMEOUT_DEFAULT_NS;

        /**
         * Check every setting and how they relate.
         *
         * @param maxChunkLength the most data one chunk may carry on the transport.
         * @return this for a fluent API.
         * @throws IllegalArgumentException naming the setting at fault and what to change.
         */
        public Context validate(final int maxChunkLength)
        {
            if (chunkLength <= 0 || chunkLength > maxChunkLength)
            {
                throw new IllegalArgumentException("chunkLength=" + chunkLength + " must be > 0 and <= " +
                    maxChunkLength + ", the most one consensus message can carry: lower " + SnapshotConfig.CHUNK_BYTES_PROP +
                    " or raise the consensus channel's term length (a message is at most an eighth of it)");
            }
            if (windowBytes < chunkLength)
            {
                throw new IllegalArgumentException(
                    "windowBytes=" + windowBytes + " must be >= chunkLength=" + chunkLength);
            }
            if (budgetBytesPerCycle < chunkLength)
            {
                throw new IllegalArgumentException(
                    "budgetBytesPerCycle=" + budgetBytesPerCycle + " must be >= chunkLength=" + chunkLength);
            }
            if (keepAliveIntervalNs <= 0)
            {
                throw new IllegalArgumentException("keepAliveIntervalNs=" + keepAliveIntervalNs + " must be > 0");
            }
            if (resendTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("resendTimeoutNs=" + resendTimeoutNs + " must be > 0");
            }
            if (idleTimeoutNs <= keepAliveIntervalNs)
            {
                throw new IllegalArgumentException("idleTimeoutNs=" + idleTimeoutNs + " must be > keepAliveIntervalNs=" +
                    keepAliveIntervalNs + ": the core offers a transfer about once per heartbeat interval");
            }

            return this;
        }

        /**
         * @param memberId of the sending node, named in its log lines.
         * @return this for a fluent API.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        public int memberId()
        {
            return memberId;
        }

        /**
         * @param chunkLength bytes of file data in one chunk.
         * @return this for a fluent API.
         */
        public Context chunkLength(final int chunkLength)
        {
            this.chunkLength = chunkLength;
            return this;
        }

        public int chunkLength()
        {
            return chunkLength;
        }

        /**
         * @param windowBytes bytes a transfer may send beyond the follower's last acknowledged offset.
         * @return this for a fluent API.
         */
        public Context windowBytes(final long windowBytes)
        {
            this.windowBytes = windowBytes;
            return this;
        }

        public long windowBytes()
        {
            return windowBytes;
        }

        /**
         * @param budgetBytesPerCycle bytes all transfers together may send in one duty cycle.
         * @return this for a fluent API.
         */
        public Context budgetBytesPerCycle(final int budgetBytesPerCycle)
        {
            this.budgetBytesPerCycle = budgetBytesPerCycle;
            return this;
        }

        public int budgetBytesPerCycle()
        {
            return budgetBytesPerCycle;
        }

        /**
         * @param keepAliveIntervalNs how long a transfer may send nothing before an offer sends a chunk without data.
         * @return this for a fluent API.
         */
        public Context keepAliveIntervalNs(final long keepAliveIntervalNs)
        {
            this.keepAliveIntervalNs = keepAliveIntervalNs;
            return this;
        }

        public long keepAliveIntervalNs()
        {
            return keepAliveIntervalNs;
        }

        /**
         * @param resendTimeoutNs how long without ack progress before a transfer sends again from the follower's last
         *                        acknowledged offset (or repeats its offer).
         * @return this for a fluent API.
         */
        public Context resendTimeoutNs(final long resendTimeoutNs)
        {
            this.resendTimeoutNs = resendTimeoutNs;
            return this;
        }

        public long resendTimeoutNs()
        {
            return resendTimeoutNs;
        }

        /**
         * @param idleTimeoutNs how long a transfer the core has not offered is kept before it is forgotten.
         * @return this for a fluent API.
         */
        public Context idleTimeoutNs(final long idleTimeoutNs)
        {
            this.idleTimeoutNs = idleTimeoutNs;
            return this;
        }

        public long idleTimeoutNs()
        {
            return idleTimeoutNs;
        }
    }
}
