package io.flotilla.engine.node;

import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.DirectBuffer;

/**
 * The two messages of a snapshot install, in: the {@link ConsensusAdapter} hands each validated chunk and ack from a
 * peer here. On a follower the chunks go to its {@link SnapshotReceiver}; on a leader the acks go to its
 * {@link SnapshotSender}, after the Raft core has seen their terms.
 */
public interface SnapshotTransferHandler
{
    /**
     * A chunk of a snapshot file from a leader; no data is an offer or a keep-alive. The data lies within the file:
     * {@code fileOffset + length <= snapshotLength}.
     *
     * @param from             member id of the leader.
     * @param term             of the leader.
     * @param snapshotIndex    last log index the snapshot includes.
     * @param snapshotTerm     term of that entry.
     * @param snapshotLength   of the whole snapshot file.
     * @param snapshotChecksum of the file.
     * @param fileOffset       of the data in the file.
     * @param buffer           holding the data, valid only during the call.
     * @param offset           of the data in the buffer.
     * @param length           of the data.
     */
    void onSnapshotChunk(
        int from,
        long term,
        long snapshotIndex,
        long snapshotTerm,
        long snapshotLength,
        int snapshotChecksum,
        long fileOffset,
        DirectBuffer buffer,
        int offset,
        int length);

    /**
     * A follower's progress on a snapshot install.
     *
     * @param from          member id of the follower.
     * @param term          the follower acknowledges in.
     * @param snapshotIndex of the snapshot.
     * @param snapshotTerm  of the snapshot.
     * @param nextOffset    bytes the follower holds.
     * @param status        of the install.
     */
    void onSnapshotAck(int from, long term, long snapshotIndex, long snapshotTerm, long nextOffset, SnapshotAckStatus status);
}
