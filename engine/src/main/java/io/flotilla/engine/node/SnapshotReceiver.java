package io.flotilla.engine.node;

import io.flotilla.archive.SnapshotCorruptException;
import io.flotilla.archive.SnapshotInfo;
import io.flotilla.archive.SnapshotReceive;
import io.flotilla.archive.SnapshotStore;
import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.LongSupplier;

/**
 * The follower's side of a snapshot install: takes the leader's chunks into the store's partial file for that
 * snapshot and acknowledges each chunk with how much of the file it holds, which is where the leader continues.
 * Runs on the node thread.
 * <p>
 * A chunk first passes the {@link TermCheck} (the Raft core: a stale leader's chunk is dropped unanswered). A snapshot
 * at or below the applied index is answered {@link SnapshotAckStatus#NOT_NEEDED}. Otherwise the partial file of that
 * snapshot (index, term, length, checksum) is opened, or resumed from what an earlier connection or an earlier run of
 * the node left ({@link SnapshotStore#receive}); a different snapshot replaces it. Data is written only where the
 * file ends ({@code fileOffset == receivedLength}); any other chunk is just answered with the current length, so the
 * leader resends from there. Writes on the node thread are plain writes into the page cache (never forced there,
 * see {@link SnapshotReceive}); the {@link SnapshotWorker} forces what has arrived every
 * {@link #FORCE_INTERVAL_BYTES}, so that the disk keeps up with the transfer, and, once per received file, forces the
 * rest, verifies its checksums and renames it into place. A verified
 * snapshot is handed to the {@link ReceivedHandler} on the node thread; the node loads it and then calls
 * {@link #installed(SnapshotInfo)}, which answers {@link SnapshotAckStatus#INSTALLED}. A file that fails verification
 * is deleted by the store and answered {@link SnapshotAckStatus#CORRUPT}: the leader starts again from 0. While a
 * received file is being verified or loaded, chunks of other snapshots are dropped unanswered (the leader repeats
 * its offer).
 */
public final class SnapshotReceiver implements AutoCloseable
{
    /**
     * Asks the Raft core whether a chunk's leader and term are current (it also counts as hearing from the leader).
     */
    @FunctionalInterface
    public interface TermCheck
    {
        /**
         * @param from member id of the leader that sent the chunk.
         * @param term of the chunk.
         * @return false to drop the chunk: its term is stale.
         */
        boolean accept(int from, long term);
    }

    /**
     * Told on the node thread of a snapshot received whole and verified, ready to be loaded.
     */
    @FunctionalInterface
    public interface ReceivedHandler
    {
        /**
         * @param from     member id of the leader that sent it (the last to send a chunk of it).
         * @param term     of that leader.
         * @param snapshot the verified snapshot, under its final name in the store, members read.
         */
        void onReceived(int from, long term, SnapshotInfo snapshot);
    }

    /** Bytes received between two forces of the partial file on the snapshot thread. */
    static final long FORCE_INTERVAL_BYTES = 64L * 1024 * 1024;

    private static final System.Logger LOGGER = System.getLogger(SnapshotReceiver.class.getName());

    private final int memberId;
    private final NanoClock clock;
    private final SnapshotStore store;
    private final SnapshotWorker worker;
    private final SnapshotTransport transport;
    private final TermCheck termCheck;
    private final LongSupplier appliedIndex;
    private final ReceivedHandler receivedHandler;
    private final ErrorHandler errorHandler;
    private final AtomicCounter bytesReceived;

    private SnapshotReceive receive;
    // The received length up to which a force was last asked for, and whether that force is still running.
    private long forceAskedAt;
    private boolean forcing;
    // When the receive (or its resume) began and when its last byte came, for the log.
    private long receiveStartNs;
    private long receivedAllNs;
    private boolean completing;
    private SnapshotInfo received;
    private int leaderId;
    private long leaderTerm;
    private boolean closed;

    /**
     * @param memberId        of the receiving node, named in its log lines.
     * @param clock           the node's clock, to time a transfer in the log.
     * @param store           to receive into.
     * @param worker          the snapshot thread, which completes received files.
     * @param transport       to send acks with.
     * @param termCheck       the Raft core's check of a chunk's term.
     * @param appliedIndex    the index the state machine has applied: a snapshot at or below it is not needed.
     * @param receivedHandler told of each verified snapshot.
     * @param errorHandler    told of failures other than a corrupt file (a disk error, say).
     * @param bytesReceived   counter of snapshot bytes written.
     */
    public SnapshotReceiver(
        final int memberId,
        final NanoClock clock,
        final SnapshotStore store,
        final SnapshotWorker worker,
        final SnapshotTransport transport,
        final TermCheck termCheck,
        final LongSupplier appliedIndex,
        final ReceivedHandler receivedHandler,
        final ErrorHandler errorHandler,
        final AtomicCounter bytesReceived)
    {
        this.memberId = memberId;
        this.clock = clock;
        this.store = store;
        this.worker = worker;
        this.transport = transport;
        this.termCheck = termCheck;
        this.appliedIndex = appliedIndex;
        this.receivedHandler = receivedHandler;
        this.errorHandler = errorHandler;
        this.bytesReceived = bytesReceived;
    }

    /**
     * A chunk from a leader, validated by the {@link ConsensusAdapter}: its data lies within the file.
     *
     * @param from             member id of the leader.
     * @param term             of the leader.
     * @param snapshotIndex    last log index the snapshot includes.
     * @param snapshotTerm     term of that entry.
     * @param snapshotLength   of the whole file.
     * @param snapshotChecksum of the file.
     * @param fileOffset       of the data in the file.
     * @param buffer           holding the data.
     * @param offset           of the data in the buffer.
     * @param length           of the data; 0 for an offer or a keep-alive.
     */
    public void onChunk(
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
        if (closed || !termCheck.accept(from, term))
        {
            return;
        }

        if (snapshotIndex <= appliedIndex.getAsLong())
        {
            transport.sendSnapshotAck(from, term, snapshotIndex, snapshotTerm, 0, SnapshotAckStatus.NOT_NEEDED);
            return;
        }

        if (completing || null != received)
        {
            if (isPending(snapshotIndex, snapshotTerm))
            {
                // Every byte is in: keep the leader from resending while the file is verified and loaded.
                leaderId = from;
                leaderTerm = term;
                transport.sendSnapshotAck(
                    from, term, snapshotIndex, snapshotTerm, snapshotLength, SnapshotAckStatus.RECEIVING);
            }
            return;
        }

        if (!isReceiving(snapshotIndex, snapshotTerm, snapshotLength, snapshotChecksum))
        {
            if (!open(snapshotIndex, snapshotTerm, snapshotLength, snapshotChecksum))
            {
                return;
            }
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": receiving the snapshot at index " +
                snapshotIndex + " term " + snapshotTerm + " (" + snapshotLength + " bytes) from leader " + from +
                (receive.receivedLength() > 0 ? ", resuming at byte " + receive.receivedLength() : ""));
        }

        leaderId = from;
        leaderTerm = term;
        if (length > 0 && fileOffset == receive.receivedLength())
        {
            try
            {
                receive.write(fileOffset, buffer, offset, length);
                bytesReceived.getAndAddRelease(length);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }

        final long receivedLength = receive.receivedLength();
        transport.sendSnapshotAck(
            from, term, snapshotIndex, snapshotTerm, receivedLength, SnapshotAckStatus.RECEIVING);
        if (receivedLength == snapshotLength)
        {
            complete();
        }
        else if (!forcing && receivedLength - forceAskedAt >= FORCE_INTERVAL_BYTES)
        {
            forceWritten();
        }
    }

    /**
     * The node has loaded the snapshot it was handed: tell the leader it is installed.
     *
     * @param snapshot the snapshot handed to the {@link ReceivedHandler}.
     */
    public void installed(final SnapshotInfo snapshot)
    {
        if (null != received && received.equals(snapshot))
        {
            received = null;
            transport.sendSnapshotAck(
                leaderId, leaderTerm, snapshot.index(), snapshot.term(), snapshot.length(), SnapshotAckStatus.INSTALLED);
        }
    }

    /**
     * Stop receiving. A partial file is kept (the store forces it) so that a later run resumes it; a file being
     * verified is left to the worker, whose result is then ignored.
     */
    public void close()
    {
        closed = true;
        if (null != receive && !completing)
        {
            receive.close();
        }
        receive = null;
    }

    private boolean isPending(final long snapshotIndex, final long snapshotTerm)
    {
        return completing ?
            receive.index() == snapshotIndex && receive.term() == snapshotTerm :
            received.index() == snapshotIndex && received.term() == snapshotTerm;
    }

    private boolean isReceiving(
        final long snapshotIndex, final long snapshotTerm, final long snapshotLength, final int snapshotChecksum)
    {
        return null != receive && receive.index() == snapshotIndex && receive.term() == snapshotTerm &&
            receive.length() == snapshotLength && receive.checksum() == snapshotChecksum;
    }

    /**
     * Open (or resume) the partial file of this snapshot, in place of any other.
     *
     * @return false when the store refused it; the failure was reported.
     */
    private boolean open(
        final long snapshotIndex, final long snapshotTerm, final long snapshotLength, final int snapshotChecksum)
    {
        if (null != receive)
        {
            receive.abort();
            receive = null;
        }

        try
        {
            receive = store.receive(snapshotIndex, snapshotTerm, snapshotLength, snapshotChecksum);
            forceAskedAt = receive.receivedLength();
            receiveStartNs = clock.nanoTime();
            return true;
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return false;
        }
    }

    private void forceWritten()
    {
        forcing = true;
        forceAskedAt = receive.receivedLength();
        final SnapshotReceive forced = receive;
        worker.submit(() ->
        {
            forced.forceWritten();
            return null;
        },
        (ignore, failure) ->
        {
            forcing = false;
            if (null != failure && !closed && forced == receive)
            {
                errorHandler.onError(failure);
            }
        });
    }

    private void complete()
    {
        completing = true;
        receivedAllNs = clock.nanoTime();
        final SnapshotReceive completed = receive;
        worker.submit(completed::complete, (snapshot, failure) -> onCompleted(completed, snapshot, failure));
    }

    private void onCompleted(final SnapshotReceive completed, final SnapshotInfo snapshot, final Throwable failure)
    {
        if (closed)
        {
            return;
        }

        completing = false;
        receive = null;
        if (null == failure)
        {
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": received the snapshot at index " +
                snapshot.index() + " term " + snapshot.term() + " (" + snapshot.length() + " bytes) in " +
                (receivedAllNs - receiveStartNs) / 1_000_000 + " ms, forced and verified in " +
                (clock.nanoTime() - receivedAllNs) / 1_000_000 + " ms");
            received = snapshot;
            receivedHandler.onReceived(leaderId, leaderTerm, snapshot);
        }
        else
        {
            if (failure instanceof SnapshotCorruptException)
            {
                LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": the snapshot received from leader " +
                    leaderId + " failed verification (" + failure.getMessage() + "): asking for it again");
            }
            else
            {
                errorHandler.onError(failure);
            }
            // The store deleted the partial file: the leader must send the snapshot again from the start.
            transport.sendSnapshotAck(
                leaderId, leaderTerm, completed.index(), completed.term(), 0, SnapshotAckStatus.CORRUPT);
        }
    }
}
